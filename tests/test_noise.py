"""The noise rule (report/noise.py) on canned samples, and the load meter (bench/system_load.py) on canned
/proc/stat readings."""

import math
import os

import pytest

from benchlog.bench.system_load import LoadMeter, parse_proc_stat, shares
from benchlog.analysis import noise
from benchlog.site import tables
from benchlog.site.strings import UI

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
    assert [tables.reason_text(key, figures[key], noise.LIMITS[key]) for key in reasons] == \
        ([reason] if reason else [])


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


def test_a_run_is_noisy_when_any_variant_is_not_only_the_last():
    run = _run("2026-01-01", spread=0.0)  # equal rounds: point intervals, so both variants are quiet
    assert noise.run_trust(run)["noisy"] is False
    run["variants"][0]["noise"] = {"other_cpu_share": 0.5}  # the reference (first) ran beside other work
    trust = noise.run_trust(run)
    assert trust["noisy"] is True and trust["advice"] == ["noisy"]
    assert trust["reasons"] == [{"variant": "pytorch-fp32", "key": "other_cpu_share", "value": 0.5, "limit": 0.10}]
    run["variants"].reverse()  # and when it is the last
    assert noise.run_trust(run)["noisy"] is True
    run["variants"][1]["status"] = "failed"  # a variant that did not run is not judged
    assert noise.run_trust(run)["noisy"] is False


@pytest.mark.parametrize("key, limit", [("half_width", 0.05), ("other_cpu_share", 0.10), ("steal_share", 0.05)])
def test_each_limit_is_exclusive(key, limit):
    assert noise.judge({key: limit}) == (False, [])
    verdict, reasons = noise.judge({key: limit + 1e-9})
    assert verdict is True and len(reasons) == 1
    assert noise.judge({key: None}) == (None, [])


def test_proc_stat_counts_nice_irq_and_softirq_as_busy_and_iowait_as_idle():
    # user nice system idle iowait irq softirq steal
    line = "cpu  100 20 30 400 50 6 4 10 0 0\n"
    busy, steal, total = parse_proc_stat(line)
    assert busy == pytest.approx((100 + 20 + 30 + 6 + 4) / HZ)
    assert steal == pytest.approx(10 / HZ)
    assert total == pytest.approx((160 + 400 + 50 + 10) / HZ)
    assert parse_proc_stat("cpu0 1 2 3 4\nintr 5\n") is None  # only the all-CPU line counts


def test_spread_and_sem_ignore_non_positive_rounds_and_need_two():
    assert noise.round_spread([-5.0, 0.0, 100.0, 110.0]) == pytest.approx(0.1)
    assert noise.round_spread([100.0, 110.0]) == pytest.approx(0.1)  # two rounds are enough
    assert noise.round_sem([-5.0, 100.0, 100.0]) == 0.0
    assert noise.round_sem([90.0, 110.0]) == pytest.approx((200 ** 0.5) / 2 ** 0.5 / 100)  # stdev 14.14 / sqrt 2
    assert noise.coefficient_of_variation([5.0]) is None


def test_variant_noise_keeps_stored_figures_and_derives_the_missing_ones():
    stored = {"id": "v", "latency_ms": {"p50": 100.0}, "round_p50_ms": [100.0, 100.0, 100.0],
              "noise": {"other_cpu_share": 0.5, "round_spread": 0.123}}
    n = noise.variant_noise(stored)
    assert n["noisy"] is True and n["round_spread"] == 0.123 and n["round_sem"] == 0.0
    assert n["half_width"] == pytest.approx(0, abs=1e-12)
    assert n["other_cpu_share"] == 0.5 and len(n["reasons"]) == 1
    derived = noise.variant_noise({"id": "v", "latency_ms": {"p50": 100.0}, "round_p50_ms": [90.0, 100.0, 110.0]})
    assert derived["round_spread"] == pytest.approx(20 / 90)
    assert derived["round_sem"] == pytest.approx(10 / 3 ** 0.5 / 100)


def test_a_busy_machine_is_noisy_even_without_an_interval():
    n = noise.variant_noise({"id": "v", "latency_ms": {"p50": 100.0}, "noise": {"other_cpu_share": 0.5}})
    assert n["half_width"] is None and n["noisy"] is True


def test_a_variant_is_judged_on_its_speedup_interval_the_reference_on_its_median():
    point = {"latency_ms": {"p50": 25.0}, "round_p50_ms": [25.0, 25.0, 25.0]}
    wide = {"value": 2.0, "ci95": [1.8, 2.2], "reference": "pytorch-fp32"}
    n = noise.variant_noise({"id": "v", **point}, wide)
    assert n["half_width"] == pytest.approx(0.1) and n["noisy"] is True
    assert noise.variant_noise({"id": "v", **point})["half_width"] == pytest.approx(0, abs=1e-12)  # its median's
    reference = noise.variant_noise({"id": "pytorch-fp32", **point}, wide)
    assert reference["half_width"] == pytest.approx(0, abs=1e-12) and reference["noisy"] is False


def test_run_trust_by_hand():
    run = {"source": {"kind": "measured"}, "complete": False, "workload": {"quick": True},
           "started_at": "2026-01-01",
           "variants": [
               {"id": "x-failed", "status": "failed"},  # not judged, and judging goes on after it
               {"id": "pytorch-fp32", "label": "PyTorch FP32", "status": "ok", "latency_ms": {"p50": 100.0},
                "round_p50_ms": [100.0] * 3},
               {"id": "v", "status": "ok", "latency_ms": {"p50": 25.0}, "round_p50_ms": [25.0] * 3,
                "noise": {"steal_share": 0.2}},
               {"id": "w", "label": "W", "status": "ok", "latency_ms": {"p50": 50.0}, "round_p50_ms": [50.0] * 3,
                "noise": {"other_cpu_share": 0.3}}]}
    assert noise.run_trust(run) == {
        "transcribed": False, "quick": True, "incomplete": True, "noisy": True,
        # every noisy variant, by label or else id, as keys with their figure and limit
        "reasons": [{"variant": "v", "key": "steal_share", "value": 0.2, "limit": 0.05},
                    {"variant": "W", "key": "other_cpu_share", "value": 0.3, "limit": 0.10}],
        "advice": ["noisy", "quick", "incomplete"]}
    # the pages word them in Korean
    steal = UI["reason_steal_share"].format(value=0.2, limit=0.05)
    other = UI["reason_other_cpu_share"].format(value=0.3, limit=0.10)
    words = tables.trust_text(run)
    assert words["reasons"] == [f"v: {steal}", f"W: {other}"]
    assert words["advice"] == "; ".join([UI["advice_noisy"], UI["advice_quick"], UI["advice_incomplete"]])
    run["source"]["kind"] = "transcribed"  # a transcribed run's figures are not judged
    assert noise.run_trust(run)["noisy"] is None and noise.run_trust(run)["reasons"] == []
    assert noise.run_trust(run)["transcribed"] is True


def test_a_run_is_judged_on_speedups_paired_by_round():
    # The reference swings from round to round, the variant does not: the variant's own median interval is a
    # point, but its speed-up (4.0, 4.8, 3.2 by round) is wide, so it is noisy too.
    run = {"source": {"kind": "measured"}, "complete": True, "workload": {}, "started_at": "2026-01-01",
           "variants": [{"id": "pytorch-fp32", "status": "ok", "latency_ms": {"p50": 100.0},
                         "round_p50_ms": [100.0, 120.0, 80.0]},
                        {"id": "v", "status": "ok", "latency_ms": {"p50": 25.0}, "round_p50_ms": [25.0] * 3}]}
    trust = noise.run_trust(run)
    assert trust["noisy"] is True and any(r["variant"] == "v" for r in trust["reasons"])
    assert trust["advice"] == ["noisy"]


def test_evidence_rank_by_hand():
    quiet, noisy, unknown = _run("2026-01-01", spread=0.0), _run("2026-01-01", spread=0.5), _run("2026-01-01")
    assert noise.evidence_rank(quiet)[:3] == (False, False, 0) and noise.evidence_rank(quiet)[3] < 1e-12
    assert noise.evidence_rank(noisy)[2] == 1 and noise.evidence_rank(unknown)[2:4] == (2, math.inf)
    assert noise.evidence_rank(_run("2026-01-02", spread=0.0))[4] < noise.evidence_rank(quiet)[4]  # newer first


def test_a_short_proc_stat_line_is_padded_with_zeros():
    busy, steal, total = parse_proc_stat("cpu  100 20 30 400\n")  # an old kernel: no iowait, irq, ... columns
    assert (busy, steal, total) == pytest.approx((150 / HZ, 0.0, 550 / HZ))


def test_reading_proc_files_and_own_cpu_time(tmp_path):
    from benchlog.bench.system_load import own_cpu_seconds, read_cpu_times, read_loadavg
    stat, loadavg = tmp_path / "stat", tmp_path / "loadavg"
    stat.write_text(stat_line(user=300, system=100, idle=600))
    loadavg.write_text("0.52 0.40 0.33 1/234 5678\n")
    assert read_cpu_times(stat) == pytest.approx((400 / HZ, 0.0, 1000 / HZ))
    assert read_loadavg(loadavg) == 0.52
    assert read_cpu_times(tmp_path / "missing") is None and read_loadavg(tmp_path / "missing") is None
    loadavg.write_text("busy\n")
    assert read_loadavg(loadavg) is None
    before = own_cpu_seconds()
    sum(i * i for i in range(300_000))  # some CPU time of this process
    assert own_cpu_seconds() > before > 0


def test_shares_need_both_readings_and_time_and_never_pass_one():
    a = (10.0, 0.0, 100.0)
    assert shares(None, a, 0.0, 0.0) == (None, None) and shares(a, None, 0.0, 0.0) == (None, None)
    assert shares(a, a, 0.0, 0.0) == (None, None)  # no time passed
    # 5 s of wall over all CPUs: 9 s busy (more than there was: the counters are coarse), 7 s stolen.
    assert shares(a, (19.0, 7.0, 105.0), 0.0, 0.0) == (1.0, 1.0)
    assert shares(a, (12.0, -1.0, 110.0), 0.0, 5.0) == (0.0, 0.0)  # own time above busy: no one else


def test_an_unreadable_interval_makes_the_whole_meter_unknown_and_empty_ones_do_not_count():
    readings = iter([(0.0, 0.0, 0.0), None, (0.0, 0.0, 0.0), (1.0, 0.0, 10.0)])
    meter = LoadMeter(read=lambda: next(readings), own=lambda: 0.0)
    with meter:
        pass
    with meter:
        pass
    assert meter.result() == (None, None)  # one interval could not be read: the share is unknown, not lower
    still = LoadMeter(read=lambda: (5.0, 1.0, 50.0), own=lambda: 0.0)
    with still:
        pass
    assert still.result() == (None, None) and still.total == 0.0  # no time passed: nothing to divide


def test_own_cpu_seconds_is_this_process_and_its_children_user_and_system():
    import resource

    from benchlog.bench.system_load import own_cpu_seconds
    import subprocess
    import sys
    # A child with user time (a loop) and system time (copying 300 MB out of the kernel), waited for.
    child = "sum(i * i for i in range(2_000_000)); f = open('/dev/zero', 'rb'); [f.read(1 << 20) for _ in range(300)]"
    subprocess.run([sys.executable, "-c", child], check=True)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    assert kids.ru_utime > 0.05 and kids.ru_stime > 0.01 and me.ru_stime > 0.01
    expected = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    assert own_cpu_seconds() == pytest.approx(expected, abs=0.004)  # only the time between the two readings


def test_shares_over_an_interval_shorter_than_a_second():
    # 0.5 CPU-seconds in all, 0.2 busy (0.05 of it ours), 0.1 stolen.
    assert shares((0.0, 0.0, 0.0), (0.2, 0.1, 0.5), 0.0, 0.05) == pytest.approx((0.3, 0.2))


def test_the_meter_never_swallows_an_error_and_adds_steal_over_intervals():
    for readings in ([(0.0, 0.0, 0.0), (1.0, 0.1, 2.0)], [None, None], [(0.0, 0.0, 0.0), (0.0, 0.0, 0.0)]):
        it = iter(readings)  # a normal interval, an unreadable one, one where no time passed
        meter = LoadMeter(read=lambda: next(it), own=lambda: 0.0)
        with pytest.raises(KeyboardInterrupt):
            with meter:
                raise KeyboardInterrupt  # ctrl-c inside a measured variant must reach the runner
    readings = iter([(0.0, 0.0, 0.0), (0.1, 0.1, 0.25), (0.1, 0.1, 0.25), (0.2, 0.15, 0.5)])
    meter = LoadMeter(read=lambda: next(readings), own=lambda: 0.0)
    for _ in range(2):
        with meter:
            pass
    # 0.5 s in all (under a second: still counted); stolen 0.1 + 0.05, other 0.1 + 0.1.
    assert meter.result() == pytest.approx((0.2 / 0.5, 0.15 / 0.5))
