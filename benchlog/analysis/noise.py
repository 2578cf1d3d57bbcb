"""How quiet the machine was: the one rule that calls a variant noisy, and how much a run's figures can be trusted.

The rule is about the figure, not the machine's mood (also in the README): a variant is noisy (uncertain) when
- the 95% interval of its speed-up over the reference (report/intervals.py) is wider than ±5%; for the reference
  itself, the interval of its median latency; or
- other processes used more than 10% of the machine's CPU time while it ran, or
- the hypervisor stole more than 5% of it.
A figure without an interval (fewer than 3 rounds) is noisy when the machine was busy and unknown otherwise.
A run is noisy when any of its measured variants is. The spread (max - min) and standard error of the rounds' medians and the coefficient of
variation of the samples are recorded and shown, not judged. What to do about a noisy run: close other work, give
the run a larger --budget.
"""

import math
import statistics

from benchlog.analysis import intervals

HALF_WIDTH_MAX = 0.05
OTHER_CPU_MAX = 0.10
STEAL_MAX = 0.05
# Why a variant is noisy, as the keys a run file stores (noise.reasons) and the pages word (site/strings.py: UI
# "reason_<key>"); each with its limit.
LIMITS = {"half_width": HALF_WIDTH_MAX, "other_cpu_share": OTHER_CPU_MAX, "steal_share": STEAL_MAX}


def round_spread(round_p50s):
    """(max - min) / min of the rounds' medians, or None with fewer than two rounds."""
    values = [v for v in round_p50s or [] if v and v > 0]
    return (max(values) - min(values)) / min(values) if len(values) >= 2 else None


def round_sem(round_p50s):
    """Standard error of the rounds' medians relative to their mean, or None with fewer than two rounds."""
    values = [v for v in round_p50s or [] if v and v > 0]
    if len(values) < 2:
        return None
    return statistics.stdev(values) / math.sqrt(len(values)) / statistics.fmean(values)


def coefficient_of_variation(samples):
    return statistics.stdev(samples) / statistics.fmean(samples) if len(samples) >= 2 else None


def judge(noise):
    """(noisy, reasons) for one variant's noise figures: True/False, or None when nothing was recorded; reasons are
    keys of LIMITS (the figure is noise[key], its limit LIMITS[key])."""
    known = [(key, noise[key], limit) for key, limit in LIMITS.items() if noise.get(key) is not None]
    if not known:
        return None, []
    reasons = [key for key, value, limit in known if value > limit]
    return bool(reasons), reasons


def variant_noise(variant, speedup=None):
    """A variant's noise figures with the current rule applied (a verdict stored by an older benchlog is judged
    again); the rounds' spread and standard error are derived from round_p50_ms where a file did not record them.
    `speedup` is the variant's entry of intervals.run_speedups (None: judged on its median's interval).
    Transcribed and unmeasured variants give an empty dict."""
    noise = dict(variant.get("noise") or {})
    rounds = variant.get("round_p50_ms")
    if noise.get("round_spread") is None:
        noise["round_spread"] = round_spread(rounds)
    if noise.get("round_sem") is None:
        noise["round_sem"] = round_sem(rounds)
    noise["half_width"] = figure_half_width(variant, speedup)
    noise["noisy"], noise["reasons"] = judge(noise)
    if noise["noisy"] is False and noise["half_width"] is None:
        noise["noisy"] = None  # a quiet machine is not a known figure: without an interval, unknown
    return noise


def figure_half_width(variant, speedup):
    """The relative half-width of the interval the rule judges: the speed-up's, or for the reference (and a run
    without one) the median latency's; None without an interval."""
    if speedup and variant["id"] != intervals.REFERENCE:
        return intervals.half_width(speedup.get("ci95"), speedup["value"])
    latency = variant.get("latency_ms") or {}
    return intervals.half_width(intervals.p50_interval(variant), latency.get("p50"))


def run_trust(run_doc):
    """How much a run's figures can be trusted, as a dict: transcribed, quick, incomplete, noisy (True/False/None),
    the reasons of its noisy variants ({"variant" (its label), "key", "value", "limit"}) and what would give better
    evidence (keys: "noisy", "quick", "incomplete"; the site and the CLI word both)."""
    transcribed = run_doc["source"]["kind"] == "transcribed"
    noisy, reasons = None, []
    if not transcribed:
        ratios = intervals.run_speedups(run_doc)
        for v in run_doc["variants"]:
            if v["status"] != "ok":
                continue
            n = variant_noise(v, ratios.get(v["id"]))
            if n["noisy"] is not None:
                noisy = bool(noisy) or n["noisy"]
            reasons += [{"variant": v.get("label") or v["id"], "key": key, "value": n[key], "limit": LIMITS[key]}
                        for key in n["reasons"]]
    trust = {"transcribed": transcribed, "quick": bool(run_doc["workload"].get("quick")),
             "incomplete": not run_doc["complete"], "noisy": noisy, "reasons": reasons}
    trust["advice"] = [key for key in ("noisy", "quick", "incomplete") if trust[key]]
    return trust


def evidence_rank(run_doc):
    """Sort key, best evidence first: complete before incomplete, full before quick, quiet before noisy before
    unknown (a figure with a wide interval says how far to trust it; one without an interval does not), then the
    narrowest speed-up intervals (the widest of the run's, none last), then the newest. Used for headlines and for
    the run a comparison shows."""
    trust = run_trust(run_doc)
    noise_rank = {False: 0, True: 1, None: 2}[trust["noisy"]]
    return (trust["incomplete"], trust["quick"], noise_rank, widest_interval(run_doc), _negated(run_doc["started_at"]))


def widest_interval(run_doc):
    """The largest relative half-width of the run's speed-up intervals; infinity where any speed-up has none."""
    ratios = intervals.run_speedups(run_doc)
    widths = [intervals.half_width(r["ci95"], r["value"]) for vid, r in ratios.items() if vid != intervals.REFERENCE]
    if not widths or any(w is None for w in widths):
        return math.inf
    return max(widths)


def _negated(text):
    return tuple(-ord(c) for c in text)
