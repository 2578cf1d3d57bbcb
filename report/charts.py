"""Plotly figures (plain JSON-able dicts) from variant tables; usable outside MkDocs (export, notebooks).

Colours and fonts are left to the page: the site's script re-themes every chart for light and dark mode.
"""

from .tables import STAT_NAMES, canonical_labels, present

TRANSCRIBED_PATTERN = "/"


def _fmt(value, digits=1, unit=""):
    return "—" if not present(value) else f"{value:,.{digits}f}{unit}"


def _hover(row):
    lines = [f"<b>{row.variant_label}</b> ({row.precision})", row.series,
             f"latency {_fmt(row.latency_ms, 2, ' ms')} ({STAT_NAMES.get(row.latency_stat, '—')})"]
    if present(row.speedup):
        lines.append(f"speed-up vs PyTorch FP32 ×{row.speedup:.2f}")
    if present(row.size_mib):
        lines.append(f"size {_fmt(row.size_mib, 2, ' MiB')}")
    lines.append("transcribed from " + row.source if row.transcribed else "measured")
    return "<br>".join(lines)


def _bars(frame, value_column, title, axis_title, digits):
    rows = frame[(frame.status == "ok") & frame[value_column].notna()]
    if rows.empty:
        return None
    labels = canonical_labels(frame)
    order = list(dict.fromkeys(labels[v] for v in frame.variant_id))
    traces = []
    for series, group in rows.groupby("series", sort=False):
        transcribed = bool(group.transcribed.iloc[0])
        traces.append({
            "type": "bar", "name": series + (" (transcribed)" if transcribed else ""),
            "x": [labels[v] for v in group.variant_id],
            "y": [float(v) for v in group[value_column]],
            "text": [f"{float(v):,.{digits}f}" for v in group[value_column]], "textposition": "auto",
            "hovertext": [_hover(r) for r in group.itertuples()], "hoverinfo": "text",
            "marker": {"pattern": {"shape": TRANSCRIBED_PATTERN if transcribed else ""}},
        })
    return _figure(traces, title, {"title": {"text": axis_title}, "automargin": True},
                   {"categoryorder": "array", "categoryarray": order, "automargin": True}, barmode="group")


def latency_chart(frame):
    return _bars(frame, "latency_ms", "Latency per inference (lower is better)", "ms", 1)


def speedup_chart(frame):
    return _bars(frame, "speedup", "Speed-up over PyTorch FP32 on the same machine (higher is better)",
                 "× PyTorch FP32", 2)


def size_chart(frame):
    return _bars(frame, "size_mib", "Size on disk, every file the variant needs", "MiB", 1)


def fidelity_chart(frame):
    """Speed against fidelity: latency vs max absolute error of the outputs against PyTorch FP32."""
    rows = frame[(frame.status == "ok") & frame.latency_ms.notna()].copy()
    rows["error"] = rows.max_abs_error.where(rows.max_abs_error.notna(), rows.abs_error)
    rows = rows[rows.error.notna() & (rows.variant_id != "pytorch-fp32")]
    if rows.empty:
        return None
    labels = canonical_labels(frame)
    traces = []
    for vid, group in rows.groupby("variant_id", sort=False):
        traces.append({
            "type": "scatter", "mode": "markers", "name": labels[vid],
            "x": [float(v) for v in group.latency_ms], "y": [float(v) for v in group.error],
            "hovertext": [_hover(r) + f"<br>abs error {r.error:.4g} · argmax {r.argmax_agreement or '—'}"
                          for r in group.itertuples()], "hoverinfo": "text",
            "marker": {"size": 12, "symbol": ["diamond-open" if t else "circle" for t in group.transcribed]},
        })
    return _figure(traces, "Speed vs fidelity (lower-left is better)",
                   {"title": {"text": "abs error vs PyTorch FP32"}, "rangemode": "tozero"},
                   {"title": {"text": "latency, ms"}, "rangemode": "tozero"})


def _figure(traces, title, yaxis, xaxis, **layout):
    return {"data": traces, "layout": {
        "title": {"text": title, "font": {"size": 15}}, "yaxis": yaxis, "xaxis": xaxis,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.18}, "margin": {"l": 60, "r": 20, "t": 50, "b": 20},
        "height": 460, **layout}}


CHARTS = {"latency": latency_chart, "speedup": speedup_chart, "size": size_chart, "fidelity": fidelity_chart}
