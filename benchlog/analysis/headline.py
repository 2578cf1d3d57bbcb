"""One answer per question: which run speaks for a machine on a workload, and what it says is fastest.

Every page that names a machine's answer (home, overview, comparison, machine page, advice, a post tag without
run=) asks this module, so they all name the same run, variant, figure and interval.

The rule, in order (the first difference decides):
1. a run that holds the PyTorch FP32 reference (speed-ups need it) before one that does not;
2. measured before transcribed;
3. complete before interrupted, full before quick;
4. the run that measured the most variants (a quiet five-variant run cannot say whether a sixth is faster);
5. quiet before noisy before unknown, then the narrowest speed-up intervals (report/noise.evidence_rank);
6. the newest.
The answer of a run: its fastest successful variant by speed-up over PyTorch FP32 (by latency where the run has
no speed-ups), and the fastest whose mean cosine against PyTorch FP32 holds the fidelity floor.
"""

from benchlog.analysis import advice, intervals, noise


def rank(run):
    """Sort key of one machine's runs of one workload, best evidence first (the rule above)."""
    has_reference = bool(intervals.run_speedups(run.doc))
    incomplete, quick, noisy, widest, newest = noise.evidence_rank(run.doc)
    measured = sum(v["status"] == "ok" for v in run.variants)
    return (not has_reference, run.transcribed, incomplete, quick, -measured, noisy, widest, newest)


def best_run(runs):
    """The run that speaks for its machine and workload, or None for no runs."""
    runs = list(runs)
    return min(runs, key=rank) if runs else None


def answer(run, floor=advice.FIDELITY_FLOOR):
    """{"run", "fastest", "recommended"} of one run; each variant entry is {"id", "label", "speedup", "ci95",
    "latency_ms", "cosine"} (None where the run has no such variant)."""
    ratios = intervals.run_speedups(run.doc)
    entries = []
    for v in run.variants:
        latency, _ = intervals.headline_latency(v.get("latency_ms"))
        if v["status"] != "ok" or latency is None:
            continue
        ratio = ratios.get(v["id"]) or {}
        entries.append({"id": v["id"], "label": v.get("label") or v["id"], "speedup": ratio.get("value"),
                        "ci95": ratio.get("ci95"), "latency_ms": latency,
                        "cosine": (v.get("fidelity") or {}).get("cosine")})
    with_speedup = [e for e in entries if e["speedup"] is not None]
    if with_speedup:
        fastest = max(with_speedup, key=lambda e: e["speedup"])
    else:
        fastest = min(entries, key=lambda e: e["latency_ms"], default=None)
    recommended = advice.recommend([(e["id"], e["latency_ms"], e["cosine"]) for e in entries], floor)
    return {"run": run, "fastest": fastest,
            "recommended": next((e for e in entries if e["id"] == recommended), None)}
