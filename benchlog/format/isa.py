"""The one table of ISA capabilities: the flags a machine file records (machine.json cpu.flags), their names as the
TIL and the pages write them, which of them do INT8 or BF16 arithmetic in hardware, and the levels the analysis
reasons with. The bench reads flags with it, the fingerprint compares them, the advice, the roof estimate and the
CPU-feature table judge them."""

# flag -> name (the order is the CPU table's)
NAMES = {"avx2": "AVX2", "fma": "FMA", "avx512f": "AVX-512", "avx512_vnni": "AVX512-VNNI", "avx_vnni": "AVX-VNNI",
         "avx512_bf16": "AVX512-BF16", "amx_tile": "AMX", "amx_int8": "AMX-INT8", "amx_bf16": "AMX-BF16"}
ISA_FLAGS = list(NAMES)

VNNI = ("avx512_vnni", "avx_vnni")  # vpdpbusd: INT8 dot products in vector registers
INT8 = (*VNNI, "amx_int8")  # any INT8 dot products in hardware (VNNI or AMX tiles)
BF16 = ("avx512_bf16", "amx_bf16")  # bf16 dot products in hardware


def any_of(flags, names):
    """True when any of `names` is set in `flags` (missing or unknown counts as not set)."""
    return any((flags or {}).get(f) for f in names)


def known(flags):
    """False when no flag is known (a transcribed machine of which only the model is known)."""
    return any(v is not None for v in (flags or {}).values())


def int8_level(flags):
    """How INT8 matrix products run: 'amx' (AMX-INT8 tiles), 'vnni' (AVX512-VNNI or AVX-VNNI) or 'avx2'."""
    flags = flags or {}
    return "amx" if flags.get("amx_int8") else "vnni" if any_of(flags, VNNI) else "avx2"


def bf16_level(flags):
    """How bf16 matrix products run: 'amx' (AMX-BF16 tiles), 'avx512' (AVX512-BF16) or 'none' (converted)."""
    flags = flags or {}
    return "amx" if flags.get("amx_bf16") else "avx512" if flags.get("avx512_bf16") else "none"


def fp32_level(flags):
    """The widest FP32 vector FMA: 'avx512', 'avx2' (AVX2 + FMA) or 'avx'."""
    flags = flags or {}
    return "avx512" if flags.get("avx512f") else "avx2" if flags.get("avx2") and flags.get("fma") else "avx"
