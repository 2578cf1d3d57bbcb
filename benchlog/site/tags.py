"""Chart and table tags in posts: `{{ benchlog chart=latency machine=ID run=RUN }}` becomes live HTML.

Only the author's posts expand tags; generated result pages never do. The scanner follows Markdown's own rules
for code, so posts and docs can show the syntax: fenced and indented code blocks, code spans of any number of
backticks (a span closes only on a run of the same length, and never past its paragraph), backslash-escaped
backticks and HTML comments are left as they are. Everywhere else, anything that starts like a tag must be one: a
`{{ benchlog` that does not parse, or a misspelled `{{ benchlg …}}`, is an error (the build stops with one line), so
a broken tag is never published as text.
"""

import bisect
import difflib
import re
import shlex

from benchlog.site import charts
from benchlog.site.pages import chart_html, html_block

FENCE = re.compile(r"^ {0,3}(```|~~~)")
# What may follow "{{ benchlog": arguments (no braces, line breaks allowed, at most 1,000 characters) and "}}".
OPENING = re.compile(r"\{\{\s{0,200}benchlog\b")
REST = re.compile(r"([^{}]{0,1000})\}\}")
# "{{ word": a word that looks like "benchlog" is a misspelled tag, not text.
WORD = re.compile(r"\{\{\s{0,200}([A-Za-z_][\w-]{0,30})")
SPECIAL = re.compile(r"[\\`<{]")
TICKS = re.compile(r"`+")
TABLES = ("variants", "cpu-features", "answers", "posts", "advice", "roof")
# The machine page's views a post can embed too; each needs machine= (and pareto takes run=).
MACHINE_CHARTS = ("pareto", "sweep", "history")
MACHINE_TABLES = ("advice", "roof")
VIEWS = ("compact", "full")  # a variants table: what a post's reader needs (default), or every column and memo
KEYS = {"chart", "table", "machine", "run", "view"}


class TagError(Exception):
    """A tag that does not parse or names something that does not exist; the message quotes the tag."""


def expand_tags(markdown, renderer, render=None, page_url=None):
    """Expand tags outside code and HTML comments, one paragraph at a time.
    `render(kind, name, frame, view)` gives a tag's text: the site's HTML by default (export passes its own);
    `page_url` is the post's URL (blog/2025/11/30/slug/), for links from it to the result pages."""
    render = render or (lambda kind, name, frame, view: html_block(render_html(kind, name, frame, view, renderer,
                                                                               page_url)))
    expand = lambda tag, args: _expand(tag, args, renderer, render)  # noqa: E731
    out, para, fence, comment = [], [], None, False

    def flush():
        nonlocal comment
        if para:
            text, comment = _scan("".join(para), comment, expand)
            out.append(text)
            para.clear()

    for line in markdown.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence:
            fence = None if opening and opening.group(1) == fence else fence
            out.append(line)
            continue
        if not line.strip():  # a blank line ends a paragraph, and with it every code span
            flush()
            out.append(line)
            continue
        if opening:
            flush()  # a fence may interrupt a paragraph; inside an HTML comment it is only text
            if not comment:
                fence = opening.group(1)
                out.append(line)
                continue
        elif line.startswith(("    ", "\t")) and not para and not comment:
            out.append(line)  # an indented code block: where no paragraph is open (an indented line in one is text)
            continue
        para.append(line)
    flush()
    return "".join(out)


def _scan(text, in_comment, expand):
    """(the paragraph with its tags expanded, whether an HTML comment is still open at its end)."""
    ticks = {}  # backtick-run length -> the positions where such runs start, for closing code spans
    for m in TICKS.finditer(text):
        ticks.setdefault(len(m.group()), []).append(m.start())
    out, pos = [], 0
    while pos < len(text):
        if in_comment:
            end = text.find("-->", pos)
            if end < 0:
                out.append(text[pos:])
                return "".join(out), True
            out.append(text[pos:end + 3])
            pos, in_comment = end + 3, False
            continue
        m = SPECIAL.search(text, pos)
        if not m:
            out.append(text[pos:])
            break
        start = m.start()
        out.append(text[pos:start])
        char = text[start]
        if char == "\\":
            pos = start + 2  # an escaped character (an escaped backtick opens no code span)
            out.append(text[start:pos])
        elif char == "`":
            run = TICKS.match(text, start).group()
            starts = ticks[len(run)]
            i = bisect.bisect_right(starts, start)
            pos = starts[i] + len(run) if i < len(starts) else start + len(run)  # unclosed: plain backticks
            out.append(text[start:pos])
        elif text.startswith("<!--", start):
            out.append("<!--")
            pos, in_comment = start + 4, True
        elif char == "{" and text.startswith("{{", start):
            pos = _tag(text, start, out, expand)
        else:
            out.append(char)
            pos = start + 1
    return "".join(out), in_comment


def _tag(text, start, out, expand):
    """Expands the tag at `start` into `out` and returns where scanning goes on; a tag that does not parse, or a
    word that is a misspelled "benchlog", is a TagError."""
    opening = OPENING.match(text, start)
    if opening:
        rest = REST.match(text, opening.end())
        if not rest:
            shown = " ".join(text[start:start + 60].split()) + ("…" if len(text) > start + 60 else "")
            raise TagError(f"tag '{shown}': does not parse (a tag is '{{{{ benchlog chart=NAME … }}}}': no braces "
                           "inside, at most 1,000 characters of arguments, closed by '}}')")
        out.append(expand(" ".join(text[start:rest.end()].split()), rest.group(1)))
        return rest.end()
    word = WORD.match(text, start)
    if word and word.group(1) != "benchlog" and \
            difflib.SequenceMatcher(None, word.group(1).lower(), "benchlog").ratio() >= 0.8:
        raise TagError(f"'{{{{ {word.group(1)}': a misspelled tag? (tags start '{{{{ benchlog')")
    out.append("{")
    return start + 1


def _expand(tag, args, renderer, render):
    try:
        text = render(*resolve(parse_args(args), renderer))
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
    if "view" in args and (args.get("table") != "variants" or args["view"] not in VIEWS):
        raise TagError(f"view= goes with table=variants and is one of {', '.join(VIEWS)}")
    return args


def resolve(args, renderer):
    """(kind, name, frame, view) for a tag's arguments, every name checked: ("chart", "latency", variants,
    "compact") or ("table", "variants", variants, "full")."""
    frame = _scope(args, renderer)
    if "chart" in args:
        if args["chart"] not in (*charts.CHARTS, *MACHINE_CHARTS):
            raise TagError(f"no chart '{args['chart']}' (charts: {', '.join((*charts.CHARTS, *MACHINE_CHARTS))})")
        kind, name = "chart", args["chart"]
    else:
        if args["table"] not in TABLES:
            raise TagError(f"no table '{args['table']}' (tables: {', '.join(TABLES)})")
        kind, name = "table", args["table"]
    if name in (*MACHINE_CHARTS, *MACHINE_TABLES):
        if "machine" not in args:
            raise TagError(f"{kind}={name} needs machine=")
        if name != "pareto" and "run" in args:
            raise TagError(f"{kind}={name} shows the machine's {name}; it takes no run=")
        if renderer.view(name, frame) is None:
            raise TagError(f"machine '{args['machine']}' has no {name} to show")
    return kind, name, frame, args.get("view", VIEWS[0])


def render_html(kind, name, frame, view, renderer, page_url=None):
    """The site's HTML for a resolved tag; links go from the page at `page_url` (a post) to the result pages."""
    if kind == "chart":
        return chart_html(renderer.view(name, frame))
    if name in MACHINE_TABLES:
        return renderer.view(name, frame)
    if name == "cpu-features":
        return renderer.cpu_table()
    if name == "answers":
        return renderer.answers_list(page_url or "")
    if name == "posts":
        return renderer.posts_list(page_url or "")
    return renderer.variants_table(frame) if view == "full" else renderer.compact_table(frame, page_url)


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
