"""A results tree at scale (issue: 500 runs on 50 machines) for the size test and the build-time benchmark.

    python tests/generate_results.py OUT_DIR [--machines 50] [--runs 10]

Machines are copies of tests/data/results/test-box, runs copies of a real 13-variant run (RUN, the TIL's model),
each with its own ids, labels, dates and figures (a deterministic spread): per machine, one sweep over sequence
lengths (SWEEP, one file per point, as bench/sweep.py writes them) and full runs at the TIL's workload for the
rest, so the site lays out what real machines produce. They are test data, never results.
"""

import argparse
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data/results/test-box"
RUN = Path(__file__).resolve().parent.parent / "results/intel-xeon-2vcpu/20261202T192045Z-distilbert-base-multilingual-cased.json"
SWEEP = [16, 64, 256, 512]  # sequence lengths of each machine's sweep (128 is the full runs' workload)
FLAGS = ["avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16"]


def generate(out, machines=50, runs=10, seed=0):
    rng = random.Random(seed)
    machine_doc = json.loads((DATA / "machine.json").read_text())
    run_doc = json.loads(RUN.read_text())
    for m in range(machines):
        mid = f"gen-box-{m:02d}"
        folder = Path(out) / mid
        folder.mkdir(parents=True, exist_ok=True)
        machine = json.loads(json.dumps(machine_doc))
        machine.update(machine_id=mid, label=f"Generated box {m:02d} ({2 + m % 7 * 2} vCPU)")
        machine["cpu"]["flags"] = {f: rng.random() < 0.5 for f in FLAGS}
        (folder / "machine.json").write_text(json.dumps(machine))
        speed = rng.uniform(0.5, 2.0)
        sweep = SWEEP[:max(0, min(len(SWEEP), runs - 1))]
        for r in range(runs):
            doc = json.loads(json.dumps(run_doc))
            day = 1 + r
            stamp = f"2026-10-{day:02d}T00:00:00Z"
            doc.update(machine_id=mid, started_at=stamp, cpu_model=machine["cpu"]["model"])
            if r < len(sweep):  # the sweep's points, one file each
                doc["workload"]["seq_len"] = sweep[r]
                doc["sweep"] = {"id": "2026-10-01T00:00:00Z", "index": r, "points": len(sweep),
                                "grid": {"batch_size": [1], "seq_len": sweep, "threads": [2]}}
            drifts = {v["id"]: speed * rng.uniform(0.9, 1.1) * (doc["workload"]["seq_len"] / 128)
                      for v in doc["variants"]}
            for v in doc["variants"]:
                drift = drifts[v["id"]]
                if v.get("speedup"):  # the run's own speed-up follows its latencies: reference over variant
                    ratio = drifts["pytorch-fp32"] / drift
                    v["speedup"]["value"] *= ratio
                    v["speedup"]["ci95"] = [x * ratio for x in v["speedup"].get("ci95") or []] or None
                for key, value in list((v.get("latency_ms") or {}).items()):
                    if key not in ("count", "p50_ci95") and isinstance(value, (int, float)):
                        v["latency_ms"][key] = round(value * drift, 3)
                if (v.get("latency_ms") or {}).get("p50_ci95"):
                    v["latency_ms"]["p50_ci95"] = [round(x * drift, 3) for x in v["latency_ms"]["p50_ci95"]]
                if v.get("round_p50_ms"):
                    v["round_p50_ms"] = [round(x * drift, 3) for x in v["round_p50_ms"]]
                v.pop("samples_ms", None)
            (folder / f"202610{day:02d}T000000Z-distilbert-base-multilingual-cased.json").write_text(json.dumps(doc))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--machines", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    generate(args.out, args.machines, args.runs)
