"""Renders the result pages (Markdown with HTML blocks) from loaded results through the Jinja templates."""

import json
import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import charts, tables
from .tables import STAT_NAMES, present

ISA_FLAGS = ["avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16"]
SAFE_TITLE = re.compile(r"^[\w\s@.,()+:/\-]+$")
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"


def make_environment(templates_dir=DEFAULT_TEMPLATES):
    """The one Jinja environment: autoescaped (every string from a result file is untrusted), strict."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(num=format_number, chart=chart_html, cell=markdown_cell, title=safe_title, yesno=yes_no)
    env.globals.update(STAT_NAMES=STAT_NAMES, ISA_FLAGS=ISA_FLAGS, is_missing=is_missing)
    return env


def is_missing(value):
    return not present(value)


def format_number(value, digits=1, unit=""):
    """A figure with fixed digits, or an em dash for a missing one (never 0 or nan)."""
    if is_missing(value):
        return Markup('<span class="benchlog-missing" title="not measured / not in the source">—</span>')
    return f"{value:,.{digits}f}{unit}"


def chart_html(figure, empty_text="No figures to chart."):
    """A chart placeholder: the figure's JSON in a data attribute, drawn by the site's script."""
    if figure is None:
        return Markup('<p class="benchlog-empty">{}</p>').format(empty_text)
    return Markup('<div class="benchlog-chart" data-figure="{}"></div>').format(json.dumps(figure))


def markdown_cell(value):
    """Text for a Markdown table cell: HTML-escaped and with pipes neutralised."""
    return Markup(str(escape(value)).replace("|", "&#124;"))


def safe_title(label, fallback):
    """A page title for the nav and <title>: the label when it is plain text, else the fallback id."""
    return label if SAFE_TITLE.match(label or "") else fallback


def yes_no(value):
    if value is True:
        return Markup('<span class="benchlog-yes" title="supported">✓</span>')
    if value is False:
        return Markup('<span class="benchlog-no" title="not supported">✗</span>')
    return Markup('<span class="benchlog-unknown" title="unknown">?</span>')


class Renderer:
    """Renders every result page from one loaded Results; one instance per build."""

    def __init__(self, results, templates_dir=DEFAULT_TEMPLATES):
        self.results = results
        self.env = make_environment(templates_dir)
        self.selected = tables.comparison_runs(results)
        self.frame = tables.variant_frame(results, self.selected)
        self.all_frame = tables.variant_frame(results)

    def pages(self):
        """{src_uri: markdown} for every generated page."""
        out = {"results/index.md": self.overview(), "results/comparison.md": self.comparison(),
               "results/cpu-features.md": self.cpu_features()}
        for machine in self.results.machines.values():
            out[f"results/machines/{machine.id}.md"] = self.machine_page(machine)
        return out

    def render(self, name, **context):
        return self.env.get_template(name).render(**context)

    def overview(self):
        best = tables.best_variants(self.frame).set_index("machine_id") if len(self.frame) else None
        figure = charts.speedup_chart(self.frame) or charts.latency_chart(self.frame)
        return self.render("overview.md.j2", machines=list(self.results.machines.values()), results=self.results,
                           best=best, headline=figure)

    def comparison(self):
        figures = {name: build(self.frame) for name, build in charts.CHARTS.items()}
        return self.render("comparison.md.j2", figures=figures, table=self.variants_table(self.frame))

    def cpu_features(self):
        return self.render("cpu_features.md.j2", table=self.cpu_table())

    def machine_page(self, machine):
        runs = sorted(self.results.runs_of(machine.id), key=lambda r: r.doc["started_at"], reverse=True)
        sections = []
        for run in runs:
            frame = self.all_frame[self.all_frame.run_id == run.id]
            frame = frame[frame.machine_id == machine.id]
            sections.append({"run": run, "table": self.variants_table(frame),
                             "figures": {name: build(frame) for name, build in charts.CHARTS.items()}})
        return self.render("machine.md.j2", machine=machine, sections=sections)

    def variants_table(self, frame, show_series=True):
        return Markup(self.render("variants_table.html.j2", rows=list(frame.itertuples()),
                                  show_series=show_series and frame.series.nunique() > 1))

    def cpu_table(self):
        return Markup(self.render("cpu_table.html.j2", table=tables.cpu_feature_table(self.results),
                                  machines=list(self.results.machines.values())))
