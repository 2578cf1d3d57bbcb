"""Pure functions from loaded results to pandas tables: variants, speed-ups, best variants, CPU features."""

from types import SimpleNamespace

import pandas as pd

from benchlog.analysis import headline, intervals, noise
from benchlog.analysis.workloads import workload_of
from benchlog.format import isa
from benchlog.analysis.intervals import LATENCY_STATS, headline_latency  # noqa: F401 (the table's names for them)
from benchlog.site.strings import UI, ui


STAT_NAMES = UI["stat"]

# One colour per machine on every chart of every page (Plotly's and D3's qualitative palettes, colour-blind aware
# first); machines take them in the order of their ids, so adding a machine never recolours the others.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"]

COLUMNS = ["machine_id", "machine_label", "run_id", "run_label", "started_at", "series", "series_label", "colour",
           "workload",
           "transcribed", "source", "quick", "incomplete", "noisy", "noise_reasons", "variant_id", "variant_label",
           "backend", "precision", "status", "reason", "providers", "latency_ms", "latency_stat", "p10_ms", "p90_ms",
           "round_min_ms", "round_max_ms", "process_spread", "throughput_per_s", "size_mib", "size_reported",
           "size_flag", "max_abs_error", "abs_error", "argmax_agreement", "cosine", "peak_rss_mib", "p50_lo",
           "p50_hi", "speedup", "speedup_lo", "speedup_hi", "notes"]


def rows_of(frame):
    """The frame's rows as objects with attributes (row.latency_ms). DataFrame.itertuples (and to_dict, which uses
    it) costs ~3 ms a call on these wide object-typed frames; the pages make thousands of calls at 50 machines."""
    columns = list(frame.columns)
    return [SimpleNamespace(**dict(zip(columns, values))) for values in frame.to_numpy(dtype=object)]


def present(value):
    """False for a missing figure: None, or the NaN pandas puts in its place."""
    return value is not None and value == value


def size_mib(size):
    """Size in MiB: from counted bytes where measured, else as transcribed; None for a flagged figure."""
    size = size or {}
    if size.get("flag"):
        return None
    if size.get("bytes") is not None:
        return size["bytes"] / 2**20
    return size.get("mib")


def process_spread(round_p50s):
    """'3 processes: 98.1–101.3' (their medians, ms) for a variant measured in several processes, else None."""
    if not round_p50s or len(round_p50s) < 2:
        return None
    return ui("processes", n=len(round_p50s), low=f"{min(round_p50s):,.1f}", high=f"{max(round_p50s):,.1f}")


def speedup_text(value, low=None, high=None, transcribed=False, digits=2):
    """'×4.21 (4.02–4.40)': a speed-up with its 95% interval, or '×4.21 (구간 없음)' for a measured one without;
    a transcribed figure as its source gave it ('×2.08'); None without a figure."""
    if not present(value):
        return None
    if transcribed:
        return f"×{value:,.{digits}f}"
    interval = f"{low:,.{digits}f}–{high:,.{digits}f}" if present(low) and present(high) else UI["no_interval"]
    return f"×{value:,.{digits}f} ({interval})"


def latency_text(value, low=None, high=None, digits=2):
    """'16.21 (15.90–16.55)': a median with its 95% interval, or the median alone; None without a figure."""
    if not present(value):
        return None
    return f"{value:,.{digits}f}" + (f" ({low:,.{digits}f}–{high:,.{digits}f})" if present(low) and present(high)
                                      else "")


def argmax_text(fidelity):
    k, n = (fidelity or {}).get("argmax_agree"), (fidelity or {}).get("argmax_total")
    return f"{k}/{n}" if k is not None and n else None


def machine_colours(results):
    return {mid: PALETTE[i % len(PALETTE)] for i, mid in enumerate(sorted(results.machines))}


def workload_label(key):
    model, batch, seq = key
    return ui("workload", model=model, batch="?" if batch is None else batch, seq="?" if seq is None else seq)


def run_label(run, with_trust=True):
    """The run as a reader tells it apart: its own label, or its date, and what makes its figures differ (and,
    with_trust, whether it is quick, incomplete or noisy)."""
    doc, trust = run.doc, noise.run_trust(run.doc)
    if doc.get("label"):
        return doc["label"]
    w = doc["workload"]
    flags = [UI[word] for word in ("quick", "incomplete", "noisy") if trust[word]] if with_trust else []
    parts = [doc["started_at"][:10], ui("threads", n=w["threads"]) if w.get("threads") else None,
             UI["weights"].get(doc["model"].get("weights")), *flags]
    return " · ".join(p for p in parts if p)


def run_heading(run):
    """A heading that tells a machine's runs apart: model · sequence · batch · threads · variants · date and time
    (a transcribed run: its own label first)."""
    doc, w = run.doc, run.doc["workload"]
    measured = sum(v["status"] == "ok" for v in run.variants)
    parts = [doc.get("label") if run.transcribed else None, doc["model"]["name"],
             None if w.get("seq_len") is None else ui("seq", n=w["seq_len"]),
             None if w.get("batch_size") is None else f"batch {w['batch_size']}",
             ui("threads", n=w["threads"]) if w.get("threads") else None,
             (ui("variants_all", n=measured) if measured == len(run.variants) else
              ui("variants_some", n=measured, total=len(run.variants))) if run.variants else None,
             doc["started_at"][:16].replace("T", " ")]
    return " · ".join(p for p in parts if p)


def trust_text(run_doc):
    """noise.run_trust with its reasons and advice in words: reasons as 'label: 95% 구간이 ±7.2%로 넓음 (...)',
    advice as one sentence ('' when there is nothing to improve)."""
    trust = dict(noise.run_trust(run_doc))
    trust["reasons"] = [f"{r['variant']}: {reason_text(r['key'], r['value'], r['limit'])}" for r in trust["reasons"]]
    trust["advice"] = "; ".join(UI[f"advice_{key}"] for key in trust["advice"])
    return trust


def ran_text(ran):
    """'GEMM INT8 97% · FP32 3%' from analysis/what_ran.what_ran; '' without GEMM shares."""
    return (UI["eff"]["gemm"] + " " + " · ".join(
        f"{'/'.join(g['names']) if g['precision'] == 'other' else g['precision'].upper()} {g['share']:.0%}"
        for g in ran["gemm"]) if ran and ran["gemm"] else "")


def ran_detail(ran, limit=3):
    """The kernels behind the largest share, the precision of the rest and the ISA the kernels name, in a line."""
    parts = []
    if ran["gemm"]:
        names = ran["gemm"][0]["kernels"]
        parts.append(", ".join(names[:limit]) + (f" +{len(names) - limit}" if len(names) > limit else ""))
    if ran["rest"]:
        parts.append(UI["eff"]["rest"].format(precision=ran["rest"]))
    if ran["isa"]:
        parts.append("ISA " + ", ".join(ran["isa"]))
    return "; ".join(p for p in parts if p)


def reason_text(key, value, limit):
    """One noise reason (analysis/noise.py LIMITS) in words."""
    return UI[f"reason_{key}"].format(value=value, limit=limit)


def evidence_text(run):
    """How much to trust a run's figures, in a few words."""
    trust = noise.run_trust(run.doc)
    if trust["transcribed"]:
        return ui("transcribed_from", source=run.doc["source"].get("name"))
    words = [UI["incomplete"] if trust["incomplete"] else UI["complete"], UI["quick"] if trust["quick"] else UI["full"],
             {True: UI["noisy"], False: UI["quiet"], None: UI["noise_unknown"]}[trust["noisy"]]]
    return ", ".join(words)


def variant_rows(machine, run, colour=None):
    """One dict per variant of one run, in COLUMNS order."""
    rows = []
    trust = noise.run_trust(run.doc)
    ratios = intervals.run_speedups(run.doc)
    plain_label, series_label = run_label(run, with_trust=False), f"{machine.display} · {run_label(run)}"
    for v in run.variants:
        latency, stat = headline_latency(v.get("latency_ms"))
        fidelity, size, lat = v.get("fidelity") or {}, v.get("size") or {}, v.get("latency_ms") or {}
        rss, rounds = v.get("peak_rss_bytes"), v.get("round_p50_ms") or []
        variant_noise = noise.variant_noise(v, ratios.get(v["id"])) if not run.transcribed and v["status"] == "ok" \
            else {}
        p50_ci = intervals.p50_interval(v) if v["status"] == "ok" and not run.transcribed else None
        rows.append({
            "machine_id": machine.id, "machine_label": machine.display, "run_id": run.id,
            "run_label": plain_label, "started_at": run.doc["started_at"],
            "series": f"{machine.id}/{run.id}", "series_label": series_label,
            "colour": colour, "workload": workload_of(run), "transcribed": run.transcribed,
            "source": run.doc["source"].get("name", "measured"), "quick": trust["quick"],
            "incomplete": trust["incomplete"], "noisy": variant_noise.get("noisy"),
            "noise_reasons": [reason_text(k, variant_noise[k], noise.LIMITS[k]) for k in variant_noise.get("reasons") or []],
            "variant_id": v["id"], "variant_label": v.get("label") or v["id"], "backend": v["backend"],
            "precision": v["precision"], "status": v["status"], "reason": v.get("reason"),
            "providers": ", ".join(v.get("providers") or []) or None,
            "latency_ms": latency, "latency_stat": stat, "p10_ms": lat.get("p10"), "p90_ms": lat.get("p90"),
            "round_min_ms": min(rounds) if len(rounds) >= 2 else None,
            "round_max_ms": max(rounds) if len(rounds) >= 2 else None,
            "process_spread": process_spread(rounds),
            "throughput_per_s": v.get("throughput_per_s"),
            "size_mib": size_mib(size), "size_reported": size.get("reported"), "size_flag": size.get("flag"),
            "max_abs_error": fidelity.get("max_abs_error"), "abs_error": fidelity.get("abs_error"),
            "argmax_agreement": argmax_text(fidelity), "cosine": fidelity.get("cosine"),
            "peak_rss_mib": rss / 2**20 if rss is not None else None,
            "p50_lo": p50_ci[0] if p50_ci else None, "p50_hi": p50_ci[1] if p50_ci else None,
            **speedup_columns(run, v["id"], ratios), "notes": list(v.get("notes") or []),
        })
    return rows


def variant_frame(results, runs=None):
    """Every variant of `runs` (default: all runs) with its speed-up over PyTorch FP32 in the same run."""
    colours = machine_colours(results)
    rows = []
    for run in results.runs if runs is None else runs:
        rows += variant_rows(results.machines[run.machine_id], run, colours.get(run.machine_id))
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(object)
    # Missing figures stay None (pandas would turn them into NaN, which templates would print as "nan").
    return frame.where(frame.notna(), None)


def speedup_columns(run, variant_id, ratios):
    """speedup, speedup_lo, speedup_hi of one variant from its run's intervals.run_speedups (None where unknown):
    within one run only (absolute times differ across machines)."""
    entry = ratios.get(variant_id)
    if not entry:
        return {"speedup": None, "speedup_lo": None, "speedup_hi": None}
    ci = entry.get("ci95") or [None, None]
    return {"speedup": entry["value"], "speedup_lo": ci[0], "speedup_hi": ci[1]}


MAX_MEASURED_SHOWN = 8


def newest_machines(stamps, limit=MAX_MEASURED_SHOWN):
    """The ids of the `limit` machines with the newest of `stamps` ({machine id: time}): the ones a page draws
    when it cannot draw every machine."""
    return set(sorted(stamps, key=lambda m: stamps[m], reverse=True)[:limit])


def shown_and_more(runs, limit=MAX_MEASURED_SHOWN):
    """(runs to draw, machine ids left out) for one section: every transcribed machine (the TIL's) and the `limit`
    machines measured most recently; the others stay one click away on their own pages."""
    newest = {}
    for run in runs:
        if not run.transcribed:
            newest[run.machine_id] = max(newest.get(run.machine_id, ""), run.doc["started_at"])
    keep = newest_machines(newest, limit) | {r.machine_id for r in runs if r.transcribed}
    return [r for r in runs if r.machine_id in keep], sorted({r.machine_id for r in runs} - keep)


def run_summaries(frame, runs):
    """Per run of a comparison section: its PyTorch FP32 latency and its answer (report/headline.py)."""
    out = []
    for run in runs:
        rows = frame[(frame.machine_id == run.machine_id) & (frame.run_id == run.id) & (frame.status == "ok")]
        reference = rows[rows.variant_id == intervals.REFERENCE]
        out.append({"run": run, "reference_ms": reference.latency_ms.iloc[0] if len(reference) else None,
                    "answer": headline.answer(run)})
    return out


def canonical_labels(frame):
    """One display label per variant id: the newest measured label wins over a transcribed one."""
    ordered = frame.sort_values(["transcribed"], ascending=False, kind="stable")
    return {vid: label for vid, label in zip(ordered.variant_id, ordered.variant_label)}


# The TIL's table "최적화 기술 / 필요한 CPU 기능", as rules over ISA flags. A rule holds when any flag is present.
CPU_FEATURES = [
    ("VNNI", "AVX512-VNNI", isa.VNNI),
    ("BF16 최적화", "AVX512-BF16", isa.BF16),
    ("Low-precision fusion", "AVX512", ("avx512f",)),
    ("8-bit kernel accel", "DL Boost", isa.INT8),
    ("Thread-pinning optimization", "고성능 코어(P-core)", ()),
]


def feature_support(cpu, flags_needed):
    """True / False / None (unknown) for one rule on one CPU."""
    flags = cpu.get("flags") or {}
    if not flags_needed:
        # P-cores only exist on hybrid CPUs; a non-hybrid CPU runs every thread on the same kind of core.
        hybrid = cpu.get("hybrid")
        return None if hybrid is None else bool(hybrid)
    values = [flags.get(f) for f in flags_needed]
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None


def cpu_feature_table(results):
    """Rows: the TIL's optimisations; columns: machines; cells True / False / None."""
    rows = []
    for name, needs, flags in CPU_FEATURES:
        row = {"optimisation": name, "needs": needs, "flags": " / ".join(flags) or "hybrid CPU"}
        for machine in results.machines.values():
            row[machine.id] = feature_support(machine.cpu, flags)
        rows.append(row)
    return pd.DataFrame(rows).astype(object)
