"""Per run: what each variant achieves against the machine's measured roof, what the advice rules expected of
this CPU, and which variants are on the speed-vs-fidelity Pareto front (pure functions over loaded results)."""

from benchlog.analysis import advice, flops, intervals, roof
from benchlog.analysis.what_ran import int8_check, what_ran


def run_rows(results, machine, run):
    """One dict per variant of `run`: hardware, achieved rate, % of the measured roof (square GEMMs), of the roof at
    the workload's own GEMM shapes and of the estimated peak,
    fidelity (mean and worst cosine, argmax, flipped inputs' margins)."""
    doc = run.doc
    w, dims = doc["workload"], (doc["model"].get("dims") or {})
    threads = w.get("threads")
    docs = results.roofs_of(machine.id)
    best = roof.best_gemm(docs, threads)
    at_shapes = roof.best_at_shapes(docs, threads, roof.gemm_shapes(dims, w.get("batch_size"), w.get("seq_len")))
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
            # the roof at this workload's own GEMM shapes: how fast its products can run here
            "shape_roof": at_shapes.get(kind),
            "shape_roof_pct": 100 * gops / at_shapes[kind]["rate_gops"] if gops and kind in at_shapes else None,
            "cosine": fidelity.get("cosine"), "cosine_min": fidelity.get("cosine_min"),
            "ran": what_ran(v) if v["status"] == "ok" else None,
            "argmax_agree": fidelity.get("argmax_agree"), "argmax_total": fidelity.get("argmax_total"), "flips": fidelity.get("flips") or [],
        })
    return rows


def pareto(rows, floor=advice.FIDELITY_FLOOR):
    """(front ids, recommended id) over the variants that ran and have a cosine."""
    points = [(r["variant_id"], r["latency_ms"], r["cosine"]) for r in rows
              if r["status"] == "ok" and r["latency_ms"] and r["cosine"] is not None]
    return advice.pareto_front(points), advice.recommend(points, floor)


# The same INT8 model compiled two ways: the layers NNCF left unquantized in f32, or in bf16 (OpenVINO's default on
# a bf16 CPU). Measured side by side, the INT8 effect and the bf16 effect are told apart.
PRECISION_PAIR = ("openvino-int8", "openvino-int8-bf16")


def precision_pair(rows, recommended):
    """{"f32": row, "bf16": row, "picked": the one recommended or None} when the run measured both, else None."""
    by_id = {r["variant_id"]: r for r in rows if r["status"] == "ok"}
    if not all(vid in by_id for vid in PRECISION_PAIR):
        return None
    return {"f32": by_id[PRECISION_PAIR[0]], "bf16": by_id[PRECISION_PAIR[1]],
            "picked": recommended if recommended in PRECISION_PAIR else None}


def advice_rows(machine, run):
    """The expected-vs-measured table for `machine`, measured by `run` (None: expectations only)."""
    measured = {vid: r["value"] for vid, r in intervals.run_speedups(run.doc).items()} if run is not None else {}
    statuses = {v["id"]: v["status"] for v in run.variants} if run is not None else {}
    ran = {v["id"]: what_ran(v) for v in run.variants if v["status"] == "ok"} if run is not None else {}
    flags = machine.cpu.get("flags") or {}
    rows = advice.table(flags, measured, statuses)
    int8_level = advice.level(flags)[0]
    for row in rows:
        row["ran"] = ran.get(row["variant"])
        int8 = row["variant"] in advice.INT8_BANDS or row["variant"] == "openvino-int8-bf16"
        row["check"] = int8_check(int8_level, row["ran"]) if int8 else None
    return {"rows": rows, "hint": advice.int8_hint(flags, measured), "levels": advice.level(flags)}
