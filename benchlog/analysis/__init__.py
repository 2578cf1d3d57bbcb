"""The analysis: pure functions over loaded results; each figure is computed here and in one place only.
Imports the format, never the bench or the site."""
