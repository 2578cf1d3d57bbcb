"""Sweeps and the roof, through the CLI as a user runs them, and on the machine page the site builds from them."""

import html
import json
import re
import shutil
import subprocess
import sys

import pytest

from benchlog.bench.sweep import grid
from benchlog.format.load import load_results

from conftest import ROOT, mkdocs_build

pytestmark = pytest.mark.backends
TINY = ["--model", "tiny-distilbert", "--quick", "--rounds", "1", "--machine-id", "test-machine", "--no-roof"]


def cli(*args, cwd=ROOT, timeout=900):
    return subprocess.run([sys.executable, "-m", "benchlog", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def test_the_grid_is_every_combination_in_a_fixed_order():
    points = grid([1, 4], [16, 32], [None])
    assert points == [{"batch_size": 1, "seq_len": 16, "threads": None}, {"batch_size": 1, "seq_len": 32, "threads": None},
                      {"batch_size": 4, "seq_len": 16, "threads": None}, {"batch_size": 4, "seq_len": 32, "threads": None}]
    assert len(grid([1], [16, 32, 64, 128, 256, 512], [1, 2])) == 12
    assert grid([1], [128], [None]) == [{"batch_size": 1, "seq_len": 128, "threads": None}]


@pytest.mark.parametrize("value, message", [("16,16", "lists each value once, got '16,16'"),
                                            ("16,0", "must be a whole number >= 1, got '0'"),
                                            ("16,x", "must be a whole number >= 1, got 'x'")])
def test_a_bad_list_is_one_argparse_line(tmp_path, value, message):
    done = cli("run", *TINY, "--seq-len", value, "--results", str(tmp_path))
    assert done.returncode == 2 and done.stderr.strip().splitlines()[-1].endswith(message)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A tiny sweep over sequence length and threads, and a small roof at 1 and 2 threads, in one results folder."""
    root = tmp_path_factory.mktemp("swept")
    results, cache = root / "results", root / "cache"
    done = cli("run", *TINY, "--backends", "pytorch-fp32,ort-cpu-int8,openvino-int8", "--seq-len", "16,32",
               "--threads", "1,2", "--results", str(results), "--cache", str(cache))
    assert done.returncode == 0, done.stderr
    for threads in ("1", "2"):
        roof = cli("roof", "--sizes", "64,128", "--threads", threads, "--machine-id", "test-machine",
                   "--results", str(results))
        assert roof.returncode == 0, roof.stderr
    return results, done, roof


def test_a_sweep_writes_one_file_per_point_with_one_id_and_the_grid(swept):
    results, done, _ = swept
    loaded = load_results(results)
    assert loaded.problems == []
    runs = sorted(loaded.runs, key=lambda r: r.doc["sweep"]["index"])
    assert len(runs) == 4 and len({r.doc["sweep"]["id"] for r in runs}) == 1
    assert runs[0].doc["sweep"]["grid"] == {"batch_size": [1], "seq_len": [16, 32], "threads": [1, 2]}
    assert [(r.doc["workload"]["seq_len"], r.doc["workload"]["threads"]) for r in runs] == \
        [(16, 1), (16, 2), (32, 1), (32, 2)]
    assert all(r.doc["complete"] and len(r.variants) == 3 for r in runs)
    assert "sweep point 4/4: batch 1, sequence 32, threads 2" in done.stderr


def test_the_roof_file_holds_every_library_and_an_estimate(swept):
    results, _, roof = swept
    docs = load_results(results).roofs_of("test-machine")
    assert sorted(d["threads"] for d in docs) == [1, 2]
    gemm = docs[-1]["gemm"]
    assert {(g["library"], g["precision"]) for g in gemm} >= {("torch", "fp32"), ("torch", "int8"),
                                                               ("onnxruntime", "fp32"), ("onnxruntime", "int8"),
                                                               ("openvino", "fp32"), ("openvino", "int8")}
    assert {g["size"] for g in gemm if g["size"]} == {64, 128}  # the loader gives a missing field as None or []
    # and the GEMMs of the workloads the runs measured at these threads: the tiny model (hidden 32, feed-forward 64)
    # at batch 1 and sequences 16 and 32, M = 16 and 32 rows
    dims = load_results(results).runs[0].doc["model"]["dims"]
    assert (dims["hidden"], dims["ffn"]) == (32, 64)
    assert {tuple(g["shape"]) for g in gemm if g["shape"]} == {
        (m, k, n) for m in (16, 32) for k, n in ((32, 32), (32, 64), (64, 32))}
    assert all(bool(g["size"]) != bool(g["shape"]) for g in gemm)
    for g in gemm:  # the rate is the operations of the GEMM over its median time
        m, k, n = g.get("shape") or [g.get("size")] * 3
        assert g["rate_gops"] == pytest.approx(2 * m * k * n / (g["median_ms"] / 1e3) / 1e9)
    assert "GEMM roof at 2 threads" in roof.stdout and "fp32:" in roof.stdout
    assert "32x64x32: fp32 " in roof.stdout
    if docs[-1]["estimate"]:
        assert docs[-1]["estimate"]["fp32"]["basis"].startswith("estimate: ")


def test_the_machine_page_shows_sweeps_roof_advice_and_efficiency(swept, site_copy):
    results, _, _ = swept
    shutil.copytree(results / "test-machine", site_copy / "results/test-machine")  # beside the real results
    done = mkdocs_build(site_copy)
    assert done.returncode == 0, done.stderr
    page = (site_copy / "public/results/machines/test-machine/index.html").read_text()
    figures = [json.loads(html.unescape(m)) for m in re.findall(r'data-figure="([^"]*)"', page)]
    axes = {t["meta"]["sweep_axis"] for f in figures for t in f["data"] if "sweep_axis" in t.get("meta", {})}
    assert axes == {"seq_len", "threads"}
    threads_chart = next(f for f in figures if any(t.get("meta", {}).get("sweep_axis") == "threads" for t in f["data"]))
    # Speed-up over the fewest threads, recomputed from the files' medians: the run at 1 thread over each point's.
    p50 = {(r.id, v["id"]): v["latency_ms"]["p50"] for r in load_results(results).runs for v in r.variants}
    for trace in threads_chart["data"]:
        ms = [p50[(run_id, trace["meta"]["variant_id"])] for run_id in trace["customdata"]]
        assert trace["x"] == [1, 2] and len(ms) == 2
        assert trace["y"] == pytest.approx([ms[0] / ms[0], ms[0] / ms[1]])
    assert 'id="advice"' in page and 'id="roof"' in page and "benchlog-advice" in page
    assert page.count('class="benchlog-table benchlog-efficiency"') == 4  # one per sweep point
    # The point that speaks for the machine is shown in full among the runs; the others are folded in the sweep.
    assert page.count('<section class="benchlog-run"') == 1 and page.count('class="benchlog-details benchlog-run"') == 3
    assert re.search(r"\d+%<br><small>int8 상한", page)  # % of the measured roof, against the int8 roof
    # and of the roof at the workload's own GEMM shapes, in every efficiency table; the roof table lists it per
    # workload (sequences 16 and 32: M = 16 and 32)
    assert page.count("형상 상한 대비") >= 4 * 3
    assert re.search(r"1×16, H 32/F 64: [\d,]+ \(\w+\)", page)
    assert re.search(r"1×32, H 32/F 64: [\d,]+ \(\w+\)", page)
    pareto = [f for f in figures if f["layout"].get("meta", {}).get("floor") == 0.99]
    assert len(pareto) == 1  # a folded point keeps its efficiency table; the Pareto chart is the featured run's


def test_the_roof_times_the_shapes_of_the_newest_readable_workloads_and_no_giant(tmp_path):
    """Shapes come from run files that pass the format's checks, newest workload first; a workload whose GEMMs would
    not fit in memory (a file may claim any sequence length) is not timed."""
    from benchlog.bench.roof import MAX_ELEMENTS, workload_shapes

    shutil.copytree(ROOT / "results/intel-xeon-2vcpu", tmp_path / "intel-xeon-2vcpu")
    got = workload_shapes(tmp_path, "intel-xeon-2vcpu", 2)
    assert got[:3] == [[128, 384, 384], [128, 384, 1536], [128, 1536, 384]]  # MiniLM's run is the newest
    assert [128, 768, 3072] in got and workload_shapes(tmp_path, "intel-xeon-2vcpu", 1) == []
    newest = max((tmp_path / "intel-xeon-2vcpu").glob("2*.json"))
    doc = json.loads(newest.read_text())
    doc["workload"]["seq_len"] = 1 << 20  # M = 2^20 rows: 2^20 x 384 alone is 6 x 2^22 elements
    newest.write_text(json.dumps(doc))
    assert load_results(tmp_path).problems == []  # the file is read, and its workload is the newest
    got = workload_shapes(tmp_path, "intel-xeon-2vcpu", 2)
    assert all(m * k + k * n + m * n <= MAX_ELEMENTS for m, k, n in got) and [128, 768, 3072] in got
    newest.write_text("{not json")  # unreadable: passed over
    assert [128, 768, 3072] in workload_shapes(tmp_path, "intel-xeon-2vcpu", 2)
