"""The bench: measures this machine (one fresh process per variant and round) and writes result files. Imports the
format and the analysis, never the site."""
