"""Sweeps re-assembled from their run files (bench/sweep.py writes one file per grid point, all with one sweep id):
per machine and sweep, latency against sequence length, throughput against batch size, and speed-up against
threads, per variant. Each chart varies one axis and holds the others at their first value in the grid, so no
series mixes two workloads of another kind."""

from benchlog.analysis import intervals

AXES = ("seq_len", "batch_size", "threads")


def sweeps_of(results, machine_id):
    """{sweep id: [runs]} for one machine, each sweep's runs in grid order."""
    out = {}
    for run in results.runs_of(machine_id):
        sweep = run.doc.get("sweep") or {}
        if sweep.get("id") is not None:  # the loader gives every run an empty sweep record
            out.setdefault(sweep["id"], []).append(run)
    return {k: sorted(v, key=lambda r: r.doc["sweep"]["index"]) for k, v in sorted(out.items(), reverse=True)}


def series(runs, axis):
    """{variant id: [(axis value, run, variant record)]} along `axis`, the other axes at their first grid value;
    None when the sweep does not vary `axis`."""
    values = {r.doc["workload"].get(axis) for r in runs}
    if len(values) < 2:
        return None
    fixed = {a: runs[0].doc["workload"].get(a) for a in AXES if a != axis}
    out = {}
    for run in runs:
        w = run.doc["workload"]
        if any(w.get(a) != v for a, v in fixed.items()):
            continue
        for v in run.variants:
            if v["status"] == "ok":
                out.setdefault(v["id"], []).append((w.get(axis), run, v))
    return {vid: sorted(points, key=lambda p: p[0]) for vid, points in out.items()}, fixed


def latency(variant):
    return intervals.headline_latency(variant.get("latency_ms"))[0]
