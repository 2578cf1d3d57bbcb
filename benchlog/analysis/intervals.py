"""How far a run's figures can be trusted as numbers: the 95% interval of a variant's median latency and of its
speed-up over the reference, from the structure of the run. Pure functions; bench and report both use them.

The method, stated once (the README repeats it):
- A run times each variant in several fresh processes, one per round; every round runs every variant, the
  reference (PyTorch FP32) among them, in a random order. A process is the unit that varies: its state (thread
  placement, memory layout) lasts for its life, and the host's slow spells hit whole rounds.
- The figure is the median of the pooled samples (latency) and the reference's median over the variant's
  (speed-up, both from the same run).
- Its uncertainty comes from a bootstrap over rounds: rounds are drawn with replacement (the same rounds for the
  reference and the variant, so a slow spell that hit both cancels in their ratio) and the figure is computed again
  on the pooled samples of the drawn rounds, BOOTSTRAP times with a fixed seed (the same file always gives the same
  interval). The interval is the figure times exp(± t · se), where se is the standard deviation of the log of the
  bootstrapped figures, widened by sqrt(n / (n - 1)), and t is Student's 97.5% quantile with n - 1 degrees of
  freedom (n rounds): with few rounds a plain percentile bootstrap is too narrow.
- Fewer than MIN_ROUNDS rounds give no interval ("구간 없음"). A file that kept only each round's median (older
  files) is bootstrapped over those medians, one value per round.
"""

import math

import numpy as np

MIN_ROUNDS = 3
BOOTSTRAP = 2000
SEED = 20261202
LEVEL = 0.95
# Student's t, 97.5% quantile, for 1..30 degrees of freedom.
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t975(df):
    """Student's t 97.5% quantile; past 30 degrees of freedom, the Cornish-Fisher expansion around z."""
    if df < 1:
        raise ValueError("degrees of freedom must be >= 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def _rounds_array(rounds):
    """A list of per-round sample lists as an (n, k) array, trimmed to the shortest round (rounds of a run have
    the same count; an old file's round medians are rounds of one sample each)."""
    k = min(len(r) for r in rounds)
    return np.array([np.asarray(r[:k], dtype=float) for r in rounds])


def _draws(n, seed=SEED, count=BOOTSTRAP):
    return np.random.default_rng(seed).integers(0, n, size=(count, n))


def _pooled_medians(array, draws):
    """The median of the pooled samples of each bootstrap draw of rounds."""
    b, n = draws.shape
    return np.median(array[draws].reshape(b, -1), axis=1)


def _interval(value, boot, n):
    logs = np.log(boot)
    se = float(np.std(logs, ddof=1)) * math.sqrt(n / (n - 1))
    half = t975(n - 1) * se
    return [value * math.exp(-half), value * math.exp(half)]


def _usable(rounds):
    return rounds is not None and len(rounds) >= MIN_ROUNDS and all(len(r) and min(r) > 0 for r in rounds)


def median_interval(rounds, value=None):
    """[lo, hi] of a variant's median latency from its rounds' samples (a list per round), or None with fewer
    than MIN_ROUNDS rounds. `value` is the figure the interval is centred on (default: the pooled median)."""
    if not _usable(rounds):
        return None
    array = _rounds_array(rounds)
    value = float(np.median(array)) if value is None else value
    return _interval(value, _pooled_medians(array, _draws(len(array))), len(array))


def speedup_interval(reference_rounds, variant_rounds, value=None):
    """[lo, hi] of reference median / variant median, rounds paired by index (both lists hold one entry per round
    of the same run), or None with fewer than MIN_ROUNDS paired rounds."""
    n = min(len(reference_rounds or []), len(variant_rounds or []))
    if n < MIN_ROUNDS or not (_usable(reference_rounds[:n]) and _usable(variant_rounds[:n])):
        return None
    ref, var = _rounds_array(reference_rounds[:n]), _rounds_array(variant_rounds[:n])
    if value is None:
        value = float(np.median(ref)) / float(np.median(var))
    draws = _draws(n)
    return _interval(value, _pooled_medians(ref, draws) / _pooled_medians(var, draws), n)


def half_width(ci, value):
    """The interval's larger half relative to the figure (0.03 = ±3%), or None without an interval."""
    if not ci or not value:
        return None
    return max(value - ci[0], ci[1] - value) / value


def overlap(a, b):
    """True when two intervals share any value."""
    return a[0] <= b[1] and b[0] <= a[1]


REFERENCE = "pytorch-fp32"


# Which statistic stands for a variant's latency, in order of preference.
LATENCY_STATS = ("p50", "mean", "reported")


def headline_latency(latency):
    """(value, statistic) of the figure that stands for a latency summary: p50, else mean, else what a source
    reported; (None, None) without one."""
    for stat in LATENCY_STATS:
        if (latency or {}).get(stat) is not None:
            return latency[stat], stat
    return None, None


def p50_interval(variant):
    """A measured variant's [lo, hi] median interval: as its file records it, else from its rounds' medians (older
    files, >= MIN_ROUNDS rounds), else None."""
    latency = variant.get("latency_ms") or {}
    if latency.get("p50_ci95"):
        return list(latency["p50_ci95"])
    rounds = variant.get("round_p50_ms") or []
    if latency.get("p50") is None or len(rounds) < MIN_ROUNDS:
        return None
    return median_interval([[r] for r in rounds], value=latency["p50"])


def run_speedups(run_doc):
    """{variant id: {"value", "ci95", "reference"}} over the reference in the same run, for the variants that ran:
    the speed-up the file records, else reference / variant headline latency with an interval from the rounds'
    medians where both have >= MIN_ROUNDS. {} when the run has no measured reference. The one place a speed-up is
    computed."""
    ok = {v["id"]: v for v in run_doc["variants"]
          if v["status"] == "ok" and headline_latency(v.get("latency_ms"))[0]}
    reference = ok.get(REFERENCE)
    if reference is None:
        return {}
    ref_ms = headline_latency(reference["latency_ms"])[0]
    out = {}
    for vid, v in ok.items():
        stored = v.get("speedup")
        if stored and stored.get("reference") == REFERENCE:
            out[vid] = {"value": stored["value"], "ci95": stored.get("ci95"), "reference": REFERENCE}
            continue
        value = ref_ms / headline_latency(v["latency_ms"])[0]
        ci = speedup_interval([[r] for r in reference.get("round_p50_ms") or []],
                              [[r] for r in v.get("round_p50_ms") or []], value=value)
        out[vid] = {"value": value, "ci95": ci, "reference": REFERENCE}
    return out
