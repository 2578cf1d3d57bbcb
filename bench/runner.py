"""`benchlog run`: measure this machine across the backend variants and write results/<machine-id>/<run>.json.

The parent imports no ML library: the reference, every artifact build and every variant run in child processes
(bench/worker.py). The run file is rewritten atomically after every variant, so a crash or Ctrl-C keeps what
finished, marked as an incomplete run.
"""

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from report.errors import UserError
from report.load import schema_problems

from . import artifacts, models
from .backends import VARIANTS
from .machine import collect_machine_info
from .progress import Progress
from .worker import MARK, summarize

PACKAGES = ["torch", "transformers", "onnx", "onnxruntime", "onnxruntime-openvino", "openvino", "numpy"]
FULL = {"warmup": 10, "repeats": 100}
QUICK = {"warmup": 3, "repeats": 15}
CHILD_TIMEOUT_S = 3600


class ChildFailed(Exception):
    """A child process that exited without a result; the message is its error's last line."""


def run(options, out=sys.stdout):
    machine = collect_machine_info(options.machine_id)
    machine_dir = Path(options.results) / machine["machine_id"]
    ensure_machine_file(machine_dir, machine)
    spec = models.resolve_model(options.model)
    weights, folder = models.choose_weights(spec, options.weights)
    threads = options.threads or machine["cpu"]["physical_cores"] or os.cpu_count() or 1
    counts = QUICK if options.quick else FULL
    doc = new_run(machine, spec, weights, options, threads, counts)
    path = run_path(machine_dir, doc)
    if weights == "random":
        warn = (f"no pretrained weights for '{spec.name}' on disk (no hub is reachable): measuring the exact "
                "architecture with RANDOM weights; latency and size are the real model's, fidelity compares "
                "against the same random weights")
        print(f"benchlog: WARNING: {warn}", file=sys.stderr)
        doc["notes"].append(warn)
    variant_ids = options.variants
    root = artifacts.default_cache() if options.cache is None else Path(options.cache)
    root = root / artifacts.cache_key(spec.key(), weights, folder, 0)
    rounds = options.rounds or (1 if options.quick else 3)
    doc["workload"]["rounds"] = rounds
    progress = Progress(range(len(variant_ids) * rounds), out=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="benchlog-run-") as run_dir:
        common = {"threads": threads, "run_dir": run_dir, "artifact_root": str(root),
                  "batch_size": options.batch_size, "seq_len": options.seq_len}
        write_run(path, doc)
        try:
            reference = run_reference(spec, weights, folder, common, progress)
            doc["model"]["parameters"] = reference["parameters"]
            doc["model"]["architecture"] = reference["architecture"]
            doc["workload"].update(inputs_sha256=reference["inputs_sha256"], n_inputs=reference["n_inputs"])
            doc["notes"].append(f"tokenizer: {reference['tokenizer']}")
            records, samples = {}, {}
            # Rounds interleave the variants, each in a fresh process: slow spells of a shared machine spread
            # over all of them, and the spread between processes is recorded.
            for r in range(rounds):
                for vid in variant_ids:
                    if vid in records and records[vid]["status"] != "ok":
                        progress.skip()
                        continue
                    progress.start(vid if rounds == 1 else f"{vid} (round {r + 1}/{rounds})")
                    record = run_variant(VARIANTS[vid], spec, common, counts, progress)
                    records[vid] = merge_round(records.get(vid), record, samples.setdefault(vid, []), r,
                                               options.batch_size)
                    doc["variants"] = [records[v] for v in variant_ids if v in records]
                    progress.finish(vid, record["status"])
                    write_run(path, doc)
        except KeyboardInterrupt:
            progress.close()
            write_run(path, doc)
            print(f"benchlog: interrupted; kept {len(doc['variants'])} finished variants in {path} "
                  "(marked incomplete)", file=sys.stderr)
            raise
    progress.close()
    doc["complete"] = True
    doc["finished_at"] = utc_now()
    write_run(path, doc)
    print_summary(doc, path, out)
    return path


def merge_round(record, new, samples, round_index, batch_size):
    """Pool a variant's timed samples over its rounds; keep the first round's one-off figures."""
    new_samples = new.pop("samples", None)
    if record is None:
        record = new
        if new["status"] == "ok":
            record["round_p50_ms"] = [new["latency_ms"]["p50"]]
    elif new["status"] != "ok":
        record.setdefault("notes", []).append(f"round {round_index + 1} {new['status']}: {new['reason']}")
        return record
    else:
        record["round_p50_ms"].append(new["latency_ms"]["p50"])
        record["peak_rss_bytes"] = max(record["peak_rss_bytes"], new["peak_rss_bytes"])
    if new_samples:
        samples.extend(new_samples)
        record["latency_ms"] = summarize(samples)
        record["throughput_per_s"] = batch_size * 1e3 / record["latency_ms"]["mean"]
    return record


def ensure_machine_file(machine_dir, machine):
    """Write machine.json once; refuse a different CPU under the same id."""
    path = machine_dir / "machine.json"
    if path.exists():
        try:
            existing = json.loads(path.read_text())
            model = existing["cpu"]["model"]
        except (ValueError, KeyError, TypeError):
            raise UserError(f"{path}: cpu.model: cannot be read; fix or move the file before running") from None
        if model != machine["cpu"]["model"]:
            raise UserError(f"{path} is for CPU '{model}' but this machine's CPU is '{machine['cpu']['model']}'; "
                            "pass another --machine-id")
        return
    machine_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, machine, exclusive=True)


def new_run(machine, spec, weights, options, threads, counts):
    return {
        "format_version": machine["format_version"], "kind": "run", "machine_id": machine["machine_id"],
        "cpu_model": machine["cpu"]["model"], "started_at": utc_now(), "finished_at": None, "complete": False,
        "source": {"kind": "measured"}, "software": software_versions(),
        "model": {"name": spec.name, "architecture": None, "weights": weights, "parameters": None},
        "workload": {"batch_size": options.batch_size, "seq_len": options.seq_len, "threads": threads,
                     "inputs_sha256": None, "n_inputs": None, "quick": bool(options.quick), **counts},
        "variants": [], "notes": [],
    }


def utc_now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def software_versions():
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def run_path(machine_dir, doc):
    """results/<machine>/<UTC start>-<model>.json, never an existing file."""
    stamp = doc["started_at"].replace("-", "").replace(":", "")
    model = "".join(c if c.isalnum() or c in ".-" else "-" for c in doc["model"]["name"].lower())
    path = machine_dir / f"{stamp}-{model}.json"
    n = 2
    while path.exists():
        path = machine_dir / f"{stamp}-{model}-{n}.json"
        n += 1
    return path


def write_run(path, doc):
    problems = schema_problems(path, doc, "run")
    if problems:  # a bug in benchlog, not the user's: never write a file the site would refuse
        raise RuntimeError(f"benchlog wrote an invalid run: {problems[0]}")
    write_json_atomic(path, doc)


def write_json_atomic(path, doc, exclusive=False):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if exclusive and path.exists():
        tmp.unlink()
        raise UserError(f"{path} appeared while writing it; nothing was overwritten")
    os.replace(tmp, path)


def run_reference(spec, weights, folder, common, progress):
    progress.start("reference")
    job = {**common, "spec": asdict(spec), "weights": weights, "folder": folder, "seed": 0}
    try:
        result = run_child("prepare", job, progress)
    except ChildFailed as exc:
        raise UserError(f"could not build the PyTorch FP32 reference: {exc}") from None
    progress.finish("reference", "ok")
    return result


def run_variant(variant, spec, common, counts, progress):
    """One variant's record: measured, skipped (library or provider missing) or failed (error's last line)."""
    record = {"id": variant.id, "backend": variant.backend, "precision": variant.precision, "label": variant.label,
              "options": variant.options, "status": "ok", "reason": None}
    missing = [m for m in variant.requires if importlib.util.find_spec(m) is None]
    if missing:
        return {**record, "status": "skipped", "reason": f"{', '.join(missing)} is not installed "
                                                         "(pip install -e '.[bench]')"}
    artifact_dir = Path(common["artifact_root"]) / variant.artifact
    try:
        if not artifact_dir.is_dir():
            run_child("artifact", {**common, "artifact": variant.artifact}, progress)
        result = run_child("measure", {**common, **counts, "variant": variant.id, "task": spec.task,
                                       "artifact_dir": str(artifact_dir)}, progress)
    except ChildFailed as exc:
        return {**record, "status": "failed", "reason": str(exc)}
    if "skip" in result:
        return {**record, "status": "skipped", "reason": result["skip"]}
    size = artifacts.files_of(artifact_dir)
    return {**record, **result, "size": size}


def run_child(command, job, progress):
    """Run bench.worker COMMAND in a new process; return its result, raise ChildFailed with its last error line."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(job, f)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "bench.worker", command, f.name], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    result, errors = None, []
    reader = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
    watchdog = threading.Timer(CHILD_TIMEOUT_S, proc.kill)
    try:
        reader.start()
        watchdog.start()
        for line in proc.stdout:
            if line.startswith(MARK):
                message = json.loads(line[len(MARK):])
                if "phase" in message:
                    progress.phase(message["phase"])
                else:
                    result = message
        proc.wait()
        reader.join(timeout=5)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        watchdog.cancel()
        os.unlink(f.name)
    if proc.returncode != 0 or result is None:
        raise ChildFailed(last_error(errors, proc.returncode))
    return result.get("result", result)


def last_error(lines, returncode):
    lines = [line.strip() for line in lines if line.strip()]
    text = lines[-1] if lines else ""
    if returncode and returncode < 0:
        return f"the process was killed by signal {-returncode}" + (f" ({text})" if text else "")
    return text or f"the process exited with code {returncode} and no message"


def print_summary(doc, path, out):
    rows = [("variant", "status", "p50 ms", "p90 ms", "× PyTorch", "size MiB", "max err", "argmax")]
    ref = next((v["latency_ms"]["p50"] for v in doc["variants"] if v["id"] == "pytorch-fp32"
                and v["status"] == "ok"), None)
    for v in doc["variants"]:
        lat, fid, size = v.get("latency_ms") or {}, v.get("fidelity") or {}, v.get("size") or {}
        rows.append((v["id"], v["status"], _f(lat.get("p50")), _f(lat.get("p90")),
                     _f(ref / lat["p50"], 2) if ref and lat.get("p50") else "—",
                     _f(size["bytes"] / 2**20) if size.get("bytes") else "—",
                     f"{fid['max_abs_error']:.2e}" if fid.get("max_abs_error") is not None else "—",
                     f"{fid['argmax_agree']}/{fid['argmax_total']}" if fid.get("argmax_total") else "—"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip(), file=out)
    for v in doc["variants"]:
        if v["status"] != "ok":
            print(f"{v['id']}: {v['status']}: {v['reason']}", file=out)
    print(f"wrote {path}", file=out)


def _f(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"
