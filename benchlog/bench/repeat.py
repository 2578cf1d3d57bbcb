"""`benchlog run --repeat N`: an A/A check. The same run N times back to back, then per variant the spread of its
speed-up across the runs (max / min) and whether every pair of runs' 95% intervals overlaps: how a user learns
whether their machine gives figures that reproduce."""

import itertools
import json

from benchlog.analysis import intervals, noise


def repeat_table(docs):
    """One row per variant measured in every run: its speed-ups, their max/min and whether all intervals overlap."""
    ratios = [intervals.run_speedups(doc) for doc in docs]
    ids = [vid for vid in ratios[0] if vid != intervals.REFERENCE and all(vid in r for r in ratios)]
    rows = []
    for vid in ids:
        values = [r[vid]["value"] for r in ratios]
        cis = [r[vid]["ci95"] for r in ratios]
        overlap = None if any(ci is None for ci in cis) else \
            all(intervals.overlap(a, b) for a, b in itertools.combinations(cis, 2))
        rows.append({"variant": vid, "values": values, "cis": cis, "spread": max(values) / min(values),
                     "overlap": overlap})
    return rows


def print_repeat(paths, out):
    docs = [json.loads(p.read_text()) for p in paths]
    print(f"\nA/A check over {len(docs)} back-to-back runs (speed-up over {intervals.REFERENCE}, 95% interval):",
          file=out)
    for row in repeat_table(docs):
        runs = "  ".join(f"{v:.2f}" + (f" ({ci[0]:.2f}-{ci[1]:.2f})" if ci else "")
                         for v, ci in zip(row["values"], row["cis"]))
        verdict = {True: "intervals overlap", False: "INTERVALS DISAGREE", None: "no interval"}[row["overlap"]]
        print(f"  {row['variant']:<20} {runs}  max/min {row['spread']:.3f}  {verdict}", file=out)
    noisy = sum(bool(noise.run_trust(doc)["noisy"]) for doc in docs)
    print(f"  runs called noisy: {noisy} of {len(docs)}", file=out)
