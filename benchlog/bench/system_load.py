"""How busy the machine was while a variant ran: CPU time of other processes and stolen by the hypervisor, from
/proc/stat, minus benchlog's own (its child processes' and its own rusage); load average from /proc/loadavg.
Where the OS has no /proc (macOS, Windows) every figure is None: unknown, never zero.
"""

import os
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no rusage, and no /proc/stat either, so nothing is compared with it
    resource = None

PROC_STAT = Path("/proc/stat")
PROC_LOADAVG = Path("/proc/loadavg")


def parse_proc_stat(text):
    """(busy, steal, total) CPU seconds over all CPUs from /proc/stat's first line, or None."""
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            ticks = [int(v) for v in fields[1:9]] + [0] * max(0, 9 - len(fields))
            user, nice, system, idle, iowait, irq, softirq, steal = ticks[:8]
            hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
            busy = user + nice + system + irq + softirq
            return busy / hz, steal / hz, (busy + idle + iowait + steal) / hz
    return None


def read_cpu_times(path=PROC_STAT):
    try:
        return parse_proc_stat(path.read_text())
    except (OSError, ValueError):
        return None


def read_loadavg(path=PROC_LOADAVG):
    try:
        return float(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def own_cpu_seconds():
    """CPU seconds used by this process and its finished children (each variant runs in a child)."""
    if resource is None:
        return 0.0
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def shares(before, after, own_before, own_after):
    """(other processes' share, steal share) of all CPU time between two readings, or (None, None)."""
    if before is None or after is None:
        return None, None
    busy, steal, total = (b - a for a, b in zip(before, after))
    if total <= 0:
        return None, None
    other = max(0.0, busy - (own_after - own_before))
    return min(1.0, other / total), min(1.0, max(0.0, steal) / total)


class LoadMeter:
    """Adds up the CPU time of a variant's timed processes (over all its rounds)."""

    def __init__(self, read=read_cpu_times, own=own_cpu_seconds):
        self.read, self.own = read, own
        self.other = self.steal = self.total = 0.0
        self.known = True
        self._start = None

    def __enter__(self):
        self._start = (self.read(), self.own())
        return self

    def __exit__(self, *exc):
        before, own_before = self._start
        after, own_after = self.read(), self.own()
        if before is None or after is None:
            self.known = False
            return False
        total = after[2] - before[2]
        other, steal = shares(before, after, own_before, own_after)
        if other is None:
            return False
        self.other += other * total
        self.steal += steal * total
        self.total += total
        return False

    def result(self):
        """(other processes' share, steal share) over every measured interval, or (None, None)."""
        if not self.known or self.total <= 0:
            return None, None
        return self.other / self.total, self.steal / self.total
