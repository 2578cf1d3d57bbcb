"""A one-line progress display on stderr: variant, phase and an estimate of the time left."""

import time


class Progress:
    def __init__(self, steps, out):
        self.total, self.done, self.out = len(steps), 0, out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.started = time.monotonic()
        self.variant_started = self.started
        self.durations = []
        self.current, self.current_phase = None, None

    def start(self, name):
        self.current, self.current_phase = name, "start"
        self.variant_started = time.monotonic()
        self.shown()

    def phase(self, name):
        self.current_phase = name
        self.shown()

    def finish(self, name, status):
        if name != "reference":
            self.done += 1
            self.durations.append(time.monotonic() - self.variant_started)
        self.current_phase = status
        self.shown(final=True)

    def extend(self, steps):
        """More steps than planned (another round of an adaptive run)."""
        self.total += steps

    def skip(self):
        """A step that will not run (its variant was skipped or failed in an earlier round)."""
        self.total -= 1

    def close(self):
        if self.tty:
            print(file=self.out, flush=True)

    def time_left(self):
        if not self.durations:
            return "estimating"
        mean = sum(self.durations) / len(self.durations)
        left = max(0.0, mean * (self.total - self.done) - (time.monotonic() - self.variant_started)
                   * (self.current_phase not in ("ok", "failed", "skipped")))
        return f"~{_clock(left)} left"

    def shown(self, final=False):
        elapsed = _clock(time.monotonic() - self.started)
        line = (f"[{self.done}/{self.total}] {self.current} · {self.current_phase} · {elapsed} elapsed · "
                f"{self.time_left()}")
        if self.tty:
            print("\r\033[K" + line, end="", file=self.out, flush=True)
        elif final or self.current_phase:
            print(line, file=self.out, flush=True)


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
