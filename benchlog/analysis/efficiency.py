"""Per run: what each variant achieves against the machine's measured roof, what the advice rules expected of
this CPU, and which variants are on the speed-vs-fidelity Pareto front (pure functions over loaded results)."""

from benchlog.analysis import advice, flops, intervals, roof


def run_rows(results, machine, run):
    """One dict per variant of `run`: hardware, achieved rate, % of the measured roof and of the estimated peak,
    fidelity (mean and worst cosine, argmax, flipped inputs' margins)."""
    doc = run.doc
    w, dims = doc["workload"], (doc["model"].get("dims") or {})
    threads = w.get("threads")
    best = roof.best_gemm(results.roofs_of(machine.id), threads)
    estimate = roof.estimate_peak(machine.cpu, threads) if threads and not run.transcribed else {}
    ratios = intervals.run_speedups(doc)
    rows = []
    for v in doc["variants"]:
        latency, _ = intervals.headline_latency(v.get("latency_ms"))
        fidelity = v.get("fidelity") or {}
        kind = v.get("compute_precision") or roof.roof_precision(v["precision"])
        gops = flops.achieved_gops(dims, w.get("batch_size"), w.get("seq_len"), latency) if v["status"] == "ok" \
            else None
        gemm, peak = best.get(kind), roof.credible_estimate(estimate.get(kind), best.get(kind))
        rows.append({
            "variant_id": v["id"], "label": v.get("label") or v["id"], "precision": v["precision"],
            "roof_precision": kind, "status": v["status"], "reason": v.get("reason"),
            "hardware": v.get("hardware"), "latency_ms": latency,
            "speedup": (ratios.get(v["id"]) or {}).get("value"),
            "speedup_ci95": (ratios.get(v["id"]) or {}).get("ci95"),
            "gops": gops, "roof": gemm, "roof_pct": 100 * gops / gemm["rate_gops"] if gops and gemm else None,
            "peak": peak, "peak_pct": 100 * gops / peak["rate_gops"] if gops and peak else None,
            "cosine": fidelity.get("cosine"), "cosine_min": fidelity.get("cosine_min"),
            "argmax_agree": fidelity.get("argmax_agree"), "argmax_total": fidelity.get("argmax_total"), "flips": fidelity.get("flips") or [],
        })
    return rows


def pareto(rows, floor=advice.FIDELITY_FLOOR):
    """(front ids, recommended id) over the variants that ran and have a cosine."""
    points = [(r["variant_id"], r["latency_ms"], r["cosine"]) for r in rows
              if r["status"] == "ok" and r["latency_ms"] and r["cosine"] is not None]
    return advice.pareto_front(points), advice.recommend(points, floor)


def advice_rows(machine, run):
    """The expected-vs-measured table for `machine`, measured by `run` (None: expectations only)."""
    measured = {vid: r["value"] for vid, r in intervals.run_speedups(run.doc).items()} if run is not None else {}
    statuses = {v["id"]: v["status"] for v in run.variants} if run is not None else {}
    flags = machine.cpu.get("flags") or {}
    return {"rows": advice.table(flags, measured, statuses), "hint": advice.int8_hint(flags, measured),
            "levels": advice.level(flags)}
