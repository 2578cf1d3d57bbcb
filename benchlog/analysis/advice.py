"""The TIL's feature table as rules: from a machine's ISA flags, which variants should help and roughly how much,
checked against what a run measured ("expected vs measured", a verdict and a one-line reason per row).

The bands are rules of thumb, not promises. They come from runs on three CPUs (../DESIGN.md and results/): an
AMD EPYC with AVX-512 VNNI + BF16, an Intel Xeon with AMX, an AVX2-only EPYC, and the TIL's Colab table. Each
band is a speed-up over PyTorch FP32 eager in the same run, batch 1, 2 threads; a wider workload may differ.
"""

from dataclasses import dataclass

from benchlog.format import isa


@dataclass(frozen=True)
class Expectation:
    variant: str
    low: float  # expected speed-up over PyTorch FP32, lower and upper bound
    high: float
    reasons: tuple  # keys into strings.UI["adv"]["reasons"]
    runs: bool = True  # False: expected to be skipped on this CPU (the library does not emulate the feature)


def level(flags):
    """The CPU's INT8 and BF16 levels from its flags: ('amx'|'vnni'|'avx2'|'unknown', 'amx'|'avx512'|'none'|...)."""
    if not isa.known(flags):
        return "unknown", "unknown"
    return isa.int8_level(flags), isa.bf16_level(flags)


# Reasons are keys into strings.UI["adv"]["reasons"] (the pages are Korean); the English gist is beside each.
GRAPH_FP32 = "graph_fp32"  # same FP32 FMA arithmetic as PyTorch; the gain is fused operators and less overhead
INT8_REASON = {
    "amx": "int8_amx",  # AMX-INT8 tiles multiply INT8 matrices in hardware
    "vnni": "int8_vnni",  # vpdpbusd: 4 INT8 multiply-adds per lane per instruction, ~4x the FP32 rate
    "avx2": "int8_avx2",  # no VNNI: vpmaddubsw + vpmaddwd, ~1.3x FP32, U8 activations may saturate
}
BF16_REASON = {
    "amx": "bf16_amx",  # AMX-BF16 tiles
    "avx512": "bf16_avx512",  # vdpbf16ps doubles the FP32 rate and halves the bytes moved
    "none": "bf16_none",  # no bf16 instructions
}
# (variant, int8 level) -> band. Measured anchors: EPYC VNNI ORT INT8 4.1x, NNCF INT8 ~5x; Xeon AMX NNCF INT8
# 10.2x, ORT INT8 3.6x; TIL Colab ORT INT8 2.08x.
INT8_BANDS = {
    "openvino-int8": {"amx": (5, 15), "vnni": (3, 7), "avx2": (1.5, 3.5)},
    "openvino-int8-ac": {"amx": (3, 15), "vnni": (2, 7), "avx2": (1.2, 3.5)},
    "ort-cpu-int8": {"amx": (2.5, 6), "vnni": (2.5, 5.5), "avx2": (1.3, 2.5)},
    "ort-cpu-int8-fused": {"amx": (2.5, 7), "vnni": (2.5, 6), "avx2": (1.3, 2.8)},
    # QAttention also runs the attention's products in INT8 and saves the separate Q, K, V quantize steps
    "ort-cpu-int8-attn": {"amx": (2.5, 8), "vnni": (2.5, 7), "avx2": (1.3, 3)},
    "ort-cpu-int8-u8": {"amx": (1.5, 5), "vnni": (1.5, 5), "avx2": (1.2, 2.5)},
    "pytorch-int8": {"amx": (1.2, 4), "vnni": (1.2, 4), "avx2": (1.0, 2.5)},
}
BF16_BANDS = {
    "openvino-bf16": {"amx": (2.5, 8), "avx512": (1.5, 3.5)},
    "pytorch-bf16": {"amx": (1.2, 3), "avx512": (1.2, 2.5), "none": (0.3, 1.0)},
}


def expectations(flags):
    """Expectation per variant id for a CPU with these ISA flags (the rules, as a pure function)."""
    int8, bf16 = level(flags)
    out = {}
    for vid in ("ort-cpu-fp32", "ort-openvino-fp32", "openvino-fp32"):
        out[vid] = Expectation(vid, 1.0, 2.0, (GRAPH_FP32,))
    out["openvino-int8-wo"] = Expectation("openvino-int8-wo", 1.0, 4.0, ("weights_only",))
    if int8 == "unknown":
        return {**out, **{vid: None for vid in (*INT8_BANDS, "openvino-int8-bf16", *BF16_BANDS)}}
    for vid, bands in INT8_BANDS.items():
        low, high = bands[int8]
        extra = {"ort-cpu-int8-u8": ("u8_per_tensor",), "openvino-int8-ac": ("accuracy_control",),
                 "ort-cpu-int8-attn": ("fused_attention",)}.get(vid, ())
        out[vid] = Expectation(vid, low, high, (INT8_REASON[int8], *extra))
    # NNCF INT8 with bf16 for the layers left unquantized: INT8 GEMMs as openvino-int8, the rest on bf16 hardware;
    # without bf16 instructions OpenVINO compiles f32 and the variant is skipped (as openvino-bf16).
    out["openvino-int8-bf16"] = (Expectation("openvino-int8-bf16", *INT8_BANDS["openvino-int8"][int8],
                                             (INT8_REASON[int8], BF16_REASON[bf16]))
                                 if bf16 != "none" else
                                 Expectation("openvino-int8-bf16", 0, 0, ("bf16_none", "ov_no_emulation"), runs=False))
    out["openvino-bf16"] = (Expectation("openvino-bf16", *BF16_BANDS["openvino-bf16"][bf16], (BF16_REASON[bf16],))
                            if bf16 != "none" else
                            Expectation("openvino-bf16", 0, 0, ("bf16_none", "ov_no_emulation"), runs=False))
    extra = ("torch_emulates",) if bf16 == "none" else ()
    out["pytorch-bf16"] = Expectation("pytorch-bf16", *BF16_BANDS["pytorch-bf16"][bf16], (BF16_REASON[bf16], *extra))
    return out


def verdict(expected, measured_ratio, status):
    """The verdict key of one row: unknown (flags unknown), as-expected, above, below, not-measured, failed
    (did not run where it should), no-reference (ran, but its run has no PyTorch FP32 to compare with), surprise
    (ran where the library cannot run it)."""
    if expected is None:
        return "unknown"
    if status is None:  # the run does not hold the variant: nothing to call as expected or not
        return "not-measured"
    if not expected.runs:
        return "as-expected" if status == "skipped" else "surprise"
    if status == "ok" and measured_ratio is None:
        return "no-reference"
    if status != "ok":
        return "failed"
    if measured_ratio < expected.low:
        return "below"
    if measured_ratio > expected.high:
        return "above"
    return "as-expected"


def int8_hint(flags, measured):
    """For a CPU whose flags are unknown: which INT8 level its measured ORT INT8 speed-up fits, or None."""
    ratio = measured.get("ort-cpu-int8")
    if level(flags)[0] != "unknown" or ratio is None:
        return None
    fits = [lvl for lvl, (low, high) in INT8_BANDS["ort-cpu-int8"].items() if low <= ratio <= high]
    return {"ratio": ratio, "fits": fits} if fits else None


def table(flags, measured, statuses):
    """Rows of the expected-vs-measured table: measured = {variant: speed-up over PyTorch FP32},
    statuses = {variant: "ok"|"skipped"|"failed"} for the variants the run holds."""
    rows = []
    for vid, expected in expectations(flags).items():
        rows.append({"variant": vid, "expected": None if expected is None or not expected.runs else
                     (expected.low, expected.high), "measured": measured.get(vid), "status": statuses.get(vid),
                     "verdict": verdict(expected, measured.get(vid), statuses.get(vid)),
                     "reasons": expected.reasons if expected else ()})
    return rows


FIDELITY_FLOOR = 0.99  # mean cosine against PyTorch FP32 on the fidelity inputs; the reader sees it on the chart


def pareto_front(points):
    """Ids of the variants no other variant beats on both speed and fidelity: points are (id, latency_ms, cosine);
    a point is dominated when another is at least as fast and as faithful, and strictly better in one."""
    front = []
    for vid, lat, cos in points:
        dominated = any(l2 <= lat and c2 >= cos and (l2 < lat or c2 > cos) for v2, l2, c2 in points if v2 != vid)
        if not dominated:
            front.append(vid)
    return front


def recommend(points, floor=FIDELITY_FLOOR):
    """The fastest variant whose cosine holds the floor, or None."""
    kept = [(lat, vid) for vid, lat, cos in points if cos is not None and cos >= floor]
    return min(kept)[1] if kept else None
