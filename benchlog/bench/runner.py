"""`benchlog run`: measure this machine across the backend variants and write results/<machine-id>/<run>.json.

The parent imports no ML library: the reference, every artifact build and every variant run in child processes
(bench/worker.py). The run file is rewritten atomically after every variant, so a crash or Ctrl-C keeps what
finished, marked as an incomplete run.
"""

import importlib.metadata
import importlib.util
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from benchlog.analysis import intervals, noise
from benchlog.format.errors import UserError
from benchlog.format.problems import schema_problems

from . import cache, child, models, store
from .backends import VARIANTS, hardware
from .machine import collect_machine_info
from .progress import Progress
from .system_load import LoadMeter, read_loadavg
from .worker import summarize

PACKAGES = ["torch", "transformers", "onnx", "onnxruntime", "onnxruntime-openvino", "openvino", "numpy"]
# Many short processes rather than a few long ones: a process's state (where its threads and memory landed) lasts
# for its life, so the process, not the sample, is what a run must sample many of.
FULL = {"warmup": 5, "repeats": 30}
QUICK = {"warmup": 3, "repeats": 10}
MIN_ROUNDS, QUICK_ROUNDS = 5, 3
TARGET_HALF_WIDTH = 0.03  # stop once every speed-up is known within ±3% (95% interval)
BUDGET_PER_VARIANT_S, BUDGET_MAX_S = 40, 540  # the measuring time an adaptive run may spend
VERIFIED = set()


@dataclass
class Plan:
    """How many rounds a run measures: exactly `min_rounds` when `adaptive` is off (--rounds, --quick), else at
    least that many and then more until every interval is within `target` or `budget_s` seconds are spent."""
    min_rounds: int
    adaptive: bool
    budget_s: float
    target: float = TARGET_HALF_WIDTH


def make_plan(options, n_variants):
    if options.rounds:
        return Plan(options.rounds, False, 0.0)
    if options.quick:
        return Plan(QUICK_ROUNDS, False, 0.0)
    budget = options.budget if getattr(options, "budget", None) is not None else \
        min(BUDGET_MAX_S, BUDGET_PER_VARIANT_S * n_variants)
    return Plan(MIN_ROUNDS, True, float(budget))


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
    # The reference is measured in every round, next to the variants, so every speed-up is paired in time.
    variant_ids = list(dict.fromkeys([intervals.REFERENCE, *options.variants]))
    root = cache.default_cache() if options.cache is None else Path(options.cache)
    root = root / cache.cache_key(spec.key(), weights, folder, 0)
    plan = make_plan(options, len(variant_ids))
    doc["workload"].update(rounds=plan.min_rounds, min_rounds=plan.min_rounds,
                           budget_s=plan.budget_s if plan.adaptive else None,
                           target_half_width=plan.target if plan.adaptive else None)
    progress = Progress(range(len(variant_ids) * plan.min_rounds), out=sys.stderr)
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
            measure_variants(doc, path, variant_ids, plan, common, counts, spec, progress)
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


def measure_variants(doc, path, variant_ids, plan, common, counts, spec, progress):
    """Rounds of fresh processes: each round runs every variant once, the reference among them, in a new random
    order, so the host's slow spells spread over all of them and each speed-up is paired with the reference by
    round. An adaptive plan adds rounds until every interval is narrow enough or its budget is spent."""
    records, samples = {}, {}
    meters = {vid: LoadMeter() for vid in variant_ids}
    loadavg_before = {}
    shuffle = random.Random().shuffle
    started, r, stopped_on = time.monotonic(), 0, None
    while stopped_on is None:
        order = list(variant_ids)
        shuffle(order)
        for vid in order:
            if vid in records and records[vid]["status"] != "ok":
                progress.skip()
                continue
            progress.start(f"{vid} (round {r + 1}/{plan.min_rounds})" if not plan.adaptive else
                           f"{vid} (round {r + 1}, {plan.min_rounds} or more)")
            loadavg_before.setdefault(vid, read_loadavg())
            with meters[vid]:
                record = run_variant(VARIANTS[vid], spec, common, counts, progress)
                record["hardware"] = hardware(VARIANTS[vid], common["flags"])
            records[vid] = merge_round(records.get(vid), record, samples.setdefault(vid, []), r,
                                       common["batch_size"])
            doc["variants"] = [records[v] for v in variant_ids if v in records]
            progress.finish(vid, record["status"])
            write_run(path, doc)
        r += 1
        stopped_on = stop_reason(records, samples, r, plan, time.monotonic() - started)
        if stopped_on is None and r >= plan.min_rounds:
            progress.extend(len(variant_ids))
    doc["workload"]["rounds"] = r
    reference = records.get(intervals.REFERENCE)
    reference_ok = reference is not None and reference["status"] == "ok"
    for vid in variant_ids:
        finish_figures(records[vid], samples[vid], samples[intervals.REFERENCE] if reference_ok else None,
                       reference_p50(records) if reference_ok else None)
        finish_noise(records[vid], samples[vid], meters[vid], loadavg_before[vid], stopped_on)
    doc["variants"] = [records[v] for v in variant_ids]


def stop_reason(records, samples, rounds, plan, elapsed_s):
    """None to measure another round, else why the rounds stop: 'rounds' (a fixed count reached), 'interval'
    (every figure within the target), 'budget' (time spent)."""
    if rounds < plan.min_rounds:
        return None
    if not plan.adaptive:
        return "rounds"
    widths = [w for w in current_widths(records, samples).values()]
    if all(w is not None and w <= plan.target for w in widths):
        return "interval"
    return "budget" if elapsed_s >= plan.budget_s else None


def current_widths(records, samples):
    """{variant id: relative half-width of its speed-up interval (of its median's, for the reference)} now."""
    reference = samples.get(intervals.REFERENCE) if records.get(intervals.REFERENCE, {}).get("status") == "ok" \
        else None
    widths = {}
    for vid, record in records.items():
        if record["status"] != "ok":
            continue
        if reference is None or vid == intervals.REFERENCE:
            ci, value = intervals.median_interval(samples[vid]), record["latency_ms"]["p50"]
        else:
            value = reference_p50(records) / record["latency_ms"]["p50"]
            ci = intervals.speedup_interval(reference, samples[vid], value)
        widths[vid] = intervals.half_width(ci, value)
    return widths


def reference_p50(records):
    return records[intervals.REFERENCE]["latency_ms"]["p50"]


def finish_figures(record, rounds, reference_rounds, reference_ms):
    """The median's interval and the speed-up over the reference with its interval, once the rounds are done."""
    if record["status"] != "ok":
        return
    record["latency_ms"]["p50_ci95"] = intervals.median_interval(rounds, record["latency_ms"]["p50"])
    if reference_rounds:
        value = reference_ms / record["latency_ms"]["p50"]
        record["speedup"] = {"value": value, "ci95": intervals.speedup_interval(reference_rounds, rounds, value),
                             "reference": intervals.REFERENCE}


def finish_noise(record, samples, meter, loadavg_before, stopped_on):
    """The variant's noise figures and the rule's verdict (report/noise.py), once its last round is done."""
    if record["status"] != "ok":
        return
    other, steal = meter.result()
    pooled = [x for r in samples for x in r]
    figures = {"round_spread": noise.round_spread(record.get("round_p50_ms")),
               "round_sem": noise.round_sem(record.get("round_p50_ms")),
               "cv": noise.coefficient_of_variation(pooled), "loadavg_before": loadavg_before,
               "loadavg_after": read_loadavg(), "other_cpu_share": other, "steal_share": steal}
    figures["half_width"] = noise.figure_half_width(record, record.get("speedup"))
    figures["stopped_on"] = stopped_on
    figures["noisy"], figures["reasons"] = noise.judge(figures)
    record["noise"] = figures


def merge_round(record, new, samples, round_index, batch_size):
    """Pool a variant's timed samples over its rounds (`samples` keeps one list per round); keep the first round's
    one-off figures; merge what the processes ran under."""
    new_samples = new.pop("samples", None)
    conditions = new.pop("conditions", None)
    if record is None:
        record = new
        if new["status"] == "ok":
            record["round_p50_ms"] = [new["latency_ms"]["p50"]]
            record["conditions"] = conditions or {}
    elif new["status"] != "ok":
        record.setdefault("notes", []).append(f"round {round_index + 1} {new['status']}: {new['reason']}")
        return record
    else:
        record["round_p50_ms"].append(new["latency_ms"]["p50"])
        record["peak_rss_bytes"] = max(record["peak_rss_bytes"], new["peak_rss_bytes"])
        record["conditions"] = merge_conditions(record.get("conditions") or {}, conditions or {})
    if new_samples:
        samples.append(new_samples)
        record["latency_ms"] = summarize([x for r in samples for x in r])
        record["throughput_per_s"] = batch_size * 1e3 / record["latency_ms"]["mean"]
    return record


def merge_conditions(kept, new):
    """Conditions over several processes: lists (CPUs) become their union; a setting that differed between
    processes becomes the list of its values."""
    merged = dict(kept)
    for key, value in new.items():
        old = merged.get(key)
        if isinstance(value, list):
            merged[key] = sorted(set(old or []) | set(value))
        elif key in merged and old != value:
            merged[key] = sorted({str(v) for v in (old if isinstance(old, list) else [old])} | {str(value)})
        else:
            merged[key] = value
    return merged


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
    except child.ChildFailed as exc:
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
        if artifact_dir not in VERIFIED and not cache.usable(artifact_dir):
            run_child("artifact", {**common, "artifact": variant.artifact}, progress)
        result = run_child("measure", {**common, **counts, "variant": variant.id, "task": spec.task,
                                       "artifact_dir": str(artifact_dir)}, progress)
    except child.ChildFailed as exc:
        return {**record, "status": "failed", "reason": str(exc)}
    VERIFIED.add(artifact_dir)  # checked against its manifest once per run, not once per round
    if "skip" in result:
        return {**record, "status": "skipped", "reason": result["skip"]}
    size = cache.files_of(artifact_dir)
    return {**record, **result, "size": size}


def run_child(command, job, progress):
    """Run the worker's COMMAND on `job` in a new process (bench/child.py); return its result."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(job, f)
    try:
        return child.run("benchlog.bench.worker", [command, f.name], progress.phase)
    finally:
        os.unlink(f.name)


# The noise rule's reasons (analysis/noise.py LIMITS) as the summary prints them; the pages word them in Korean.
REASON_WORDS = {"half_width": "95% interval ±{value:.1%} wide (limit ±{limit:.0%})",
                "other_cpu_share": "other processes used {value:.0%} of the CPU (limit {limit:.0%})",
                "steal_share": "the hypervisor took {value:.0%} of the CPU (limit {limit:.0%})"}


def print_summary(doc, path, out):
    rows = [("variant", "status", "p50 ms (95%)", "× PyTorch (95%)", "size MiB", "max err", "argmax", "noise")]
    ratios = intervals.run_speedups(doc)
    for v in doc["variants"]:
        lat, fid, size = v.get("latency_ms") or {}, v.get("fidelity") or {}, v.get("size") or {}
        verdict = (v.get("noise") or {}).get("noisy")
        ratio = ratios.get(v["id"])
        rows.append((v["id"], v["status"], _with_ci(lat.get("p50"), lat.get("p50_ci95"), 1),
                     _with_ci(ratio["value"], ratio["ci95"], 2) if ratio else "—",
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
        for key in (v.get("noise") or {}).get("reasons") or []:
            print(f"{v['id']}: noisy: " + REASON_WORDS[key].format(value=v["noise"][key], limit=noise.LIMITS[key]),
                  file=out)
    trust = noise.run_trust(doc)
    if trust["noisy"]:
        print("This run is marked noisy: close other work (a test suite, a build, a browser) and run again, or "
              "give it a larger --budget.", file=out)
    if trust["quick"]:
        print(f"This is a quick run ({QUICK_ROUNDS} processes x {QUICK['repeats']} samples per variant): the site "
              "marks it; a full run is better evidence.", file=out)
    w = doc["workload"]
    budget = [v["id"] for v in doc["variants"] if (v.get("noise") or {}).get("stopped_on") == "budget"
              and (v["noise"].get("half_width") or 0) > (w.get("target_half_width") or 1)]
    if budget:
        print(f"{w['rounds']} rounds: the {w['budget_s']:g} s budget was spent before these reached "
              f"±{w['target_half_width']:.0%}: {', '.join(budget)} (--budget gives more time)", file=out)
    elif w.get("target_half_width"):
        print(f"{w['rounds']} rounds: every interval within ±{w['target_half_width']:.0%}", file=out)
    print(f"wrote {path}", file=out)


def _with_ci(value, ci, digits):
    if value is None:
        return "—"
    return _f(value, digits) + (f" ({_f(ci[0], digits)}–{_f(ci[1], digits)})" if ci else "")


def _f(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"
