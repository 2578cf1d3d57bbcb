"""benchlog: measure transformer inference backends on CPUs and publish the results next to TIL posts.

Four layers, each a subpackage, and imports only go down the list:

- ``benchlog.format``   result files: the schema, reading and checking a file, migrating old formats, the one
                        user-facing error, a machine's fingerprint and the one table of ISA capabilities.
- ``benchlog.analysis`` pure functions over loaded results: intervals and speed-ups, the noise rule, the run
                        that speaks for a machine, FLOPs, the roof, efficiency, advice, sweeps.
- ``benchlog.bench``    measures this machine and writes result files (imports format and analysis).
- ``benchlog.site``     presents: the MkDocs plugin, pages, charts, tables, post tags, Korean strings, the
                        export (imports format and analysis, never bench).

Beside them: ``benchlog.cli`` (the ``benchlog`` command), ``benchlog.collect`` (result zips from other
machines) and ``benchlog.scaffold`` (``benchlog new``: a new blog).
"""
