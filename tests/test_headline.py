"""One answer per question (report/headline.py): the run that speaks for a machine on a workload, and what it
says is fastest and recommended."""

import pytest

from conftest import ROOT
from benchlog.analysis import headline
from benchlog.analysis import workloads
from benchlog.format.load import load_results
from benchlog.format.model import Run

COLAB = "colab-intel-xeon-2.20ghz-2vcpu"


def _variant(vid, p50, cosine=None, rounds=3, status="ok", noise=None):
    v = {"id": vid, "label": vid.upper(), "precision": "fp32", "backend": "x", "status": status}
    if status == "ok":
        v.update(latency_ms={"p50": p50}, round_p50_ms=[p50] * rounds, fidelity={"cosine": cosine})
    if noise:
        v["noise"] = noise
    return v


def _run(variants, started="2026-12-01T00:00:00Z", kind="measured", quick=False, complete=True, name=None):
    doc = {"machine_id": "box", "started_at": started, "complete": complete, "source": {"kind": kind},
           "workload": {"batch_size": 1, "seq_len": 128, "threads": 2, "quick": quick},
           "model": {"name": "m"}, "variants": variants}
    return Run(name or started, doc, None)


@pytest.fixture(scope="module")
def til():
    return load_results(ROOT / "results")


REF = _variant("pytorch-fp32", 100.0, 1.0)


def test_the_answer_is_the_fastest_by_speedup_and_the_fastest_above_the_floor():
    run = _run([REF, _variant("int8", 20.0, 0.95), _variant("bf16", 40.0, 0.999), _variant("fp32", 80.0, 1.0),
                _variant("broken", None, status="failed")])
    got = headline.answer(run)
    assert got["run"] is run
    assert (got["fastest"]["id"], got["fastest"]["speedup"]) == ("int8", pytest.approx(5.0))
    assert got["fastest"]["ci95"] == pytest.approx([5.0, 5.0])  # three equal rounds: a point interval
    assert (got["recommended"]["id"], got["recommended"]["speedup"]) == ("bf16", pytest.approx(2.5))
    assert headline.answer(run, floor=0.9)["recommended"]["id"] == "int8"
    assert headline.answer(run, floor=1.1)["recommended"] is None


def test_without_a_reference_the_fastest_is_the_lowest_latency():
    got = headline.answer(_run([_variant("a", 30.0), _variant("b", 20.0), _variant("c", 25.0)]))
    assert got["fastest"]["id"] == "b" and got["fastest"]["speedup"] is None
    assert headline.answer(_run([_variant("x", None, status="skipped")]))["fastest"] is None


def test_the_rule_in_order():
    three = [REF, _variant("int8", 25.0, 0.99), _variant("bf16", 50.0, 1.0)]
    busy = {"other_cpu_share": 0.5}
    runs = {
        "no-reference": _run([_variant("int8", 1.0)], "2026-12-09T00:00:00Z"),
        "transcribed": _run(three, "2026-12-08T00:00:00Z", kind="transcribed"),
        "incomplete": _run(three, "2026-12-07T00:00:00Z", complete=False),
        "quick": _run(three, "2026-12-06T00:00:00Z", quick=True),
        "two": _run(three[:2], "2026-12-05T00:00:00Z"),
        "three-noisy": _run([dict(v, noise=busy) for v in three], "2026-12-04T00:00:00Z"),
        "three-quiet-old": _run(three, "2026-12-02T00:00:00Z"),
        "three-quiet-new": _run(three, "2026-12-03T00:00:00Z"),
    }
    # Each run wins once every run the rule puts before it is gone.
    for name in ["three-quiet-new", "three-quiet-old", "three-noisy", "two", "quick", "incomplete", "transcribed",
                 "no-reference"]:
        assert headline.best_run(runs.values()) is runs[name], name
        del runs[name]
    assert headline.best_run([]) is None


def test_a_quiet_run_of_five_variants_does_not_outrank_a_noisy_run_of_thirteen():
    """The TIL's AMD EPYC: a quiet five-variant run and a noisy thirteen-variant run that measured a faster
    variant the five-variant run never ran; naming the five-variant run's fastest would be wrong."""
    five = _run([REF, _variant("ort-int8", 25.0, 0.99)], "2026-12-02T00:00:00Z")
    thirteen = _run([dict(v, noise={"other_cpu_share": 0.3}) for v in
                     [REF, _variant("ort-int8", 24.0, 0.99), _variant("nncf-int8", 17.0, 0.99)]],
                    "2026-12-01T00:00:00Z")
    assert headline.best_run([five, thirteen]) is thirteen
    assert headline.answer(thirteen)["fastest"]["id"] == "nncf-int8"


def test_the_committed_results_name_one_run_per_machine_and_workload(til):
    by_machine = workloads.machine_workloads(til)
    assert set(by_machine) == set(til.machines) - {m for m in til.machines if not til.runs_of(m)}
    colab = dict(by_machine[COLAB])[workloads.TIL_WORKLOAD]
    assert colab.id.endswith("til-2")  # the TIL's second table holds the PyTorch reference; the first does not
    got = headline.answer(colab)
    assert got["fastest"]["id"] == "ort-cpu-int8" and got["fastest"]["speedup"] == pytest.approx(2.0788, abs=1e-4)
    for machine_id, pairs in by_machine.items():
        assert pairs[0][0] == workloads.TIL_WORKLOAD  # every machine here ran the TIL's workload: it comes first
        for key, run in pairs:
            candidates = [r for r in til.runs_of(machine_id) if workloads.workload_of(r) == key]
            assert run is min(candidates, key=headline.rank)


def test_variants_that_did_not_run_are_skipped_wherever_they_are_and_labels_fall_back_to_ids():
    failed_with_a_figure = dict(_variant("crashed", 1.0, 1.0), status="failed")  # a round failed after some ran
    unlabelled = {k: v for k, v in _variant("bf16", 40.0, 0.999).items() if k != "label"}
    run = _run([_variant("gone", None, status="skipped"), failed_with_a_figure, REF, _variant("int8", 20.0, 0.95),
                unlabelled])
    got = headline.answer(run)
    assert got["fastest"]["id"] == "int8" and got["fastest"]["label"] == "INT8"
    assert got["recommended"]["label"] == "bf16" and got["recommended"]["cosine"] == 0.999


def test_the_files_speedup_decides_where_it_ranks_otherwise_than_the_latencies():
    """A run's recorded speed-up (the reference over the variant on pooled samples) is the figure pages print; the
    fastest is the variant with the highest one, even where two headline latencies say the other way round."""
    a, b = _variant("a", 20.0), _variant("b", 21.0)
    a["speedup"] = {"value": 4.8, "ci95": [4.7, 4.9], "reference": "pytorch-fp32"}
    b["speedup"] = {"value": 4.9, "ci95": [4.8, 5.0], "reference": "pytorch-fp32"}
    got = headline.answer(_run([REF, a, b]))
    assert got["fastest"]["id"] == "b" and got["fastest"]["speedup"] == 4.9
