"""`benchlog run` driven as a subprocess on a tiny DistilBERT (2 layers, hidden 32) through every backend."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from benchlog.analysis.what_ran import what_ran

from benchlog.bench.backends import VARIANTS
from benchlog.bench.runner import QUICK
from benchlog.format.load import load_results

from conftest import ROOT

pytestmark = pytest.mark.backends
# One round keeps the suite quick; the interval test runs three.
TINY = ["--model", "tiny-distilbert", "--quick", "--no-roof", "--rounds", "1"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("artifact-cache")


def benchlog(*args, results, cache, env=None, **kwargs):
    command = [sys.executable, "-m", "benchlog", *args]
    if args[0] == "run":
        command += ["--results", str(results), "--cache", str(cache), "--machine-id", "test-machine"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, **(env or {})}, **kwargs)


def run_files(results):
    return sorted((results / "test-machine").glob("2*.json"))


def variants(path):
    return {v["id"]: v for v in json.loads(path.read_text())["variants"]}


def test_a_tiny_run_measures_every_backend_and_writes_a_valid_file(tmp_path, cache):
    with_roof = [a for a in TINY if a != "--no-roof"]  # by default a run also measures the machine's roof, once
    done = benchlog("run", *with_roof, results=tmp_path, cache=cache)
    assert done.returncode == 0, done.stderr
    results = load_results(tmp_path)
    assert results.problems == []
    (run,) = results.runs
    (roof,) = results.roofs
    assert roof.doc["threads"] == run.doc["workload"]["threads"] and roof.doc["gemm"]
    assert "measuring this machine's GEMM roof at" in done.stderr
    assert run.doc["complete"] and run.doc["model"]["weights"] == "random"
    assert any("RANDOM weights" in n for n in run.doc["notes"])
    assert run.doc["workload"]["threads"] >= 1 and len(run.doc["workload"]["inputs_sha256"]) == 64
    got = {v["id"]: v for v in run.variants}
    assert list(got) == list(VARIANTS)
    flags = results.machines[run.machine_id].cpu["flags"]
    bf16 = bool(flags.get("avx512_bf16") or flags.get("amx_bf16"))
    if not bf16:  # OpenVINO does not emulate bf16: skipped, saying why
        assert got.pop("openvino-bf16")["status"] == "skipped"
        assert got.pop("openvino-int8-bf16")["status"] == "skipped"
    assert all(v["status"] == "ok" for v in got.values()), [v["reason"] for v in got.values()]
    assert run.doc["model"]["dims"] == {"layers": 2, "hidden": 32, "heads": 2, "ffn": 64, "vocab": 30522,
                                        "labels": 2, "head_hidden": 32}
    for vid in ("ort-cpu-fp32", "ort-openvino-fp32", "openvino-fp32"):
        fid = got[vid]["fidelity"]
        assert fid["max_abs_error"] < 1e-4 and fid["argmax_agree"] == fid["argmax_total"] == 10, vid
    # Providers come from the profiled inference's node counts, never from the registered list.
    assert got["ort-cpu-fp32"]["providers"] == ["CPUExecutionProvider"]
    assert any(n.startswith("nodes executed per provider in a profiled inference: CPUExecutionProvider ")
               for n in got["ort-cpu-fp32"]["notes"])
    assert got["ort-openvino-fp32"]["providers"][0] == "OpenVINOExecutionProvider"
    counts = next(n for n in got["ort-openvino-fp32"]["notes"] if n.startswith("nodes executed per provider"))
    assert "OpenVINOExecutionProvider " in counts
    assert any("INFERENCE_PRECISION_HINT=f32" in n for n in got["openvino-fp32"]["notes"])
    sizes = {vid: v["size"]["bytes"] for vid, v in got.items()}
    assert abs(sizes["ort-cpu-fp32"] / sizes["pytorch-fp32"] - 1) < 0.05
    assert sizes["ort-cpu-int8"] < sizes["ort-cpu-fp32"] / 2
    assert {f["path"] for f in got["openvino-fp32"]["size"]["files"]} == {"model.xml", "model.bin"}
    for v in got.values():
        lat = v["latency_ms"]
        assert lat["count"] == QUICK["repeats"] and lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"]
        assert v["peak_rss_bytes"] > 0 and v["load_s"] >= 0
    assert "wrote " in done.stdout and "ort-cpu-int8" in done.stdout  # the summary table
    assert f"[{len(VARIANTS)}/{len(VARIANTS)}] " in done.stderr  # the progress display
    assert all("speedup" in v and v["latency_ms"]["p50_ci95"] is None for v in got.values())  # one round: no interval
    check_feature_variants(got, flags, bf16)


def check_feature_variants(got, flags, bf16):
    """The variants that use the CPU's features: each names its precision and how this CPU runs it, and records
    what its library really did."""
    for vid, v in got.items():
        assert (v["hardware"] is None) == (VARIANTS[vid].needs == ()), vid
        if v["hardware"]:
            assert v["hardware"]["native"] == any(flags.get(f) for f in VARIANTS[vid].needs), vid
        fid = v["fidelity"]
        assert fid["cosine_min"] <= fid["cosine"] + 1e-12 and fid["cosine"] > 0.9, vid
        assert fid["flips"] == [] if fid["argmax_agree"] == 10 else len(fid["flips"]) == 10 - fid["argmax_agree"]
    assert got["pytorch-bf16"]["precision"] == "bf16"
    assert any("torch.autocast('cpu', dtype=torch.bfloat16)" in n for n in got["pytorch-bf16"]["notes"])
    assert got["pytorch-bf16"]["hardware"]["native"] == bf16
    assert any("Linear layers quantized" in n and "torchao" in n for n in got["pytorch-int8"]["notes"])
    assert got["ort-cpu-int8-u8"]["options"]["quantization"] == "quantize_dynamic QUInt8 per-tensor"
    assert any(n.startswith("ORT transformer optimizer fused") for n in got["ort-cpu-int8-fused"]["notes"])
    assert any("FakeQuantize" in n for n in got["openvino-int8"]["notes"])
    # What really ran: every variant but the OpenVINO EP's (whose kernels ORT cannot see) names it
    for vid, v in got.items():
        assert v["kernels"]["ops"], vid
        assert (v["gemm_share"] is None) == (vid == "ort-openvino-fp32"), vid
    assert got["pytorch-fp32"]["gemm_share"]["fp32"] == 1.0 and got["openvino-fp32"]["gemm_share"]["fp32"] == 1.0
    if bf16:
        assert got["pytorch-bf16"]["gemm_share"]["bf16"] == 1.0 and got["openvino-bf16"]["gemm_share"]["bf16"] == 1.0
        # the same INT8 model: its GEMMs INT8 both ways, the rest bf16 in one and f32 in the other
        assert what_ran(got["openvino-int8-bf16"])["rest"] == "bf16" and what_ran(got["openvino-int8"])["rest"] == "fp32"
    assert any(o["op"] == "QAttention" for o in got["ort-cpu-int8-attn"]["kernels"]["ops"])
    assert any("48 calibration sentences" in n for n in got["openvino-int8"]["notes"])
    assert any("accuracy control: mean cosine" in n for n in got["openvino-int8-ac"]["notes"])
    assert not any("FakeQuantize" in n for n in got["openvino-int8-wo"]["notes"])  # weights only
    fp32 = got["openvino-fp32"]["size"]["bytes"]
    for vid in ("ort-cpu-int8-u8", "ort-cpu-int8-fused", "openvino-int8-wo", "openvino-int8", "openvino-int8-ac"):
        assert got[vid]["size"]["bytes"] < fp32 / 2, vid


def test_a_second_run_appends_a_file_and_reuses_the_cache(tmp_path):
    cache = tmp_path / "own-cache"  # empty: the first run must build, the second must not
    results = tmp_path / "results"
    first = benchlog("run", *TINY, "--backends", "ort-cpu", results=results, cache=cache)
    assert first.returncode == 0, first.stderr
    assert "· export ·" in first.stderr and "· quantize ·" in first.stderr
    (onnx,) = cache.glob("*/onnx-fp32/model.onnx")
    built = (onnx.stat().st_ino, onnx.stat().st_mtime_ns)
    (path,) = run_files(results)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    time.sleep(1.1)  # run files are named by their start second
    second = benchlog("run", *TINY, "--backends", "ort-cpu", results=results, cache=cache)
    assert second.returncode == 0, second.stderr
    assert len(run_files(results)) == 2
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert "· export ·" not in second.stderr and "· quantize ·" not in second.stderr
    assert (onnx.stat().st_ino, onnx.stat().st_mtime_ns) == built


def test_rounds_run_each_variant_in_several_processes(tmp_path, cache):
    done = benchlog("run", *TINY, "--backends", "ort-cpu-int8", "--rounds", "2", results=tmp_path, cache=cache)
    assert done.returncode == 0, done.stderr
    (path,) = run_files(tmp_path)
    got = variants(path)["ort-cpu-int8"]
    assert len(got["round_p50_ms"]) == 2 and got["latency_ms"]["count"] == 2 * QUICK["repeats"]
    assert json.loads(path.read_text())["workload"]["rounds"] == 2
    assert "(round 2/2)" in done.stderr


def test_a_run_of_three_rounds_writes_intervals_paired_with_the_reference(tmp_path, cache):
    done = benchlog("run", *TINY, "--backends", "ort-cpu-int8", "--rounds", "3", results=tmp_path, cache=cache)
    assert done.returncode == 0, done.stderr
    (path,) = run_files(tmp_path)
    got = variants(path)
    assert list(got) == ["pytorch-fp32", "ort-cpu-int8"]  # the reference is measured even when not asked for
    ref, var = got["pytorch-fp32"], got["ort-cpu-int8"]
    for v in (ref, var):
        lo, hi = v["latency_ms"]["p50_ci95"]
        assert lo <= v["latency_ms"]["p50"] <= hi and len(v["round_p50_ms"]) == 3
        assert v["noise"]["stopped_on"] == "rounds" and v["noise"]["half_width"] is not None
        assert v["conditions"]["transparent_hugepages"] and v["conditions"]["thread_cpus"]
        # The noise block the run writes, recomputed from the same file's figures by the formulas in the README.
        n, r = v["noise"], v["round_p50_ms"]
        assert n["round_spread"] == pytest.approx((max(r) - min(r)) / min(r))
        mean = sum(r) / 3
        assert n["round_sem"] == pytest.approx((sum((x - mean) ** 2 for x in r) / 2) ** 0.5 / 3 ** 0.5 / mean)
        assert 0 <= n["other_cpu_share"] <= 1 and 0 <= n["steal_share"] <= 1 and n["cv"] > 0  # Linux: measured
        expected = n["half_width"] > 0.05 or n["other_cpu_share"] > 0.10 or n["steal_share"] > 0.05
        assert n["noisy"] is expected and bool(n["reasons"]) is expected
    speedup = var["speedup"]
    assert speedup["reference"] == "pytorch-fp32"
    assert speedup["value"] == pytest.approx(ref["latency_ms"]["p50"] / var["latency_ms"]["p50"])
    assert speedup["ci95"][0] <= speedup["value"] <= speedup["ci95"][1]
    assert var["noise"]["half_width"] == pytest.approx(
        max(speedup["value"] - speedup["ci95"][0], speedup["ci95"][1] - speedup["value"]) / speedup["value"])
    assert "× PyTorch (95%)" in done.stdout


def test_a_backend_that_crashes_is_recorded_and_the_others_carry_on(tmp_path, cache):
    done = benchlog("run", *TINY, "--backends", "ort-cpu", results=tmp_path, cache=cache,
                    env={"BENCHLOG_FAULT": "ort-cpu-fp32:crash"})
    assert done.returncode == 0, done.stderr
    (path,) = run_files(tmp_path)
    got = variants(path)
    assert got["ort-cpu-fp32"]["status"] == "failed"
    assert got["ort-cpu-fp32"]["reason"].startswith("the process was killed by signal 9")
    assert got["ort-cpu-int8"]["status"] == "ok"
    assert json.loads(path.read_text())["complete"] is True


def test_ctrl_c_keeps_the_finished_variants_and_ends_the_child(tmp_path, cache):
    # A terminal's Ctrl-C reaches the whole process group: start the run in its own group and signal the group.
    proc = subprocess.Popen([sys.executable, "-m", "benchlog", "run", *TINY, "--backends", "til", "--results",
                             str(tmp_path), "--cache", str(cache), "--machine-id", "test-machine"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "BENCHLOG_FAULT": "openvino-fp32:hang"})
    deadline = time.monotonic() + 600
    child = None
    while time.monotonic() < deadline and child is None:
        files = run_files(tmp_path)
        if files:  # the order of variants in a round is random: wait for the hanging one, wherever it comes
            child = hanging_child(proc.pid)
        time.sleep(0.5)
    if child is None:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the run never reached the hanging variant")
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    doc = json.loads(files[0].read_text())
    assert doc["complete"] is False and doc["finished_at"] is None
    kept = [v["id"] for v in doc["variants"]]
    assert "openvino-fp32" not in kept and set(kept) <= {"pytorch-fp32", "ort-cpu-fp32", "ort-cpu-int8",
                                                         "ort-openvino-fp32", "openvino-fp32"}
    assert f"interrupted; kept {len(kept)} finished variants in {files[0]}" in err
    assert "Traceback" not in err
    assert load_results(tmp_path).problems == []
    time.sleep(1)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE


def hanging_child(parent_pid):
    """The pid of the worker measuring openvino-fp32 (hanging by injection), once it has started."""
    for child in psutil.Process(parent_pid).children(recursive=True):
        try:
            if "measure" in child.cmdline():
                job = json.loads(open(child.cmdline()[-1]).read())
                if job.get("variant") == "openvino-fp32":
                    return child.pid
        except (psutil.Error, OSError, ValueError):
            continue
    return None


def test_minilm_real_weights_int8_keeps_cosine(tmp_path, cache):
    done = benchlog("run", "--model", "minilm", "--quick", "--backends", "ort-cpu", results=tmp_path, cache=cache)
    assert done.returncode == 0, done.stderr
    (path,) = run_files(tmp_path)
    doc = json.loads(path.read_text())
    assert doc["model"]["weights"] == "pretrained" and doc["model"]["name"] == "all-MiniLM-L6-v2"
    assert any("tokenizer: all-MiniLM-L6-v2 (its own)" == n for n in doc["notes"])
    got = variants(path)
    assert got["ort-cpu-fp32"]["fidelity"]["cosine"] > 0.9999
    # Per-channel QInt8 keeps the embeddings: 0.985 here over the mixed set (English sentences 0.99+ each,
    # Korean ones lower: MiniLM's English vocabulary splits Hangul into jamo); per-tensor QInt8 gives 0.92.
    assert got["ort-cpu-int8"]["fidelity"]["cosine"] > 0.97


@pytest.mark.parametrize("args, message", [
    (["run", "--backends", "tensorrt"], "benchlog: error: --backends: unknown 'tensorrt'"),
    (["run", "--batch-size", "0"], "argument --batch-size: must be a whole number >= 1, got '0'"),
    (["run", "--model", "/no/such/model-dir", "--weights", "pretrained"],
     "benchlog: error: --weights pretrained: no weights for '/no/such/model-dir'"),
])
def test_bad_options_give_one_line(tmp_path, cache, args, message):
    done = benchlog(*args, results=tmp_path, cache=cache)
    assert done.returncode in (1, 2)
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_run_under_another_cpus_id_is_refused(tmp_path, cache):
    (tmp_path / "test-machine").mkdir()
    machine = tmp_path / "test-machine/machine.json"
    machine.write_text(json.dumps({"cpu": {"model": "Some Other CPU"}}))
    done = benchlog("run", *TINY, results=tmp_path, cache=cache)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"benchlog: error: {machine} is for another CPU (") and "'Some Other CPU' there" in line
    assert line.endswith("; pass another --machine-id")
    assert json.loads(machine.read_text()) == {"cpu": {"model": "Some Other CPU"}}
    assert run_files(tmp_path) == []


def test_a_different_cpu_under_the_default_id_gets_an_id_naming_the_difference(tmp_path, cache):
    this = json.loads(benchlog("machine", results=tmp_path, cache=cache).stdout)
    default = tmp_path / this["machine_id"]
    default.mkdir()
    other = {**this, "cpu": {**this["cpu"], "flags": {**this["cpu"]["flags"], "avx2": not this["cpu"]["flags"]["avx2"]}}}
    (default / "machine.json").write_text(json.dumps(other))
    command = [sys.executable, "-m", "benchlog", "run", *TINY, "--backends", "ort-cpu-int8", "--results",
               str(tmp_path), "--cache", str(cache)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert f"benchlog: {default}/machine.json is for another CPU (ISA flags avx2 differ); this machine's results " \
           "go to the next free id" in done.stderr
    moved = sorted(p.name for p in tmp_path.iterdir())
    assert len(moved) == 2 and moved[1].startswith(this["machine_id"] + "-")
    assert load_results(tmp_path).problems == []
    assert json.loads((default / "machine.json").read_text()) == other  # untouched


@pytest.mark.parametrize("bad", ["../escaped", "My Box", "a/b", "", ".hidden", "x" * 101, "a..b"])
def test_a_hostile_machine_id_writes_nothing(tmp_path, cache, bad):
    results = tmp_path / "results"
    command = [sys.executable, "-m", "benchlog", "run", *TINY, "--results", str(results), "--cache", str(cache),
               "--machine-id", bad]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("benchlog run: error: argument --machine-id: must be a "
                                                           "slug of lower-case letters")
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_batch_4_counts_each_input_once_and_reports_throughput_per_input(tmp_path, cache):
    done = benchlog("run", *TINY, "--backends", "pytorch,ort-cpu-int8", "--batch-size", "4", results=tmp_path,
                    cache=cache)
    assert done.returncode == 0, done.stderr
    (path,) = run_files(tmp_path)
    for v in variants(path).values():
        fid, lat = v["fidelity"], v["latency_ms"]
        assert fid["argmax_total"] == 10 and fid["argmax_agree"] <= 10  # 10 inputs, not 12 padded rows
        assert v["throughput_per_s"] == pytest.approx(4 * 1e3 / lat["mean"])
        assert lat["p10"] <= lat["p50"] <= lat["p90"]


def test_two_runs_started_together_both_end_complete_and_valid(tmp_path, cache):
    command = [sys.executable, "-m", "benchlog", "run", *TINY, "--backends", "ort-cpu", "--results",
               str(tmp_path), "--cache", str(cache), "--machine-id", "test-machine"]
    procs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    files = run_files(tmp_path)
    assert len(files) == 2
    results = load_results(tmp_path)
    assert results.problems == [] and len(results.runs) == 2
    for run in results.runs:
        # the two ort-cpu variants and the reference, measured in every run
        assert run.doc["complete"] and [v["status"] for v in run.variants] == ["ok", "ok", "ok"]
    assert sorted(p.name for p in (tmp_path / "test-machine").iterdir()) == sorted(
        ["machine.json"] + [f.name for f in files])  # no temp file left


def test_a_corrupted_cached_artifact_is_rebuilt(tmp_path):
    cache = tmp_path / "own-cache"  # one model's artifacts only
    first = benchlog("run", *TINY, "--backends", "ort-cpu-int8", results=tmp_path, cache=cache)
    assert first.returncode == 0, first.stderr
    (model,) = cache.glob("*/onnx-int8/model.onnx")
    good_size = model.stat().st_size
    model.write_bytes(b"abc")  # truncated to 3 bytes
    time.sleep(1.1)
    second = benchlog("run", *TINY, "--backends", "ort-cpu-int8", results=tmp_path, cache=cache)
    assert second.returncode == 0, second.stderr
    assert "rebuilding cached onnx-int8: its files differ from its manifest (model.onnx)" in second.stderr
    assert model.stat().st_size == good_size
    newest = variants(run_files(tmp_path)[-1])["ort-cpu-int8"]
    assert newest["status"] == "ok" and newest["size"]["bytes"] == good_size


def test_a_variant_failing_with_a_python_exception_is_recorded(tmp_path, cache):
    done = benchlog("run", *TINY, "--backends", "ort-cpu", "--rounds", "2", results=tmp_path, cache=cache,
                    env={"BENCHLOG_FAULT": "ort-cpu-fp32:raise"})
    assert done.returncode == 0, done.stderr
    (path,) = run_files(tmp_path)
    got = variants(path)
    assert got["ort-cpu-fp32"]["status"] == "failed"
    assert got["ort-cpu-fp32"]["reason"] == "RuntimeError: injected fault in ort-cpu-fp32"
    assert got["ort-cpu-int8"]["status"] == "ok" and len(got["ort-cpu-int8"]["round_p50_ms"]) == 2
    assert "(round 2/2)" in done.stderr and "ort-cpu-fp32 (round 2/2)" not in done.stderr  # not run again


def test_a_full_disk_is_one_line_and_keeps_the_finished_variants(tmp_path, cache):
    disk = tmp_path / "disk"
    disk.mkdir()
    # 16k: machine.json (one 4 KB page), the run file, and its next copy while it is rewritten: the first variant fits,
    # the second does not (a variant with what it ran takes 2.5-5 KB)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()}); "
                    "test_a_full_disk_is_one_line_and_keeps_the_previous_file covers the writer")
    try:
        done = benchlog("run", *TINY, "--backends", "til", results=disk, cache=cache)
        assert done.returncode == 1, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        (path,) = run_files(disk)
        assert last.startswith(f"benchlog: error: {path}: could not be written (No space left on device)")
        assert last.endswith("finished variants in " + str(path) + " (marked incomplete)")
        assert "Traceback" not in done.stderr
        doc = json.loads(path.read_text())
        kept = int(last.split("; kept ")[1].split()[0])
        assert doc["complete"] is False and len(doc["variants"]) == kept >= 1
        assert all(v["status"] == "ok" for v in doc["variants"])
        assert sorted(p.name for p in (disk / "test-machine").iterdir()) == sorted(["machine.json", path.name])
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_the_openvino_ep_variant_is_skipped_where_the_provider_is_missing(tmp_path, cache):
    shim = ROOT / "tests/data/no_openvino_ep"
    done = benchlog("run", *TINY, "--backends", "ort-openvino,ort-cpu-fp32", results=tmp_path, cache=cache,
                    env={"PYTHONPATH": f"{shim}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"})
    assert done.returncode == 0, done.stderr
    got = variants(run_files(tmp_path)[0])
    assert got["ort-openvino-fp32"]["status"] == "skipped"
    assert got["ort-openvino-fp32"]["reason"].startswith("OpenVINOExecutionProvider is not available in this "
                                                         "onnxruntime ")
    assert got["ort-openvino-fp32"]["reason"].endswith("(available: CPUExecutionProvider); onnxruntime-openvino "
                                                       "provides it")
    assert got["ort-cpu-fp32"]["status"] == "ok"


def test_a_hanging_variant_is_ended_by_the_watchdog(tmp_path, cache):
    done = benchlog("run", *TINY, "--backends", "ort-cpu", results=tmp_path, cache=cache,
                    env={"BENCHLOG_FAULT": "ort-cpu-fp32:hang", "BENCHLOG_CHILD_TIMEOUT_S": "20"})
    assert done.returncode == 0, done.stderr
    got = variants(run_files(tmp_path)[0])
    assert got["ort-cpu-fp32"]["status"] == "failed"
    assert got["ort-cpu-fp32"]["reason"] == "timed out after 20 s and was killed (BENCHLOG_CHILD_TIMEOUT_S)"
    assert got["ort-cpu-int8"]["status"] == "ok"


def test_a_failing_reference_is_one_line(tmp_path, cache):
    model = tmp_path / "broken-model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "no-such-architecture"}')
    done = benchlog("run", "--model", str(model), "--quick", results=tmp_path / "results", cache=cache)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("benchlog: error: could not build the PyTorch FP32 reference: ")
    assert "Traceback" not in last


def test_benchlog_machine_prints_the_fingerprint(tmp_path, cache):
    done = benchlog("machine", results=tmp_path, cache=cache)
    doc = json.loads(done.stdout)
    assert doc["kind"] == "machine" and doc["cpu"]["logical_cores"] >= 1
