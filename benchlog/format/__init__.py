"""The result format: what a result file may hold, reading it, checking it, migrating it, and the one error
that names the file and the field. Imports nothing else of benchlog."""
