"""How quiet the machine was: the one rule that calls a variant noisy, and how much a run's figures can be trusted.

The rule (also in the README): a variant is noisy when any of these holds while it ran
- its rounds' medians leave the pooled median uncertain by more than 5%: the standard error of the rounds'
  medians over their mean (more rounds narrow it, a machine that drifts widens it), or
- other processes used more than 10% of the machine's CPU time, or
- the hypervisor stole more than 5% of it.
A run is noisy when any of its measured variants is. The spread (max - min) of the rounds' medians and the
coefficient of variation of the samples are recorded and shown, not judged: the headline is a median, which the
slow tail of single samples does not move. What to do about a noisy run: close other work, use more --rounds.
"""

import math
import statistics

from .strings import UI

ROUND_SEM_MAX = 0.05
OTHER_CPU_MAX = 0.10
STEAL_MAX = 0.05
ADVICE = UI["advice_noisy"]


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
    """(noisy, reasons) for one variant's noise figures: True/False, or None when nothing was recorded."""
    checks = [("round_sem", ROUND_SEM_MAX), ("other_cpu_share", OTHER_CPU_MAX), ("steal_share", STEAL_MAX)]
    known = [(key, noise[key], limit) for key, limit in checks if noise.get(key) is not None]
    if not known:
        return None, []
    reasons = [UI[f"reason_{key}"].format(value=value, limit=limit) for key, value, limit in known if value > limit]
    return bool(reasons), reasons


def variant_noise(variant):
    """A variant's noise figures with the current rule applied (a verdict stored by an older benchlog is judged
    again); the rounds' spread and standard error are derived from round_p50_ms where a file did not record them.
    Transcribed and unmeasured variants give an empty dict."""
    noise = dict(variant.get("noise") or {})
    rounds = variant.get("round_p50_ms")
    if noise.get("round_spread") is None:
        noise["round_spread"] = round_spread(rounds)
    if noise.get("round_sem") is None:
        noise["round_sem"] = round_sem(rounds)
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
    trust = {"transcribed": transcribed, "quick": bool(run_doc["workload"].get("quick")),
             "incomplete": not run_doc["complete"], "noisy": noisy, "reasons": reasons}
    advice = [ADVICE if noisy else None, UI["advice_quick"] if trust["quick"] else None,
              UI["advice_incomplete"] if trust["incomplete"] else None]
    trust["advice"] = "; ".join(a for a in advice if a)
    return trust


def evidence_rank(run_doc):
    """Sort key, best evidence first: complete before incomplete, full before quick, quiet before noisy (unknown
    in between), then the newest. Used for headlines and for the run a comparison shows."""
    trust = run_trust(run_doc)
    noise_rank = {False: 0, None: 1, True: 2}[trust["noisy"]]
    return (trust["incomplete"], trust["quick"], noise_rank, _negated(run_doc["started_at"]))


def _negated(text):
    return tuple(-ord(c) for c in text)
