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

from benchlog.analysis import advice, efficiency, flops, headline, intervals, roof, sweeps, workloads

from benchlog.site import charts, tables
from benchlog.format.isa import ISA_FLAGS
from benchlog.site.strings import UI, memo
from benchlog.site.tables import STAT_NAMES, present

SAFE_TITLE = re.compile(r"^[\w\s@.,()+:/\-]{1,80}$")
DEFAULT_TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_environment(templates_dir=DEFAULT_TEMPLATES):
    """The one Jinja environment: autoescaped (every string from a result file is untrusted), strict, and every
    value printed on one line (a blank line would end the HTML block and hand the rest to Markdown)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=one_line)
    env.filters.update(num=format_number, chart=chart_html, yesno=yes_no, sci=format_error, memo=memo)
    env.globals.update(STAT_NAMES=STAT_NAMES, ISA_FLAGS=ISA_FLAGS, is_missing=is_missing, ui=UI,
                       evidence=tables.evidence_text, run_label=tables.run_label,
                       workload_label=tables.workload_label, trust=tables.trust_text, ratio=ratio_html,
                       ran_text=tables.ran_text, ran_detail=tables.ran_detail,
                       answer_figure=answer_figure, floor=advice.FIDELITY_FLOOR, til_workload=workloads.TIL_WORKLOAD)
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


def answer_figure(entry, run):
    """A headline variant's figure: 'PyTorch FP32 대비 ×4.21 (4.02–4.40)', or its latency where the run has no
    speed-ups; '(전사)' for a transcribed one."""
    if entry.get("speedup") is not None:
        low, high = entry.get("ci95") or (None, None)
        text = "PyTorch FP32 대비 " + tables.speedup_text(entry["speedup"], low, high, run.transcribed)
    else:
        text = f"{entry['latency_ms']:,.1f} ms"
    return text + (" (전사)" if run.transcribed else "")


def format_error(value):
    return format_number(None) if is_missing(value) else f"{value:.3g}"


def chart_html(figure, empty_text=UI["no_chart"]):
    """A chart placeholder: the figure's JSON in a data attribute, drawn by the site's script."""
    if figure is None:
        return Markup('<p class="benchlog-empty">{}</p>').format(empty_text)
    html = Markup('<div class="benchlog-chart" data-figure="{}"></div>').format(json.dumps(figure))
    caption = (figure["layout"].get("meta") or {}).get("caption")
    return html + Markup('<p class="benchlog-caption"><small>{}</small></p>').format(caption) if caption else html


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


def relative_url(from_uri, to_uri, directory_urls=True, from_url=None):
    """A link from one page to another that works under any site prefix (/benchlog/ on GitHub Pages); `from_url`
    is the linking page's own URL where it differs from its path (a blog post's blog/2025/11/30/slug/)."""
    source = page_url(from_uri, directory_urls) if from_url is None else from_url
    return url_between(source, page_url(to_uri, directory_urls))


def url_between(source, target):
    """The relative link from the page at URL `source` to the page at URL `target` (both site-relative)."""
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
        self.sections = workloads.comparison_sections(results)
        self.compared = {(r.machine_id, r.id) for _, runs in self.sections for r in runs}
        self.all_frame = tables.variant_frame(results)
        # The one answer per machine and workload (report/headline.py) that every page names.
        self.workloads = workloads.machine_workloads(results)
        self.answers = {m: [(key, headline.answer(run)) for key, run in pairs] for m, pairs in self.workloads.items()}
        self.speaking = {(run.machine_id, run.id) for pairs in self.workloads.values() for _, run in pairs}
        self.headline_runs = [pairs[0][1] for pairs in self.workloads.values()]
        self.headline = tables.variant_frame(results, self.headline_runs)
        # A tag without machine= shows the first workload (the TIL's): the run that speaks for each machine shown.
        first = []
        if self.sections:
            key, runs = self.sections[0]
            shown = dict.fromkeys(r.machine_id for r in tables.shown_and_more(runs)[0])
            first = [run for m in shown for k, run in self.workloads[m] if k == key]
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
        figure = charts.speedup_chart(self.headline) or charts.latency_chart(self.headline)
        return self.page("results/index.md", "결과 개요", "overview.html.j2",
                         machines=list(self.results.machines.values()), results=self.results,
                         answers=self.answers, headline=figure, more=0)

    def view(self, name, frame):
        """A chart's figure (or a machine view's HTML) for a tag: the charts of report/charts.CHARTS over `frame`;
        the machine page's Pareto chart of the run in `frame`, its first sweep's first chart, its first history
        chart, its advice table (first workload) and its roof table. None where there is nothing to show."""
        if name in charts.CHARTS:
            return charts.CHARTS[name](frame)
        machine = self.results.machines[frame.machine_id.iloc[0]] if len(frame) else None
        if machine is None:
            return None
        if name == "pareto":
            run = self.results.run(machine.id, frame.run_id.iloc[0])
            return self.efficiency(machine, run)["pareto"]
        if name == "sweep":
            found = self.sweeps(machine, sweeps.sweeps_of(self.results, machine.id))
            return found[0][2][0] if found and found[0][2] else None
        if name == "history":
            runs = sorted(self.results.runs_of(machine.id), key=lambda r: r.doc["started_at"], reverse=True)
            found = self.history(machine, runs)
            return found[0][1] if found else None
        if name == "advice":
            return self.advice(machine)[0][2]
        if name == "roof":
            return self.roof_table(machine)
        raise KeyError(name)

    posts = ()  # [(date, title, url)] newest first, set by the plugin (report/plugin.blog_posts)

    def posts_list(self, page_url="", limit=5):
        """The newest posts, linked from the page at `page_url` (the home page's `{{ benchlog table=posts }}`)."""
        links = [(date, title, url_between(page_url, url)) for date, title, url in self.posts[:limit]]
        return self.fragment("posts.html.j2", posts=links, more=max(0, len(self.posts) - limit),
                             blog=url_between(page_url, "blog/"))

    def answer_of(self, run):
        """The answer of `run` where it is the run that speaks for its machine on its workload, else None."""
        if (run.machine_id, run.id) not in self.speaking:
            return None
        return next(a for _, a in self.answers[run.machine_id] if a["run"] is run)

    def answers_list(self, page_url="", link=None):
        """Every machine's answer on its first workload, one Korean sentence each (the home page's tag); links
        relative to the page at `page_url`, or made by `link(to_uri)` (an export's absolute addresses)."""
        link = link or (lambda to_uri: relative_url("", to_uri, self.directory_urls, page_url))
        machines, more = self.answered_machines(tables.MAX_MEASURED_SHOWN)
        return self.fragment("answers.html.j2", machines=machines, answers=self.answers, more=more,
                             link=link, machine_uri=machine_uri)

    def answered_machines(self, limit=None):
        """(machines to list, how many are left to the overview): with a `limit`, the transcribed machines (the
        TIL's) and the `limit` measured most recently, like a comparison section."""
        machines = list(self.results.machines.values())
        if limit is None or len(machines) <= limit:
            return machines, 0
        newest = {m.id: max((r.doc["started_at"] for r in self.results.runs_of(m.id) if not r.transcribed),
                            default="") for m in machines}
        keep = tables.newest_machines(newest, limit) | {m.id for m in machines if m.transcribed}
        return [m for m in machines if m.id in keep], len(machines) - len(keep)

    def comparison(self):
        sections = []
        for key, all_runs in self.sections:
            runs, more = tables.shown_and_more(all_runs)
            frame = tables.variant_frame(self.results, runs)
            machines = [self.results.machines[m] for m in dict.fromkeys(r.machine_id for r in runs)]
            sections.append({"key": key, "til": key == workloads.TIL_WORKLOAD, "machines": machines,
                             "more": [self.results.machines[m] for m in more],
                             "summaries": [dict(x, speaks=(x["run"].machine_id, x["run"].id) in self.speaking)
                                           for x in tables.run_summaries(frame, runs)],
                             "figures": {name: build(frame) for name, build in charts.CHARTS.items()},
                             "table": self.variants_table(frame)})
        # The sweeps of the machines that swept most recently (as many as a section draws); the rest are linked.
        found = {m: sweeps.sweeps_of(self.results, m) for m in self.results.machines}
        newest = {m: max(f) for m, f in found.items() if f}
        shown = tables.newest_machines(newest)
        swept = [(self.results.machines[m], self.sweeps(self.results.machines[m], found[m])) for m in sorted(shown)]
        more = [self.results.machines[m] for m in sorted(set(newest) - set(shown))]
        return self.page("results/comparison.md", "머신 비교", "comparison.html.j2", sections=sections,
                         colours=tables.machine_colours(self.results), swept=swept, swept_more=more)

    def cpu_features(self):
        return self.page("results/cpu-features.md", "CPU 기능", "cpu_features.html.j2", table=self.cpu_table())

    def machine_page(self, machine):
        """A summary first (the answer per workload, advice, roof), then the runs grouped by workload, the run
        that speaks for each shown in full and the others folded, then the sweeps (their points folded), then
        the history."""
        runs = sorted(self.results.runs_of(machine.id), key=lambda r: r.doc["started_at"], reverse=True)
        swept = sweeps.sweeps_of(self.results, machine.id)
        in_sweep = {run.id for members in swept.values() for run in members}
        groups = []
        for i, (key, speaking) in enumerate(self.workloads.get(machine.id, [])):
            members = [r for r in runs if workloads.workload_of(r) == key and r.id not in in_sweep]
            if not members and i == 0:  # the machine's first answer is a sweep's point: it is shown here in full
                members = [speaking]
                in_sweep.discard(speaking.id)
            if not members:
                continue  # every run of this workload is a sweep point: the sweep's section holds them
            featured = speaking if speaking in members else headline.best_run(members)
            groups.append({"key": key, "featured": self.run_section(machine, featured),
                           "older": [self.run_section(machine, r, folded=True) for r in members if r is not featured]})
        sweep_sections = [(sweep_id, members, figures, [self.run_section(machine, r, folded=True) for r in members
                                                         if r.id in in_sweep])
                          for sweep_id, members, figures in self.sweeps(machine, swept)]
        return self.page(machine_uri(machine.id), safe_title(machine.display, machine.id), "machine.html.j2",
                         searched=not self.many_machines, machine=machine, groups=groups,
                         # the summary names each workload with runs of its own; a sweep's points are its section's
                         answers=[(k, a) for k, a in self.answers.get(machine.id, []) if k in {g["key"] for g in groups}],
                         swept_answers=len(self.answers.get(machine.id, [])) - len(groups),
                         history=self.history(machine, runs),
                         advice=self.advice(machine), roof=self.roof_table(machine), sweeps=sweep_sections)

    def run_section(self, machine, run, folded=False):
        """One run on its machine page: its tables, its charts and its efficiency. A folded run (an older run, a
        sweep's point) keeps its tables and its speed-up chart; its other charts are the featured run's kind."""
        frame = self.all_frame[(self.all_frame.machine_id == machine.id) & (self.all_frame.run_id == run.id)]
        names = ("speedup",) if folded else ("latency", "speedup", "size")
        figures = {name: charts.CHARTS[name](frame) if name in names else None for name in ("latency", "speedup", "size")}
        if folded and figures["speedup"] is None:
            figures["latency"] = charts.latency_chart(frame)
        return {"run": run, "heading": tables.run_heading(run), "table": self.variants_table(frame),
                "compact": self.compact_table(frame), "folded": folded,
                "compared": (machine.id, run.id) in self.compared,
                "speaks": (machine.id, run.id) in self.speaking, "figures": figures,
                **self.efficiency(machine, run, chart=not folded)}

    def sweeps(self, machine, swept):
        """[(sweep id, its runs, [figures])]: one chart per axis the sweep varies."""
        out = []
        for sweep_id, runs in swept.items():
            figures = []
            for axis in sweeps.AXES:
                found = sweeps.series(runs, axis)
                if found:
                    figures.append(charts.sweep_chart(found[0], axis, found[1]))
            out.append((sweep_id, runs, figures))
        return out

    def efficiency(self, machine, run, chart=True):
        """The run's efficiency table (GOP/s, % of roof and of the estimated peak, fidelity) and, with `chart`,
        its Pareto chart (a folded run keeps the table only)."""
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
                              floor=advice.FIDELITY_FLOOR, flops_text=flops_text,
                              pair=efficiency.precision_pair(rows, recommended))
        return {"efficiency": table, "has_roof": has_roof, "recommended": recommended,
                "recommended_label": next((r["label"] for r in rows if r["variant_id"] == recommended), None),
                "pareto": charts.pareto_chart(rows, front, recommended, advice.FIDELITY_FLOOR) if chart else None}

    def advice(self, machine):
        """[(workload key or None, answer or None, table)]: the expected-vs-measured table per workload this
        machine ran (read off the run that speaks for it), or the expectations alone for a machine with no run."""
        pairs = self.workloads.get(machine.id) or [(None, None)]
        out = []
        for key, run in pairs:
            labels = {v["id"]: v.get("label") or v["id"] for v in (run.variants if run else [])}
            answer = self.answer_of(run) if run is not None else None
            out.append((key, answer, self.fragment("advice_table.html.j2", advice=efficiency.advice_rows(machine, run),
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
            # the roof at the GEMM shapes of each workload this machine's runs measured at these threads
            workloads = {key: roof.best_at_shapes(docs, threads, shapes)
                         for key, shapes in roof.workloads_at(self.results.runs_of(machine.id), threads).items()}
            rows += [{"threads": threads, "precision": p, "best": best.get(p),
                      "estimate": roof.credible_estimate(estimate.get(p), best.get(p)),
                      "below": bool(estimate.get(p)) and roof.credible_estimate(estimate.get(p), best.get(p)) is None,
                      "workloads": [{"m": b * s, "batch": b, "seq": s, "hidden": h, "ffn": f, **at[p]}
                                    for (b, s, h, f), at in sorted(workloads.items()) if p in at]}
                     for p in roof.PRECISIONS]
        return self.fragment("roof_table.html.j2", rows=rows)

    def history(self, machine, runs):
        """[(workload key, figure)] for each workload this machine measured in more than one run. A few variants
        are drawn (PyTorch FP32, and the fastest and the recommended of the run that speaks for the workload);
        the others are one click on the legend away."""
        by_workload = {}
        for run in runs:
            if not run.transcribed:
                by_workload.setdefault(workloads.workload_of(run), []).append(run)
        answers = dict(self.answers.get(machine.id, []))
        out = []
        for key, group in by_workload.items():
            if len(group) > 1:
                ids = {run.id for run in group}
                frame = self.all_frame[(self.all_frame.machine_id == group[0].machine_id)
                                       & self.all_frame.run_id.isin(ids)]
                a = answers.get(key) or {}
                shown = {intervals.REFERENCE, *(e["id"] for e in (a.get("fastest"), a.get("recommended")) if e)}
                figure = charts.history_chart(frame, shown)
                if figure:
                    out.append((key, figure))
        return out

    def compact_table(self, frame, page_url=None):
        """A post's table (variant, p50 with its interval, speed-up, size, fidelity) and, on a page at `page_url`,
        a link per run to its full table on the machine page."""
        details = []
        if page_url is not None:
            for machine_id, run_id in dict.fromkeys(zip(frame.machine_id, frame.run_id)):
                href = relative_url("", machine_uri(machine_id), self.directory_urls, page_url) + f"#run-{run_id}"
                details.append((self.results.machines[machine_id].display, href))
        return self.fragment("variants_compact.html.j2", rows=tables.rows_of(frame), details=details,
                             show_series=frame.series.nunique() > 1)

    def variants_table(self, frame, show_series=True):
        return self.fragment("variants_table.html.j2", rows=tables.rows_of(frame),
                             show_series=show_series and frame.series.nunique() > 1)

    def cpu_table(self):
        return self.fragment("cpu_table.html.j2", table=tables.cpu_feature_table(self.results),
                             machines=list(self.results.machines.values()))
