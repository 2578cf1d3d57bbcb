"""What really ran, read from a variant's `kernels` and `gemm_share` (written by bench/kernels.py): the share of
GEMM FLOPs per precision with the kernels that did them, the precision of the rest, and the ISA the kernels name;
and whether a variant expected to use the CPU's INT8 hardware (VNNI, AMX) did."""

import re

PRECISIONS = ("int8", "bf16", "fp32")
_INT8 = {"i8", "u8", "int8", "uint8", "s8", "signed char", "unsigned char", "char", "qint8", "quint8"}
_BF16 = {"bf16", "bfloat16", "c10::bfloat16"}
_FP32 = {"f32", "float", "float32", "fp32"}


def precision_class(name):
    """'int8' / 'bf16' / 'fp32' / 'other' for a library's name of a type ('I8', 'c10::BFloat16', 'float', ...)."""
    key = (name or "").strip().lower()
    return "int8" if key in _INT8 else "bf16" if key in _BF16 else "fp32" if key in _FP32 else "other"


def what_ran(variant):
    """{"gemm": [{"precision", "share", "kernels"}] (largest share first), "rest": the precision most non-GEMM ops
    ran in (or None), "isa": [...]} for a variant whose file says what ran; None otherwise."""
    share, kernels = variant.get("gemm_share"), variant.get("kernels")
    if not share and not kernels:
        return None
    ops = (kernels or {}).get("ops") or []
    gemm = []
    for precision in PRECISIONS:
        value = (share or {}).get(precision) or 0
        if value > 0:
            rows = [o for o in ops if o.get("gemm") and precision_class(o.get("precision")) == precision]
            # the library's kernel names where it gives them (oneDNN, MKL, OpenVINO), else the op names (ORT, ATen)
            named = [o["kernel"] for o in rows if o.get("kernel")] or [o["op"] for o in rows]
            names = list(dict.fromkeys(named))
            gemm.append({"precision": precision, "share": value, "kernels": names})
    if (share or {}).get("other"):
        rows = [o for o in ops if o.get("gemm") and precision_class(o.get("precision")) == "other"]
        gemm.append({"precision": "other", "share": share["other"],
                     "kernels": list(dict.fromkeys(o.get("kernel") or o["op"] for o in rows)),
                     "names": list(dict.fromkeys(str(o.get("precision")) for o in rows))})
    gemm.sort(key=lambda g: -g["share"])
    rest = {}
    for o in ops:
        kind = precision_class(o.get("precision"))
        if not o.get("gemm") and kind in PRECISIONS:
            rest[kind] = rest.get(kind, 0) + o["count"]
    return {"gemm": gemm, "rest": max(rest, key=rest.get) if rest else None,
            "isa": list((kernels or {}).get("isa") or [])}


ISA_NAMED = re.compile(r"avx|amx|sse|vnni")


def int8_check(int8_level, ran):
    """For an INT8 variant on a CPU with INT8 hardware ('vnni' or 'amx'): None when nothing can be said, else
    (key, figure): 'int8_not_used' (share of GEMM FLOPs in INT8 below one half), 'amx_not_used' (INT8 GEMMs, but no
    kernel names AMX on an AMX CPU, where the kernels are named with their ISA), 'amx_used' or 'int8_used'."""
    if ran is None or int8_level not in ("vnni", "amx") or not ran["gemm"]:
        return None
    int8 = sum(g["share"] for g in ran["gemm"] if g["precision"] == "int8")
    if int8 < 0.5:
        return "int8_not_used", int8
    # Only the INT8 GEMMs' own kernel names count: ORT and ATen name ops, not kernels (no ISA in them), and an
    # elementwise kernel's AMX says nothing about the matrix products.
    names = [k.lower() for g in ran["gemm"] if g["precision"] == "int8" for k in g["kernels"]]
    if int8_level == "amx" and any(ISA_NAMED.search(n) for n in names):
        return ("amx_used", int8) if any("amx" in n for n in names) else ("amx_not_used", int8)
    return "int8_used", int8
