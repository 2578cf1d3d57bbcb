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


def test_more_rounds_narrow_the_verdict_a_drifting_machine_widens_it():
    three = [90.0, 100.0, 110.0]  # standard error 5.8%: noisy
    assert noise.judge({"round_sem": noise.round_sem(three)})[0] is True
    nine = three * 3  # the same spread, measured three times as often: 3.5%
    assert noise.judge({"round_sem": noise.round_sem(nine)})[0] is False
    assert noise.round_spread(nine) == noise.round_spread(three)  # the max-min spread alone could not say so


@pytest.mark.parametrize("figures, noisy, reason", [
    ({"round_sem": 0.02, "cv": 0.40, "round_spread": 0.3, "other_cpu_share": 0.02, "steal_share": 0.0}, False,
     None),  # recorded, not judged: a slow tail does not move the median
    ({"round_sem": 0.083}, True, "라운드 중앙값의 표준오차가 8.3% (한도 5%)"),
    ({"round_sem": 0.05}, False, None),  # the limit itself is still quiet
    ({"other_cpu_share": 0.30}, True, "다른 프로세스가 CPU의 30% 사용 (한도 10%)"),
    ({"steal_share": 0.06}, True, "하이퍼바이저가 CPU의 6%를 가져감 (한도 5%)"),
    ({}, None, None),
])
def test_the_rule(figures, noisy, reason):
    verdict, reasons = noise.judge(figures)
    assert verdict is noisy
    assert reasons == ([reason] if reason else [])


def test_a_format_2_variant_is_judged_on_its_rounds():
    assert noise.variant_noise({"round_p50_ms": [125.6, 149.0, 165.9]})["noisy"] is True  # the AVX2 EPYC's run
    assert noise.variant_noise({"round_p50_ms": [100.0, 101.0]})["noisy"] is False
    assert noise.variant_noise({})["noisy"] is None


def test_a_stored_verdict_is_judged_again_by_the_current_rule():
    stored = {"round_p50_ms": [100.0, 101.0], "noise": {"noisy": True, "reasons": ["old rule"], "cv": 0.43}}
    assert noise.variant_noise(stored)["noisy"] is False and noise.variant_noise(stored)["reasons"] == []


def test_evidence_prefers_complete_full_quiet_then_newest():
    def run(started, complete=True, quick=False, spread=None):
        variant = {"id": "v", "status": "ok", "round_p50_ms": [100.0, 100.0 * (1 + spread)] if spread else []}
        return {"source": {"kind": "measured"}, "complete": complete, "workload": {"quick": quick},
                "started_at": started, "variants": [variant]}

    runs = {"incomplete-newest": run("2026-03", complete=False), "quick": run("2026-02", quick=True),
            "noisy": run("2026-01-02", spread=0.5), "quiet-old": run("2026-01-01", spread=0.01),
            "unknown": run("2026-01-03")}
    order = sorted(runs, key=lambda k: noise.evidence_rank(runs[k]))
    assert order == ["quiet-old", "unknown", "noisy", "quick", "incomplete-newest"]


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
