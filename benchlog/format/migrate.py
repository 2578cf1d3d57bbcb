"""Upgrades older result files to the current format, one small `update_to_N` step per version (asv's way)."""

from benchlog.format.schema import FORMAT_VERSION


def update_to_2(doc):
    """Version 1 (the first prototype) keyed variants by name under `results` and kept flat machine fields."""
    is_machine = doc.get("kind") == "machine" or ("cpu_model" in doc and "results" not in doc)
    if is_machine:
        cpu = {"model": doc.pop("cpu_model", None) or "unknown", "flags": doc.pop("flags", {})}
        if "cores" in doc:
            cpu["logical_cores"] = doc.pop("cores")
        doc["cpu"] = cpu
        doc["kind"] = "machine"
        doc["machine_id"] = doc.pop("machine", doc.get("machine_id"))
        doc.setdefault("label", doc["machine_id"])
        return doc
    doc["kind"] = "run"
    doc["machine_id"] = doc.pop("machine", doc.get("machine_id"))
    doc["started_at"] = doc.pop("started", doc.get("started_at"))
    doc.setdefault("complete", True)
    doc.setdefault("source", {"kind": "measured"})
    model = doc.get("model")
    if isinstance(model, str):
        doc["model"] = {"name": model, "weights": doc.pop("weights", "unknown")}
    variants = []
    for vid, entry in (doc.pop("results", None) or {}).items():
        entry = dict(entry, id=vid)
        if "size_bytes" in entry:
            entry["size"] = {"bytes": entry.pop("size_bytes")}
        variants.append(entry)
    doc["variants"] = variants
    return doc


def update_to_3(doc):
    """Version 3 added how quiet the machine was (variants[].noise) and latency_ms.p10, both optional, and
    tightened the limits on numbers and strings. A version-2 file holds no noise figures: they stay unknown."""
    return doc


def update_to_4(doc):
    """Version 4 added the model's dims (for FLOPs), each variant's hardware (native or emulated), the worst
    input's cosine and the margins of flipped inputs, sweeps, and roof files; all optional: older files lack them."""
    return doc


def update_to_5(doc):
    """Version 5 added 95% intervals (latency_ms.p50_ci95, variants[].speedup), what each variant's processes
    ran under (conditions) and adaptive rounds (workload.min_rounds, budget_s, target_half_width); all optional.
    Older files get intervals computed from their rounds' medians where they have enough (analysis/intervals.py)."""
    return doc


def update_to_6(doc):
    """Version 6 stores why a variant is noisy as keys (noise.reasons: "half_width", "other_cpu_share",
    "steal_share"), not as sentences in the UI's language. The older sentences are dropped: they were worded from
    figures the file keeps (noise.half_width, other_cpu_share, steal_share), and the analysis judges those again."""
    for variant in doc.get("variants") or []:
        if isinstance(variant, dict) and isinstance(variant.get("noise"), dict):
            variant["noise"].pop("reasons", None)
    return doc


def update_to_7(doc):
    """Version 7 added what really ran per variant (kernels: the library's ops and kernels; gemm_share: the share
    of GEMM FLOPs per precision); optional: older files do not know it, and the pages say so."""
    return doc


def update_to_8(doc):
    """Version 8 let a roof file time the GEMMs of a workload ([M, K, N] as `shape`, beside the square `size`s);
    older roofs hold square GEMMs only, and the pages show no workload roof for them."""
    return doc


STEPS = {2: update_to_2, 3: update_to_3, 4: update_to_4, 5: update_to_5, 6: update_to_6, 7: update_to_7,
         8: update_to_8}


def migrate(doc):
    """Bring `doc` (already known to be older than FORMAT_VERSION) up to date, step by step."""
    version = doc.get("format_version")
    while version < FORMAT_VERSION:
        version += 1
        doc = STEPS[version](doc)
        doc["format_version"] = version
    return doc
