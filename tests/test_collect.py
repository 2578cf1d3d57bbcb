"""`benchlog collect` as a user runs it: zips and folders from other machines, added and nothing else."""

import contextlib
import io
import json
import shutil
import subprocess
import sys
import zipfile

import pytest
from benchlog import cli
from benchlog.format.load import load_results

from conftest import DATA, ROOT


def collect(*sources, results):
    """`benchlog collect` through the console script's own entry point, in this process (so mutation testing sees
    the code it runs); test_collect_runs_as_a_command runs it once as a subprocess."""
    args = ["collect", *map(str, sources), "--results", str(results)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def collect_command(*sources, results):
    return subprocess.run([sys.executable, "-m", "benchlog", "collect", *map(str, sources), "--results",
                           str(results)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def zip_folder(folder, zip_path, prefix="results/"):
    with zipfile.ZipFile(zip_path, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, f"{prefix}{path.relative_to(folder)}")
    return zip_path


def home_and_other(tmp_path):
    """results/test-box at home, and the same machine's folder from elsewhere (other/test-box) to collect."""
    results, other = tmp_path / "results", tmp_path / "other/test-box"
    for folder in (results / "test-box", other):
        shutil.copytree(DATA / "results/test-box", folder)
    return results, other


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_zip_from_another_results_folder_adds_its_runs_and_nothing_else(tmp_path):
    results = tmp_path / "results"
    shutil.copytree(ROOT / "results", results)
    before = snapshot(results)
    other = tmp_path / "other-machine/results"
    shutil.copytree(DATA / "results/test-box", other / "test-box")
    archive = zip_folder(other, tmp_path / "colab-results.zip")
    done = collect(archive, results=results)
    assert done.returncode == 0, done.stdout + done.stderr
    after = snapshot(results)
    added = sorted(set(after) - set(before))
    assert added == ["test-box/20260101T000000Z-tiny-distilbert.json", "test-box/machine.json"]
    assert all(after[k] == v for k, v in before.items())  # nothing else changed
    assert f"added {results}/test-box/20260101T000000Z-tiny-distilbert.json" in done.stdout
    assert done.stdout.strip().endswith("collected 2 new files; 0 already there; 0 refused")
    assert load_results(results).problems == []
    again = collect(archive, results=results)
    assert again.returncode == 0 and again.stdout.strip().endswith("collected 0 new files; 2 already there; "
                                                                   "0 refused")
    assert snapshot(results) == after


def test_collect_runs_as_a_command(tmp_path):
    results, other = home_and_other(tmp_path)
    (other / "20260101T000000Z-tiny-distilbert.json").rename(other / "20260102T000000Z-tiny-distilbert.json")
    done = collect_command(zip_folder(other.parent, tmp_path / "more.zip"), results=results)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("collected 1 new files; 1 already there; 0 refused"), done.stdout
    bad = collect_command(tmp_path / "missing.zip", results=results)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and bad.stderr.startswith("benchlog: error: ")


def test_a_conflicting_fingerprint_is_refused_with_one_line(tmp_path):
    results, other = home_and_other(tmp_path)
    machine = json.loads((other / "machine.json").read_text())
    machine["cpu"]["flags"]["avx512f"] = not machine["cpu"]["flags"].get("avx512f")
    (other / "machine.json").write_text(json.dumps(machine))
    run = other / "20260101T000000Z-tiny-distilbert.json"
    run.rename(other / "20260301T000000Z-other.json")
    before = snapshot(results)
    done = collect(tmp_path / "other", results=results)
    assert done.returncode == 1
    assert (f"refused: {other}/machine.json: is for another CPU than {results}/test-box/machine.json (ISA flags "
            "avx512f differ); give it its own machine id to collect it") in done.stdout
    assert snapshot(results) == before


def test_invalid_files_and_changed_runs_are_refused_and_nothing_from_that_source_is_written(tmp_path):
    results, other = home_and_other(tmp_path)
    run = other / "20260101T000000Z-tiny-distilbert.json"
    run.write_text(run.read_text().replace('"p50": 80.0', '"p50": 81.0'))  # same name, other figures
    fine = json.loads((DATA / "results/test-box/20260101T000000Z-tiny-distilbert.json").read_text())
    fine["started_at"] = "2026-03-01T00:00:00Z"
    (other / "20260301T000000Z-new.json").write_text(json.dumps(fine))
    (other / "20260302T000000Z-bad.json").write_text('{"format_version": 3, "latency": NaN}')
    before = snapshot(results)
    done = collect(tmp_path / "other", results=results)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith(f"refused: {other}/20260302T000000Z-bad.json: ") for line in lines), lines
    assert (f"refused: {results}/test-box/20260101T000000Z-tiny-distilbert.json: exists with other content; a "
            "result file is never overwritten (rename 20260101T000000Z-tiny-distilbert.json to collect it)") in lines
    assert f"refused: {tmp_path / 'other'}: nothing was collected from it until every file in it is valid" in lines
    assert snapshot(results) == before  # not even the valid new run: a source is collected whole or not at all


def test_a_zip_that_leaves_its_folder_is_refused(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../../escaped.json", "{}")
    done = collect(evil, results=tmp_path / "results")
    assert done.returncode == 1
    assert done.stderr.strip() == f"benchlog: error: {evil}: '../../escaped.json': a path that leaves the zip; refused"
    assert not (tmp_path.parent / "escaped.json").exists() and not (tmp_path / "results").exists()


def test_an_actions_artifact_zip_is_collected(tmp_path):
    """bench.yml uploads each runner's results folder: the artifact zip holds <machine-id>/... at its top."""
    other = tmp_path / "bench-results"
    shutil.copytree(DATA / "results/test-box", other / "test-box")
    archive = zip_folder(other, tmp_path / "results-ubuntu-latest.zip", prefix="")
    done = collect(archive, results=tmp_path / "results")
    assert done.returncode == 0, done.stdout
    assert sorted(p.name for p in (tmp_path / "results/test-box").iterdir()) == [
        "20260101T000000Z-tiny-distilbert.json", "machine.json"]


def test_the_bench_workflow_runs_each_runner_and_uploads_its_folder():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/bench.yml").read_text())
    inputs = workflow[True]["workflow_dispatch"]["inputs"]  # YAML reads the key `on` as True
    assert json.loads(inputs["runners"]["default"]) == ["ubuntu-latest", "ubuntu-24.04-arm", "windows-latest",
                                                        "macos-latest"]
    steps = workflow["jobs"]["bench"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("--index-url https://download.pytorch.org/whl/cpu" in r for r in runs)  # never the CUDA build
    assert "benchlog run $ARGS --results bench-results" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "bench-results/"


def _zip(tmp_path, entries, name="bad.zip"):
    """A zip of (name, text) entries, written as a hostile tool could (zipfile lets most names through)."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for entry, text in entries:
            z.writestr(entry, text)
    return path


def _box_entries(prefix):
    return [(f"{prefix}{p.name}", p.read_text()) for p in sorted((DATA / "results/test-box").iterdir())]


@pytest.mark.parametrize("entries, message", [
    ([("/abs/machine.json", "{}")], "'/abs/machine.json': a path that leaves the zip; refused"),
    ([("C:/x/machine.json", "{}")], "a path that leaves the zip; refused"),
    ([(".", "{}")], "'.': a path that leaves the zip; refused"),
    ([("box\n/machine.json", "{}")], "a name with control characters; refused"),
    ([("x" * 300 + "/machine.json", "{}")], "a name too long for a checkout; refused"),
    ([("a/machine.json", "{}"), ("a/machine.json", "{}")], "'a/machine.json': the same name twice; refused"),
    ([("a/Run.json", "{}"), ("a/run.json", "{}")], "differing only in case; refused"),
    ([("a/x", "{}"), ("a/x/machine.json", "{}")], "a file and a folder of the same name; refused"),
])
def test_hostile_zip_names_are_one_line_naming_the_zip_and_entry(tmp_path, entries, message):
    archive = _zip(tmp_path, entries)
    done = collect(archive, results=tmp_path / "results")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"benchlog: error: {archive}: ") and line.endswith(message), line
    assert not (tmp_path / "results").exists()


def test_an_encrypted_entry_an_unknown_method_and_a_bad_crc_are_one_line(tmp_path):
    good = _zip(tmp_path, [("box/machine.json", "{}" * 50)], "good.zip")
    raw = good.read_bytes()
    cases = {"encrypted": (6, b"\x01\x00", "an encrypted entry"),  # general-purpose flag bit 0, local header
             "method": (8, b"\x63\x00", "an unknown compression method (99)")}
    for name, (offset, value, message) in cases.items():
        data = bytearray(raw)
        central = data.rindex(b"PK\x01\x02")  # the central directory entry is what zipfile reads first
        data[central + offset + 2:central + offset + 4] = value
        path = tmp_path / f"{name}.zip"
        path.write_bytes(bytes(data))
        done = collect(path, results=tmp_path / "results")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip().endswith(message + "; refused"), done.stderr
    data = bytearray(raw)
    data[data.index(b"{}{}")] = ord("[")  # the stored bytes no longer match their CRC
    (tmp_path / "crc.zip").write_bytes(bytes(data))
    done = collect(tmp_path / "crc.zip", results=tmp_path / "results")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "'box/machine.json': cannot be extracted (Bad CRC-32" in done.stderr
    (tmp_path / "not.zip").write_text("plain text")
    done = collect(tmp_path / "not.zip", results=tmp_path / "results")
    assert done.returncode == 1 and "cannot be read as a zip" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists()


def test_a_zip_made_on_windows_is_collected(tmp_path):
    archive = _zip(tmp_path, _box_entries("results\\test-box\\"), "windows.zip")
    done = collect(archive, results=tmp_path / "results")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "results/test-box").iterdir()) == [
        "20260101T000000Z-tiny-distilbert.json", "machine.json"]


def test_messages_name_the_zip_not_a_temp_folder(tmp_path):
    entries = _box_entries("results/test-box/") + [("results/test-box/20260302T000000Z-bad.json", "{")]
    archive = _zip(tmp_path, entries, "mixed.zip")
    done = collect(archive, results=tmp_path / "results")
    assert done.returncode == 1
    assert f"refused: {archive}/results/test-box/20260302T000000Z-bad.json: " in done.stdout
    assert "benchlog-collect-" not in done.stdout and "benchlog-check-" not in done.stdout
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").rglob("*.json"))


# --- collect's limits at their edges and its messages in full (limits made small with monkeypatch) -----------------

def _refusal(tmp_path, entries, name="bad.zip"):
    archive = _zip(tmp_path, entries, name)
    done = collect(archive, results=tmp_path / "results")
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    return archive, line


def test_a_symlink_entry_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo("box/machine.json")
        info.external_attr = (0o120777 << 16)  # S_IFLNK: a link, as `zip --symlinks` stores it
        z.writestr(info, "/etc/passwd")
    done = collect(path, results=tmp_path / "results")
    assert done.stderr.strip() == f"benchlog: error: {path}: 'box/machine.json': a link; refused"


@pytest.mark.parametrize("entries, message", [
    ([("a/run.json", "{}"), ("A/Run.JSON", "{}")], "'A/Run.JSON': the same name as 'a/run.json', differing only in case"),
    ([("a/x/y", "{}"), ("A/X", "{}")], "'A/X': a file and a folder of the same name"),  # folder implied by a/x/y
    ([("a/", ""), ("a", "{}")], "'a': a file and a folder of the same name"),  # an explicit folder entry
])
def test_name_collisions_in_full(tmp_path, entries, message):
    archive, line = _refusal(tmp_path, entries)
    assert line == f"benchlog: error: {archive}: {message}; refused"


def test_name_length_limits_are_inclusive(tmp_path, monkeypatch):
    from benchlog import collect as module
    monkeypatch.setattr(module, "MAX_PATH", 20)
    monkeypatch.setattr(module, "MAX_NAME", 8)
    fits = [("box/machine.json", "{}")]  # "machine.json" is 12 bytes, over a part limit of 8
    archive, line = _refusal(tmp_path, fits)
    assert line.endswith("'box/machine.json': a name too long for a checkout; refused")
    monkeypatch.setattr(module, "MAX_NAME", 12)  # "machine.json" is exactly 12 bytes: allowed
    done = collect(_zip(tmp_path, [("abcd/machine.json", "{}")], "ok.zip"), results=tmp_path / "results")
    assert "too long" not in done.stdout + done.stderr  # 17 of 20 characters, a 12-byte part: it fits
    archive, line = _refusal(tmp_path, [("abcdefgh/machine.json", "{}")], "long.zip")  # 21 characters
    assert line.endswith("a name too long for a checkout; refused")
    monkeypatch.setattr(module, "MAX_PATH", 21)
    done = collect(_zip(tmp_path, [("abcdefgh/machine.json", "{}")], "exact.zip"), results=tmp_path / "results")
    assert "too long" not in done.stdout + done.stderr


def test_size_limits_are_inclusive(tmp_path, monkeypatch):
    from benchlog import collect as module
    monkeypatch.setattr(module, "MAX_ZIP_BYTES", 10)
    path = _zip(tmp_path, [("box/machine.json", "x" * 10)], "ten.zip")  # exactly the limit: read
    done = collect(path, results=tmp_path / "results")
    assert "unpacks to more than" not in done.stderr
    path = _zip(tmp_path, [("box/machine.json", "x" * 11)], "eleven.zip")
    done = collect(path, results=tmp_path / "results")
    assert done.stderr.strip() == f"benchlog: error: {path}: unpacks to more than 10 bytes; not a results zip"
    monkeypatch.setattr(module, "MAX_ZIP_BYTES", 10_000)
    monkeypatch.setattr(module, "MAX_FILE_BYTES", 5)
    into = tmp_path / "unpacked"
    module.unpack(_zip(tmp_path, [("box/a.json", "12345"), ("box/b.json", "123456"), ("box/c.json", "1")],
                       "sizes.zip"), into)
    assert sorted(p.name for p in (into / "box").iterdir()) == ["a.json", "c.json"]  # the oversized one is left


def test_sources_that_are_not_results(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("x")
    done = collect(stray, results=tmp_path / "results")
    assert done.stderr.strip() == f"benchlog: error: {stray}: not a folder or a .zip of result folders"
    empty = _zip(tmp_path, [("readme.txt", "x")], "empty.zip")
    done = collect(empty, results=tmp_path / "results")
    assert f"refused: {empty}: holds no results/<machine-id>/machine.json" in done.stdout
    assert done.stdout.strip().endswith("collected 0 new files; 0 already there; 1 refused")


def test_two_zips_and_two_machines_in_one_zip_are_all_collected(tmp_path):
    one = _zip(tmp_path, _box_entries("results/test-box/"), "one.zip")
    entries = [(n.replace("test-box", "box-b"), t.replace('"test-box"', '"box-b"')) for n, t in
               _box_entries("results/test-box/")]
    entries += [(n.replace("test-box", "box-c"), t.replace('"test-box"', '"box-c"')) for n, t in
                _box_entries("results/test-box/")]
    two = _zip(tmp_path, entries, "two.zip")
    done = collect(one, two, results=tmp_path / "results")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("collected 6 new files; 0 already there; 0 refused"), done.stdout
    assert sorted(load_results(tmp_path / "results").machines) == ["box-b", "box-c", "test-box"]


def test_a_folder_source_is_named_as_itself_in_messages(tmp_path):
    results, other = home_and_other(tmp_path)
    (other / "20260101T000000Z-tiny-distilbert.json").write_text("{not json")
    done = collect(other.parent, results=results)
    assert f"refused: {other}/20260101T000000Z-tiny-distilbert.json: is not valid JSON" in done.stdout
