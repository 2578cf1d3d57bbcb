"""The roof a variant is measured against: per precision, the best GEMM rate `benchlog roof` measured on that
machine at that thread count (the best of every library), next to a peak estimated from the ISA, cores and clock.

The estimate is a rule of thumb, labelled as one wherever it is shown: operations per cycle per core for the widest
instructions the flags promise, times the cores used, times the clock. It assumes every vCPU has its own vector
units (a VM's vCPUs may be hyperthreads sharing them) and the base clock (turbo may be higher).
"""

from benchlog.format import isa

PRECISIONS = ("fp32", "bf16", "int8")

# Operations per cycle per core (a multiply-add counts 2).
#   fp32: AVX-512 with two 512-bit FMA units (Intel Xeon) 64; AVX-512 on AMD Zen 4 (256-bit FMA datapaths) 32;
#         AVX2 + FMA with two 256-bit FMA units 32; AVX only 16.
#   bf16: AVX512_BF16 (vdpbf16ps) doubles the fp32 rate; AMX-BF16 tiles 512 multiply-adds per cycle (1,024 ops).
#   int8: VNNI (vpdpbusd) 4x the fp32 rate; AVX2 without VNNI (vpmaddubsw + vpmaddwd + add) ~4/3x;
#         AMX-INT8 tiles 1,024 multiply-adds per cycle (2,048 ops).
#   AMX: one TDPBSSD multiplies a 16x64 by a 64x16 INT8 tile (16,384 multiply-adds), one TDPBF16PS a 16x32 by a
#   32x16 bf16 tile (8,192), and the TMUL unit starts one every 16 cycles: Intel's "2,048 INT8 or 1,024 BF16
#   operations per cycle" per core, counting a multiply-add as 2 as everywhere here (VNNI's 256 INT8 ops per cycle
#   on two 512-bit units is the same count).


def ops_per_cycle(flags, vendor):
    flags = flags or {}
    amd = "amd" in (vendor or "").lower()
    fp32, why = {"avx512": (32, "AVX-512 on 256-bit FMA datapaths (AMD)") if amd else (64, "AVX-512, two FMA units"),
                 "avx2": (32, "AVX2 + FMA, two FMA units"), "avx": (16, "AVX without FMA")}[isa.fp32_level(flags)]
    vnni = ("AVX512" if flags.get("avx512_vnni") else "AVX") + "-VNNI (4x fp32)"
    return {"fp32": (fp32, why),
            "bf16": {"amx": (1024, "AMX-BF16 tiles"), "avx512": (2 * fp32, "AVX512_BF16 (2x fp32)"),
                     "none": (fp32, "no bf16 instructions: converted to fp32")}[isa.bf16_level(flags)],
            "int8": {"amx": (2048, "AMX-INT8 tiles"), "vnni": (4 * fp32, vnni),
                     "avx2": (fp32 * 4 // 3, "no VNNI: vpmaddubsw + vpmaddwd (~4/3x fp32)")}[isa.int8_level(flags)]}


def estimate_peak(cpu, threads):
    """{precision: {"rate_gops", "basis"}} for a machine's cpu record, or {} without a clock."""
    mhz = cpu.get("max_freq_mhz") or cpu.get("freq_mhz")
    cores = min(threads, cpu.get("logical_cores") or threads)
    if not mhz:
        return {}
    out = {}
    for precision, (per_cycle, why) in ops_per_cycle(cpu.get("flags"), cpu.get("vendor")).items():
        rate = per_cycle * cores * mhz / 1e3
        out[precision] = {"rate_gops": rate, "basis": f"estimate: {per_cycle} ops/cycle/core ({why}) x {cores} "
                                                      f"cores x {mhz / 1e3:.2f} GHz; assumes each vCPU has its own "
                                                      "vector units",
                          "per_cycle": per_cycle, "cores": cores, "ghz": mhz / 1e3, "why": why}
    return out


def best_gemm(roof_docs, threads):
    """{precision: the best GEMM entry} over the roof files of one machine measured at `threads` threads."""
    best = {}
    for doc in roof_docs:
        if doc.get("threads") != threads:
            continue
        for g in doc.get("gemm") or []:
            if g.get("shape"):
                continue  # one of a workload's GEMMs (best_at_shapes), not a square one
            if g["precision"] not in best or g["rate_gops"] > best[g["precision"]]["rate_gops"]:
                best[g["precision"]] = g
    return best


def roof_precision(variant_precision):
    """Which roof a variant's arithmetic runs against: weight-only INT8 computes in fp32."""
    return {"fp32": "fp32", "bf16": "bf16", "int8": "int8"}.get(variant_precision, "fp32")


def credible_estimate(estimate, measured):
    """The estimated peak, or None where the measured roof beats it: then the clock under load was higher than the
    recorded one or the model counts too few units, and an estimate below what was measured says nothing."""
    if estimate and measured and measured["rate_gops"] > estimate["rate_gops"]:
        return None
    return estimate


def gemm_shapes(dims, batch, seq):
    """[((M, K, N), count per encoder layer)] of a workload's weight GEMMs, M = batch x sequence rows: the Q, K, V and
    output projections (H x H, 4 of them) and the feed-forward pair (H x F, F x H); [] without the model's dims. The
    attention's own products (per head, S x S) and the classifier head are left out: they are batched or tiny, and
    analysis/flops.py counts them in the model's operations."""
    dims = dims or {}
    hidden, ffn = dims.get("hidden"), dims.get("ffn")
    if not (hidden and ffn and batch and seq):
        return []
    m, counts = batch * seq, {}
    for shape, count in (((hidden, hidden), 4), ((hidden, ffn), 1), ((ffn, hidden), 1)):
        counts[(m, *shape)] = counts.get((m, *shape), 0) + count
    return list(counts.items())


def best_at_shapes(roof_docs, threads, shapes):
    """{precision: {"rate_gops", "library"}}: per precision, the best library's rate over a workload's GEMMs (each
    shape timed on its own in `benchlog roof`, taken as often as a layer runs it), from the roof files at `threads`
    that timed every one of them; the best time of a shape over the files counts."""
    want = dict(shapes)
    seconds = {}  # (precision, library) -> {shape: best seconds}
    for doc in roof_docs:
        if doc.get("threads") != threads:
            continue
        for g in doc.get("gemm") or []:
            shape = tuple(g.get("shape") or ())
            if shape in want:
                t = 2 * shape[0] * shape[1] * shape[2] / (g["rate_gops"] * 1e9)
                times = seconds.setdefault((g["precision"], g["library"]), {})
                times[shape] = min(t, times.get(shape, t))
    best = {}
    ops = sum(2 * m * k * n * count for (m, k, n), count in want.items())
    for (precision, library), times in sorted(seconds.items()):
        if want and set(times) == set(want):
            rate = ops / sum(times[s] * count for s, count in want.items()) / 1e9
            if precision not in best or rate > best[precision]["rate_gops"]:
                best[precision] = {"rate_gops": rate, "library": library}
    return best


def workloads_at(runs, threads):
    """{(batch, sequence, hidden, ffn): gemm_shapes} of the workloads `runs` measured at `threads`, in the order of
    the runs (the first run of a workload places it); runs without the model's dims are passed over."""
    out = {}
    for run in runs:
        w, dims = run.doc["workload"], run.doc["model"].get("dims") or {}
        shapes = gemm_shapes(dims, w.get("batch_size"), w.get("seq_len"))
        if w.get("threads") == threads and shapes:
            out.setdefault((w["batch_size"], w["seq_len"], dims["hidden"], dims["ffn"]), shapes)
    return out
