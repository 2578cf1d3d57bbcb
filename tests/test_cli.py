"""The benchlog CLI driven as a subprocess, as a user runs it."""

import subprocess
import sys

from conftest import DATA, ROOT


def benchlog(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "benchlog", *args], cwd=cwd, capture_output=True, text=True,
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


def test_make_setup_system_without_apt_says_what_to_install_and_site_needs_no_system_package(tmp_path):
    import shutil
    fake = tmp_path / "bin"  # a PATH with a shell and the tools the recipe reads, but no apt-get and no chromium
    fake.mkdir()
    for tool in ("sh", "grep", "id"):
        (fake / tool).symlink_to(shutil.which(tool))
    done = subprocess.run([shutil.which("make"), "-s", "setup-system"], cwd=ROOT, env={"PATH": str(fake)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("setup-system: no apt-get here; install Chromium (as /usr/bin/chromium) and Noto")
    plan = subprocess.run(["make", "-n", "site"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "apt-get" not in plan and "sudo" not in plan and "benchlog run --quick" in plan
