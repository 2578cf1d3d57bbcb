"""Chart and table tags in posts: `{{ benchlog chart=latency machine=ID run=RUN }}` becomes live HTML.

Tags inside code (fenced blocks or `inline code`) are left as they are, so posts and docs can show the syntax.
"""

import re
import shlex

from . import charts
from .pages import chart_html

TAG = re.compile(r"(?P<code>`[^`\n]*`)|(?P<tag>\{\{\s*benchlog\b(?P<args>[^}]*)\}\})")
FENCE = re.compile(r"^\s*(```|~~~)")
TABLES = ("variants", "cpu-features")
KEYS = {"chart", "table", "machine", "run"}


class TagError(Exception):
    """A tag that names something that does not exist; the message quotes the tag."""


def expand_tags(markdown, renderer):
    out, in_fence = [], False
    for line in markdown.splitlines(keepends=True):
        if FENCE.match(line):
            in_fence = not in_fence
        out.append(line if in_fence else TAG.sub(lambda m: _expand(m, renderer), line))
    return "".join(out)


def _expand(match, renderer):
    if match.group("code"):
        return match.group("code")
    tag = match.group("tag")
    try:
        args = parse_args(match.group("args"))
        html = render_tag(args, renderer)
    except TagError as exc:
        raise TagError(f"tag '{tag}': {exc}") from None
    # Blank lines around the HTML make Markdown pass it through as a block.
    return f"\n\n{html}\n\n"


def parse_args(text):
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise TagError(f"cannot read its arguments ({exc})") from None
    args = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or key not in KEYS:
            raise TagError(f"'{word}' is not one of {', '.join(sorted(k + '=' for k in KEYS))}")
        args[key] = value
    if ("chart" in args) == ("table" in args):
        raise TagError("give exactly one of chart=NAME or table=NAME")
    return args


def render_tag(args, renderer):
    frame = _scope(args, renderer)
    if "chart" in args:
        build = charts.CHARTS.get(args["chart"])
        if build is None:
            raise TagError(f"no chart '{args['chart']}' (charts: {', '.join(charts.CHARTS)})")
        return chart_html(build(frame), "No figures to chart for this selection.")
    if args["table"] == "cpu-features":
        return renderer.cpu_table()
    if args["table"] == "variants":
        return renderer.variants_table(frame)
    raise TagError(f"no table '{args['table']}' (tables: {', '.join(TABLES)})")


def _scope(args, renderer):
    """The variants a tag shows: one run, one machine's compared runs, or every machine's."""
    results = renderer.results
    machine, run = args.get("machine"), args.get("run")
    if run is not None and machine is None:
        raise TagError("run= needs machine= too")
    if machine is None:
        return renderer.frame
    if machine not in results.machines:
        raise TagError(f"no machine '{machine}' in results/ (machines: {', '.join(results.machines) or 'none'})")
    if run is None:
        return renderer.frame[renderer.frame.machine_id == machine]
    if results.run(machine, run) is None:
        runs = ", ".join(r.id for r in results.runs_of(machine)) or "none"
        raise TagError(f"no run '{run}' for machine '{machine}' (runs: {runs})")
    frame = renderer.all_frame
    return frame[(frame.machine_id == machine) & (frame.run_id == run)]
