"""The result-file format (JSON Schema, version FORMAT_VERSION) shared by bench (writer) and report (reader).

Result files are untrusted input (they come from other people's machines), so every limit lives here, once:
finite numbers (NaN and Infinity are refused when the file is parsed), 64-bit integers, bounded strings, lists,
nesting and file size. `benchlog validate` and the site build both apply exactly these rules.
"""

FORMAT_VERSION = 8

MAX_FILE_BYTES = 5 * 2**20  # a run of 20 variants x 3 rounds is ~30 KB; 5 MB leaves room and stops a flood
MAX_DEPTH = 12  # nesting of objects and lists; the format itself needs 6
MAX_ID = 100  # ids (machine, variant) and short names
MAX_LABEL = 200  # labels, model names, CPU strings, versions
MAX_NOTE = 2000  # one note, reason or source description
MAX_ITEMS = 200  # entries in any list or free-form object
INT64 = 2**63 - 1

_POS = {"type": "number", "exclusiveMinimum": 0, "maximum": 1e300}  # sizes, speeds: > 0
# A latency in ms inside a physical range: no inference takes under 1 µs or over an hour. The bounds keep every
# ratio, rate and FLOP count computed from accepted files finite and non-zero (no inf, NaN or division by zero).
MIN_LATENCY_MS, MAX_LATENCY_MS = 1e-3, 3.6e6
_LATENCY = {"type": "number", "minimum": MIN_LATENCY_MS, "maximum": MAX_LATENCY_MS}
_NONNEG = {"type": "number", "minimum": 0, "maximum": 1e300}
_POS_OR_NULL = {**_POS, "type": ["number", "null"]}
_NONNEG_OR_NULL = {**_NONNEG, "type": ["number", "null"]}
_COUNT_OR_NULL = {"type": ["integer", "null"], "minimum": 0, "maximum": INT64}
_STR = {"type": "string", "maxLength": MAX_LABEL}
_NOTE = {"type": "string", "maxLength": MAX_NOTE}
_STR_OR_NULL = {"type": ["string", "null"], "maxLength": MAX_LABEL}
_NOTE_OR_NULL = {"type": ["string", "null"], "maxLength": MAX_NOTE}
# "$" also matches before a trailing line break ("box\n" would pass): patterns end in END, "no character follows",
# which JSON Schema's (ECMA-262) and Python's regular expressions both read the same way.
END = r"(?![\s\S])"
SLUG_PATTERN = "^[a-z0-9][a-z0-9._-]{0,99}" + END
_SLUG = {"type": "string", "pattern": SLUG_PATTERN}
_STR_LIST = {"type": "array", "maxItems": MAX_ITEMS, "items": _NOTE}
# A 95% interval [low, high] (analysis/intervals.py), or null where the run has too few rounds for one.
_CI_OR_NULL = {"type": ["array", "null"], "minItems": 2, "maxItems": 2, "items": _POS}
# An interval's bounds are statistics, not latencies: on a very noisy run of 3 rounds the lower bound of a 0.1 ms
# median can fall below 1 µs. Any positive finite number (the run is then called noisy for its width).
_LATENCY_CI = _CI_OR_NULL
# A machine folder name or run file name (without .json): it becomes part of a URL and of page text.
RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}" + END

SOURCE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["measured", "transcribed"]},
        "name": _STR,
        "path": _STR,
        "url": _STR,
        "note": _NOTE,
    },
    # A transcribed figure must say where it was copied from.
    "if": {"properties": {"kind": {"const": "transcribed"}}},
    "then": {"required": ["kind", "name"]},
}

CPU = {
    "type": "object",
    "additionalProperties": False,
    "required": ["model"],
    "properties": {
        "model": {**_STR, "minLength": 1},
        "vendor": _STR_OR_NULL,
        "physical_cores": _COUNT_OR_NULL,
        "logical_cores": _COUNT_OR_NULL,
        "freq_mhz": _POS_OR_NULL,
        "max_freq_mhz": _POS_OR_NULL,
        "hybrid": {"type": ["boolean", "null"]},
        # true = present, false = known absent, null/missing = unknown.
        "flags": {"type": "object", "maxProperties": MAX_ITEMS, "propertyNames": {"maxLength": MAX_ID},
                  "additionalProperties": {"type": ["boolean", "null"]}},
        "flags_source": _NOTE,
    },
}

MACHINE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "kind", "machine_id", "label", "cpu"],
    "properties": {
        "format_version": {"type": "integer", "minimum": 1, "maximum": INT64},
        "kind": {"const": "machine"},
        "machine_id": _SLUG,
        "label": {**_STR, "minLength": 1},
        "cpu": CPU,
        "memory_bytes": _COUNT_OR_NULL,
        "os": _STR_OR_NULL,
        "python": _STR_OR_NULL,
        "hypervisor": _STR_OR_NULL,
        "colab": {"type": ["boolean", "null"]},
        "source": SOURCE,
        "notes": _STR_LIST,
    },
}

LATENCY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{k: _LATENCY for k in ("mean", "p10", "p50", "p90", "p99", "min", "max")},
        "std": {**_NONNEG, "maximum": MAX_LATENCY_MS},
        "count": {"type": "integer", "minimum": 0, "maximum": INT64},
        # A figure whose statistic the source does not state (transcribed runs only).
        "reported": _LATENCY,
        "p50_ci95": _LATENCY_CI,  # the median's 95% interval over rounds (report/intervals.py)
    },
}

SIZE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "bytes": {**_COUNT_OR_NULL, "minimum": 1},
        "files": {
            "type": "array",
            "maxItems": MAX_ITEMS,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path", "bytes"],
                "properties": {"path": _STR, "bytes": {"type": "integer", "minimum": 0, "maximum": INT64}},
            },
        },
        "mib": _POS_OR_NULL,
        "reported": _STR,
        "flag": _NOTE,
    },
}

FIDELITY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "reference": _STR,
        "max_abs_error": _NONNEG_OR_NULL,
        "mean_abs_error": _NONNEG_OR_NULL,
        "abs_error": _NONNEG_OR_NULL,
        "argmax_agree": _COUNT_OR_NULL,
        "argmax_total": _COUNT_OR_NULL,
        "cosine": {"type": ["number", "null"], "minimum": -1.0001, "maximum": 1.0001},
        "cosine_min": {"type": ["number", "null"], "minimum": -1.0001, "maximum": 1.0001},  # the worst input
        # Inputs whose argmax differs from the reference, with the logit margin (top minus runner-up) of each.
        "flips": {"type": ["array", "null"], "maxItems": MAX_ITEMS, "items": {
            "type": "object", "additionalProperties": False, "required": ["input"],
            "properties": {"input": {"type": "integer", "minimum": 0, "maximum": INT64},
                           "reference_margin": _NONNEG_OR_NULL, "margin": _NONNEG_OR_NULL}}},
    },
}

# How this CPU runs a variant's precision (absent for FP32): with the ISA feature it needs, or without it.
HARDWARE = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "properties": {"native": {"type": ["boolean", "null"]}, "uses": _STR_OR_NULL, "detail": _NOTE_OR_NULL},
}

# How quiet the machine was while one variant ran (issue: a noisy run must never pass for a quiet one).
# Fractions are of all CPU time on the machine during the variant's timed processes.
NOISE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "round_spread": _NONNEG_OR_NULL,  # (max - min) / min of the rounds' medians
        "round_sem": _NONNEG_OR_NULL,  # standard error of the rounds' medians / their mean
        "cv": _NONNEG_OR_NULL,  # std / mean of the pooled samples
        "loadavg_before": _NONNEG_OR_NULL,  # 1-minute load average before the first round
        "loadavg_after": _NONNEG_OR_NULL,  # ... and after the last
        "other_cpu_share": {**_NONNEG_OR_NULL, "maximum": 1},  # CPU used by other processes while it ran
        "steal_share": {**_NONNEG_OR_NULL, "maximum": 1},  # CPU stolen by the hypervisor while it ran
        "half_width": _NONNEG_OR_NULL,  # the judged interval's relative half-width (speed-up, else median)
        # why the rounds stopped: every interval narrow enough, the time budget spent, or a fixed --rounds
        "stopped_on": {"enum": ["interval", "budget", "rounds", None]},
        "noisy": {"type": ["boolean", "null"]},  # the rule in analysis/noise.py; null = not enough to judge
        # why it is noisy, as keys (the figure is noise[key]; the pages and the CLI word it); format 6 on
        "reasons": {"type": "array", "maxItems": 3, "items": {"enum": ["half_width", "other_cpu_share", "steal_share"]}},
    },
}

# What really ran (bench/kernels.py): the ops and kernels the library executed for one inference, in its own names,
# counted per (op, kernel, precision), and the ISA the kernel names carry.
KERNELS = {
    "type": ["object", "null"], "additionalProperties": False, "required": ["ops"],
    "properties": {
        "source": _NOTE_OR_NULL,
        "ops": {"type": "array", "maxItems": MAX_ITEMS, "items": {
            "type": "object", "additionalProperties": False, "required": ["op", "count"],
            "properties": {"op": _STR, "kernel": _STR_OR_NULL, "precision": _STR_OR_NULL, "provider": _STR_OR_NULL,
                           "gemm": {"type": "boolean"},  # a matrix product: counted in gemm_share
                           "count": {**_COUNT_OR_NULL, "type": "integer", "minimum": 1}}}},
        "isa": {"type": "array", "maxItems": 20, "items": _STR},
    },
}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
# The share of the model's GEMM FLOPs that ran in each precision (sums to 1).
GEMM_SHARE = {"type": ["object", "null"], "additionalProperties": False, "required": ["int8", "bf16", "fp32"],
              "properties": {"int8": _SHARE, "bf16": _SHARE, "fp32": _SHARE, "other": _SHARE}}

VARIANT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "backend", "precision", "status"],
    "properties": {
        "id": _SLUG,
        "backend": _STR,
        "precision": _STR,
        "label": _STR,
        "options": {"type": "object", "maxProperties": 50, "propertyNames": {"maxLength": MAX_ID},
                    "additionalProperties": {"type": ["string", "number", "boolean", "null"], "maxLength": MAX_LABEL,
                                             "minimum": -1e300, "maximum": 1e300}},
        "status": {"enum": ["ok", "skipped", "failed"]},
        "reason": _NOTE_OR_NULL,
        "providers": {"type": ["array", "null"], "maxItems": 20, "items": _STR},
        "load_s": _NONNEG_OR_NULL,
        "first_inference_ms": {**_LATENCY, "type": ["number", "null"]},
        "latency_ms": LATENCY,
        # Median of each process (round) whose samples were pooled into latency_ms: the spread between processes.
        "round_p50_ms": {"type": "array", "maxItems": MAX_ITEMS, "items": _LATENCY},
        "throughput_per_s": _POS_OR_NULL,
        "peak_rss_bytes": {**_COUNT_OR_NULL, "minimum": 1},
        "size": SIZE,
        "fidelity": FIDELITY,
        "noise": NOISE,
        # reference p50 / this variant's p50 in the same run, with its 95% interval over paired rounds.
        "speedup": {"type": "object", "additionalProperties": False, "required": ["value", "reference"],
                    "properties": {"value": _POS, "ci95": _CI_OR_NULL, "reference": _SLUG}},
        # What the variant's processes ran under: CPUs allowed and used, huge pages, allocator, thread settings.
        "conditions": {"type": "object", "maxProperties": 50, "propertyNames": {"maxLength": MAX_ID},
                       "additionalProperties": {"type": ["string", "number", "boolean", "null", "array"],
                                                "maxLength": MAX_LABEL, "minimum": -1e300, "maximum": 1e300,
                                                "maxItems": MAX_ITEMS,
                                                "items": {"type": ["string", "integer"], "maxLength": MAX_LABEL,
                                                          "minimum": -INT64, "maximum": INT64}}},
        "hardware": HARDWARE,
        # The precision the arithmetic really ran in, where it differs from what the weights are stored in (a
        # weights-only INT8 model whose runtime quantizes activations on the fly computes in INT8).
        "compute_precision": {"enum": ["fp32", "bf16", "int8", None]},
        "kernels": KERNELS,
        "gemm_share": GEMM_SHARE,
        "notes": _STR_LIST,
    },
}

RUN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "kind", "machine_id", "started_at", "complete", "source", "model", "workload",
                 "variants"],
    "properties": {
        "format_version": {"type": "integer", "minimum": 1, "maximum": INT64},
        "kind": {"const": "run"},
        "machine_id": _SLUG,
        "cpu_model": _STR,
        "label": _STR,
        "started_at": {"type": "string", "minLength": 10, "maxLength": 40},
        "finished_at": {"type": ["string", "null"], "maxLength": 40},
        "complete": {"type": "boolean"},
        "source": SOURCE,
        "software": {"type": "object", "maxProperties": 50, "propertyNames": {"maxLength": MAX_ID},
                     "additionalProperties": {"type": ["string", "null", "array"], "maxLength": MAX_LABEL,
                                              "maxItems": 20, "items": _STR}},
        "model": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {**_STR, "minLength": 1},
                "architecture": _STR_OR_NULL,
                "weights": {"enum": ["pretrained", "random", "unknown"]},
                "revision": _STR_OR_NULL,  # the hub commit the weights were downloaded at
                "parameters": _COUNT_OR_NULL,
                # Layers, widths and heads: what report/flops.py counts an inference's FLOPs from.
                "dims": {"type": "object", "additionalProperties": False, "properties": {
                    k: {**_COUNT_OR_NULL, "minimum": 1} for k in
                    ("layers", "hidden", "heads", "ffn", "vocab", "labels", "head_hidden")}},
            },
        },
        "workload": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "batch_size": {**_COUNT_OR_NULL, "minimum": 1},
                "seq_len": {**_COUNT_OR_NULL, "minimum": 1},
                "threads": {**_COUNT_OR_NULL, "minimum": 1},
                "inputs_sha256": _STR_OR_NULL,
                "n_inputs": _COUNT_OR_NULL,
                "warmup": _COUNT_OR_NULL,
                "repeats": _COUNT_OR_NULL,
                "rounds": _COUNT_OR_NULL,
                "quick": {"type": "boolean"},
                # adaptive rounds: at least min_rounds, then until every interval is within target_half_width
                # or budget_s seconds of measuring are spent
                "min_rounds": _COUNT_OR_NULL,
                "budget_s": _NONNEG_OR_NULL,
                "target_half_width": _NONNEG_OR_NULL,
            },
        },
        "variants": {"type": "array", "maxItems": 100, "items": VARIANT},
        "notes": _STR_LIST,
        # One point of a sweep (benchlog run --seq-len 16,32,64 ...): every file of the sweep has its id and grid.
        "sweep": {"type": "object", "additionalProperties": False, "required": ["id", "grid", "index"],
                  "properties": {
                      "id": {"type": "string", "maxLength": 40},
                      "grid": {"type": "object", "additionalProperties": False, "properties": {
                          axis: {"type": "array", "maxItems": 32, "items": {"type": "integer", "minimum": 1,
                                                                            "maximum": 1 << 20}}
                          for axis in ("batch_size", "seq_len", "threads")}},
                      "index": {"type": "integer", "minimum": 0, "maximum": 1 << 15},
                      "points": {"type": "integer", "minimum": 1, "maximum": 1 << 15}}},
    },
}

# `benchlog roof`: the best GEMM rate per precision through each installed library, on this machine and thread
# count, next to a peak estimated from the ISA, cores and clock (labelled as an estimate).
GEMM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["library", "precision", "rate_gops"],
    # a square GEMM (size) or one of a workload's GEMMs ([M, K, N]), never both
    "oneOf": [{"required": ["size"]}, {"required": ["shape"]}],
    "properties": {"library": _STR, "precision": {"enum": ["fp32", "bf16", "int8"]},
                   "size": {"type": "integer", "minimum": 1, "maximum": 1 << 20},
                   "shape": {"type": "array", "minItems": 3, "maxItems": 3,
                             "items": {"type": "integer", "minimum": 1, "maximum": 1 << 20}},
                   "rate_gops": _POS,
                   "median_ms": _POS_OR_NULL, "repeats": _COUNT_OR_NULL, "emulated": {"type": ["boolean", "null"]},
                   "note": _NOTE_OR_NULL},
}
ESTIMATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rate_gops", "basis"],
    "properties": {"rate_gops": _POS, "basis": _NOTE},
}
ROOF = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "kind", "machine_id", "started_at", "threads", "gemm"],
    "properties": {
        "format_version": {"type": "integer", "minimum": 1, "maximum": INT64},
        "kind": {"const": "roof"},
        "machine_id": _SLUG,
        "cpu_model": _STR,
        "started_at": {"type": "string", "minLength": 10, "maxLength": 40},
        "threads": {"type": "integer", "minimum": 1, "maximum": 4096},
        "software": RUN["properties"]["software"],
        "gemm": {"type": "array", "maxItems": MAX_ITEMS, "items": GEMM},
        "skipped": _STR_LIST,
        "estimate": {"type": "object", "additionalProperties": False,
                     "properties": {p: ESTIMATE for p in ("fp32", "bf16", "int8")}},
        "notes": _STR_LIST,
    },
}

SCHEMAS = {"machine": MACHINE, "run": RUN, "roof": ROOF}
