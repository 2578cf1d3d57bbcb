"""`python -m benchlog ...`: the same as the `benchlog` command."""

import sys

from benchlog.cli import main

if __name__ == "__main__":
    sys.exit(main())
