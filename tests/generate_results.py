"""A results tree at scale (issue: 500 runs on 50 machines) for the size test and the build-time benchmark.

    python tests/generate_results.py OUT_DIR [--machines 50] [--runs 10]

Machines and runs are copies of tests/data/results/test-box with their own ids, labels, dates and figures
(a deterministic spread), so the site has something realistic to lay out. They are test data, never results.
"""

import argparse
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data/results/test-box"
FLAGS = ["avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16"]


def generate(out, machines=50, runs=10, seed=0):
    rng = random.Random(seed)
    machine_doc = json.loads((DATA / "machine.json").read_text())
    run_doc = json.loads((DATA / "20260101T000000Z-tiny-distilbert.json").read_text())
    for m in range(machines):
        mid = f"gen-box-{m:02d}"
        folder = Path(out) / mid
        folder.mkdir(parents=True, exist_ok=True)
        machine = json.loads(json.dumps(machine_doc))
        machine.update(machine_id=mid, label=f"Generated box {m:02d} ({2 + m % 7 * 2} vCPU)")
        machine["cpu"]["flags"] = {f: rng.random() < 0.5 for f in FLAGS}
        (folder / "machine.json").write_text(json.dumps(machine))
        speed = rng.uniform(0.5, 2.0)
        for r in range(runs):
            doc = json.loads(json.dumps(run_doc))
            day = 1 + r
            doc.update(machine_id=mid, started_at=f"2026-10-{day:02d}T00:00:00Z")
            doc["workload"]["seq_len"] = 128 if r % 3 else 64
            for v in doc["variants"]:
                drift = speed * rng.uniform(0.9, 1.1)
                for key, value in list((v.get("latency_ms") or {}).items()):
                    if key != "count":
                        v["latency_ms"][key] = round(value * drift, 3)
                if v.get("round_p50_ms"):
                    v["round_p50_ms"] = [round(x * drift, 3) for x in v["round_p50_ms"]]
            (folder / f"202610{day:02d}T000000Z-tiny-distilbert.json").write_text(json.dumps(doc))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--machines", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    generate(args.out, args.machines, args.runs)
