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

from report import noise
from report.errors import UserError
from report.load import schema_problems

from . import artifacts, models, store
from .backends import VARIANTS, hardware
from .machine import collect_machine_info
from .progress import Progress
from .system_load import LoadMeter, read_loadavg
from .worker import MARK, summarize

PACKAGES = ["torch", "transformers", "onnx", "onnxruntime", "onnxruntime-openvino", "openvino", "numpy"]
FULL = {"warmup": 10, "repeats": 100}
QUICK = {"warmup": 3, "repeats": 15}
CHILD_TIMEOUT_S = 3600
VERIFIED = set()


class ChildFailed(Exception):
    """A child process that exited without a result; the message is its error's last line."""


def default_threads(machine, requested):
    """The thread count a run (and the roof) uses: the one asked for, else the machine's physical cores."""
    return requested or machine["cpu"]["physical_cores"] or os.cpu_count() or 1


def run(options, out=sys.stdout):
    machine = collect_machine_info(options.machine_id)
    machine_dir = store.place_machine(options.results, machine, explicit=options.machine_id is not None,
                                      warn=lambda text: print(f"benchlog: {text}", file=sys.stderr))
    machine["machine_id"] = machine_dir.name
    spec = models.resolve_model(options.model)
    weights, folder = models.choose_weights(spec, options.weights)
    threads = default_threads(machine, options.threads)
    counts = QUICK if options.quick else FULL
    doc = new_run(machine, spec, weights, folder, options, threads, counts)
    if weights == "random":
        warn = (f"no pretrained weights for '{spec.name}' on disk or from the hub: measuring the exact "
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
    path = None
    with tempfile.TemporaryDirectory(prefix="benchlog-run-") as run_dir:
        common = {"threads": threads, "run_dir": run_dir, "artifact_root": str(root), "task": spec.task,
                  "flags": machine["cpu"].get("flags") or {},
                  "batch_size": options.batch_size, "seq_len": options.seq_len}
        try:
            reference = run_reference(spec, weights, folder, common, progress)
            doc["model"]["parameters"] = reference["parameters"]
            doc["model"]["architecture"] = reference["architecture"]
            doc["model"]["dims"] = reference["dims"]
            doc["workload"].update(inputs_sha256=reference["inputs_sha256"], n_inputs=reference["n_inputs"])
            doc["notes"].append(f"tokenizer: {reference['tokenizer']}")
            path = store.claim_run_file(machine_dir, doc)  # only a run with a reference gets a file
            measure_variants(doc, path, variant_ids, rounds, common, counts, spec, progress)
        except (KeyboardInterrupt, UserError) as exc:
            progress.close()
            if path is None:
                if isinstance(exc, KeyboardInterrupt):
                    print("benchlog: interrupted before any variant ran; no run file was written", file=sys.stderr)
                raise
            try:
                write_run(path, doc)
            except UserError:
                pass  # the file on disk still holds what the last successful write put there
            kept = f"kept {len(json.loads(path.read_text())['variants'])} finished variants in {path} " \
                   "(marked incomplete)"
            if isinstance(exc, UserError):
                raise UserError(f"{exc}; {kept}") from None
            print(f"benchlog: interrupted; {kept}", file=sys.stderr)
            raise
    progress.close()
    doc["complete"] = True
    doc["finished_at"] = utc_now()
    write_run(path, doc)
    print_summary(doc, path, out)
    return path


def measure_variants(doc, path, variant_ids, rounds, common, counts, spec, progress):
    """Rounds interleave the variants, each in a fresh process: slow spells of a shared machine spread over all
    of them, and the spread between processes is recorded, with how busy the machine was (bench/system_load)."""
    records, samples = {}, {}
    meters = {vid: LoadMeter() for vid in variant_ids}
    loadavg_before = {}
    for r in range(rounds):
        for vid in variant_ids:
            if vid in records and records[vid]["status"] != "ok":
                progress.skip()
                continue
            progress.start(vid if rounds == 1 else f"{vid} (round {r + 1}/{rounds})")
            loadavg_before.setdefault(vid, read_loadavg())
            with meters[vid]:
                record = run_variant(VARIANTS[vid], spec, common, counts, progress)
                record["hardware"] = hardware(VARIANTS[vid], common["flags"])
            records[vid] = merge_round(records.get(vid), record, samples.setdefault(vid, []), r,
                                       common["batch_size"])
            if r == rounds - 1:
                finish_noise(records[vid], samples[vid], meters[vid], loadavg_before[vid])
            doc["variants"] = [records[v] for v in variant_ids if v in records]
            progress.finish(vid, record["status"])
            write_run(path, doc)


def finish_noise(record, samples, meter, loadavg_before):
    """The variant's noise figures and the rule's verdict (report/noise.py), once its last round is done."""
    if record["status"] != "ok":
        return
    other, steal = meter.result()
    figures = {"round_spread": noise.round_spread(record.get("round_p50_ms")),
               "round_sem": noise.round_sem(record.get("round_p50_ms")),
               "cv": noise.coefficient_of_variation(samples), "loadavg_before": loadavg_before,
               "loadavg_after": read_loadavg(), "other_cpu_share": other, "steal_share": steal}
    figures["noisy"], figures["reasons"] = noise.judge(figures)
    record["noise"] = figures


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


def new_run(machine, spec, weights, folder, options, threads, counts):
    return {
        "format_version": machine["format_version"], "kind": "run", "machine_id": machine["machine_id"],
        "cpu_model": machine["cpu"]["model"], "started_at": utc_now(), "finished_at": None, "complete": False,
        "source": {"kind": "measured"}, "software": software_versions(),
        "model": {"name": spec.name, "architecture": None, "weights": weights,
                  "revision": models.revision_of(folder) if weights == "pretrained" else None, "parameters": None},
        "workload": {"batch_size": options.batch_size, "seq_len": options.seq_len, "threads": threads,
                     "inputs_sha256": None, "n_inputs": None, "quick": bool(options.quick), **counts},
        "variants": [], "notes": [], **({"sweep": options.sweep} if getattr(options, "sweep", None) else {}),
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


def write_run(path, doc):
    write_doc(path, doc, "run")


def write_doc(path, doc, kind):
    check_doc(path, doc, kind)
    store.replace_json(path, doc)


def check_doc(path, doc, kind):
    problems = schema_problems(path, doc, kind)
    if problems:  # a bug in benchlog, not the user's: never write a file the site would refuse
        raise RuntimeError(f"benchlog wrote an invalid {kind}: {problems[0]}")


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
        if artifact_dir not in VERIFIED and not artifacts.usable(artifact_dir):
            run_child("artifact", {**common, "artifact": variant.artifact}, progress)
        result = run_child("measure", {**common, **counts, "variant": variant.id, "task": spec.task,
                                       "artifact_dir": str(artifact_dir)}, progress)
    except ChildFailed as exc:
        return {**record, "status": "failed", "reason": str(exc)}
    VERIFIED.add(artifact_dir)  # checked against its manifest once per run, not once per round
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
    result, errors, timed_out = None, [], []
    reader = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
    limit = float(os.environ.get("BENCHLOG_CHILD_TIMEOUT_S") or CHILD_TIMEOUT_S)
    watchdog = threading.Timer(limit, lambda: (timed_out.append(True), proc.kill()))
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
    if timed_out:
        raise ChildFailed(f"timed out after {limit:g} s and was killed (BENCHLOG_CHILD_TIMEOUT_S)")
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
    rows = [("variant", "status", "p50 ms", "p90 ms", "× PyTorch", "size MiB", "max err", "argmax", "noise")]
    ref = next((v["latency_ms"]["p50"] for v in doc["variants"] if v["id"] == "pytorch-fp32"
                and v["status"] == "ok"), None)
    for v in doc["variants"]:
        lat, fid, size = v.get("latency_ms") or {}, v.get("fidelity") or {}, v.get("size") or {}
        verdict = (v.get("noise") or {}).get("noisy")
        rows.append((v["id"], v["status"], _f(lat.get("p50")), _f(lat.get("p90")),
                     _f(ref / lat["p50"], 2) if ref and lat.get("p50") else "—",
                     _f(size["bytes"] / 2**20) if size.get("bytes") else "—",
                     f"{fid['max_abs_error']:.2e}" if fid.get("max_abs_error") is not None else "—",
                     f"{fid['argmax_agree']}/{fid['argmax_total']}" if fid.get("argmax_total") else "—",
                     {True: "NOISY", False: "quiet", None: "—"}[verdict] if v["status"] == "ok" else "—"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip(), file=out)
    for v in doc["variants"]:
        if v["status"] != "ok":
            print(f"{v['id']}: {v['status']}: {v['reason']}", file=out)
        for reason in (v.get("noise") or {}).get("reasons") or []:
            print(f"{v['id']}: noisy: {reason}", file=out)
    trust = noise.run_trust(doc)
    if trust["noisy"]:
        print(f"This run is marked noisy: {noise.ADVICE}.", file=out)
    if trust["quick"]:
        print("This is a quick run (15 samples per variant): the site marks it; a full run is better evidence.",
              file=out)
    print(f"wrote {path}", file=out)


def _f(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"
