"""Sweeps: `--seq-len 16,32,64 --batch-size 1,4 --threads 1,2` measures every point of the grid in one invocation.

Each point is its own run file (the site never puts two workloads in one series, and a file is one workload), and
every file of the sweep carries the same sweep id, the whole grid and its index in it, so the site re-assembles
the sweep: latency against sequence length, throughput against batch size, speed-up against threads.
"""

import copy
import itertools
import sys

AXES = ("batch_size", "seq_len", "threads")


def grid(batch_sizes, seq_lens, threads):
    """Every point of the grid, in a fixed order (batch, then sequence, then threads): [{axis: value}].
    `threads` may be [None] (the machine's physical cores, resolved by the run)."""
    return [dict(zip(AXES, values)) for values in itertools.product(batch_sizes, seq_lens, threads)]


def run_grid(options, run, stamp):
    """Run `run(options)` once per grid point; return the written paths. A single point is a plain run."""
    points = grid(options.batch_sizes, options.seq_lens, options.threads_list)
    if len(points) == 1:
        options.batch_size, options.seq_len, options.threads = (points[0][a] for a in AXES)
        options.sweep = None
        return [run(options)]
    spec = {"id": stamp, "grid": {"batch_size": options.batch_sizes, "seq_len": options.seq_lens,
                                  "threads": [t for t in options.threads_list if t is not None]},
            "points": len(points)}
    paths = []
    for index, point in enumerate(points):
        print(f"benchlog: sweep point {index + 1}/{len(points)}: batch {point['batch_size']}, sequence "
              f"{point['seq_len']}, threads {point['threads'] or 'default'}", file=sys.stderr, flush=True)
        one = copy.copy(options)
        one.batch_size, one.seq_len, one.threads = (point[a] for a in AXES)
        one.sweep = {**spec, "index": index}
        paths.append(run(one))
    return paths
