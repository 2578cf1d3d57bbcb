"""Pure parts of the bench: statistics, fidelity, batching, the registry, file naming and the machine guard."""

import errno
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest

from benchlog.bench import cache, runner, store
from benchlog.bench.builders import BUILDERS
from benchlog.bench.machine import ISA_FLAGS
from benchlog.bench.backends import VARIANTS, Variant, select
from benchlog.bench.worker import batches, compare, summarize
from benchlog.format.errors import UserError


def test_summarize_gives_every_statistic():
    stats = summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert stats["p10"] == pytest.approx(1.4)
    assert stats["p50"] == 3.0 and stats["min"] == 1.0 and stats["max"] == 100.0 and stats["count"] == 5
    assert stats["mean"] == pytest.approx(22.0)
    assert stats["p90"] == pytest.approx(61.6)
    assert stats["std"] == pytest.approx(np.std([1, 2, 3, 4, 100], ddof=1))


def test_compare_classification_counts_argmax_agreement():
    ref = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    out = np.array([[0.9, 0.1], [0.6, 0.4], [2.0, 1.0]])
    fid = compare(out, ref, np.ones((3, 4)), "classification")
    assert (fid["argmax_agree"], fid["argmax_total"]) == (2, 3)
    assert fid["max_abs_error"] == pytest.approx(0.6)
    assert fid["reference"] == "pytorch-fp32"


def test_compare_embedding_pools_over_real_tokens_only():
    ref = np.zeros((1, 3, 2))
    ref[0, :2] = [[1.0, 0.0], [1.0, 0.0]]
    out = ref.copy()
    out[0, 2] = [0.0, 50.0]  # a padding position: ignored by the cosine, not by the max error
    fid = compare(out, ref, np.array([[1, 1, 0]]), "embedding")
    assert fid["cosine"] == pytest.approx(1.0)
    assert fid["max_abs_error"] == 50.0
    assert fid["argmax_agree"] is None


def test_batches_cover_every_input():
    ids = np.arange(10).reshape(10, 1)
    got = batches(ids, ids, 4)
    assert [b[0].ravel().tolist() for b in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]


def test_backends_selection():
    assert select("all") == list(VARIANTS)
    assert select("ort-cpu,pytorch-fp32") == ["pytorch-fp32", "ort-cpu-fp32", "ort-cpu-int8"]
    assert select("ort,pytorch") == ["pytorch-fp32", "pytorch-bf16", "pytorch-int8", "ort-cpu-fp32", "ort-cpu-int8-u8",
                                     "ort-cpu-int8", "ort-cpu-int8-fused", "ort-cpu-int8-attn"]
    assert select("til") == ["pytorch-fp32", "ort-cpu-fp32", "ort-cpu-int8", "ort-openvino-fp32", "openvino-fp32"]
    assert select("fp32") == ["pytorch-fp32", "ort-cpu-fp32", "ort-openvino-fp32", "openvino-fp32"]
    assert select("openvino-fp32") == ["openvino-fp32"]
    with pytest.raises(ValueError, match="unknown 'tensorrt'"):
        select("tensorrt")


def test_importing_bench_imports_no_ml_library():
    import subprocess
    import sys

    code = ("import sys, benchlog.cli, benchlog.bench.runner, benchlog.bench.backends, benchlog.site.plugin;"
            "print([m for m in ('torch', 'onnxruntime', 'openvino', 'transformers') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_missing_library_is_recorded_as_skipped():
    variant = Variant("fake-fp32", "fake", "fp32", "Fake", "benchlog.bench.backends.fake", "onnx-fp32", ("no_such_lib_x",))
    record = runner.run_variant(variant, SimpleNamespace(task="classification"), {"artifact_root": "/nonexistent"},
                                {}, progress=None)
    assert record["status"] == "skipped"
    assert record["reason"] == "no_such_lib_x is not installed (pip install -e '.[bench]')"


def test_size_counts_every_file_including_external_data(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"x" * 700)
    (tmp_path / "model.onnx.data").write_bytes(b"x" * 5000)
    (tmp_path / "settings.json").write_text("{}")
    size = cache.files_of(tmp_path)
    assert size["bytes"] == 5700
    assert [f["path"] for f in size["files"]] == ["model.onnx", "model.onnx.data"]


def test_run_files_are_claimed_never_overwritten(tmp_path):
    doc = {"started_at": "2026-11-27T10:00:00Z", "model": {"name": "My/Model"}}
    first = store.claim_run_file(tmp_path, doc)
    assert first.name == "20261127T100000Z-my-model.json"
    assert store.claim_run_file(tmp_path, {**doc, "n": 2}).name == "20261127T100000Z-my-model-2.json"
    assert json.loads(first.read_text()) == doc
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20261127T100000Z-my-model-2.json",
                                                           "20261127T100000Z-my-model.json"]  # no temp left


def test_concurrent_claims_and_rewrites_lose_nothing(tmp_path):
    """Eight threads claim run files in the same second and rewrite them 20 times each: eight files, each
    holding its own last write, no temp file left."""
    doc = {"started_at": "2026-11-27T10:00:00Z", "model": {"name": "m"}}

    def writer(i):
        path = store.claim_run_file(tmp_path, {**doc, "writer": i, "step": 0})
        for step in range(1, 21):
            store.replace_json(path, {**doc, "writer": i, "step": step})
        return path

    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(writer, range(8)))
    assert len(set(paths)) == 8
    docs = [json.loads(p.read_text()) for p in paths]
    assert sorted(d["writer"] for d in docs) == list(range(8)) and all(d["step"] == 20 for d in docs)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_a_full_disk_is_one_line_and_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    store.replace_json(path, {"variants": [1]})

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, "fsync", full)
    with pytest.raises(UserError) as exc:
        store.replace_json(path, {"variants": [1, 2]})
    assert str(exc.value) == (f"{path}: could not be written (No space left on device); nothing already written "
                              "was changed")
    assert json.loads(path.read_text()) == {"variants": [1]}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def machine(model="AMD EPYC", avx512=False, cores=2):
    flags = {f: False for f in ISA_FLAGS}
    flags.update(avx2=True, avx512f=avx512)
    return {"machine_id": "amd-epyc-2vcpu", "cpu": {"vendor": "AuthenticAMD", "model": model, "physical_cores": cores,
                                                   "logical_cores": cores, "flags": flags}}


def test_a_different_fingerprint_under_an_explicit_id_is_refused(tmp_path):
    folder = store.place_machine(tmp_path, machine(), explicit=True, warn=print)
    written = (folder / "machine.json").read_text()
    with pytest.raises(UserError) as exc:
        store.place_machine(tmp_path, machine(avx512=True), explicit=True, warn=print)
    assert str(exc.value) == (f"{folder}/machine.json is for another CPU (ISA flags avx512f differ); pass another "
                              "--machine-id")
    assert (folder / "machine.json").read_text() == written
    assert store.place_machine(tmp_path, machine(), explicit=True, warn=print) == folder  # same CPU: fine


def test_a_different_fingerprint_under_the_default_id_moves_to_an_id_naming_it(tmp_path):
    warnings = []
    plain = store.place_machine(tmp_path, machine(), explicit=False, warn=warnings.append)
    wide = store.place_machine(tmp_path, machine(avx512=True), explicit=False, warn=warnings.append)
    assert (plain.name, wide.name) == ("amd-epyc-2vcpu", "amd-epyc-2vcpu-avx512")
    assert json.loads((wide / "machine.json").read_text())["machine_id"] == "amd-epyc-2vcpu-avx512"
    assert warnings == [f"{plain}/machine.json is for another CPU (ISA flags avx512f differ); this machine's "
                        "results go to the next free id"]
    more_cores = store.place_machine(tmp_path, machine(avx512=True, cores=4), explicit=False, warn=warnings.append)
    assert more_cores.name == "amd-epyc-2vcpu-avx512-2"
    assert store.place_machine(tmp_path, machine(avx512=True), explicit=False, warn=warnings.append) == wide


def test_an_unreadable_machine_file_is_one_line(tmp_path):
    (tmp_path / "amd-epyc-2vcpu").mkdir()
    (tmp_path / "amd-epyc-2vcpu/machine.json").write_text("{trunc")
    with pytest.raises(UserError) as exc:
        store.place_machine(tmp_path, machine(), explicit=True, warn=print)
    assert str(exc.value) == (f"{tmp_path}/amd-epyc-2vcpu/machine.json: cannot be read as a machine file "
                              "(JSONDecodeError); fix or move it, or pass another --machine-id")


def test_a_cached_artifact_is_checked_against_its_manifest_and_rebuilt(tmp_path, monkeypatch):
    builds = []

    def fake_build(_source, out, _build_model):
        builds.append(out.name)
        (out / "model.safetensors").write_bytes(b"w" * 1000)

    monkeypatch.setitem(BUILDERS, "pytorch", fake_build)
    phases = []
    folder = cache.ensure(tmp_path, "pytorch", None, phases.append)
    assert cache.manifest_problem(folder) is None and len(builds) == 1
    assert cache.ensure(tmp_path, "pytorch", None, phases.append) == folder and len(builds) == 1  # reused
    (folder / "model.safetensors").write_bytes(b"w" * 3)  # truncated
    cache.ensure(tmp_path, "pytorch", None, phases.append)
    assert len(builds) == 2 and (folder / "model.safetensors").stat().st_size == 1000
    assert "rebuilding cached pytorch: its files differ from its manifest (model.safetensors)" in phases
    (folder / "model.safetensors").write_bytes(b"x" * 1000)  # same size, other bytes
    assert cache.manifest_problem(folder) == "model.safetensors does not match its checksum"
    (folder / "manifest.json").unlink()
    assert cache.manifest_problem(folder).startswith("it has no readable manifest")
    assert cache.files_of(folder)["files"] == [{"path": "model.safetensors", "bytes": 1000}]


def test_temp_folders_of_dead_builds_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (tmp_path / f".onnx-fp32.tmp-{dead}").mkdir()
    (tmp_path / f".onnx-fp32.tmp-{os.getpid()}").mkdir()  # a live process's build is left alone
    cache.remove_stale_temps(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f".onnx-fp32.tmp-{os.getpid()}"]


def test_cache_key_changes_with_the_weights(tmp_path):
    a = cache.cache_key({"name": "m"}, "random", None, 0)
    assert a == cache.cache_key({"name": "m"}, "random", None, 0)
    assert a != cache.cache_key({"name": "m"}, "random", None, 1)
    assert a != cache.cache_key({"name": "other"}, "random", None, 0)


def test_rounds_pool_samples_and_keep_each_process_median():
    def measured(samples, rss):
        return {"id": "v", "status": "ok", "reason": None, "samples": samples, "latency_ms": summarize(samples),
                "throughput_per_s": 1e3 / summarize(samples)["mean"], "peak_rss_bytes": rss, "notes": []}

    pooled = []
    record = runner.merge_round(None, measured([10.0, 12.0], 100), pooled, 0, 1)
    record = runner.merge_round(record, measured([20.0, 22.0], 300), pooled, 1, 1)
    record = runner.merge_round(record, {"id": "v", "status": "failed", "reason": "boom"}, pooled, 2, 1)
    assert record["round_p50_ms"] == [11.0, 21.0]
    assert record["latency_ms"]["count"] == 4 and record["latency_ms"]["p50"] == 16.0
    assert record["throughput_per_s"] == pytest.approx(1e3 / 16.0)
    assert record["peak_rss_bytes"] == 300
    assert record["status"] == "ok" and record["notes"] == ["round 3 failed: boom"]
    assert "samples" not in record


def test_process_spread_text():
    from benchlog.site.tables import process_spread

    assert process_spread([98.14, 101.3, 99.0]) == "프로세스 3개: 98.1–101.3"
    assert process_spread([98.0]) is None and process_spread(None) is None


def test_nodes_per_provider_counts_what_each_provider_executed(tmp_path):
    from benchlog.bench.backends.ort import nodes_per_provider

    events = [{"cat": "Session", "name": "session_initialization"},
              {"cat": "Node", "name": "OpenVINO-EP-subgraph_1_kernel_time",
               "args": {"provider": "OpenVINOExecutionProvider"}},
              {"cat": "Node", "name": "Gather_0_kernel_time", "args": {"provider": "CPUExecutionProvider"}},
              {"cat": "Node", "name": "Gather_0_fence_before", "args": {"provider": "CPUExecutionProvider"}},
              {"cat": "Node", "name": "Add_1_kernel_time", "args": {"provider": "CPUExecutionProvider"}}]
    assert nodes_per_provider(events) == {"OpenVINOExecutionProvider": 1, "CPUExecutionProvider": 2}
