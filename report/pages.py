"""Renders the result pages from loaded results through the Jinja templates, as HTML only.

Every string from a result file (and every file or folder name) reaches a page through the one autoescaping
Jinja environment, inside HTML blocks that Markdown passes through untouched: no Markdown, HTML or tag syntax in
a result file has any effect. Generated pages are not scanned for post tags (report/plugin.py).
"""

import json
import posixpath
import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import advice, charts, efficiency, flops, noise, roof, sweeps, tables
from .fingerprint import ISA_FLAGS
from .strings import UI
from .tables import STAT_NAMES, present

SAFE_TITLE = re.compile(r"^[\w\s@.,()+:/\-]{1,80}$")
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"


def make_environment(templates_dir=DEFAULT_TEMPLATES):
    """The one Jinja environment: autoescaped (every string from a result file is untrusted), strict, and every
    value printed on one line (a blank line would end the HTML block and hand the rest to Markdown)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=one_line)
    env.filters.update(num=format_number, chart=chart_html, yesno=yes_no, sci=format_error)
    env.globals.update(STAT_NAMES=STAT_NAMES, ISA_FLAGS=ISA_FLAGS, is_missing=is_missing, ui=UI,
                       evidence=tables.evidence_text, run_label=tables.run_label,
                       workload_label=tables.workload_label, trust=noise.run_trust, ratio=ratio_html)
    return env


def one_line(value):
    return value.replace("\r", " ").replace("\n", " ") if isinstance(value, str) and \
        not isinstance(value, Markup) else value


def html_block(html):
    """HTML with no blank lines, so Markdown keeps it as one raw block."""
    return "\n".join(line for line in html.splitlines() if line.strip())


def is_missing(value):
    return not present(value)


def format_number(value, digits=1, unit=""):
    """A figure with fixed digits, or an em dash for a missing one (never 0 or nan)."""
    if is_missing(value):
        return Markup('<span class="benchlog-missing" title="{}">—</span>').format(UI["missing_title"])
    return f"{value:,.{digits}f}{unit}"


def ratio_html(value, low=None, high=None, transcribed=False):
    """A speed-up with its 95% interval for a table cell ('×4.21 (4.02–4.40)'), or the missing mark."""
    text = tables.speedup_text(value, low, high, transcribed)
    return format_number(None) if text is None else text


def format_error(value):
    return format_number(None) if is_missing(value) else f"{value:.3g}"


def chart_html(figure, empty_text=UI["no_chart"]):
    """A chart placeholder: the figure's JSON in a data attribute, drawn by the site's script."""
    if figure is None:
        return Markup('<p class="benchlog-empty">{}</p>').format(empty_text)
    return Markup('<div class="benchlog-chart" data-figure="{}"></div>').format(json.dumps(figure))


def safe_title(label, fallback):
    """A page title for the nav and <title>: the label when it is short plain text, else the fallback id."""
    return label if SAFE_TITLE.fullmatch(label or "") else fallback


def yes_no(value):
    if value is True:
        return Markup('<span class="benchlog-yes" title="{}">✓</span>').format(UI["yes"])
    if value is False:
        return Markup('<span class="benchlog-no" title="{}">✗</span>').format(UI["no"])
    return Markup('<span class="benchlog-unknown" title="{}">?</span>').format(UI["unknown"])


def page_url(src_uri, directory_urls=True):
    """The URL MkDocs gives a page: results/machines/x.md -> results/machines/x/ (or .html)."""
    stem = src_uri[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/" if directory_urls else stem + ".html"


def relative_url(from_uri, to_uri, directory_urls=True):
    """A link from one page to another that works under any site prefix (/benchlog/ on GitHub Pages)."""
    source, target = page_url(from_uri, directory_urls), page_url(to_uri, directory_urls)
    base = source if source.endswith("/") or not source else posixpath.dirname(source) + "/"
    rel = posixpath.relpath(target or ".", base.rstrip("/") or ".")
    if rel == ".":
        return "./"
    return rel + "/" if target.endswith("/") or not target else rel


NAV_MACHINES = 20  # up to this many machines have their own entries in the navigation and the search index


def machine_uri(machine_id):
    return f"results/machines/{machine_id}.md"


class Renderer:
    """Renders every result page from one loaded Results; one instance per build."""

    def __init__(self, results, templates_dir=DEFAULT_TEMPLATES, directory_urls=True):
        self.results = results
        self.env = make_environment(templates_dir)
        self.directory_urls = directory_urls
        self.sections = tables.comparison_sections(results)
        self.compared = {(r.machine_id, r.id) for _, runs in self.sections for r in runs}
        self.all_frame = tables.variant_frame(results)
        self.headline_runs = tables.headline_runs(results)
        self.headline = tables.variant_frame(results, self.headline_runs)
        first = tables.shown_and_more(self.sections[0][1])[0] if self.sections else []
        self.first_section = tables.variant_frame(results, first)

    def pages(self):
        """{src_uri: markdown} for every generated page."""
        out = {"results/index.md": self.overview(), "results/comparison.md": self.comparison(),
               "results/cpu-features.md": self.cpu_features()}
        for machine in self.results.machines.values():
            out[machine_uri(machine.id)] = self.machine_page(machine)
        return out

    def page(self, src_uri, title, template, searched=True, **context):
        html = self.env.get_template(template).render(
            link=lambda to_uri: relative_url(src_uri, to_uri, self.directory_urls), machine_uri=machine_uri,
            **context)
        meta = "" if searched else "search:\n  exclude: true\n"
        return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n{meta}---\n\n{html_block(html)}\n"

    @property
    def many_machines(self):
        """Beyond NAV_MACHINES machines, machine pages leave the navigation and the search index to the overview,
        which lists and links every machine: both are repeated or loaded whole, so they would grow without bound."""
        return len(self.results.machines) > NAV_MACHINES

    def fragment(self, template, **context):
        return Markup(html_block(self.env.get_template(template).render(**context)))

    def overview(self):
        best = tables.best_variants(self.headline).set_index("machine_id") if len(self.headline) else None
        figure = charts.speedup_chart(self.headline) or charts.latency_chart(self.headline)
        runs = {m: [r for r in self.headline_runs if r.machine_id == m] for m in self.results.machines}
        return self.page("results/index.md", "결과 개요", "overview.html.j2",
                         machines=list(self.results.machines.values()), results=self.results, best=best,
                         headline=figure, headline_runs=runs)

    def comparison(self):
        sections = []
        for key, all_runs in self.sections:
            runs, more = tables.shown_and_more(all_runs)
            frame = tables.variant_frame(self.results, runs)
            machines = [self.results.machines[m] for m in dict.fromkeys(r.machine_id for r in runs)]
            sections.append({"key": key, "til": key == tables.TIL_WORKLOAD, "machines": machines,
                             "more": [self.results.machines[m] for m in more],
                             "summaries": tables.run_summaries(frame, runs),
                             "figures": {name: build(frame) for name, build in charts.CHARTS.items()},
                             "table": self.variants_table(frame)})
        return self.page("results/comparison.md", "머신 비교", "comparison.html.j2", sections=sections,
                         colours=tables.machine_colours(self.results))

    def cpu_features(self):
        return self.page("results/cpu-features.md", "CPU 기능", "cpu_features.html.j2", table=self.cpu_table())

    def machine_page(self, machine):
        runs = sorted(self.results.runs_of(machine.id), key=lambda r: r.doc["started_at"], reverse=True)
        sections = []
        for run in runs:
            frame = self.all_frame[(self.all_frame.machine_id == machine.id) & (self.all_frame.run_id == run.id)]
            sections.append({"run": run, "table": self.variants_table(frame),
                             "compared": (machine.id, run.id) in self.compared,
                             "figures": {name: build(frame) for name, build in charts.CHARTS.items()},
                             **self.efficiency(machine, run)})
        return self.page(machine_uri(machine.id), safe_title(machine.display, machine.id), "machine.html.j2",
                         searched=not self.many_machines, machine=machine, sections=sections,
                         history=self.history(runs), advice=self.advice(machine), roof=self.roof_table(machine),
                         sweeps=self.sweeps(machine))

    def sweeps(self, machine):
        """[(sweep id, its runs, [figures])]: one chart per axis the sweep varies."""
        out = []
        for sweep_id, runs in sweeps.sweeps_of(self.results, machine.id).items():
            figures = []
            for axis in sweeps.AXES:
                found = sweeps.series(runs, axis)
                if found:
                    figures.append(charts.sweep_chart(found[0], axis, found[1]))
            out.append((sweep_id, runs, figures))
        return out

    def efficiency(self, machine, run):
        """The run's efficiency table (GOP/s, % of roof and of the estimated peak, fidelity) and its Pareto chart."""
        if run.transcribed or not run.variants:
            return {"efficiency": None, "pareto": None}
        rows = efficiency.run_rows(self.results, machine, run)
        front, recommended = efficiency.pareto(rows)
        w = run.doc["workload"]
        count = flops.inference_flops(run.doc["model"].get("dims"), w.get("batch_size"), w.get("seq_len"))
        flops_text = UI["no_dims"] if count is None else \
            UI["flops_per_inference"].format(gops=count / 1e9, batch=w.get("batch_size"), seq=w.get("seq_len"))
        has_roof = any(r["roof"] for r in rows)
        table = self.fragment("efficiency_table.html.j2", rows=rows, front=front, recommended=recommended,
                              floor=advice.FIDELITY_FLOOR, flops_text=flops_text)
        return {"efficiency": table, "has_roof": has_roof, "recommended": recommended,
                "recommended_label": next((r["label"] for r in rows if r["variant_id"] == recommended), None),
                "pareto": charts.pareto_chart(rows, front, recommended, advice.FIDELITY_FLOOR)}

    def advice(self, machine):
        """[(workload key or None, run or None, table)]: the expected-vs-measured table per workload this machine
        ran (its best evidence), or the expectations alone for a machine with no run."""
        best = efficiency.machine_runs(self.results, machine)
        order = sorted(best, key=lambda k: (k != tables.TIL_WORKLOAD, tuple(map(str, k))))
        pairs = [(key, best[key]) for key in order] or [(None, None)]
        out = []
        for key, run in pairs:
            labels = {v["id"]: v.get("label") or v["id"] for v in (run.variants if run else [])}
            out.append((key, run, self.fragment("advice_table.html.j2", advice=efficiency.advice_rows(machine, run),
                                                labels=labels)))
        return out

    def roof_table(self, machine):
        docs = self.results.roofs_of(machine.id)
        if not docs:
            return None
        rows = []
        for threads in sorted({d["threads"] for d in docs}):
            best = roof.best_gemm(docs, threads)
            # The estimate as the page explains it (in Korean, from the same rule); the file's figure otherwise.
            estimate = roof.estimate_peak(machine.cpu, threads) or next(
                (d["estimate"] for d in reversed(docs) if d["threads"] == threads and d["estimate"]), {})
            rows += [{"threads": threads, "precision": p, "best": best.get(p), "estimate": estimate.get(p)}
                     for p in roof.PRECISIONS]
        return self.fragment("roof_table.html.j2", rows=rows)

    def history(self, runs):
        """[(workload key, figure)] for each workload this machine measured in more than one run."""
        by_workload = {}
        for run in runs:
            if not run.transcribed:
                by_workload.setdefault(tables.workload_of(run), []).append(run)
        out = []
        for key, group in by_workload.items():
            if len(group) > 1:
                ids = {run.id for run in group}
                frame = self.all_frame[(self.all_frame.machine_id == group[0].machine_id)
                                       & self.all_frame.run_id.isin(ids)]
                figure = charts.history_chart(frame)
                if figure:
                    out.append((key, figure))
        return out

    def variants_table(self, frame, show_series=True):
        return self.fragment("variants_table.html.j2", rows=tables.rows_of(frame),
                             show_series=show_series and frame.series.nunique() > 1)

    def cpu_table(self):
        return self.fragment("cpu_table.html.j2", table=tables.cpu_feature_table(self.results),
                             machines=list(self.results.machines.values()))
