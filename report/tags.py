"""Chart and table tags in posts: `{{ benchlog chart=latency machine=ID run=RUN }}` becomes live HTML.

Only the author's posts expand tags; generated result pages never do. Tags inside code (fenced or indented blocks,
`inline code`) and HTML comments are left as they are, so posts and docs can show the syntax.
"""

import re
import shlex

from . import charts
from .pages import chart_html, html_block

# Bounded repeats keep the scan linear in the post's length, whatever the post holds.
TAG = re.compile(r"(?P<code>`[^`\n]{0,2000}`)|(?P<tag>\{\{\s{0,20}benchlog\b(?P<args>[^}\n]{0,1000})\}\})")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
TABLES = ("variants", "cpu-features")
KEYS = {"chart", "table", "machine", "run"}


class TagError(Exception):
    """A tag that names something that does not exist; the message quotes the tag."""


def expand_tags(markdown, renderer, render=None):
    """Expand tags outside fenced code, indented code, code spans and HTML comments; one pass, line by line.
    `render(kind, name, frame)` gives a tag's text: the site's HTML by default (export passes its own)."""
    render = render or (lambda kind, name, frame: html_block(render_html(kind, name, frame, renderer)))
    out, fence, comment, code_may_follow = [], None, False, True
    for line in markdown.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence:
            fence = None if opening and opening.group(1) == fence else fence
            out.append(line)
            continue
        if opening and not comment:
            fence = opening.group(1)
            out.append(line)
            continue
        indented = line.startswith(("    ", "\t")) and line.strip()
        if indented and code_may_follow and not comment:
            out.append(line)  # an indented code block: after a blank line or more indented code
            continue
        code_may_follow = not line.strip()
        expanded, comment = _expand_line(line, comment, lambda m: _expand(m, renderer, render))
        out.append(expanded)
    return "".join(out)


def _expand_line(line, in_comment, expand):
    """(the line with its tags expanded outside HTML comments, whether a comment is still open at its end)."""
    out, pos = [], 0
    while pos < len(line):
        if in_comment:
            end = line.find("-->", pos)
            if end < 0:
                out.append(line[pos:])
                return "".join(out), True
            out.append(line[pos:end + 3])
            pos, in_comment = end + 3, False
        else:
            start = line.find("<!--", pos)
            stop = len(line) if start < 0 else start
            out.append(TAG.sub(expand, line[pos:stop]))
            pos, in_comment = stop, start >= 0
    return "".join(out), in_comment


def _expand(match, renderer, render):
    if match.group("code"):
        return match.group("code")
    tag = match.group("tag")
    try:
        text = render(*resolve(parse_args(match.group("args")), renderer))
    except TagError as exc:
        raise TagError(f"tag '{tag}': {exc}") from None
    # Blank lines around it make Markdown take it as a block of its own.
    return f"\n\n{text}\n\n"


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


def resolve(args, renderer):
    """(kind, name, frame) for a tag's arguments, every name checked: ("chart", "latency", variants) or
    ("table", "variants", variants)."""
    frame = _scope(args, renderer)
    if "chart" in args:
        if args["chart"] not in charts.CHARTS:
            raise TagError(f"no chart '{args['chart']}' (charts: {', '.join(charts.CHARTS)})")
        return "chart", args["chart"], frame
    if args["table"] not in TABLES:
        raise TagError(f"no table '{args['table']}' (tables: {', '.join(TABLES)})")
    return "table", args["table"], frame


def render_html(kind, name, frame, renderer):
    """The site's HTML for a resolved tag."""
    if kind == "chart":
        return chart_html(charts.CHARTS[name](frame))
    return renderer.cpu_table() if name == "cpu-features" else renderer.variants_table(frame)


def _scope(args, renderer):
    """The variants a tag shows: one run; one machine's headline runs; or every machine on the first workload
    of the comparison (the TIL's). Never two workloads in one chart."""
    results = renderer.results
    machine, run = args.get("machine"), args.get("run")
    if run is not None and machine is None:
        raise TagError("run= needs machine= too")
    if machine is None:
        return renderer.first_section
    if machine not in results.machines:
        raise TagError(f"no machine '{machine}' in results/ (machines: {', '.join(results.machines) or 'none'})")
    if run is None:
        return renderer.headline[renderer.headline.machine_id == machine]
    if results.run(machine, run) is None:
        runs = ", ".join(r.id for r in results.runs_of(machine)) or "none"
        raise TagError(f"no run '{run}' for machine '{machine}' (runs: {runs})")
    frame = renderer.all_frame
    return frame[(frame.machine_id == machine) & (frame.run_id == run)]
