"""The result-file format (JSON Schema, version FORMAT_VERSION) shared by bench (writer) and report (reader)."""

FORMAT_VERSION = 2

_NUM = {"type": "number"}
_NUM_OR_NULL = {"type": ["number", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}
_SLUG = {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,99}$"}
_STR_LIST = {"type": "array", "items": {"type": "string"}}

SOURCE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["measured", "transcribed"]},
        "name": {"type": "string"},
        "path": {"type": "string"},
        "url": {"type": "string"},
        "note": {"type": "string"},
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
        "model": {"type": "string", "minLength": 1},
        "vendor": _STR_OR_NULL,
        "physical_cores": _INT_OR_NULL,
        "logical_cores": _INT_OR_NULL,
        "freq_mhz": _NUM_OR_NULL,
        "max_freq_mhz": _NUM_OR_NULL,
        "hybrid": {"type": ["boolean", "null"]},
        # true = present, false = known absent, null/missing = unknown.
        "flags": {"type": "object", "additionalProperties": {"type": ["boolean", "null"]}},
        "flags_source": {"type": "string"},
    },
}

MACHINE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "kind", "machine_id", "label", "cpu"],
    "properties": {
        "format_version": {"type": "integer"},
        "kind": {"const": "machine"},
        "machine_id": _SLUG,
        "label": {"type": "string", "minLength": 1},
        "cpu": CPU,
        "memory_bytes": _INT_OR_NULL,
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
        **{k: _NUM for k in ("mean", "p50", "p90", "p99", "std", "min", "max")},
        "count": {"type": "integer", "minimum": 0},
        # A figure whose statistic the source does not state (transcribed runs only).
        "reported": _NUM,
    },
}

SIZE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "bytes": _INT_OR_NULL,
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path", "bytes"],
                "properties": {"path": {"type": "string"}, "bytes": {"type": "integer"}},
            },
        },
        "mib": _NUM_OR_NULL,
        "reported": {"type": "string"},
        "flag": {"type": "string"},
    },
}

FIDELITY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "reference": {"type": "string"},
        "max_abs_error": _NUM_OR_NULL,
        "mean_abs_error": _NUM_OR_NULL,
        "abs_error": _NUM_OR_NULL,
        "argmax_agree": _INT_OR_NULL,
        "argmax_total": _INT_OR_NULL,
        "cosine": _NUM_OR_NULL,
    },
}

VARIANT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "backend", "precision", "status"],
    "properties": {
        "id": _SLUG,
        "backend": {"type": "string"},
        "precision": {"type": "string"},
        "label": {"type": "string"},
        "options": {"type": "object"},
        "status": {"enum": ["ok", "skipped", "failed"]},
        "reason": _STR_OR_NULL,
        "providers": {"type": ["array", "null"], "items": {"type": "string"}},
        "load_s": _NUM_OR_NULL,
        "first_inference_ms": _NUM_OR_NULL,
        "latency_ms": LATENCY,
        # Median of each process (round) whose samples were pooled into latency_ms: the spread between processes.
        "round_p50_ms": {"type": "array", "items": _NUM},
        "throughput_per_s": _NUM_OR_NULL,
        "peak_rss_bytes": _INT_OR_NULL,
        "size": SIZE,
        "fidelity": FIDELITY,
        "notes": _STR_LIST,
    },
}

RUN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "kind", "machine_id", "started_at", "complete", "source", "model", "workload",
                 "variants"],
    "properties": {
        "format_version": {"type": "integer"},
        "kind": {"const": "run"},
        "machine_id": _SLUG,
        "cpu_model": {"type": "string"},
        "label": {"type": "string"},
        "started_at": {"type": "string", "minLength": 10},
        "finished_at": _STR_OR_NULL,
        "complete": {"type": "boolean"},
        "source": SOURCE,
        "software": {"type": "object", "additionalProperties": {"type": ["string", "null", "array"]}},
        "model": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "architecture": _STR_OR_NULL,
                "weights": {"enum": ["pretrained", "random", "unknown"]},
                "parameters": _INT_OR_NULL,
            },
        },
        "workload": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "batch_size": _INT_OR_NULL,
                "seq_len": _INT_OR_NULL,
                "threads": _INT_OR_NULL,
                "inputs_sha256": _STR_OR_NULL,
                "n_inputs": _INT_OR_NULL,
                "warmup": _INT_OR_NULL,
                "repeats": _INT_OR_NULL,
                "rounds": _INT_OR_NULL,
                "quick": {"type": "boolean"},
            },
        },
        "variants": {"type": "array", "items": VARIANT},
        "notes": _STR_LIST,
    },
}

SCHEMAS = {"machine": MACHINE, "run": RUN}
