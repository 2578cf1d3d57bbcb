"""Pure functions from loaded results to pandas tables: variants, speed-ups, best variants, CPU features."""

import pandas as pd

REFERENCE_VARIANT = "pytorch-fp32"

# Which statistic stands for a variant's latency, in order of preference.
LATENCY_STATS = ("p50", "mean", "reported")
STAT_NAMES = {"p50": "median", "mean": "mean", "reported": "statistic not stated"}

COLUMNS = ["machine_id", "machine_label", "run_id", "run_label", "series", "transcribed", "source", "variant_id",
           "variant_label", "backend", "precision", "status", "reason", "providers", "latency_ms", "latency_stat",
           "p90_ms", "process_spread", "throughput_per_s", "size_mib", "size_reported", "size_flag", "max_abs_error",
           "abs_error",
           "argmax_agreement", "cosine", "peak_rss_mib", "speedup", "notes"]


def present(value):
    """False for a missing figure: None, or the NaN pandas puts in its place."""
    return value is not None and value == value


def headline_latency(latency):
    """(value, statistic) of the figure that stands for a latency summary, or (None, None)."""
    for stat in LATENCY_STATS:
        if (latency or {}).get(stat) is not None:
            return latency[stat], stat
    return None, None


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
    return f"{len(round_p50s)} processes: {min(round_p50s):,.1f}–{max(round_p50s):,.1f}"


def argmax_text(fidelity):
    k, n = (fidelity or {}).get("argmax_agree"), (fidelity or {}).get("argmax_total")
    return f"{k}/{n}" if k is not None and n else None


def series_label(machine, run):
    return f"{machine.label} · {run.label}"


def variant_rows(machine, run):
    """One dict per variant of one run, in COLUMNS order."""
    rows = []
    for v in run.variants:
        latency, stat = headline_latency(v.get("latency_ms"))
        fidelity, size = v.get("fidelity") or {}, v.get("size") or {}
        rss = v.get("peak_rss_bytes")
        rows.append({
            "machine_id": machine.id, "machine_label": machine.label, "run_id": run.id, "run_label": run.label,
            "series": series_label(machine, run), "transcribed": run.transcribed,
            "source": run.doc["source"].get("name", "measured"),
            "variant_id": v["id"], "variant_label": v.get("label") or v["id"], "backend": v["backend"],
            "precision": v["precision"], "status": v["status"], "reason": v.get("reason"),
            "providers": ", ".join(v.get("providers") or []) or None,
            "latency_ms": latency, "latency_stat": stat, "p90_ms": (v.get("latency_ms") or {}).get("p90"),
            "process_spread": process_spread(v.get("round_p50_ms")),
            "throughput_per_s": v.get("throughput_per_s"),
            "size_mib": size_mib(size), "size_reported": size.get("reported"), "size_flag": size.get("flag"),
            "max_abs_error": fidelity.get("max_abs_error"), "abs_error": fidelity.get("abs_error"),
            "argmax_agreement": argmax_text(fidelity), "cosine": fidelity.get("cosine"),
            "peak_rss_mib": rss / 2**20 if rss is not None else None,
            "speedup": None, "notes": list(v.get("notes") or []),
        })
    return rows


def variant_frame(results, runs=None):
    """Every variant of `runs` (default: all runs) with its speed-up over PyTorch FP32 in the same run."""
    rows = []
    for run in results.runs if runs is None else runs:
        rows += variant_rows(results.machines[run.machine_id], run)
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(object)
    # Missing figures stay None (pandas would turn them into NaN, which templates would print as "nan").
    return add_speedups(frame.where(frame.notna(), None))


def add_speedups(frame):
    """speed-up = reference latency / latency, within one run only (absolute times differ across machines)."""
    frame = frame.copy()
    ok = frame[(frame.status == "ok") & frame.latency_ms.notna()]
    reference = ok[ok.variant_id == REFERENCE_VARIANT].set_index("run_id").latency_ms
    for i, row in ok.iterrows():
        ref = reference.get(row.run_id)
        if ref is not None:
            frame.at[i, "speedup"] = ref / row.latency_ms
    return frame


def comparison_runs(results):
    """The runs the comparison shows: every transcribed run and, per machine, the newest measured run of each
    model and workload (a quick run and a full run are different series)."""
    newest = {}
    for run in results.runs:
        key = series_key(run)
        if key not in newest or run.doc["started_at"] >= newest[key].doc["started_at"]:
            newest[key] = run
    return sorted(newest.values(), key=lambda r: (r.machine_id, r.doc["started_at"], r.id))


def series_key(run):
    if run.transcribed:
        return (run.machine_id, run.id)
    w = run.doc["workload"]
    return (run.machine_id, run.doc["model"]["name"], w.get("batch_size"), w.get("seq_len"), w.get("threads"),
            bool(w.get("quick")))


def canonical_labels(frame):
    """One display label per variant id: the newest measured label wins over a transcribed one."""
    ordered = frame.sort_values(["transcribed"], ascending=False, kind="stable")
    return {vid: label for vid, label in zip(ordered.variant_id, ordered.variant_label)}


def best_variants(frame):
    """Per machine, the fastest successful variant (by speed-up where known, else by latency)."""
    ok = frame[(frame.status == "ok") & frame.latency_ms.notna()]
    rows = []
    for _, group in ok.groupby("machine_id", sort=True):
        with_speedup = group[group.speedup.notna()]
        if len(with_speedup):
            best = with_speedup.loc[with_speedup.speedup.astype(float).idxmax()]
        else:
            best = group.loc[group.latency_ms.astype(float).idxmin()]
        rows.append(best)
    return pd.DataFrame(rows, columns=frame.columns)


# The TIL's table "최적화 기술 / 필요한 CPU 기능", as rules over ISA flags. A rule holds when any flag is present.
CPU_FEATURES = [
    ("VNNI", "AVX512-VNNI", ("avx512_vnni", "avx_vnni")),
    ("BF16 최적화", "AVX512-BF16", ("avx512_bf16", "amx_bf16")),
    ("Low-precision fusion", "AVX512", ("avx512f",)),
    ("8-bit kernel accel", "DL Boost", ("avx512_vnni", "avx_vnni", "amx_int8")),
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
