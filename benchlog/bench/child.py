"""The protocol between benchlog and the processes it starts (a variant's worker, one library's GEMM roof).

The child prints one JSON message per line after MARK on its stdout: {"phase": ...} while it works, then one
{"result": ...} (or {"skip": reason}); anything else a library prints is ignored. A child that exits without a
result failed, and the last line of its stderr says why. One child runs at most BENCHLOG_CHILD_TIMEOUT_S seconds.
"""

import json
import os
import subprocess
import sys
import threading

MARK = "@@benchlog "
TIMEOUT_S = 3600


class ChildFailed(Exception):
    """A child process that exited without a result; the message is its error's last line."""


def send(**message):
    """In the child: one message to the parent."""
    print(MARK + json.dumps(message), flush=True)


def run(module, args, on_phase=None):
    """Run `python -m module *args`; return its result message's "result" (or the whole message, e.g. a skip),
    call on_phase(name) for each phase it reports; raise ChildFailed when it gives no result."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen([sys.executable, "-m", module, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    result, errors, timed_out = None, [], []
    reader = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
    limit = float(os.environ.get("BENCHLOG_CHILD_TIMEOUT_S") or TIMEOUT_S)
    watchdog = threading.Timer(limit, lambda: (timed_out.append(True), proc.kill()))
    try:
        reader.start()
        watchdog.start()
        for line in proc.stdout:
            if line.startswith(MARK):
                message = json.loads(line[len(MARK):])
                if "phase" in message:
                    if on_phase:
                        on_phase(message["phase"])
                else:
                    result = message
        proc.wait()
        reader.join(timeout=5)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        watchdog.cancel()
    if timed_out:
        raise ChildFailed(f"timed out after {limit:g} s and was killed (BENCHLOG_CHILD_TIMEOUT_S)")
    if proc.returncode != 0 or result is None:
        raise ChildFailed(last_error(errors, proc.returncode))
    return result.get("result", result)


def last_error(lines, returncode):
    lines = [line.strip() for line in lines if line.strip()]
    text = lines[-1] if lines else ""
    if returncode and returncode < 0:
        return f"the process was killed by signal {-returncode}" + (f" ({text})" if text else "")
    return text or f"the process exited with code {returncode} and no message"
