"""The `benchlog` command: `run`, `roof` and `machine` measure this machine; `validate` checks result files; `collect`
adds other machines' results; `export` turns a post into Markdown or HTML for a blog; `new` starts a blog."""

import argparse
import os
import sys

from benchlog.format.errors import UserError


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
    _add_run(sub)
    _add_roof(sub)
    _add_machine(sub)
    _add_export(sub)
    _add_collect(sub)
    _add_validate(sub)
    _add_new(sub)
    return parser


def _add_run(sub):
    run = sub.add_parser("run", help="measure this machine across the backend variants")
    run.add_argument("--model", default="distilbert-base-multilingual-cased",
                     help="distilbert-base-multilingual-cased (default), minilm (bundled real weights), "
                          "tiny-distilbert (2 layers, for tests), or a local model folder")
    run.add_argument("--weights", choices=["auto", "pretrained", "random"], default="auto",
                     help="auto: real weights when on disk, else the exact architecture with random weights")
    run.add_argument("--backends", default="all",
                     help="comma-separated variants or groups (pytorch, ort, ort-cpu, ort-openvino, openvino, all)")
    run.add_argument("--batch-size", dest="batch_sizes", type=_positive_list, default=[1],
                     help="one size, or a list (1,4,16) to sweep; default 1")
    run.add_argument("--seq-len", dest="seq_lens", type=_positive_list, default=[128],
                     help="one length, or a list (16,32,64,128,256,512) to sweep; default 128")
    run.add_argument("--threads", dest="threads_list", type=_positive_list, default=[None],
                     help="one count, or a list (1,2) to sweep; default: physical cores")
    run.add_argument("--quick", action="store_true", help="fewer repeats (the README's first command)")
    run.add_argument("--rounds", type=_positive, default=None,
                     help="exactly this many rounds of fresh processes (default: at least 5, then more until every "
                          "speed-up's 95%% interval is within ±3%% or --budget is spent; 3 with --quick)")
    run.add_argument("--budget", type=_positive, default=None,
                     help="seconds of measuring an adaptive run may spend (default 40 per variant, at most 540)")
    run.add_argument("--repeat", type=_positive, default=1,
                     help="an A/A check: N back-to-back runs, then the spread of each speed-up across them and "
                          "whether their intervals overlap")
    run.add_argument("--results", default="results", help="results folder (default: results/)")
    run.add_argument("--no-roof", dest="roof", action="store_false",
                     help="do not measure the GEMM roof after the run (by default it is measured once per machine and "
                          "thread count, ~15 s, so the site can show each variant's %% of it)")
    run.add_argument("--machine-id", type=_machine_id, default=None,
                     help="a slug such as my-laptop (default: from vendor, model and cores; a different CPU under "
                          "that id moves on to an id naming the difference, such as amd-epyc-2vcpu-avx512)")
    run.add_argument("--cache", default=None, help="artifact cache (default: $BENCHLOG_CACHE or ~/.cache/benchlog)")
    run.set_defaults(handler=_run)


def _add_roof(sub):
    roof = sub.add_parser("roof", help="measure the best GEMM rate per precision (fp32, bf16, int8) through every "
                                       "installed library: the roof variants are compared with")
    roof.add_argument("--threads", type=_positive, default=None, help="default: physical cores, as benchlog run")
    roof.add_argument("--sizes", type=_positive_list, default=None,
                      help="square GEMM sizes (default 512,1024,2048); the best of them is the roof")
    roof.add_argument("--results", default="results", help="results folder (default: results/)")
    roof.add_argument("--machine-id", type=_machine_id, default=None)
    roof.set_defaults(handler=_roof)


def _add_machine(sub):
    machine = sub.add_parser("machine", help="print the machine fingerprint a run would write")
    machine.add_argument("--machine-id", type=_machine_id, default=None)
    machine.set_defaults(handler=_machine)


def _add_export(sub):
    export = sub.add_parser("export", help="export a post for a blog platform: Markdown + PNG charts, or one HTML")
    export.add_argument("post", help="the post, e.g. site/blog/posts/2025-11-30-distilbert-onnx-openvino.md")
    export.add_argument("--out", required=True, help="folder to write into (created if missing)")
    export.add_argument("--format", choices=["md", "html"], default="md",
                        help="md: Markdown with PNG charts in OUT/images/; html: one file, inline SVG, no script")
    export.add_argument("--results", default="results", help="results folder (default: results/)")
    export.add_argument("--site-url", default=os.environ.get("SITE_URL"),
                        help="where the site is published, for links to its pages (default: $SITE_URL)")
    export.add_argument("--image-base-url", default=None,
                        help="md: link the charts at this address (where you publish OUT/images/, e.g. "
                             "https://<user>.github.io/<repo>/assets/posts/<post>/) instead of images/")
    export.set_defaults(handler=_export)


def _add_collect(sub):
    collect = sub.add_parser("collect", help="add result folders or zips from other machines to results/")
    collect.add_argument("sources", nargs="+", metavar="SRC", help="a results folder, a machine folder, or a .zip")
    collect.add_argument("--results", default="results", help="results folder (default: results/)")
    collect.set_defaults(handler=_collect)


def _add_validate(sub):
    validate = sub.add_parser("validate", help="check every result file under DIR (default: results/)")
    validate.add_argument("dir", nargs="?", default="results")
    validate.set_defaults(handler=_validate)


def _add_new(sub):
    new = sub.add_parser("new", help="start a new blog in DIR (a new or empty folder): mkdocs.yml, a sample post, "
                                     "results/, the Pages workflow")
    new.add_argument("dir", metavar="DIR")
    new.add_argument("--title", help="the blog's name (default: the folder's name)")
    new.add_argument("--requirement", metavar="SPEC",
                     help="what the blog's requirements.txt installs (default: this benchlog: its git URL where it "
                          "was installed from git, else benchlog==<version>)")
    new.set_defaults(handler=_new)


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got '{text}'")
    return value


def _positive_list(text):
    """'128' or '16,32,64': whole numbers >= 1, each once, in the order given."""
    values = [_positive(part.strip()) for part in text.split(",")]
    if len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"lists each value once, got '{text}'")
    if len(values) > 32:
        raise argparse.ArgumentTypeError(f"at most 32 values, got {len(values)}")
    return values


def _machine_id(text):
    from benchlog.bench.machine import check_machine_id

    try:
        return check_machine_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run(args):
    from benchlog.bench.backends import select
    from benchlog.bench.runner import run, utc_now
    from benchlog.bench.sweep import run_grid

    try:
        args.variants = select(args.backends)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    paths = []
    for _ in range(args.repeat):
        paths += run_grid(args, run, utc_now())
    if args.repeat > 1:
        from benchlog.bench.repeat import print_repeat

        print_repeat(paths, sys.stdout)
    if args.roof:
        from benchlog.bench.roof import measure_missing

        measure_missing(paths, args.results)


def _roof(args):
    from benchlog.bench.roof import run

    run(args)


def _machine(args):
    import json

    from benchlog.bench.machine import collect_machine_info

    print(json.dumps(collect_machine_info(args.machine_id), indent=2, ensure_ascii=False))


def _export(args):
    from benchlog.site.export import main as export_main

    export_main(args)


def _collect(args):
    from benchlog.collect import main as collect_main

    return collect_main(args)


def _new(args):
    from benchlog.scaffold import main as new_main

    return new_main(args, sys.stdout)


def _validate(args):
    from benchlog.format.validate import validate

    return 1 if validate(args.dir, sys.stdout) else 0


if __name__ == "__main__":
    sys.exit(main())
