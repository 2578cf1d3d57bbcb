"""How quiet the machine was: the one rule that calls a variant noisy, and how much a run's figures can be trusted.

The rule (also in the README): a variant is noisy when any of these holds while it ran
- its rounds' medians differ by more than 10% ((max - min) / min), or
- its pooled samples vary by more than 25% (coefficient of variation, std / mean), or
- other processes used more than 10% of the machine's CPU time, or
- the hypervisor stole more than 5% of it.
A run is noisy when any of its measured variants is. What to do about it: close other work, use more --rounds.
"""

import statistics

ROUND_SPREAD_MAX = 0.10
CV_MAX = 0.25
OTHER_CPU_MAX = 0.10
STEAL_MAX = 0.05
ADVICE = "close other work and run again, or use more --rounds"


def round_spread(round_p50s):
    """(max - min) / min of the rounds' medians, or None with fewer than two rounds."""
    values = [v for v in round_p50s or [] if v and v > 0]
    return (max(values) - min(values)) / min(values) if len(values) >= 2 else None


def coefficient_of_variation(samples):
    return statistics.stdev(samples) / statistics.fmean(samples) if len(samples) >= 2 else None


def judge(noise):
    """(noisy, reasons) for one variant's noise figures: True/False, or None when nothing was recorded."""
    checks = [("round_spread", ROUND_SPREAD_MAX, "rounds' medians differ by {:.0%} (limit {:.0%})"),
              ("cv", CV_MAX, "samples vary by {:.0%} (coefficient of variation; limit {:.0%})"),
              ("other_cpu_share", OTHER_CPU_MAX, "other processes used {:.0%} of the CPU (limit {:.0%})"),
              ("steal_share", STEAL_MAX, "the hypervisor stole {:.0%} of the CPU (limit {:.0%})")]
    known = [(noise.get(k), limit, text) for k, limit, text in checks if noise.get(k) is not None]
    if not known:
        return None, []
    reasons = [text.format(value, limit) for value, limit, text in known if value > limit]
    return bool(reasons), reasons


def variant_noise(variant):
    """A variant's noise figures with the rule applied; the round spread is derived from round_p50_ms when a
    file (format 2) did not record it. Transcribed and unmeasured variants give an empty dict."""
    noise = dict(variant.get("noise") or {})
    if noise.get("round_spread") is None:
        noise["round_spread"] = round_spread(variant.get("round_p50_ms"))
    noise["noisy"], noise["reasons"] = judge(noise)
    return noise


def run_trust(run_doc):
    """How much a run's figures can be trusted, as a dict: transcribed, quick, incomplete, noisy (True/False/None),
    and the reasons of its noisy variants."""
    transcribed = run_doc["source"]["kind"] == "transcribed"
    noisy, reasons = None, []
    if not transcribed:
        for v in run_doc["variants"]:
            if v["status"] != "ok":
                continue
            n = variant_noise(v)
            if n["noisy"] is not None:
                noisy = bool(noisy) or n["noisy"]
            reasons += [f"{v.get('label') or v['id']}: {r}" for r in n["reasons"]]
    return {"transcribed": transcribed, "quick": bool(run_doc["workload"].get("quick")),
            "incomplete": not run_doc["complete"], "noisy": noisy, "reasons": reasons}


def evidence_rank(run_doc):
    """Sort key, best evidence first: complete before incomplete, full before quick, quiet before noisy (unknown
    in between), then the newest. Used for headlines and for the run a comparison shows."""
    trust = run_trust(run_doc)
    noise_rank = {False: 0, None: 1, True: 2}[trust["noisy"]]
    return (trust["incomplete"], trust["quick"], noise_rank, _negated(run_doc["started_at"]))


def _negated(text):
    return tuple(-ord(c) for c in text)
