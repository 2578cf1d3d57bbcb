"""The child process of a run: `prepare` builds the reference (and cached artifacts), `measure` times one variant.

Each variant runs in its own process so thread pools and memory do not mix and peak RSS is the variant's own.
It talks to the parent through bench/child.py's protocol.
"""

import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from benchlog.bench.child import send as emit


def phase(name):
    emit(phase=name)


def summarize(samples_ms):
    """Latency statistics of timed runs, in ms."""
    import numpy as np

    a = np.asarray(samples_ms, dtype=float)
    return {"mean": float(a.mean()), "p10": float(np.percentile(a, 10)), "p50": float(np.percentile(a, 50)),
            "p90": float(np.percentile(a, 90)),
            "p99": float(np.percentile(a, 99)), "std": float(a.std(ddof=1)) if len(a) > 1 else 0.0,
            "min": float(a.min()), "max": float(a.max()), "count": int(len(a))}


MAX_FLIPS = 20  # flipped inputs listed with their margins; the count is always complete


def compare(outputs, reference, mask, task):
    """Fidelity against the PyTorch FP32 reference on the same inputs. Where the argmax flips, each flipped input's
    logit margin (top minus runner-up) in the reference and in this variant: small margins flip cheaply."""
    import numpy as np

    from benchlog.bench.fidelity import cosines, pooled

    diff = np.abs(outputs.astype(np.float64) - reference.astype(np.float64))
    a, b = pooled(outputs, mask, task), pooled(reference, mask, task)
    agree, flips = None, None
    if task != "embedding":
        same = a.argmax(1) == b.argmax(1)
        agree = int(same.sum())
        flips = [{"input": int(i), "reference_margin": margin(b[i]), "margin": margin(a[i])}
                 for i in np.flatnonzero(~same)[:MAX_FLIPS]]
    cosine = cosines(a, b)
    return {"reference": "pytorch-fp32", "max_abs_error": float(diff.max()), "mean_abs_error": float(diff.mean()),
            "argmax_agree": agree, "argmax_total": len(a) if agree is not None else None,
            "cosine": float(cosine.mean()), "cosine_min": float(cosine.min()), "flips": flips}


def margin(logits):
    """Top logit minus the runner-up: how far an input is from flipping its class."""
    import numpy as np

    top = np.sort(np.asarray(logits, dtype=np.float64))[::-1]
    return float(top[0] - top[1]) if len(top) > 1 else None


def peak_rss_bytes():
    try:
        import psutil

        info = psutil.Process().memory_info()
        if hasattr(info, "peak_wset"):  # Windows
            return int(info.peak_wset)
    except ImportError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def batches(ids, mask, batch_size):
    """Fixed batches cycling through the inputs; the fidelity set is every input once (padded by cycling)."""
    n = len(ids)
    count = max(1, -(-n // batch_size))
    out = []
    for b in range(count):
        rows = [(b * batch_size + j) % n for j in range(batch_size)]
        out.append((ids[rows], mask[rows]))
    return out


def prepare(job):
    """Build the model artifact if missing, tokenize the inputs, and save the PyTorch FP32 reference outputs."""
    import numpy as np
    import torch

    from benchlog.bench import cache, models
    from benchlog.bench.builders import settings
    from benchlog.bench.models import ModelSpec

    models.hub_offline()
    torch.set_num_threads(job["threads"])
    spec = ModelSpec(**job["spec"])
    root = Path(job["artifact_root"])

    def build():
        return models.build_model(spec, job["weights"], job["folder"], job["seed"])

    model_dir = cache.ensure(root, "pytorch", {"build_model": build}, phase)
    phase("tokenize")
    tokenizer, tokenizer_name = models.load_tokenizer(spec, job["folder"])
    model, _ = models.load_saved(model_dir)
    vocab = model.get_input_embeddings().num_embeddings
    texts = json.loads((Path(__file__).parent / "data" / "sentences.json").read_text())["sentences"]
    ids, mask = models.tokenize(tokenizer, texts, job["seq_len"], vocab)
    calibration = json.loads(settings.CALIBRATION.read_text())["sentences"]
    cal_ids, cal_mask = models.tokenize(tokenizer, calibration, settings.CALIBRATION_SEQ_LEN, vocab)
    phase("reference")
    outputs = []
    with torch.inference_mode():
        for b_ids, b_mask in batches(ids, mask, job["batch_size"]):
            outputs.append(models.model_outputs(model, torch.from_numpy(b_ids), torch.from_numpy(b_mask)).numpy())
    run_dir = Path(job["run_dir"])
    np.savez(run_dir / "inputs.npz", ids=ids, mask=mask)
    np.savez(run_dir / "calibration.npz", ids=cal_ids, mask=cal_mask)
    np.save(run_dir / "reference.npy", np.concatenate(outputs))
    digest = hashlib.sha256(ids.tobytes() + mask.tobytes()).hexdigest()
    emit(result={"tokenizer": tokenizer_name, "parameters": models.parameter_count(model),
                 "architecture": type(model).__name__, "inputs_sha256": digest, "n_inputs": len(texts),
                 "dims": models.dims_of(model.config, spec.task), "calibration_inputs": len(calibration),
                 "real_tokens": int(mask.sum())})


def build_artifact(job):
    """Build one cached artifact (export, quantize, convert) in this process, away from the timed ones."""
    from benchlog.bench import cache

    context = {"calibration": str(Path(job["run_dir"]) / "calibration.npz"), "task": job.get("task")}
    cache.ensure(Path(job["artifact_root"]), job["artifact"], context, phase)
    emit(result={})


def measure(job):
    """Load one variant, warm up, time it, and compare its outputs with the reference."""
    import numpy as np

    from benchlog.bench.backends import VARIANTS, SkipVariant

    variant = VARIANTS[job["variant"]]
    _inject_fault(variant.id)
    phase("compile")
    started = time.perf_counter()
    try:
        shape = (job["batch_size"], job["seq_len"])
        session = variant.load_module().load(variant, job["artifact_dir"], job["threads"], shape)
    except SkipVariant as exc:
        emit(skip=str(exc))
        return
    load_s = time.perf_counter() - started
    data = np.load(Path(job["run_dir"]) / "inputs.npz")
    fixed = batches(data["ids"], data["mask"], job["batch_size"])
    first_ms = getattr(session, "first_inference_ms", None)
    if first_ms is None:  # backends that did not already run an inference while loading
        t0 = time.perf_counter()
        session.run(*fixed[0])
        first_ms = (time.perf_counter() - t0) * 1e3
    phase("warm-up")
    for i in range(job["warmup"]):
        session.run(*fixed[i % len(fixed)])
    phase("timing")
    samples = []
    for i in range(job["repeats"]):
        b_ids, b_mask = fixed[i % len(fixed)]
        t0 = time.perf_counter()
        session.run(b_ids, b_mask)
        samples.append((time.perf_counter() - t0) * 1e3)
    conditions = process_conditions()
    phase("fidelity")
    # The last batch is padded by cycling: only the n real inputs count, each once.
    n = len(data["ids"])
    outputs = np.concatenate([session.run(b_ids, b_mask) for b_ids, b_mask in fixed])[:n]
    reference = np.load(Path(job["run_dir"]) / "reference.npy")[:n]
    full_mask = data["mask"]
    latency = summarize(samples)
    facts = session.facts()
    evidence = {}
    if hasattr(session, "kernels"):
        phase("what ran")
        try:
            evidence = session.kernels(*fixed[0]) or {}
        except Exception as exc:  # evidence is a bonus: a library that will not say keeps the variant's figures
            facts["notes"] = [*facts["notes"], f"what ran could not be read: {type(exc).__name__}: {exc}"]
    share = evidence.get("gemm_share")
    if share and facts.get("compute_precision") and not share.get("other"):
        # A claim made from the library's settings gives way to what its kernels did.
        ran = max(("int8", "bf16", "fp32"), key=lambda p: share.get(p) or 0)
        if ran != facts["compute_precision"]:
            facts["notes"] = [*facts["notes"], f"the kernels show the matrix products ran {ran} ({share[ran]:.0%} of "
                              f"GEMM FLOPs), not {facts['compute_precision']} as the settings suggested"]
            facts["compute_precision"] = ran
    emit(result={"load_s": load_s, "first_inference_ms": first_ms, "latency_ms": latency,
                 "throughput_per_s": job["batch_size"] * 1e3 / latency["mean"], "peak_rss_bytes": peak_rss_bytes(),
                 "fidelity": compare(outputs, reference, full_mask, job["task"]),
                 "providers": facts["providers"], "notes": facts["notes"], "samples": samples,
                 "conditions": conditions, **evidence,
                 **({"compute_precision": facts["compute_precision"]} if facts.get("compute_precision") else {})})


THREAD_SETTINGS = ("OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES", "KMP_AFFINITY", "MKL_NUM_THREADS",
                   "MALLOC_ARENA_MAX", "LD_PRELOAD")


def process_conditions():
    """What this process ran under, read right after its timed runs: the CPUs it may run on, the CPUs its threads
    last ran on, its thread count, transparent huge pages, the allocator and the thread settings in its environment.
    Figures the OS does not offer (no /proc, no sched_getaffinity) are left out."""
    cond = {}
    if hasattr(os, "sched_getaffinity"):
        cond["affinity"] = sorted(os.sched_getaffinity(0))
    cpus, threads = set(), 0
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            cpus.add(int(stat.read_text().rsplit(")", 1)[1].split()[36]))  # field 39: the CPU it last ran on
            threads += 1
        except (OSError, ValueError, IndexError):
            continue
    if threads:
        cond["thread_cpus"], cond["threads_alive"] = sorted(cpus), threads
    thp = _bracketed(Path("/sys/kernel/mm/transparent_hugepage/enabled"))
    if thp:
        cond["transparent_hugepages"] = thp
    try:
        maps = Path("/proc/self/maps").read_text()
        cond["allocator"] = next((name for name in ("jemalloc", "tcmalloc", "mimalloc") if name in maps), "system")
    except OSError:
        pass
    cond.update({name: os.environ[name][:200] for name in THREAD_SETTINGS if name in os.environ})
    return cond


def _bracketed(path):
    """'madvise' from a sysfs choice such as 'always [madvise] never', or None."""
    try:
        text = path.read_text()
    except OSError:
        return None
    return text[text.index("[") + 1:text.index("]")] if "[" in text and "]" in text else text.strip() or None


def _inject_fault(variant_id):
    """Fault injection for the failure tests: BENCHLOG_FAULT=<variant>:crash kills this process hard, :raise
    fails it with a Python exception, :hang never returns."""
    target, _, kind = os.environ.get("BENCHLOG_FAULT", "").partition(":")
    if target == variant_id and kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if target == variant_id and kind == "raise":
        raise RuntimeError(f"injected fault in {variant_id}")
    if target == variant_id and kind == "hang":
        time.sleep(3600)


COMMANDS = {"prepare": prepare, "artifact": build_artifact, "measure": measure}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](json.loads(Path(sys.argv[2]).read_text()))
