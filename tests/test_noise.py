"""The noise rule (report/noise.py) on canned samples, and the load meter (bench/system_load.py) on canned
/proc/stat readings."""

import os

import pytest

from bench.system_load import LoadMeter, parse_proc_stat, shares
from report import noise

HZ = os.sysconf("SC_CLK_TCK")


def stat_line(user, system, idle, steal=0):
    return f"cpu  {user} 0 {system} {idle} 0 0 0 {steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 5\n"


def test_round_spread_sem_and_cv():
    assert noise.round_spread([100.0, 105.0, 111.0]) == pytest.approx(0.11)
    assert noise.round_spread([100.0]) is None and noise.round_spread(None) is None
    # stdev([90, 100, 110]) = 10; / sqrt(3) / 100
    assert noise.round_sem([90.0, 100.0, 110.0]) == pytest.approx(10 / 3 ** 0.5 / 100)
    assert noise.round_sem([100.0]) is None
    assert noise.coefficient_of_variation([10.0, 10.0, 10.0]) == 0.0
    assert noise.coefficient_of_variation([9.0, 11.0]) == pytest.approx(2 ** 0.5 / 10)


def test_more_rounds_narrow_the_interval_a_drifting_machine_widens_it():
    three = [90.0, 100.0, 110.0]
    nine = three * 3  # the same spread, measured three times as often
    width = {n: noise.figure_half_width({"id": "pytorch-fp32", "latency_ms": {"p50": 100.0},
                                         "round_p50_ms": rounds}, None) for n, rounds in (("3", three), ("9", nine))}
    assert width["9"] < width["3"]
    assert noise.judge({"half_width": width["3"]})[0] is True
    drifting = [100.0, 100.0, 100.0, 100.0, 100.0, 130.0, 130.0, 130.0, 130.0]
    steady = [100.0, 101.0, 99.0, 100.0, 100.5, 99.5, 100.0, 100.2, 99.8]
    assert noise.figure_half_width({"id": "x", "latency_ms": {"p50": 100.0}, "round_p50_ms": drifting}, None) > \
        noise.figure_half_width({"id": "x", "latency_ms": {"p50": 100.0}, "round_p50_ms": steady}, None)


@pytest.mark.parametrize("figures, noisy, reason", [
    ({"half_width": 0.02, "round_sem": 0.2, "cv": 0.40, "round_spread": 0.3, "other_cpu_share": 0.02,
      "steal_share": 0.0}, False, None),  # spreads are recorded, not judged: the figure's interval is
    ({"half_width": 0.083}, True, "95% 구간이 ±8.3%로 넓음 (한도 ±5%)"),
    ({"half_width": 0.05}, False, None),  # the limit itself is still quiet
    ({"half_width": 0.0501}, True, "95% 구간이 ±5.0%로 넓음 (한도 ±5%)"),
    ({"other_cpu_share": 0.10}, False, None),
    ({"other_cpu_share": 0.30}, True, "다른 프로세스가 CPU의 30% 사용 (한도 10%)"),
    ({"half_width": 0.01, "other_cpu_share": 0.5}, True, "다른 프로세스가 CPU의 50% 사용 (한도 10%)"),  # a burner
    ({"steal_share": 0.06}, True, "하이퍼바이저가 CPU의 6%를 가져감 (한도 5%)"),
    ({}, None, None),
])
def test_the_rule(figures, noisy, reason):
    verdict, reasons = noise.judge(figures)
    assert verdict is noisy
    assert reasons == ([reason] if reason else [])


def test_an_older_variant_is_judged_on_an_interval_from_its_rounds():
    avx2 = {"id": "ort-cpu-int8", "latency_ms": {"p50": 149.0}, "round_p50_ms": [125.6, 149.0, 165.9]}
    assert noise.variant_noise(avx2)["noisy"] is True  # the AVX2 EPYC's run
    assert noise.variant_noise({"id": "v", "latency_ms": {"p50": 100.0}, "round_p50_ms": [100.0, 101.0]})[
        "noisy"] is None  # two rounds: no interval, and no load figures to judge
    assert noise.variant_noise({"id": "v"})["noisy"] is None


def test_a_stored_verdict_is_judged_again_by_the_current_rule():
    stored = {"id": "v", "latency_ms": {"p50": 100.0}, "round_p50_ms": [100.0, 101.0, 100.5],
              "noise": {"noisy": True, "reasons": ["old rule"], "cv": 0.43, "other_cpu_share": 0.01}}
    assert noise.variant_noise(stored)["noisy"] is False and noise.variant_noise(stored)["reasons"] == []


def _run(started, complete=True, quick=False, spread=None, rounds=3):
    def variant(vid, base, phase):  # the two alternate out of step, so their ratio varies from round to round
        values = [base * (1 + spread * ((i + phase) % 2)) for i in range(rounds)] if spread is not None else []
        return {"id": vid, "status": "ok", "latency_ms": {"p50": base}, "round_p50_ms": values}

    return {"source": {"kind": "measured"}, "complete": complete, "workload": {"quick": quick},
            "started_at": started, "variants": [variant("pytorch-fp32", 100.0, 0), variant("v", 25.0, 1)]}


def test_evidence_prefers_complete_full_quiet_then_narrow_then_newest():
    runs = {"incomplete-newest": _run("2026-03", complete=False, spread=0.0),
            "quick": _run("2026-02", quick=True, spread=0.0),
            "noisy": _run("2026-01-02", spread=0.5), "quiet-old": _run("2026-01-01", spread=0.01),
            "unknown": _run("2026-01-03")}
    order = sorted(runs, key=lambda k: noise.evidence_rank(runs[k]))
    assert order == ["quiet-old", "noisy", "unknown", "quick", "incomplete-newest"]


def test_among_quiet_runs_the_narrowest_interval_heads_not_the_newest():
    narrow, wide = _run("2026-01-01", spread=0.001, rounds=9), _run("2026-01-05", spread=0.01, rounds=9)
    assert noise.run_trust(narrow)["noisy"] is False and noise.run_trust(wide)["noisy"] is False
    assert noise.evidence_rank(narrow) < noise.evidence_rank(wide)


def test_proc_stat_and_shares_from_canned_readings():
    before = parse_proc_stat(stat_line(user=1000, system=500, idle=8000, steal=0))
    after = parse_proc_stat(stat_line(user=1000 + 150, system=500 + 50, idle=8000 + 180, steal=20))
    assert before == (1500 / HZ, 0.0, 9500 / HZ)
    # 400 ticks in all: 200 busy, of which benchlog itself used 120 ticks; 20 stolen.
    other, steal = shares(before, after, own_before=10.0, own_after=10.0 + 120 / HZ)
    assert other == pytest.approx(80 / 400) and steal == pytest.approx(20 / 400)


def test_load_meter_adds_up_intervals_and_says_unknown_without_proc():
    readings = iter([(0.0, 0.0, 0.0), (1.0, 0.0, 2.0), (1.0, 0.0, 2.0), (4.0, 0.5, 10.0)])
    own = iter([0.0, 0.9, 0.9, 3.9])
    meter = LoadMeter(read=lambda: next(readings), own=lambda: next(own))
    with meter:
        pass
    with meter:
        pass
    other, steal = meter.result()
    assert other == pytest.approx((0.1 + 0.0) / 10.0) and steal == pytest.approx(0.5 / 10.0)
    blind = LoadMeter(read=lambda: None, own=lambda: 0.0)
    with blind:
        pass
    assert blind.result() == (None, None)
