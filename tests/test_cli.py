"""The benchlog CLI driven as a subprocess, as a user runs it."""

import subprocess
import sys

from conftest import DATA, ROOT


def benchlog(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "bench.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_validate_passes_on_the_committed_results():
    done = benchlog("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith(" problems") and ", 0 problems" in done.stdout


def test_validate_prints_one_line_per_problem_and_fails():
    done = benchlog("validate", str(DATA / "broken"))
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 10  # nine problems and the summary
    assert lines[-1] == "16 files checked: 7 machines, 0 runs, 0 roofs, 9 problems"
    assert "Traceback" not in done.stdout + done.stderr


def test_validate_on_a_missing_folder_is_one_line():
    done = benchlog("validate", "no/such/dir")
    assert done.returncode == 1
    assert done.stdout.strip() == "no/such/dir: not a folder (give the results folder, e.g. results/)"
