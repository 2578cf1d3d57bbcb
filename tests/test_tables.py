"""Tables, speed-ups, best variants and the CPU feature table, on sample and transcribed results."""

import re

import pytest

from benchlog.analysis import workloads
from benchlog.site import tables
from benchlog.format.load import load_results

from conftest import DATA, ROOT

COLAB = "colab-intel-xeon-2.20ghz-2vcpu"


@pytest.fixture(scope="module")
def til():
    return load_results(ROOT / "results")


@pytest.fixture(scope="module")
def sample():
    return load_results(DATA / "results")


def row(frame, run_suffix, variant):
    match = frame[frame.run_id.str.endswith(run_suffix) & (frame.variant_id == variant)]
    assert len(match) == 1
    return match.iloc[0]


TIL_TEXT = (DATA / "til/2025-11-30.txt").read_text()  # the post as its author wrote it, tables and all


def til_table_1():
    """'1) ORT + CPU EP : 204.993 ms' lines of the TIL's first table, by line number."""
    return {int(n): float(ms) for n, ms in re.findall(r"^\s*(\d)\) [^:]+:\s*([\d.]+) ms", TIL_TEXT, re.M)}


def til_table_2():
    """The TIL's second table as {row name: [PyTorch FP32, ONNX FP32, ONNX INT8] cells}, markup stripped."""
    rows = {}
    for line in TIL_TEXT.splitlines():
        cells = [c.strip().strip("*").strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and not set(cells[0]) <= set("- "):
            rows[cells[0]] = cells[1:]
    return rows


def number(cell):
    return float(re.match(r"[\d.]+", cell.strip("*")).group())


def test_til_figures_are_transcribed_exactly(til):
    frame = tables.variant_frame(til, [r for r in til.runs if r.transcribed])
    table1 = til_table_1()
    assert len(table1) == 3
    for n, variant in ((1, "ort-cpu-fp32"), (2, "ort-openvino-fp32"), (3, "openvino-fp32")):
        got = row(frame, "til-1", variant)
        assert (got.latency_ms, got.latency_stat) == (table1[n], "mean")  # "평균 per inference"
    table2 = til_table_2()
    speed, size, error, argmax = (table2[k] for k in ("추론 속도", "모델 용량", "정확도(AE)", "Argmax 동일 비율"))
    pytorch, onnx, int8 = (row(frame, "til-2", v) for v in ("pytorch-fp32", "ort-cpu-fp32", "ort-cpu-int8"))
    assert [pytorch.latency_ms, onnx.latency_ms, int8.latency_ms] == [number(c) for c in speed]
    assert {pytorch.latency_stat, onnx.latency_stat, int8.latency_stat} == {"reported"}  # statistic not stated
    assert (pytorch.size_mib, int8.size_mib) == (number(size[0]), number(size[2]))
    assert onnx.size_mib is None and onnx.size_reported == size[1] == "0.66MB(?)"
    assert (onnx.abs_error, int8.abs_error) == (number(error[1]), number(error[2]))
    assert [onnx.argmax_agreement, int8.argmax_agreement] == argmax[1:] == ["10/10", "7/10"]
    assert frame.transcribed.all()


def test_the_wrong_size_is_flagged_not_a_size(til):
    onnx = row(tables.variant_frame(til), "til-2", "ort-cpu-fp32")
    assert onnx.size_mib is None
    assert onnx.size_reported == "0.66MB(?)"
    assert "model.onnx.data" in onnx.size_flag  # the external-data file the TIL did not count


def test_speedups_are_within_one_run(til):
    frame = tables.variant_frame(til)
    assert row(frame, "til-2", "ort-cpu-int8").speedup == pytest.approx(371.9 / 178.9)
    assert row(frame, "til-2", "pytorch-fp32").speedup == pytest.approx(1.0)
    # Table 1 has no PyTorch FP32 reference: no speed-up rather than one borrowed from another run.
    assert row(frame, "til-1", "ort-cpu-fp32").speedup is None


def test_headline_latency_prefers_the_median():
    assert tables.headline_latency({"mean": 10.0, "p50": 9.0}) == (9.0, "p50")
    assert tables.headline_latency({"mean": 10.0}) == (10.0, "mean")
    assert tables.headline_latency({"reported": 3.0}) == (3.0, "reported")
    assert tables.headline_latency({}) == (None, None)


def test_size_counts_bytes_as_mib():
    assert tables.size_mib({"bytes": 2**20 * 3}) == 3.0
    assert tables.size_mib({"mib": 1.5}) == 1.5
    assert tables.size_mib({"bytes": 10, "flag": "wrong"}) is None


def test_failed_and_skipped_variants_carry_their_reason(sample):
    frame = tables.variant_frame(sample)
    failed = row(frame, "tiny-distilbert", "ort-openvino-fp32")
    assert (failed.status, failed.reason) == ("failed", "RuntimeError: OpenVINO EP could not compile the model")
    assert failed.latency_ms is None and failed.speedup is None


def test_comparison_keeps_the_newest_measured_run_per_series(sample, tmp_path):
    import shutil

    shutil.copytree(DATA / "results", tmp_path, dirs_exist_ok=True)
    old = tmp_path / "test-box/20260101T000000Z-tiny-distilbert.json"
    newer = old.read_text().replace("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    (tmp_path / "test-box/20260201T000000Z-tiny-distilbert.json").write_text(newer)
    results = load_results(tmp_path)
    assert [r.id for _, runs in workloads.comparison_sections(results) for r in runs
            if r.machine_id == "test-box"] == [
        "20260201T000000Z-tiny-distilbert"]


def test_cpu_feature_table_maps_the_tils_rules(til, sample):
    table = tables.cpu_feature_table(til).set_index("optimisation")
    laptop = table["intel-core-i5-8265u-4c8t"]
    assert laptop.to_dict() == {"VNNI": False, "BF16 최적화": False, "Low-precision fusion": False,
                                "8-bit kernel accel": False, "Thread-pinning optimization": False}
    assert table[COLAB].isna().all() or all(v is None for v in table[COLAB])
    box = tables.cpu_feature_table(sample).set_index("optimisation")["test-box"]
    assert box["VNNI"] is True and box["BF16 최적화"] is True and box["Low-precision fusion"] is True


def test_history_draws_each_variant_over_one_machines_runs_with_its_band(til):
    from benchlog.site import charts

    runs = [r for r in til.runs if r.machine_id == "amd-epyc-2vcpu-avx512" and not r.doc["workload"]["quick"]
            and workloads.workload_of(r) == workloads.TIL_WORKLOAD]  # the machine page draws one workload's history
    assert len(runs) >= 2
    figure = charts.history_chart(tables.variant_frame(til, runs))
    lines = {t["meta"]["variant_id"]: t for t in figure["data"] if t.get("mode") == "lines+markers"}
    assert len(lines) >= 5
    for vid, line in lines.items():  # each variant over the runs that measured it, oldest first
        measured = [(r, v) for r in sorted(runs, key=lambda r: r.doc["started_at"]) for v in r.variants
                    if v["id"] == vid and v["status"] == "ok"]
        assert line["y"] == [v["latency_ms"]["p50"] for _, v in measured]
        assert line["customdata"] == [r.id for r, _ in measured]
    bands = [t for t in figure["data"] if t.get("fill") == "tonexty"]
    assert len(bands) == len(lines)  # every variant has its p10-p90 band
    assert charts.history_chart(tables.variant_frame(til, runs[:1])) is None  # one run is no history


def test_workloads_are_ordered_by_number_not_by_text():
    from benchlog.format.model import Results, Run

    def run(seq, batch=1, model="m"):
        doc = {"machine_id": "box", "started_at": f"2026-01-01T00:00:{seq % 60:02d}Z", "complete": True,
               "source": {"kind": "measured"}, "model": {"name": model},
               "workload": {"batch_size": batch, "seq_len": seq, "quick": False},
               "variants": [{"id": "pytorch-fp32", "status": "ok", "latency_ms": {"p50": 10.0}}]}
        return Run(f"r{seq}-{batch}", doc, None)

    results = Results(runs=[run(16), run(256), run(32), run(512), run(64), run(32, batch=4)])
    keys = [key for key, _ in workloads.comparison_sections(results)]
    assert keys == [("m", 1, 16), ("m", 1, 32), ("m", 1, 64), ("m", 1, 256), ("m", 1, 512), ("m", 4, 32)]
