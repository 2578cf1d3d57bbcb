"""95% intervals (report/intervals.py): known values by hand, the pairing by round, older files, and coverage on
simulated runs with a known truth, a bimodal process effect and host slow spells."""

import numpy as np
import pytest

from benchlog.analysis import intervals


def test_t_quantiles_match_the_table_and_the_expansion():
    assert intervals.t975(1) == 12.706 and intervals.t975(4) == 2.776 and intervals.t975(30) == 2.042
    assert intervals.t975(60) == pytest.approx(2.000, abs=0.002)  # printed tables: 2.000
    assert intervals.t975(120) == pytest.approx(1.980, abs=0.002)
    with pytest.raises(ValueError):
        intervals.t975(0)


def test_fewer_than_three_rounds_have_no_interval():
    assert intervals.median_interval([[10.0, 11.0], [10.5, 10.7]]) is None
    assert intervals.speedup_interval([[40.0]] * 2, [[10.0]] * 2) is None
    assert intervals.speedup_interval([[40.0]] * 5, [[10.0]] * 2) is None  # only two rounds pair up


def test_identical_rounds_give_a_point_interval():
    rounds = [[10.0, 10.0, 10.0]] * 4
    assert intervals.median_interval(rounds) == pytest.approx([10.0, 10.0])


def test_a_slow_spell_that_hits_a_whole_round_cancels_in_the_speedup():
    # Each round the variant is exactly 4x faster than the reference, whatever the host did to that round.
    spells = [1.0, 1.3, 1.0, 1.6, 1.1]
    reference = [[40.0 * s, 40.5 * s, 39.5 * s] for s in spells]
    variant = [[10.0 * s, 10.125 * s, 9.875 * s] for s in spells]
    lo, hi = intervals.speedup_interval(reference, variant)
    assert lo == pytest.approx(4.0) and hi == pytest.approx(4.0)
    # Unpaired (the variant's rounds shuffled against the reference's), the same figures are far less certain.
    lo, hi = intervals.speedup_interval(reference, variant[::-1])
    assert hi / lo > 1.2


def test_the_interval_is_centred_on_the_figure_in_log_space():
    rng = np.random.default_rng(3)
    rounds = [list(20 * np.exp(rng.normal(0, 0.05, 10))) for _ in range(6)]
    value = float(np.median(np.concatenate(rounds)))
    lo, hi = intervals.median_interval(rounds)
    assert lo < value < hi and value / lo == pytest.approx(hi / value)
    assert intervals.half_width([lo, hi], value) == pytest.approx(hi / value - 1)
    assert intervals.median_interval(rounds) == [lo, hi]  # a fixed seed: the same file, the same interval


def test_run_speedups_reads_the_file_and_falls_back_to_the_rounds():
    new = {"variants": [
        {"id": "pytorch-fp32", "status": "ok", "latency_ms": {"p50": 90.0}},
        {"id": "ort-cpu-int8", "status": "ok", "latency_ms": {"p50": 20.0},
         "speedup": {"value": 4.5, "ci95": [4.4, 4.6], "reference": "pytorch-fp32"}}]}
    assert intervals.run_speedups(new)["ort-cpu-int8"] == {"value": 4.5, "ci95": [4.4, 4.6],
                                                           "reference": "pytorch-fp32"}
    old = {"variants": [
        {"id": "pytorch-fp32", "status": "ok", "latency_ms": {"p50": 90.0}, "round_p50_ms": [88.0, 90.0, 95.0]},
        {"id": "ort-cpu-int8", "status": "ok", "latency_ms": {"p50": 20.0}, "round_p50_ms": [19.0, 20.0, 21.0]},
        {"id": "openvino-fp32", "status": "ok", "latency_ms": {"p50": 45.0}, "round_p50_ms": [45.0]},
        {"id": "openvino-bf16", "status": "skipped", "reason": "no bf16"}]}
    got = intervals.run_speedups(old)
    assert got["ort-cpu-int8"]["value"] == pytest.approx(90 / 20)
    lo, hi = got["ort-cpu-int8"]["ci95"]
    assert lo < 4.5 < hi
    assert got["openvino-fp32"] == {"value": 2.0, "ci95": None, "reference": "pytorch-fp32"}  # 구간 없음
    assert "openvino-bf16" not in got
    assert intervals.run_speedups({"variants": old["variants"][1:]}) == {}  # no reference, no speed-up


def _simulated_run(rng, rounds, samples, truth):
    """One run: every round a fresh process per variant. A process is slow for its whole life with some
    probability (a bimodal process effect, stronger for the variant); a host slow spell slows a whole round."""
    reference, variant = [], []
    for _ in range(rounds):
        spell = 1.25 if rng.random() < truth["p_spell"] else 1.0
        for out, base, p_slow, slow in ((reference, 90.0, 0.3, 1.18), (variant, 20.0, 0.3, 1.5)):
            mode = slow if rng.random() < p_slow else 1.0
            out.append(list(base * mode * spell * np.exp(rng.normal(0, 0.03, samples))))
    return reference, variant


def _true_speedup(truth, n=400_000):
    """The population figure the run estimates: the reference's median over the variant's, each over every
    process and spell (computed from the model directly, not from runs)."""
    rng = np.random.default_rng(11)

    def marginal(base, p_slow, slow):
        mode = np.where(rng.random(n) < p_slow, slow, 1.0)
        spell = np.where(rng.random(n) < truth["p_spell"], 1.25, 1.0)
        return base * mode * spell * np.exp(rng.normal(0, 0.03, n))

    return float(np.median(marginal(90.0, 0.3, 1.18)) / np.median(marginal(20.0, 0.3, 1.5)))


def test_coverage_on_simulated_runs_is_at_least_90_percent():
    truth = {"p_spell": 0.15}
    target = _true_speedup(truth)
    rng = np.random.default_rng(2026)
    hits, runs = 0, 1000
    for _ in range(runs):
        reference, variant = _simulated_run(rng, rounds=5, samples=10, truth=truth)
        lo, hi = intervals.speedup_interval(reference, variant)
        hits += lo <= target <= hi
    assert hits / runs >= 0.90, f"coverage {hits / runs:.3f} of the true speed-up {target:.3f}"


# --- the method, recomputed step by step with Python's statistics module (a second, plain implementation) -------

def _plain_interval(value, boots, n, t):
    import math
    import statistics
    se = statistics.stdev([math.log(b) for b in boots]) * math.sqrt(n / (n - 1))
    return [value * math.exp(-t * se), value * math.exp(t * se)]


def _plain_pooled(rounds, draw):
    import statistics
    return statistics.median([x for i in draw for x in rounds[i]])


def test_the_median_interval_step_by_step():
    import statistics
    rounds = [[10.0, 11.0], [12.0, 13.0], [9.0, 15.0], [11.0, 11.5]]
    draws = np.random.default_rng(intervals.SEED).integers(0, 4, size=(intervals.BOOTSTRAP, 4))
    boots = [_plain_pooled(rounds, d) for d in draws]
    value = statistics.median([x for r in rounds for x in r])
    expected = _plain_interval(value, boots, 4, 3.182)  # Student's t, 97.5%, 3 degrees of freedom
    assert intervals.median_interval(rounds) == pytest.approx(expected, rel=1e-9)
    # A longer round is trimmed to the shortest (a run's rounds have one count; extra samples are not pooled).
    assert intervals.median_interval([r + [99.0] if i == 0 else r for i, r in enumerate(rounds)]) == \
        pytest.approx(expected, rel=1e-9)
    # Centred on the figure it is given, with the same relative width.
    assert intervals.median_interval(rounds, value=42.0) == pytest.approx(
        [42.0 * expected[0] / value, 42.0 * expected[1] / value], rel=1e-9)


def test_the_speedup_interval_step_by_step():
    reference = [[100.0, 104.0], [120.0, 118.0], [95.0, 99.0], [101.0, 103.0], [130.0, 90.0]]
    variant = [[25.0, 26.0], [28.0, 27.0], [24.0, 25.5], [25.0, 25.0], [30.0, 24.0]]
    draws = np.random.default_rng(intervals.SEED).integers(0, 5, size=(intervals.BOOTSTRAP, 5))
    boots = [_plain_pooled(reference, d) / _plain_pooled(variant, d) for d in draws]  # the same rounds for both
    assert intervals.speedup_interval(reference, variant, value=4.0) == pytest.approx(
        _plain_interval(4.0, boots, 5, 2.776), rel=1e-9)


@pytest.mark.parametrize("rounds", [[[10.0], [11.0], []], [[10.0], [0.0], [11.0]], [[10.0], [-1.0], [11.0]], None])
def test_an_empty_or_non_positive_round_gives_no_interval(rounds):
    assert intervals.median_interval(rounds) is None


def test_t_beyond_the_table_follows_the_exact_quantiles():
    # Student's t 97.5% quantiles (printed to 6 digits): the expansion is within 1e-4 at 31 df, 4e-6 at 120.
    assert intervals.t975(31) == pytest.approx(2.039513, abs=1e-4)
    assert intervals.t975(120) == pytest.approx(1.979930, abs=4e-6)
    with pytest.raises(ValueError, match="degrees of freedom must be >= 1"):
        intervals.t975(0)


def test_half_width_takes_the_larger_side():
    assert intervals.half_width([8.0, 13.0], 10.0) == pytest.approx(0.3)
    assert intervals.half_width([7.0, 11.0], 10.0) == pytest.approx(0.3)
    assert intervals.half_width(None, 10.0) is None and intervals.half_width([1.0, 2.0], None) is None


def test_p50_interval_reads_the_file_else_the_rounds():
    stored = {"latency_ms": {"p50": 10.0, "p50_ci95": [9.0, 11.0]}, "round_p50_ms": [1.0, 2.0, 3.0]}
    assert intervals.p50_interval(stored) == [9.0, 11.0]
    assert intervals.p50_interval({"latency_ms": {"mean": 10.0}, "round_p50_ms": [9.0, 10.0, 11.0]}) is None
    assert intervals.p50_interval({"latency_ms": {"p50": 10.0}, "round_p50_ms": [9.0, 10.0]}) is None
    lo, hi = intervals.p50_interval({"latency_ms": {"p50": 10.0}, "round_p50_ms": [9.0, 10.0, 11.0]})
    assert lo < 10.0 < hi and (10.0 / lo) == pytest.approx(hi / 10.0)  # centred on the file's p50


def test_run_speedups_skips_variants_that_did_not_run_and_centres_on_the_headline_figures():
    doc = {"variants": [
        {"id": "x", "status": "ok", "latency_ms": {"p50": 10.0},
         "speedup": {"value": 9.0, "ci95": None, "reference": "pytorch-fp32"}},  # stored: read as is
        {"id": "pytorch-fp32", "status": "ok", "latency_ms": {"p50": 105.0}, "round_p50_ms": [90.0, 100.0, 130.0]},
        {"id": "failed", "status": "failed", "latency_ms": {"p50": 1.0}},
        {"id": "v", "status": "ok", "latency_ms": {"p50": 25.0}, "round_p50_ms": [24.0, 25.0, 26.0]},
        {"id": "old-reference", "status": "ok", "latency_ms": {"p50": 50.0},
         "speedup": {"value": 7.0, "ci95": None, "reference": "something-else"}}]}
    got = intervals.run_speedups(doc)
    assert set(got) == {"x", "pytorch-fp32", "v", "old-reference"}
    assert got["x"]["value"] == 9.0 and got["old-reference"]["value"] == pytest.approx(105 / 50)
    lo, hi = got["v"]["ci95"]
    # 105 / 25 = 4.2 from the file's p50s (not 100 / 25 from the rounds' medians), centred in log space.
    assert got["v"]["value"] == pytest.approx(4.2) and (lo * hi) ** 0.5 == pytest.approx(4.2)
