"""Plotly figures (plain JSON-able dicts) from variant tables; usable outside MkDocs (export, notebooks).

Colours and fonts are left to the page: the site's script re-themes every chart for light and dark mode.
"""

import html
import math

from benchlog.site.strings import UI, ui
from benchlog.analysis.sweeps import latency
from benchlog.site.tables import PALETTE, STAT_NAMES, argmax_text, present, rows_of
from benchlog.site.tables import canonical_labels as _canonical_labels

TRANSCRIBED_PATTERNS = ["/", "\\", "x", "-", "|", "+", "."]  # one hatching per transcribed table, in order


SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon", "triangle-down",
           "pentagon"]


def text(value):
    """A string from a result file, made safe for Plotly: Plotly reads <a href>, <b>, <br> and more as markup in
    titles, legends, axis labels and hover text, and entities as plain characters. "%" becomes an entity too:
    Plotly fills in "%{…}" templates in titles and legend names before it turns entities back into characters."""
    return html.escape(str(value), quote=False).replace("%", "&#37;")


def canonical_labels(frame):
    return {vid: text(label) for vid, label in _canonical_labels(frame).items()}


def _fmt(value, digits=1, unit=""):
    return "—" if not present(value) else f"{value:,.{digits}f}{unit}"


def trust_words(row):
    """What a reader must know before trusting a figure: transcribed, quick, noisy, incomplete."""
    words = []
    if row.transcribed:
        words.append(ui("transcribed_from", source=text(row.source)))
    if row.quick:
        words.append(UI["quick_run"])
    if row.noisy:
        words.append(UI["noisy"])
    if row.incomplete:
        words.append(UI["incomplete_run"])
    return words


def _hover(row):
    lines = [f"<b>{text(row.variant_label)}</b> ({text(row.precision)})", text(row.machine_label),
             f"run {text(row.run_id)}",
             ui("hover_latency", value=_fmt(row.latency_ms, 2, " ms"), stat=STAT_NAMES.get(row.latency_stat, "—"))]
    if present(row.p10_ms) and present(row.p90_ms):
        lines.append(ui("hover_band", low=_fmt(row.p10_ms, 2), high=_fmt(row.p90_ms, 2)))
    if row.process_spread:
        lines.append(ui("hover_rounds", spread=row.process_spread))
    if present(row.speedup):
        lines.append(ui("hover_speedup", value=f"{row.speedup:.2f}"))
        lines.append(ui("hover_interval", low=_fmt(row.speedup_lo, 2), high=_fmt(row.speedup_hi, 2))
                     if present(row.speedup_lo) else UI["no_interval"])
    if present(row.size_mib):
        lines.append(ui("hover_size", value=_fmt(row.size_mib, 2, " MiB")))
    lines += trust_words(row) or [UI["measured"]]
    lines += [text(r) for r in row.noise_reasons]
    return "<br>".join(lines)


def _trace_name(group):
    first = group.iloc[0]
    flags = [w for w in (UI["quick"] if first.quick else None, UI["noisy"] if group.noisy.any() else None,
                         UI["incomplete"] if first.incomplete else None) if w]
    return f"{text(first.machine_label)} · {text(first.run_label)}" + (" (전사)" if first.transcribed else "") + \
        (f" [{', '.join(flags)}]" if flags else "")


def _bounds(r, value_column):
    """(low, high) drawn around one bar: a speed-up's 95% interval; for a latency the p10–p90 of the samples where
    recorded, else the range of the rounds' medians; (None, None) where the file has none (transcribed figures)."""
    if value_column == "speedup":
        return r.speedup_lo, r.speedup_hi
    if value_column != "latency_ms":
        return None, None
    if present(r.p10_ms) and present(r.p90_ms):
        return r.p10_ms, r.p90_ms
    return r.round_min_ms, r.round_max_ms


def _error_bars(group, value_column):
    """Error bars of one trace (see _bounds), or None where no bar has any."""
    plus, minus = [], []
    for r in rows_of(group):
        low, high = _bounds(r, value_column)
        value = getattr(r, value_column)
        plus.append(max(0.0, float(high) - float(value)) if present(high) else None)
        minus.append(max(0.0, float(value) - float(low)) if present(low) else None)
    if all(v is None for v in plus + minus):
        return None
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "visible": True,
            "thickness": 1.2, "width": 3}


def _bars(frame, value_column, title, axis_title, digits):
    """Grouped bars: one trace per machine and run (never per label), so no two runs are ever added or stacked."""
    rows = frame[(frame.status == "ok") & frame[value_column].notna()]
    if rows.empty:
        return None
    labels = canonical_labels(frame)
    order = list(dict.fromkeys(labels[v] for v in frame.variant_id))
    copied = list(dict.fromkeys(frame.series[frame.transcribed.astype(bool)]))
    stats = value_column == "latency_ms" and rows.latency_stat.nunique() > 1  # then each name says its statistic
    traces = []
    for _, group in rows.groupby("series", sort=False):
        first = group.iloc[0]
        weak = bool(first.quick or first.incomplete or group.noisy.any())
        pattern = TRANSCRIBED_PATTERNS[copied.index(first.series) % len(TRANSCRIBED_PATTERNS)] if first.transcribed \
            else ""
        name = _trace_name(group) + (f" · {STAT_NAMES.get(first.latency_stat, '—')}" if stats else "")
        trace = {
            "type": "bar", "name": name, "legendgroup": first.machine_id,
            "x": [labels[v] for v in group.variant_id],
            "y": [float(v) for v in group[value_column]],
            "customdata": list(group.variant_id),
            "text": [f"{float(v):,.{digits}f}" for v in group[value_column]], "textposition": "outside",
            "hovertext": [_hover(r) for r in rows_of(group)], "hoverinfo": "text",
            "marker": {"color": first.colour, "opacity": 0.55 if weak else 1.0,
                       "pattern": {"shape": pattern}},
            "meta": {"machine_id": first.machine_id, "run_id": first.run_id},
        }
        error = _error_bars(group, value_column)
        if error:
            trace["error_y"] = error
        traces.append(trace)
    return _figure(traces, title, {"title": {"text": axis_title}, "automargin": True, "rangemode": "tozero"},
                   {"categoryorder": "array", "categoryarray": order, "automargin": True}, barmode="group",
                   annotations=_gaps(frame, value_column, labels), showlegend=True)  # the legend explains hatching


GAP_REASONS = UI["gap"]


def _gaps(frame, value_column, labels):
    """A note at the foot of each empty slot of a measured variant, saying why it is empty (a flagged size, a
    missing figure), instead of a silent gap."""
    rows = [r for r in rows_of(frame) if r.status == "ok"]
    shown = {r.series for r in rows if present(getattr(r, value_column))}
    notes = []
    for row in (r for r in rows if r.series in shown and not present(getattr(r, value_column))):
        why = f"{GAP_REASONS.get(value_column, 'missing')}"
        if value_column == "size_mib" and row.size_flag:
            why = ui("gap_size", reported=text(row.size_reported))
        notes.append({"x": labels[row.variant_id], "y": 0, "xref": "x", "yref": "y", "yanchor": "bottom",
                      "text": f"⚠ {why}", "showarrow": False, "font": {"size": 11},
                      "hovertext": text(row.size_flag or f"{row.series_label}: {why}")})
    return notes


def latency_chart(frame):
    """Latency bars; the title names the one statistic they show, or, where runs report different ones (the TIL's
    tables: a mean, an unnamed one), none, and each run's name in the legend says its own."""
    shown = frame[(frame.status == "ok") & frame.latency_ms.notna()]
    stats = list(dict.fromkeys(shown.latency_stat))
    if stats == ["p50"] or not stats:
        title = ui("latency_title", what=UI["median_band"])
    elif len(stats) == 1:
        title = ui("latency_title", what=STAT_NAMES[stats[0]])
    else:
        title = UI["latency_title_mixed"]
    return _bars(frame, "latency_ms", title, UI["axis_ms"], 1)


def speedup_chart(frame):
    return _bars(frame, "speedup", UI["speedup_title"], UI["axis_speedup"], 2)


def size_chart(frame):
    return _bars(frame, "size_mib", UI["size_title"], UI["axis_mib"], 1)


def fidelity_chart(frame, floor=0.99):
    """Speed against fidelity, the one definition every page uses (also pareto_chart's): speed-up over PyTorch FP32
    in the same run (x, higher is better) against cosine distance to PyTorch FP32, 1 - cosine, on a log axis (y,
    lower is better), so the good corner is bottom right. A trace per machine and run in the machine's colour; the
    marker's shape is the variant, named in the legend (names beside the points would overprint). Variants without
    a speed-up or a cosine (transcribed tables give neither) are listed under the chart, not drawn."""
    rows = frame[(frame.status == "ok") & (frame.variant_id != "pytorch-fp32")]
    drawn = rows[rows.speedup.notna() & rows.cosine.notna()]
    if drawn.empty:
        return None
    labels = canonical_labels(frame)
    symbols = {vid: SYMBOLS[i % len(SYMBOLS)] for i, vid in enumerate(dict.fromkeys(drawn.variant_id))}
    traces = []
    for _, group in drawn.groupby("series", sort=False):
        first = group.iloc[0]
        traces.append({
            "type": "scatter", "mode": "markers", "name": _trace_name(group), "legendgroup": first.machine_id,
            "x": [float(v) for v in group.speedup], "y": [_distance(v) for v in group.cosine],
            "hovertext": [_hover(r) + "<br>" + ui("hover_cosine", mean=f"{r.cosine:.6f}", worst="—")
                          for r in rows_of(group)], "hoverinfo": "text", "customdata": list(group.variant_id),
            "marker": {"size": 11, "color": first.colour, "line": {"width": 1, "color": "#333"},
                       "symbol": [symbols[v] for v in group.variant_id]},
            "meta": {"machine_id": first.machine_id, "run_id": first.run_id,
                     "variants": [labels[v] for v in group.variant_id]},
        })
    # The shapes' legend: one grey marker per variant, drawn nowhere.
    traces += [{"type": "scatter", "mode": "markers", "name": labels[vid], "x": [None], "y": [None],
                "legendgroup": "variants", "hoverinfo": "skip", "meta": {"variant_legend": vid},
                "marker": {"size": 10, "color": "#999", "symbol": symbol}} for vid, symbol in symbols.items()]
    missing = rows[~rows.index.isin(drawn.index)]
    meta = {"floor": floor}
    if len(missing):
        # Said under the chart (report/pages.chart_html), where it never overprints the plot.
        meta["caption"] = ui("fidelity_not_drawn", names=", ".join(dict.fromkeys(
            f"{label} ({machine})" for label, machine in zip(missing.variant_label, missing.machine_label))))
    return _figure(traces, UI["fidelity_title"],
                   {"title": {"text": UI["axis_cosine"]}, "type": "log", "automargin": True, "exponentformat": "power"},
                   {"title": {"text": UI["axis_speedup"]}, "rangemode": "tozero", "automargin": True},
                   shapes=[_floor_line(floor)], annotations=[_floor_note(floor)], meta=meta)


def _distance(cosine):
    return max(1 - float(cosine), DISTANCE_FLOOR)


def _floor_line(floor):
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1 - floor, "y1": 1 - floor,
            "line": {"dash": "dash", "color": "#d62728", "width": 1}}


def _floor_note(floor):
    return {"xref": "paper", "x": 0, "xanchor": "left", "y": math.log10(1 - floor), "yanchor": "bottom",
            "text": ui("floor_label", floor=floor), "showarrow": False, "font": {"color": "#d62728", "size": 11}}


def _figure(traces, title, yaxis, xaxis, **layout):
    return {"data": traces, "layout": {
        "title": {"text": title, "font": {"size": 15}}, "yaxis": yaxis, "xaxis": xaxis,
        # The legend sits at the bottom of the whole figure (container coordinates), so Plotly's automatic margins
        # make room for it below the axis labels instead of drawing it over slanted labels.
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 20, "autoexpand": True}, "height": 460, **layout}}


def history_chart(frame, shown=None):
    """One machine's runs of one workload over time: each variant's median, with its p10–p90 band (or the range
    of its rounds' medians) shaded, so a change between library versions shows against the noise. Variants not in
    `shown` (None: all) start hidden: a click on their legend entry draws them."""
    rows = frame[(frame.status == "ok") & frame.latency_ms.notna() & ~frame.transcribed.astype(bool)]
    if rows.series.nunique() < 2:
        return None
    labels = canonical_labels(frame)
    traces = []
    for i, (vid, group) in enumerate(rows.sort_values("started_at").groupby("variant_id", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        points = rows_of(group)
        when = [p.started_at for p in points]  # a time axis: Plotly spaces its ticks, none overprint
        low = [p.p10_ms if present(p.p10_ms) else p.round_min_ms for p in points]
        high = [p.p90_ms if present(p.p90_ms) else p.round_max_ms for p in points]
        meta = {"history_of": points[0].machine_id, "variant_id": vid}
        visible = True if shown is None or vid in shown else "legendonly"
        if all(present(v) for v in low + high):
            traces.append({"type": "scatter", "x": when, "y": [float(v) for v in high], "mode": "lines",
                           "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "legendgroup": vid,
                           "visible": visible, "meta": meta})
            traces.append({"type": "scatter", "x": when, "y": [float(v) for v in low], "mode": "lines",
                           "line": {"width": 0}, "fill": "tonexty", "fillcolor": colour + "33", "hoverinfo": "skip",
                           "showlegend": False, "legendgroup": vid, "visible": visible, "meta": meta})
        traces.append({"type": "scatter", "mode": "lines+markers", "name": labels[vid], "legendgroup": vid,
                       "x": when, "y": [float(p.latency_ms) for p in points], "customdata": [p.run_id for p in points],
                       "marker": {"color": colour, "symbol": ["circle-open" if p.quick or p.noisy else "circle"
                                                              for p in points]},
                       "line": {"color": colour}, "hovertext": [_hover(p) for p in points], "hoverinfo": "text",
                       "visible": visible, "meta": meta})
    title = UI["history_title"] if shown is None else UI["history_title"] + "<br>" + UI["history_hidden"]
    return _figure(traces, title,
                   {"title": {"text": UI["axis_ms"]}, "rangemode": "tozero", "automargin": True},
                   {"type": "date", "automargin": True, "ticklabelstandoff": 8})


DISTANCE_FLOOR = 1e-9  # cosine distances below this (FP32 against FP32) are drawn at it, on the log axis


def pareto_chart(rows, front, recommended, floor):
    """One run's variants on the fidelity chart's axes (fidelity_chart): speed-up over PyTorch FP32 (x) against
    cosine distance to FP32, 1 - cosine, on a log axis (y; lower is better: INT8's 1e-2 and FP32's 1e-10 both stay
    readable). The Pareto front is joined by a line; the fidelity floor is a dashed line; the recommended variant
    (the fastest above the floor) is a star. Exactly the run's figures; nothing is fitted."""
    points = [r for r in rows if r["status"] == "ok" and r["speedup"] and r["cosine"] is not None]
    if len(points) < 2:
        return None
    on_front = sorted((r for r in points if r["variant_id"] in front), key=lambda r: r["speedup"])

    def hover(r):
        return "<br>".join([text(r["label"]), ui("hover_speedup", value=f"{r['speedup']:.2f}"),
                            ui("hover_cosine", mean=f"{r['cosine']:.6f}", worst=_fmt(r["cosine_min"], 6)),
                            f"argmax {text(argmax_text(r) or '—')}"])

    xs, ys = [r["speedup"] for r in points], [_distance(r["cosine"]) for r in points]
    named = spaced_names(points, xs, ys, [recommended, *(r["variant_id"] for r in reversed(on_front))])
    traces = [
        {"type": "scatter", "mode": "lines", "name": UI["pareto_front"], "x": [r["speedup"] for r in on_front],
         "y": [_distance(r["cosine"]) for r in on_front], "line": {"color": "#888", "dash": "dot"},
         "hoverinfo": "skip", "meta": {"pareto_front": [r["variant_id"] for r in on_front]}},
        {"type": "scatter", "mode": "markers+text", "name": UI["variants"], "x": xs, "y": ys,
         # Only front points far enough apart are named (names would overprint); every point names itself on
         # hover or tap, and the table above lists them all.
         "text": [(text(r["label"]) + (f" ({UI['recommended']})" if r["variant_id"] == recommended else ""))
                  if r["variant_id"] in named else "" for r in points],
         # Names of points near the right edge go to their left, so they are not cut off.
         "textposition": ["middle left" if x > 0.6 * max(xs) else "middle right" for x in xs],
         "textfont": {"size": 10}, "cliponaxis": False, "hovertext": [hover(r) for r in points], "hoverinfo": "text",
         "customdata": [r["variant_id"] for r in points], "meta": {"pareto_points": True},
         "marker": {"size": [16 if r["variant_id"] == recommended else 10 for r in points],
                    "color": ["#1f77b4" if r["cosine"] >= floor else "#bbbbbb" for r in points],
                    "symbol": ["star" if r["variant_id"] == recommended else "circle" for r in points],
                    "line": {"width": 1, "color": "#333"}}},
    ]
    layout = {"shapes": [_floor_line(floor)], "annotations": [_floor_note(floor)],
              "meta": {"floor": floor, "recommended": recommended}}
    return _figure(traces, UI["pareto_title"],
                   {"title": {"text": UI["axis_cosine"]}, "type": "log", "automargin": True, "exponentformat": "power"},
                   {"title": {"text": UI["axis_speedup"]}, "rangemode": "tozero", "automargin": True}, **layout)


def spaced_names(points, xs, ys, wanted, near_x=0.25, near_y=0.12):
    """The ids of `wanted` (in order of preference) to name on a chart: a point is named unless a named point is
    within `near_x` of the x span and `near_y` of the log-y span, where the two names would overprint."""
    span_x = (max(xs) - min(xs)) or 1.0
    logs = [math.log10(y) for y in ys]
    span_y = (max(logs) - min(logs)) or 1.0
    where = {r["variant_id"]: (x, ly) for r, x, ly in zip(points, xs, logs)}
    named = []
    for vid in dict.fromkeys(v for v in wanted if v in where):
        x, ly = where[vid]
        if all(abs(x - where[n][0]) > near_x * span_x or abs(ly - where[n][1]) > near_y * span_y for n in named):
            named.append(vid)
    return set(named)


def sweep_chart(by_variant, axis, fixed):
    """One sweep along one axis: a line per variant. seq_len -> median latency (ms); batch_size -> throughput
    (inferences/s); threads -> speed-up over the same variant at the fewest threads. Exactly the files' figures."""
    traces = []
    for i, (vid, points) in enumerate(by_variant.items()):
        xs = [p[0] for p in points]
        if axis == "seq_len":
            ys = [latency(p[2]) for p in points]
        elif axis == "batch_size":
            ys = [p[2].get("throughput_per_s") for p in points]
        else:
            base = latency(points[0][2])
            ys = [base / latency(p[2]) if base and latency(p[2]) else None for p in points]
        label = text(points[0][2].get("label") or vid)
        traces.append({"type": "scatter", "mode": "lines+markers", "name": label, "x": xs, "y": ys,
                       "marker": {"color": PALETTE[i % len(PALETTE)]}, "line": {"color": PALETTE[i % len(PALETTE)]},
                       "customdata": [p[1].id for p in points], "meta": {"sweep_axis": axis, "variant_id": vid},
                       # Plain hover text, never a template: Plotly would fill in a "%{…}" inside a label.
                       "hovertext": [f"{label}<br>{x}: " + ("—" if y is None else f"{y:.3g}")
                                     for x, y in zip(xs, ys)], "hoverinfo": "text"})
    held = ", ".join(f"{UI['sweep_axis'][a]} {v}" for a, v in fixed.items() if v is not None)
    ticks = sorted({p[0] for points in by_variant.values() for p in points})
    title, yaxis = {"seq_len": (UI["sweep_seq_title"], UI["axis_ms"]),
                    "batch_size": (UI["sweep_batch_title"], UI["axis_throughput"]),
                    "threads": (UI["sweep_threads_title"], UI["axis_thread_speedup"])}[axis]
    return _figure(traces, f"{title} ({held})" if held else title,
                   {"title": {"text": yaxis}, "rangemode": "tozero", "automargin": True},
                   # Ticks at the grid's own values (a log axis would otherwise label 2, 3, 4 ... between them).
                   {"title": {"text": UI["sweep_axis"][axis]}, "type": "log" if axis == "seq_len" else "linear",
                    "tickvals": ticks, "ticktext": [str(t) for t in ticks], "automargin": True})


CHARTS = {"latency": latency_chart, "speedup": speedup_chart, "size": size_chart, "fidelity": fidelity_chart}
