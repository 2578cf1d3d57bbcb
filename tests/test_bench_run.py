"""`benchlog run` driven as a subprocess on a tiny DistilBERT (2 layers, hidden 32) through every backend."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from report.load import load_results

from conftest import ROOT

pytestmark = pytest.mark.backends
TINY = ["--model", "tiny-distilbert", "--quick"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("artifact-cache")


def benchlog(*args, results, cache, env=None, **kwargs):
    command = [sys.executable, "-m", "bench.cli", *args]
    if args[0] == "run":
        command += ["--results", str(results), "--cache", str(cache), "--machine-id", "test-machine"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, **(env or {})}, **kwargs)


def run_files(results):
    return sorted((results / "test-machine").glob("2*.json"))


def variants(path):
    return {v["id"]: v for v in json.loads(path.read_text())["variants"]}


def test_a_tiny_run_measures_every_backend_and_writes_a_valid_file(tmp_path, cache):
    done = benchlog("run", *TINY, results=tmp_path, cache=cache)
    assert done.returncode == 0, done.stderr
    results = load_results(tmp_path)
    assert results.problems == []
    (run,) = results.runs
    assert run.doc["complete"] and run.doc["model"]["weights"] == "random"
    assert any("RANDOM weights" in n for n in run.doc["notes"])
    assert run.doc["workload"]["threads"] >= 1 and len(run.doc["workload"]["inputs_sha256"]) == 64
    got = {v["id"]: v for v in run.variants}
    assert list(got) == ["pytorch-fp32", "ort-cpu-fp32", "ort-cpu-int8", "ort-openvino-fp32", "openvino-fp32"]
    assert all(v["status"] == "ok" for v in got.values()), [v["reason"] for v in got.values()]
    for vid in ("ort-cpu-fp32", "ort-openvino-fp32", "openvino-fp32"):
        fid = got[vid]["fidelity"]
        assert fid["max_abs_error"] < 1e-4 and fid["argmax_agree"] == fid["argmax_total"] == 10, vid
    assert got["ort-cpu-fp32"]["providers"] == ["CPUExecutionProvider"]
    assert "OpenVINOExecutionProvider" in got["ort-openvino-fp32"]["providers"]
    assert any("INFERENCE_PRECISION_HINT=f32" in n for n in got["openvino-fp32"]["notes"])
    sizes = {vid: v["size"]["bytes"] for vid, v in got.items()}
    assert abs(sizes["ort-cpu-fp32"] / sizes["pytorch-fp32"] - 1) < 0.05
    assert sizes["ort-cpu-int8"] < sizes["ort-cpu-fp32"] / 2
    assert {f["path"] for f in got["openvino-fp32"]["size"]["files"]} == {"model.xml", "model.bin"}
    for v in got.values():
        lat = v["latency_ms"]
        assert lat["count"] == 15 and lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"]
        assert v["peak_rss_bytes"] > 0 and v["load_s"] >= 0
    assert "wrote " in done.stdout and "ort-cpu-int8" in done.stdout  # the summary table
    assert "[5/5] openvino-fp32" in done.stderr  # the progress display


def test_a_second_run_appends_a_file_and_reuses_the_cache(tmp_path, cache):
    first = benchlog("run", *TINY, "--backends", "ort-cpu", results=tmp_path, cache=cache)
    assert first.returncode == 0, first.stderr
    (path,) = run_files(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    time.sleep(1.1)  # run files are named by their start second
    second = benchlog("run", *TINY, "--backends", "ort-cpu", results=tmp_path, cache=cache)
    assert second.returncode == 0, second.stderr
    assert len(run_files(tmp_path)) == 2
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert "· export ·" not in second.stderr and "· quantize ·" not in second.stderr


def test_rounds_run_each_variant_in_several_processes(tmp_path, cache):
    done = benchlog("run", *TINY, "--backends", "ort-cpu-int8", "--rounds", "2", results=tmp_path, cache=cache)
    assert done.returncode == 0, done.stderr
    (path,) = run_files(tmp_path)
    got = variants(path)["ort-cpu-int8"]
    assert len(got["round_p50_ms"]) == 2 and got["latency_ms"]["count"] == 30
    assert json.loads(path.read_text())["workload"]["rounds"] == 2
    assert "(round 2/2)" in done.stderr


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


def test_ctrl_c_keeps_the_finished_variants(tmp_path, cache):
    proc = subprocess.Popen([sys.executable, "-m", "bench.cli", "run", *TINY, "--results", str(tmp_path),
                             "--cache", str(cache), "--machine-id", "test-machine"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "BENCHLOG_FAULT": "openvino-fp32:hang"})
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        files = run_files(tmp_path)
        if files and len(variants(files[0])) == 4:
            break
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the run never finished four variants")
    time.sleep(2)  # let the hanging variant's process start
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    doc = json.loads(files[0].read_text())
    assert doc["complete"] is False and doc["finished_at"] is None
    assert [v["id"] for v in doc["variants"]] == ["pytorch-fp32", "ort-cpu-fp32", "ort-cpu-int8",
                                                  "ort-openvino-fp32"]
    assert f"interrupted; kept 4 finished variants in {files[0]}" in err
    assert "Traceback" not in err
    assert load_results(tmp_path).problems == []


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
    assert line.startswith(f"benchlog: error: {machine} is for CPU 'Some Other CPU' but this machine's CPU is ")
    assert line.endswith("; pass another --machine-id")
    assert json.loads(machine.read_text()) == {"cpu": {"model": "Some Other CPU"}}
    assert run_files(tmp_path) == []


def test_benchlog_machine_prints_the_fingerprint(tmp_path, cache):
    done = benchlog("machine", results=tmp_path, cache=cache)
    doc = json.loads(done.stdout)
    assert doc["kind"] == "machine" and doc["cpu"]["logical_cores"] >= 1
