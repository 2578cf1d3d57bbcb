"""The `benchlog` command: `run` and `machine` measure this machine; `validate` checks result files."""

import argparse
import sys

from report.errors import UserError


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except UserError as exc:
        print(f"benchlog: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("benchlog: interrupted", file=sys.stderr)
        return 130


def build_parser():
    parser = argparse.ArgumentParser(prog="benchlog", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check every result file under DIR (default: results/)")
    validate.add_argument("dir", nargs="?", default="results")
    validate.set_defaults(handler=_validate)
    return parser


def _validate(args):
    from report.validate import validate

    return 1 if validate(args.dir, sys.stdout) else 0


if __name__ == "__main__":
    sys.exit(main())
