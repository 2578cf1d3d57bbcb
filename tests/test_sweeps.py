"""Sweeps re-assembled from their run files (report/sweeps.py) and the numbers their charts draw
(report/charts.sweep_chart): runs built by hand, expected values worked out in the test."""

import pytest

from benchlog.site import charts

from benchlog.analysis import sweeps
from benchlog.format.model import Run


def _point(index, seq, batch, threads, ms, sweep_id="s1", throughput=None, extra_status="ok"):
    variants = [{"id": "pytorch-fp32", "label": "PyTorch FP32", "status": "ok",
                 "latency_ms": {"p50": ms}, "throughput_per_s": throughput},
                {"id": "v", "label": "V", "status": extra_status, "latency_ms": {"p50": ms / 2}}]
    doc = {"machine_id": "box", "sweep": {"id": sweep_id, "index": index},
           "workload": {"seq_len": seq, "batch_size": batch, "threads": threads}, "variants": variants}
    return Run(f"{sweep_id}-{index}", doc, None)


class _Results:
    def __init__(self, runs):
        self.runs = runs

    def runs_of(self, machine_id):
        return [r for r in self.runs if r.doc["machine_id"] == machine_id]


def test_sweeps_of_groups_by_id_in_grid_order_newest_id_first():
    a2, a1, b1 = _point(2, 32, 1, 1, 20.0, "a"), _point(1, 16, 1, 1, 10.0, "a"), _point(1, 16, 1, 1, 10.0, "b")
    plain = Run("plain", {"machine_id": "box", "sweep": {}, "workload": {}, "variants": []}, None)
    other = Run("other", {"machine_id": "other", "sweep": {"id": "c", "index": 1}, "workload": {},
                          "variants": []}, None)
    got = sweeps.sweeps_of(_Results([a2, plain, b1, a1, other]), "box")
    assert list(got) == ["b", "a"] and got["a"] == [a1, a2] and got["b"] == [b1]


def test_series_holds_the_other_axes_at_their_first_value_and_sorts_by_the_axis():
    runs = [_point(1, 64, 1, 1, 40.0), _point(2, 16, 1, 1, 10.0), _point(3, 16, 1, 2, 6.0),
            _point(4, 64, 1, 2, 22.0, extra_status="failed")]
    by_variant, fixed = sweeps.series(runs, "seq_len")
    assert fixed == {"batch_size": 1, "threads": 1}  # the first run's values
    assert [(x, v["latency_ms"]["p50"]) for x, _, v in by_variant["pytorch-fp32"]] == [(16, 10.0), (64, 40.0)]
    threads, fixed = sweeps.series(runs, "threads")
    assert fixed == {"seq_len": 64, "batch_size": 1}
    assert [x for x, _, _ in threads["pytorch-fp32"]] == [1, 2] and [x for x, _, _ in threads["v"]] == [1]
    assert sweeps.series(runs, "batch_size") is None  # the sweep does not vary it


def test_sweep_charts_draw_latency_throughput_and_thread_speedup_from_the_files():
    runs = [_point(1, 16, 1, 1, 10.0), _point(2, 16, 1, 2, 6.0), _point(3, 16, 1, 4, 4.0)]
    by_variant, fixed = sweeps.series(runs, "threads")
    figure = charts.sweep_chart(by_variant, "threads", fixed)
    reference = next(t for t in figure["data"] if t["meta"]["variant_id"] == "pytorch-fp32")
    # Speed-up over the fewest threads: 10 / 10, 10 / 6, 10 / 4.
    assert reference["x"] == [1, 2, 4] and reference["y"] == pytest.approx([1.0, 10 / 6, 2.5])
    assert reference["customdata"] == ["s1-1", "s1-2", "s1-3"]
    assert reference["hovertext"][1] == "PyTorch FP32<br>2: 1.67"
    runs = [_point(1, 16, 1, 2, 10.0), _point(2, 64, 1, 2, 30.0)]
    by_variant, fixed = sweeps.series(runs, "seq_len")
    figure = charts.sweep_chart(by_variant, "seq_len", fixed)
    v = next(t for t in figure["data"] if t["meta"]["variant_id"] == "v")
    assert v["y"] == pytest.approx([5.0, 15.0]) and figure["layout"]["xaxis"]["type"] == "log"
    assert figure["layout"]["xaxis"]["tickvals"] == [16, 64]
    runs = [_point(1, 16, 1, 1, 10.0, throughput=100.0), _point(2, 16, 4, 1, 30.0, throughput=133.0)]
    by_variant, fixed = sweeps.series(runs, "batch_size")
    figure = charts.sweep_chart(by_variant, "batch_size", fixed)
    reference = next(t for t in figure["data"] if t["meta"]["variant_id"] == "pytorch-fp32")
    assert reference["y"] == [100.0, 133.0]
