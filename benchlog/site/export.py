"""`benchlog export POST --out DIR`: a post for a blog platform that runs no JavaScript.

- md: the post as Markdown, every chart tag as a PNG under DIR/images/ (kaleido + Chromium, Korean in Noto CJK,
  2x scale), every table tag as a Markdown table; transcribed figures still say 전사.
- html: one self-contained HTML file, charts as inline SVG, inline CSS, no script.
Both reuse the site's figures and tables (report/charts.py, report/tables.py) through the same tag resolver.
"""

import copy
import html
import logging
import posixpath
import re
import sys
from pathlib import Path

import markdown as markdown_lib
import yaml

from benchlog.analysis import intervals
from benchlog.site import tables
from benchlog.format.errors import UserError
from benchlog.format.load import load_results
from benchlog.site.pages import Renderer, html_block, machine_uri, page_url
from benchlog.site.strings import UI, ui
from benchlog.site import tags
from benchlog.site.tags import TagError, expand_tags

WIDTH, HEIGHT, SCALE = 900, 540, 2  # CSS pixels; PNGs are 1800 x 1080
FONT = "Noto Sans CJK KR, Noto Sans CJK, Noto Sans, sans-serif"
LINK = re.compile(r"\]\((?P<target>(?!https?:|mailto:|#|/)[^)\s]+?\.md)(?P<anchor>#[^)\s]*)?\)")
MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|~])")  # with [ ] escaped, ( ) ! # can form no link or image
STYLE = """
body { font-family: 'Noto Sans CJK KR', 'Noto Sans', sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em;
  line-height: 1.6; color: #222; }
table { border-collapse: collapse; font-size: .85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; }
th { background: #f3f3f3; }
code, pre { background: #f5f5f5; }
pre { padding: .8em; overflow-x: auto; }
blockquote { border-left: 4px solid #ccc; margin: 1em 0; padding: 0 1em; color: #555; }
figure { margin: 1.5em 0; } figcaption { font-size: .85em; color: #555; }
svg { max-width: 100%; height: auto; }
table { display: block; max-width: 100%; overflow-x: auto; }
pre, code { white-space: pre-wrap; overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
.benchlog-badge { font-size: .75em; border: 1px solid currentColor; padding: 0 .3em; }
.benchlog-missing, .benchlog-unknown { color: #999; }
"""


# pragma: no mutate start (drawing, files, the command: run end to end by tests/test_export.py)
def export_post(post, out_dir, fmt="md", results_dir="results", site_url=None, warn=None, image_base_url=None,
                fields=None):
    """Write the export of `post` into `out_dir`; return the paths written (the document first). The post's
    title, date and tags go to `fields` (a dict, filled in): a blog editor has a field for each, so the body holds
    neither the H1 nor the date line."""
    post, out_dir = Path(post), Path(out_dir)
    if not post.is_file():
        raise UserError(f"{post}: no such post (give a file such as site/blog/posts/<post>.md)")
    meta, body = split_front_matter(post)
    title, body = take_title(body)
    meta = {**meta, "title": meta.get("title") or title or post.stem}
    if fields is not None:
        fields.update(title=str(meta["title"]), date=str(meta.get("date") or ""),
                      tags=", ".join(str(t) for t in meta.get("tags") or []))
    if image_base_url is not None:
        image_base_url = check_site_url(image_base_url, "--image-base-url")
    results = load_results(results_dir)
    for problem in results.problems:
        (warn or print)(f"skipped: {problem}")
    given, site_url = site_url, check_site_url(site_url or LOCAL_SITE)
    check_out_dir(out_dir, post, results_dir)
    if not given and LINK.search(body):
        (warn or print)(f"{post}: its links to the site's pages will point to {LOCAL_SITE}, the local preview; give "
                        "--site-url https://<user>.github.io/<repo>/ (or set SITE_URL) so a blog's readers can follow "
                        "them")
    body = absolute_links(body.replace("<!-- more -->", ""), docs_path(post), site_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    renderer = Renderer(results)
    exporter = (MarkdownExport if fmt == "md" else HtmlExport)(out_dir, post.stem, renderer, site_url)
    exporter.image_base_url = image_base_url
    with chart_renderer():
        try:
            text = expand_tags(body, renderer, render=exporter.render)
        except TagError as exc:
            raise UserError(f"{post}: {exc}") from None
    document = exporter.write(meta, text)
    return [document, *exporter.images]
# pragma: no mutate end


LOCAL_SITE = "http://127.0.0.1:8000/"  # what `mkdocs serve` serves
SAFE_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/\-]*)?")


def check_site_url(url, option="--site-url"):
    """The site's address, only as a plain http(s) URL: it becomes every link of the export, so a javascript: URL
    or a quote would become live markup."""
    if not SAFE_URL.fullmatch(url):
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in url[:80])  # one line, whatever it holds
        raise UserError(f"{option}: '{shown}' is not a plain http(s) address such as "
                        "https://<user>.github.io/<repo>/")
    return url


H1 = re.compile(r"\A\s*# (?P<title>[^\n]+)\n+")


def take_title(body):
    """(the post's H1 text or None, the body without it): a blog editor has a title field of its own."""
    m = H1.match(body)
    return (m.group("title").strip(), body[m.end():]) if m else (None, body)


def check_out_dir(out_dir, post, results_dir):
    """Refuse an --out that is a file, or inside the posts' folder tree or results/: the export would overwrite a
    post or drop a file the site then refuses."""
    out = out_dir.resolve()
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out_dir}: is a file; give a folder to write the export into")
    resolved = post.resolve()
    # the docs_dir (site/) a post of the site sits in; a post elsewhere guards its own folder (its export is
    # named like it)
    docs = resolved.parents[len(Path(docs_path(post)).parts) - 1] if "site" in resolved.parts else None
    if out == resolved.parent:
        raise UserError(f"--out {out_dir}: is the post's own folder; export to a folder of its own such as export/")
    for guarded in (g for g in (docs, Path(results_dir).resolve()) if g):
        if out == guarded or guarded in out.parents:
            raise UserError(f"--out {out_dir}: is inside {guarded}; export to a folder of its own such as export/")


# pragma: no mutate start (drawing, files, the command: run end to end by tests/test_export.py)
def split_front_matter(post):
    try:
        return front_matter(post.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{post}: the front matter is not valid YAML ({exc.problem})") from None
# pragma: no mutate end


def front_matter(text):
    """(the post's front matter as a dict, its body); a yaml.YAMLError where the front matter is not YAML."""
    if text.startswith("---\n"):
        head, sep, body = text[4:].partition("\n---\n")
        if sep:
            return yaml.safe_load(head) or {}, body
    return {}, text


# pragma: no mutate start (drawing, files, the command: run end to end by tests/test_export.py)


def docs_path(post):
    """The post's path inside the MkDocs docs_dir (site/), for resolving its relative links."""
    parts = post.resolve().parts
    return "/".join(parts[parts.index("site") + 1:]) if "site" in parts else post.name
# pragma: no mutate end


def absolute_links(body, src_uri, site_url):
    """Links to other pages of the site ([text](../../results/x.md)) become the published page's address."""
    def replace(match):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), match.group("target")))
        return f"]({site_url.rstrip('/')}/{page_url(target)}{match.group('anchor') or ''})"

    return LINK.sub(replace, body)


# pragma: no mutate start (drawing, files, the command: run end to end by tests/test_export.py)
class chart_renderer:
    """Keeps one kaleido browser for every chart of an export (~0.1 s a chart instead of ~2 s)."""

    def __enter__(self):
        import kaleido

        # choreographer (kaleido's browser driver) logs an occasional undecodable message it then ignores, with a
        # traceback; the export is unaffected, and a user should see one line or nothing.
        for name in ("choreographer", "kaleido", "logistro"):
            logging.getLogger(name).setLevel(logging.CRITICAL)

        try:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        except Exception as exc:
            raise UserError(f"benchlog export draws charts with Chromium, which could not start "
                            f"({exc.__class__.__name__}: {exc}); install it: apt-get install chromium "
                            "(make site does)") from None
        return self

    def __exit__(self, *exc):
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
        return False


def static_figure(figure):
    """The site's figure, themed for a white page: explicit colours and fonts (the site's script does this live)."""
    figure = copy.deepcopy(figure)
    layout = figure["layout"]
    layout.update(width=WIDTH, height=HEIGHT, paper_bgcolor="white", plot_bgcolor="white",
                  font={"family": FONT, "color": "#2b2b2b", "size": 13})
    layout["title"]["font"] = {"family": FONT, "color": "#2b2b2b", "size": 17}
    for axis in ("xaxis", "yaxis"):
        layout[axis].update(gridcolor="rgba(0,0,0,0.12)", zerolinecolor="rgba(0,0,0,0.3)",
                            linecolor="rgba(0,0,0,0.3)")
    return figure


def image_bytes(figure, fmt):
    import warnings

    import plotly.io as pio

    warnings.filterwarnings("ignore", message="The kopts argument is ignored")  # we keep one server on purpose
    return pio.to_image(static_figure(figure), format=fmt, width=WIDTH, height=HEIGHT,
                        scale=SCALE if fmt == "png" else 1)


def caption(figure, frame):
    """What the reader must know about a chart's figures: which are transcribed, quick or noisy."""
    notes = [figure["layout"]["meta"]["caption"]] if (figure["layout"].get("meta") or {}).get("caption") else []
    transcribed = frame[frame.transcribed.astype(bool)]
    if len(transcribed):
        sources = ", ".join(sorted({str(s) for s in transcribed.source}))
        notes.append(ui("caption_transcribed", sources=sources))
    if frame.quick.astype(bool).any():
        notes.append(UI["caption_quick"])
    if frame.noisy.fillna(False).astype(bool).any():
        notes.append(UI["caption_noisy"])
    return " · ".join(notes)
# pragma: no mutate end


def md_text(value):
    """Text from a result file for Markdown: entities for <, & and >, backslashes before Markdown syntax."""
    return MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(value).split()), quote=False))


SCRIPT_IN_SVG = re.compile(r"<script|\son\w+\s*=|javascript:", re.I)


def check_svg(svg):
    """The SVG as given, or a UserError when it holds anything that runs (a script element, an on* handler, a
    javascript: address): an inline SVG in the HTML export runs in the reader's page."""
    if SCRIPT_IN_SVG.search(svg):
        raise UserError("a chart's SVG holds script; refusing to write it")
    return svg


# pragma: no mutate start (drawing, files, the command: run end to end by tests/test_export.py)
class MarkdownExport:
    def __init__(self, out_dir, stem, renderer, site_url=LOCAL_SITE):
        self.out_dir, self.stem, self.renderer, self.images = out_dir, stem, renderer, []
        self.site_url = site_url

    def answers(self):
        """The answers list (report/headline.py) with links to the published site."""
        return self.renderer.answers_list(link=lambda to_uri: f"{self.site_url.rstrip('/')}/{page_url(to_uri)}")

    def render(self, kind, name, frame, view="compact"):
        if kind == "chart":
            figure = self.renderer.view(name, frame)
            if figure is None:
                return f"*{UI['no_chart']}*"
            path = self.out_dir / "images" / f"{self.stem}-{len(self.images) + 1}-{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image_bytes(figure, "png"))
            self.images.append(path)
            note = caption(figure, frame)
            alt = md_text(figure["layout"]["title"]["text"])
            base = f"{self.image_base_url.rstrip('/')}/" if self.image_base_url else "images/"
            return f"![{alt}]({base}{path.name})" + (f"\n\n*{md_text(note)}*" if note else "")
        if name == "answers":
            return answers_markdown(str(self.answers()))
        if name in tags.MACHINE_TABLES:  # the machine page's table, one link away
            machine = frame.machine_id.iloc[0]
            title = UI["adv_link"] if name == "advice" else UI["roof_link"]
            return f"[{md_text(title)}]({self.site_url.rstrip('/')}/{page_url(machine_uri(machine))}#{name})"
        return markdown_table(name, frame, self.renderer.results, view)

    image_base_url = None

    def write(self, meta, text):
        path = self.out_dir / f"{self.stem}.md"
        path.write_text(re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n", encoding="utf-8")
        return path


class HtmlExport(MarkdownExport):
    def render(self, kind, name, frame, view="compact"):
        if kind == "chart":
            figure = self.renderer.view(name, frame)
            if figure is None:
                return f"<p><em>{UI['no_chart']}</em></p>"
            svg = check_svg(image_bytes(figure, "svg").decode("utf-8"))
            note = caption(figure, frame)
            return html_block(f"<figure>{svg}" + (f"<figcaption>{html.escape(note)}</figcaption>" if note else "")
                              + "</figure>")
        if name == "answers":
            return str(self.answers())
        return str(tags.render_html(kind, name, frame, view, self.renderer))

    def write(self, meta, text):
        body = markdown_lib.markdown(text, extensions=["tables", "fenced_code", "admonition", "attr_list"])
        title = html.escape(str(meta.get("title") or self.stem))
        page = (f'<!doctype html>\n<html lang="ko"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
                f"<style>{STYLE}</style></head>\n<body><article>\n{body}\n</article></body></html>\n")
        path = self.out_dir / f"{self.stem}.html"
        path.write_text(page, encoding="utf-8")
        return path


def markdown_table(name, frame, results, view="compact"):
    if name == "cpu-features":
        table = tables.cpu_feature_table(results)
        machines = list(results.machines.values())
        head = ["최적화 기술", "필요한 CPU 기능", "ISA flags", *(m.display for m in machines)]
        marks = {True: "✓", False: "✗", None: "?"}
        rows = [[r["optimisation"], r["needs"], r["flags"], *(marks[r[m.id]] for m in machines)]
                for r in table.to_dict("records")]
        return _md_table(head, rows)
    series = frame.series.nunique() > 1
    col = UI["col"]
    keys = ("variant", "p50_ci", "speedup", "size", "fidelity") if view == "compact" else \
        ("variant", "precision", "status", "latency", "speedup", "size", "error", "argmax", "cosine")
    head = ([col["series"]] if series else []) + [col[k] for k in keys]
    rows = []
    for r in tables.rows_of(frame):
        variant = r.variant_label + (" (전사)" if r.transcribed else "") + (" (quick)" if r.quick else "") + \
            (" (noisy)" if r.noisy else "")
        speedup = tables.speedup_text(r.speedup, r.speedup_lo, r.speedup_hi, r.transcribed) or "—"
        size = f"{r.size_reported} ⚠ {UI['not_a_size']}" if r.size_flag else _num(r.size_mib, 2)
        error = _sci(r.max_abs_error) if tables.present(r.max_abs_error) else _num(r.abs_error, 4)
        if view == "compact":
            if r.status != "ok":
                cells = [UI["status"].get(r.status, r.status) + (f": {r.reason}" if r.reason else ""), "", "", ""]
            else:
                cells = [tables.latency_text(r.latency_ms, r.p50_lo, r.p50_hi) or "—", speedup,
                         _num(r.size_mib, 1) if not r.size_flag else size, fidelity_text(r)]
        else:
            latency = "—" if not tables.present(r.latency_ms) else \
                f"{r.latency_ms:,.2f} ({tables.STAT_NAMES[r.latency_stat]})"
            cells = [r.precision, r.status, latency, speedup, size, error, r.argmax_agreement or "—",
                     _num(r.cosine, 4)]
        rows.append(([r.series_label] if series else []) + [variant, *cells])
    return _md_table(head, rows)


def fidelity_text(r):
    """A compact table's fidelity cell: the cosine, else the error, and argmax agreement where known."""
    if r.variant_id == intervals.REFERENCE:
        return UI["reference"]
    if tables.present(r.cosine):
        text = f"{UI['cosine_short']} {r.cosine:.4f}"
    elif tables.present(r.max_abs_error) or tables.present(r.abs_error):
        text = f"{UI['error_short']} " + (_sci(r.max_abs_error) if tables.present(r.max_abs_error)
                                          else _num(r.abs_error, 4))
    else:
        text = ""
    argmax = f"argmax {r.argmax_agreement}" if r.argmax_agreement else ""
    return " ".join(t for t in (text, argmax) if t) or "—"
# pragma: no mutate end


LIST_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
MARKUP = re.compile(r"<[^>]*>")


def answers_markdown(fragment):
    """The answers list as Markdown items: the same sentences as the site, as plain text."""
    items = [html.unescape(MARKUP.sub("", item)) for item in LIST_ITEM.findall(fragment)]
    return "\n".join(f"- {md_text(item)}" for item in items)


def _md_table(head, rows):
    lines = ["| " + " | ".join(md_text(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _num(value, digits):
    return "—" if not tables.present(value) else f"{value:,.{digits}f}"


def _sci(value):
    return "—" if not tables.present(value) else f"{value:.3g}"


# pragma: no mutate start (drawing, files, the command: run end to end by tests/test_export.py)
def main(args):
    """The `benchlog export` command."""
    fields = {}
    written = export_post(args.post, args.out, args.format, args.results, args.site_url,
                          warn=lambda line: print(f"benchlog: {line}", file=sys.stderr),
                          image_base_url=getattr(args, "image_base_url", None), fields=fields)
    for path in written:
        print(f"wrote {path}")
    # The blog editor's own fields: the body holds neither the title nor the date.
    print(f"제목: {fields['title']}\n날짜: {fields['date']}\n태그: {fields['tags']}")
# pragma: no mutate end
