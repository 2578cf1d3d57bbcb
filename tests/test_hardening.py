"""Untrusted result files: every hostile or broken case is one problem line naming the file (and the field where
there is one), never a traceback, a hang or a silently published file."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from benchlog.site import tables
from benchlog.format.load import load_results
from benchlog.format.schema import MAX_FILE_BYTES

from conftest import DATA, ROOT

RUN = "20260101T000000Z-tiny-distilbert.json"


@pytest.fixture
def box(tmp_path):
    """results/ with one valid machine and run (test-box), returned as (results dir, run path)."""
    shutil.copytree(DATA / "results/test-box", tmp_path / "results/test-box")
    return tmp_path / "results", tmp_path / "results/test-box" / RUN


def only_problem(results_dir):
    results = load_results(results_dir)
    assert len(results.problems) == 1, [str(p) for p in results.problems]
    line = str(results.problems[0])
    assert "\n" not in line and "Traceback" not in line
    return line, results


def put_number(run, field_text, raw):
    """Replace the JSON value of "p50" in the first variant by `raw` (text, so NaN and 10**400 survive)."""
    text = run.read_text()
    doc = json.loads(text)
    old = json.dumps(doc["variants"][0]["latency_ms"]["p50"])
    run.write_text(text.replace(f'"p50": {old}', f'"p50": {raw}', 1))


@pytest.mark.parametrize("raw, got", [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
                                      ("1e400", "1e400"), ("1" + "0" * 400, "100000000000…(401 characters)"),
                                      ("9" * 5000, "999999999999…(5000 characters)")])
def test_numbers_that_are_not_finite_or_64_bit_are_named_by_field(box, raw, got):
    results_dir, run = box
    put_number(run, "p50", raw)
    line, results = only_problem(results_dir)
    assert line == f"{run}: variants[0].latency_ms.p50: must be a finite number within 64 bits, got {got}"
    assert results.runs == []


@pytest.mark.parametrize("value", [0, -149.5, 1e-321, 0.0009, 3600001, 1e300])
def test_latencies_must_lie_in_a_physical_range(box, value):
    """1e-321 ms used to pass and then divide by zero in every build; 1e300 made speed-ups of inf."""
    results_dir, run = box
    put_number(run, "p50", json.dumps(value))
    line, results = only_problem(results_dir)
    assert line == (f"{run}: variants[0].latency_ms.p50: must be a latency from 0.001 ms (1 µs) to 3,600,000 ms "
                    f"(1 hour), got {json.dumps(value)}")
    assert results.runs == []


def test_extreme_but_accepted_latencies_give_finite_speedups_and_rates(box):
    from benchlog.analysis import efficiency, intervals

    results_dir, run = box
    doc = json.loads(run.read_text())
    for v in doc["variants"]:
        if v.get("latency_ms"):
            v["latency_ms"].update(p50=0.001 if v["id"] != "pytorch-fp32" else 3.6e6)
    run.write_text(json.dumps(doc))
    results = load_results(results_dir)
    assert results.problems == []
    (loaded,) = results.runs
    ratios = intervals.run_speedups(loaded.doc)
    assert ratios and all(0 < r["value"] <= 3.6e9 for r in ratios.values())
    for row in efficiency.run_rows(results, results.machines[loaded.machine_id], loaded):
        assert row["gops"] is None or 0 < row["gops"] < float("inf")


def test_an_interval_may_reach_below_a_microsecond_but_not_zero(box):
    """A 0.1 ms median over 3 very noisy rounds gave a lower bound of 0.00083 ms: the run crashed on writing it (the
    interval's bounds were held to the latency range). Bounds are statistics: positive and finite is enough."""
    results_dir, run = box
    doc = json.loads(run.read_text())
    doc["variants"][0]["latency_ms"].update(p50=0.1, p50_ci95=[0.0008274630697326591, 3.7e6])
    run.write_text(json.dumps(doc))
    assert load_results(results_dir).problems == []
    doc["variants"][0]["latency_ms"]["p50_ci95"] = [0, 0.2]
    run.write_text(json.dumps(doc))
    line, _ = only_problem(results_dir)
    assert line.startswith(f"{run}: variants[0].latency_ms.p50_ci95[0]: ")


def test_long_strings_and_long_lists_are_refused(box):
    results_dir, run = box
    doc = json.loads(run.read_text())
    doc["label"] = "x" * 100_000
    doc["notes"] = ["n"] * 5000
    run.write_text(json.dumps(doc))
    fields = {p.field: p.message for p in load_results(results_dir).problems}
    assert fields == {"label": "is 100,000 characters; the limit is at most 200",
                      "notes": "has 5,000 entries; at most 200 are allowed"}


def test_a_file_over_the_size_limit_is_not_read(box):
    results_dir, run = box
    doc = json.loads(run.read_text())
    doc["notes"] = ["x" * 1900] * 3000  # ~5.7 MB
    run.write_text(json.dumps(doc))
    line, _ = only_problem(results_dir)
    assert line == f"{run}: is {run.stat().st_size:,} bytes; a result file may hold at most {MAX_FILE_BYTES:,}"


# The document's root, variants, a variant and latency_ms are 4 levels: the 9th list inside "deep" is the 13th.
@pytest.mark.parametrize("depth, field", [(100_000, None), (20, "variants[0].latency_ms.deep" + "[0]" * 8)])
def test_deep_nesting_is_one_line(box, depth, field):
    results_dir, run = box
    nested = "[" * depth + "]" * depth
    run.write_text(run.read_text().replace('"latency_ms": {', '"latency_ms": {"deep": ' + nested + ", ", 1))
    line, _ = only_problem(results_dir)
    assert line == f"{run}: {field + ': ' if field else ''}nests deeper than 12 levels"


def test_a_fifo_is_refused_without_hanging(box):
    results_dir, _ = box
    fifo = results_dir / "test-box/20260202T000000Z-fifo.json"
    os.mkfifo(fifo)
    # validate as a subprocess with a timeout: a hang fails the test instead of blocking the suite
    done = subprocess.run([sys.executable, "-m", "benchlog", "validate", str(results_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert f"{fifo}: is not a regular file (a FIFO, device or folder); only files are read" in done.stdout
    assert done.returncode == 1


def test_a_link_to_a_device_or_outside_results_is_refused(box, tmp_path):
    results_dir, _ = box
    (results_dir / "test-box/20260202T000000Z-zero.json").symlink_to("/dev/zero")
    outside = tmp_path / "elsewhere.json"
    outside.write_text((results_dir / "test-box" / RUN).read_text())
    (results_dir / "test-box/20260203T000000Z-outside.json").symlink_to(outside)
    lines = sorted(str(p) for p in load_results(results_dir).problems)
    assert lines == [
        f"{results_dir}/test-box/20260202T000000Z-zero.json: is a link to /dev/zero, outside "
        f"{results_dir.resolve()}/; only files inside results/ are read",
        f"{results_dir}/test-box/20260203T000000Z-outside.json: is a link to {outside}, outside "
        f"{results_dir.resolve()}/; only files inside results/ are read"]


def test_hidden_entries_odd_extensions_and_odd_names_are_reported(box):
    results_dir, run = box
    shutil.copytree(results_dir / "test-box", results_dir / ".hidden-box")
    shutil.copy(run, results_dir / "test-box/20260202T000000Z-upper.JSON")
    shutil.copy(run, results_dir / "test-box/20260203T000000Z-`tick`.json")
    (results_dir / "stray.json").write_text("{}")
    lines = sorted(str(p) for p in load_results(results_dir).problems)
    assert lines == [
        f"{results_dir}/.hidden-box: is hidden and is not read; rename or remove it",
        f"{results_dir}/stray.json: is not in a machine folder; move it to results/<machine-id>/",
        f"{results_dir}/test-box/20260202T000000Z-upper.JSON: is not a result file (the extension must be "
        "lower-case .json); a machine folder holds machine.json and <run>.json files",
        f"{results_dir}/test-box/20260203T000000Z-`tick`.json: has a name that is not a plain run id (letters, "
        "digits, '.', '_', '-'; at most 151 characters); rename it"]


def test_a_malformed_older_version_file_is_one_line(box):
    results_dir, run = box
    run.write_text(json.dumps({"format_version": 1, "machine": "test-box", "results": ["not", "a", "dict"]}))
    line, _ = only_problem(results_dir)
    assert line.startswith(f"{run}: format_version: 1: the file does not have the shape of that version and "
                           "cannot be upgraded (AttributeError: ")


def test_not_utf8_is_one_line(box):
    results_dir, run = box
    run.write_bytes(b'{"label": "\xff"}')
    line, _ = only_problem(results_dir)
    assert line == f"{run}: is not UTF-8 text (byte 11)"


def test_equal_run_file_names_under_two_machines_are_two_runs(box):
    results_dir, run = box
    other = results_dir / "other-box"
    shutil.copytree(results_dir / "test-box", other)
    machine = json.loads((other / "machine.json").read_text())
    machine.update(machine_id="other-box", label="Other box")
    (other / "machine.json").write_text(json.dumps(machine))
    doc = json.loads((other / RUN).read_text())
    doc["machine_id"] = "other-box"
    doc["variants"][0]["latency_ms"]["p50"] *= 2  # PyTorch FP32 twice as slow there, same file name
    (other / RUN).write_text(json.dumps(doc))
    results = load_results(results_dir)
    assert results.problems == []
    frame = tables.variant_frame(results)
    speedups = {(r.machine_id, r.variant_id): r.speedup for r in frame.itertuples() if r.speedup is not None}
    assert speedups[("test-box", "ort-cpu-int8")] == pytest.approx(4.0)
    assert speedups[("other-box", "ort-cpu-int8")] == pytest.approx(8.0)
    assert frame.series.nunique() == 2


@pytest.mark.parametrize("value, message", [
    ("not-a-date-at-all", 'must be a UTC time such as 2026-12-02T18:42:07Z, got "not-a-date-at-all"'),
    ("2026-13-01T00:00:00Z", 'must be a UTC time such as 2026-12-02T18:42:07Z, got "2026-13-01T00:00:00Z"'),
    ("9999-01-01T00:00:00Z", '"9999-01-01T00:00:00Z" is in the future'),
])
def test_started_at_is_a_real_utc_time_not_in_the_future(box, value, message):
    """A fake date compared as text used to take one of the comparison's slots forever."""
    results_dir, run = box
    doc = json.loads(run.read_text())
    doc["started_at"] = value
    run.write_text(json.dumps(doc))
    line, results = only_problem(results_dir)
    assert line == f"{run}: started_at: {message}"
    assert results.runs == []


@pytest.mark.parametrize("where, char, name", [
    ("label", "\u200b", "ZERO WIDTH SPACE"),
    ("label", "\u202e", "RIGHT-TO-LEFT OVERRIDE"),
    ("label", "\u3164", "HANGUL FILLER"),
    ("label", "\x07", "a control character"),
    ("notes", "\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
])
def test_invisible_characters_are_refused_with_their_field(box, where, char, name):
    """'Xeon' + U+200B used to pass as another machine's 'Xeon'; a bidi override makes text read backwards."""
    results_dir, run = box
    doc = json.loads(run.read_text())
    if where == "label":
        doc["variants"][0]["label"] = f"Xeon{char}"
    else:
        doc["notes"] = [f"Xeon{char}"]
    run.write_text(json.dumps(doc))
    line, results = only_problem(results_dir)
    field = "variants[0].label" if where == "label" else "notes[0]"
    position = 5
    assert line == (f"{run}: {field}: holds an invisible character, U+{ord(char):04X} ({name}), at character "
                    f"{position}: text in a result file must read as it looks")
    assert results.runs == []


def test_an_invisible_character_in_a_field_name_is_refused(box):
    results_dir, run = box
    text = run.read_text()
    run.write_text(text.replace('"label":', '"label\\u200b":', 1))
    line, _ = only_problem(results_dir)
    assert "holds an invisible character, U+200B (ZERO WIDTH SPACE)" in line


def test_line_breaks_and_tabs_in_notes_are_text(box):
    results_dir, run = box
    doc = json.loads(run.read_text())
    doc["notes"] = ["first line\nsecond\tline"]
    run.write_text(json.dumps(doc))
    assert load_results(results_dir).problems == []


@pytest.mark.parametrize("look_alike", [
    "TEST BOX (AMD EPYC, 2 CORES)",   # case
    "Test  box (AMD EPYC, 2 cores) ",  # spacing
    "Ｔｅｓｔ box (AMD EPYC, 2 cores)",   # full-width forms
    "Tеst bоx (АMD EPYC, 2 cores)",    # Cyrillic е, о and А
])
def test_machines_whose_labels_read_alike_are_told_apart_by_id(box, look_alike):
    results_dir, _ = box
    real = json.loads((results_dir / "test-box/machine.json").read_text())["label"]
    assert real == "Test box (AMD EPYC, 2 cores)"  # the fixture's label, which the look-alikes imitate
    other = results_dir / "other-box"
    other.mkdir()
    machine = json.loads((results_dir / "test-box/machine.json").read_text())
    machine.update(machine_id="other-box", label=look_alike)
    (other / "machine.json").write_text(json.dumps(machine))
    results = load_results(results_dir)
    assert results.problems == []
    assert results.machines["test-box"].display == "Test box (AMD EPYC, 2 cores) · test-box"
    assert results.machines["other-box"].display == f"{look_alike} · other-box"


def test_different_labels_are_shown_as_written(box):
    results_dir, _ = box
    other = results_dir / "other-box"
    other.mkdir()
    machine = json.loads((results_dir / "test-box/machine.json").read_text())
    machine.update(machine_id="other-box", label="Test box (AMD EPYC, 4 cores)")
    (other / "machine.json").write_text(json.dumps(machine))
    results = load_results(results_dir)
    assert results.machines["test-box"].display == "Test box (AMD EPYC, 2 cores)"
    assert results.machines["other-box"].display == "Test box (AMD EPYC, 4 cores)"


@pytest.mark.parametrize("value", ["ort-cpu-int8\n", "ort cpu", "Ort-cpu-int8"])
def test_ids_match_as_a_whole_string(box, value):
    """A pattern ending in "$" lets "id\\n" through: ids name pages and anchors, so the whole string must match."""
    results_dir, run = box
    doc = json.loads(run.read_text())
    doc["variants"][2]["id"] = value
    run.write_text(json.dumps(doc))
    line, results = only_problem(results_dir)
    assert line.startswith(f"{run}: variants[2].id: ") and "must be lower-case letters, digits" in line
    assert results.runs == []


def _machine_doc():
    return json.loads((DATA / "results/test-box/machine.json").read_text())


@pytest.mark.parametrize("change, line", [
    (lambda d: d.pop("label"), "label: is missing (required)"),
    (lambda d: d.update(extra=1), "extra: is not a known field"),
    (lambda d: d["cpu"].update(hybrid="yes"), 'cpu.hybrid: must be true or false or null, got a string "yes"'),
    (lambda d: d.update(memory_bytes="big"), 'memory_bytes: must be a whole number or null, got a string "big"'),
    (lambda d: d.update(cpu=None), "cpu: must be an object, got null"),
    (lambda d: d.update(kind="run"), 'kind: must be one of "machine", got "run"'),
    (lambda d: d.update(label=""), "label: is 0 characters; the limit is at least 1"),
    (lambda d: d.update(label="x" * 201), "label: is 201 characters; the limit is at most 200"),
    (lambda d: d["cpu"].update(flags={f"f{i}": True for i in range(201)}),
     "cpu.flags: has 201 entries; at most 200 are allowed"),
    (lambda d: d["cpu"].update(flags={"x" * 101: True}), "cpu.flags: has a field name of 101 characters; at most 100 are allowed"),
    (lambda d: d["cpu"].update(freq_mhz=0), "cpu.freq_mhz: must be > 0, got 0"),
    (lambda d: d.update(format_version=0), "format_version: must be >= 1, got 0"),
    (lambda d: d.update(memory_bytes=-1), "memory_bytes: must be >= 0, got -1"),
    (lambda d: d.update(machine_id="Box"),
     "machine_id: \"Box\" must be lower-case letters, digits, '.', '_' or '-' (it names a folder and a page)"),
])
def test_every_kind_of_schema_problem_reads_as_one_line(change, line):
    from benchlog.format.problems import schema_problems
    doc = _machine_doc()
    change(doc)
    path = "results/test-box/machine.json"
    assert [str(p) for p in schema_problems(path, doc, "machine")] == [f"{path}: {line}"]


@pytest.mark.parametrize("change, line", [
    (lambda d: d["variants"][0].update(status="maybe"),
     'variants[0].status: must be one of "ok", "skipped", "failed", got "maybe"'),
    (lambda d: d["variants"][0]["fidelity"].update(cosine=2), "variants[0].fidelity.cosine: must be <= 1.0001, got 2"),
    (lambda d: d["variants"][0]["latency_ms"].update(p50=0.0001),
     "variants[0].latency_ms.p50: must be a latency from 0.001 ms (1 µs) to 3,600,000 ms (1 hour), got 0.0001"),
    (lambda d: d["variants"][0]["latency_ms"].update(p50_ci95=[1.0]),
     "variants[0].latency_ms.p50_ci95: has 1 entries; it must have 2"),
])
def test_run_schema_problems_read_as_one_line(box, change, line):
    from benchlog.format.problems import schema_problems
    _, run = box
    doc = json.loads(run.read_text())
    change(doc)
    assert [str(p) for p in schema_problems("r.json", doc, "run")] == [f"r.json: {line}"]


def test_a_document_that_is_not_an_object_at_all():
    from benchlog.format.problems import schema_problems
    assert [str(p) for p in schema_problems("m.json", [], "machine")] == ["m.json: (top level): must be an object, "
                                                                         "got a list []"]


@pytest.mark.parametrize("value, got", [
    (True, "a boolean true"), (5, "a number 5"), (2.5, "a number 2.5"), (None, "null"), ({}, "an object {}"),
    ("x" * 38, "a string " + json.dumps("x" * 38)),  # 40 characters with its quotes: shown whole
    ("x" * 39, "a string " + json.dumps("x" * 39)[:37] + "..."),  # 41: cut to 37 and "..."
    ("한" * 5, 'a string "한한한한한"'),  # shown as written, not as \\ud55c escapes
])
def test_a_wrong_type_names_what_it_got(value, got):
    from benchlog.format.problems import schema_problems
    doc = _machine_doc()
    field, wanted = ("cpu.model", "a string") if not isinstance(value, str) else ("format_version", "a whole number")
    if isinstance(value, str):
        doc["format_version"] = value
    else:
        doc["cpu"]["model"] = value
    assert [str(p) for p in schema_problems("m.json", doc, "machine")] == [f"m.json: {field}: must be {wanted}, "
                                                                           f"got {got}"]


def test_duplicate_variant_ids_and_counts_of_files(box):
    results_dir, run = box
    doc = json.loads(run.read_text())
    doc["variants"][3]["id"] = doc["variants"][1]["id"]
    run.write_text(json.dumps(doc))
    line, results = only_problem(results_dir)
    assert line == f"{run}: variants[3].id: '{doc['variants'][1]['id']}' appears twice in this run"
    assert results.files == 2  # machine.json and the run, both read
    (results_dir / "test-box/roof-20260101T000000Z.json").write_text("{}")
    assert load_results(results_dir).files == 3


def test_a_link_inside_results_is_read_and_odd_entries_are_named(box):
    results_dir, run = box
    (results_dir / "test-box/alias.json").symlink_to(run)  # a link that stays inside results/: read like a file
    (results_dir / "stray.txt").write_text("x")
    (results_dir / "test-box/RUN.JSON").write_text("{}")
    problems = sorted(str(p) for p in load_results(results_dir).problems)
    assert problems == [
        f"{results_dir}/stray.txt: is not a machine folder; results/ holds only results/<machine-id>/ folders",
        f"{results_dir}/test-box/RUN.JSON: is not a result file (the extension must be lower-case .json); a machine "
        "folder holds machine.json and <run>.json files",
    ]


def test_a_roof_file_is_kept_with_its_name_and_path(box):
    results_dir, _ = box
    roof = results_dir / "test-box/roof-20260101T000000Z.json"
    roof.write_text(json.dumps({"format_version": 5, "kind": "roof", "machine_id": "test-box",
                                "started_at": "2026-01-01T00:00:00Z", "threads": 2, "gemm": []}))
    results = load_results(results_dir)
    assert [str(p) for p in results.problems] == []
    (loaded,) = results.roofs
    assert loaded.id == "roof-20260101T000000Z" and loaded.path == roof


@pytest.mark.parametrize("entry, problem", [
    ({"size": 512}, None), ({"shape": [128, 768, 3072]}, None),
    ({}, "gemm[0]: must hold exactly one of size, shape"),
    ({"size": 512, "shape": [128, 768, 3072]}, "gemm[0]: must hold exactly one of size, shape"),
    ({"shape": [128, 768]}, "gemm[0].shape: has 2 entries; it must have 3"),
    ({"shape": [128, 0, 3]}, "gemm[0].shape[1]: must be >= 1, got 0")])
def test_a_roof_entry_is_a_square_size_or_a_workload_shape(box, entry, problem):
    results_dir, _ = box
    roof = results_dir / "test-box/roof-20260101T000000Z.json"
    roof.write_text(json.dumps({"format_version": 8, "kind": "roof", "machine_id": "test-box",
                                "started_at": "2026-01-01T00:00:00Z", "threads": 2,
                                "gemm": [{"library": "torch", "precision": "int8", "rate_gops": 1.0, **entry}]}))
    assert [str(p) for p in load_results(results_dir).problems] == ([f"{roof}: {problem}"] if problem else [])


@pytest.mark.parametrize("raw, ok", [("-9223372036854775808", True), ("9223372036854775807", True),
                                     ("9223372036854775808", False), ("-9223372036854775809", False)])
def test_64_bit_integers_at_their_edges(raw, ok):
    from benchlog.format.errors import ResultFileError
    from benchlog.format.parse import parse_json
    if ok:
        assert parse_json("f.json", f'{{"n": {raw}}}'.encode()) == {"n": int(raw)}
    else:
        with pytest.raises(ResultFileError, match=f"n: must be a finite number within 64 bits, got {raw}$"):
            parse_json("f.json", f'{{"n": {raw}}}'.encode())


@pytest.mark.parametrize("text, line", [
    ("NaN", "f.json: (top level): must be a finite number within 64 bits, got NaN"),
    ('"\\u200b"', "f.json: (top level): holds an invisible character, U+200B (ZERO WIDTH SPACE), at character 1: "
                  "text in a result file must read as it looks"),
    ('{"cpu": {"mo\\u200bdel": 1}}', "f.json: cpu.mo\u200bdel: holds an invisible character, U+200B (ZERO WIDTH "
                                     "SPACE), at character 3: text in a result file must read as it looks"),
])
def test_parse_problems_name_the_field_or_the_top_level(text, line):
    from benchlog.format.errors import ResultFileError
    from benchlog.format.parse import parse_json
    with pytest.raises(ResultFileError) as exc:
        parse_json("f.json", text.encode())
    assert str(exc.value) == line


def test_read_bytes_limits_and_failures(tmp_path, monkeypatch):
    from benchlog.format import parse as load
    from benchlog.format.errors import ResultFileError
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 10)
    ten, eleven = tmp_path / "ten.json", tmp_path / "eleven.json"
    ten.write_bytes(b"1" * 10)
    eleven.write_bytes(b"1" * 11)
    assert load.read_bytes(ten) == b"1" * 10  # exactly the limit: read whole
    with pytest.raises(ResultFileError, match="eleven.json: is 11 bytes; a result file may hold at most 10$"):
        load.read_bytes(eleven)
    with pytest.raises(ResultFileError) as exc:
        load.read_bytes(tmp_path / "missing.json")
    assert str(exc.value) == f"{tmp_path}/missing.json: cannot be read (No such file or directory)"
    with pytest.raises(ResultFileError) as exc:
        load.read_bytes(tmp_path)
    assert str(exc.value) == f"{tmp_path}: is not a regular file (a FIFO, device or folder); only files are read"


def test_defaults_fill_objects_lists_and_untyped_objects():
    from benchlog.format.parse import fill_defaults
    schema = {"properties": {"a": {"type": "object"}, "b": {"type": "array"}, "c": {"properties": {}},
                             "d": {"type": "string"}, "e": {"anyOf": []}}}
    assert fill_defaults({}, schema) == {"a": {}, "b": [], "c": {}, "d": None, "e": None}


def test_a_nested_missing_field_is_named_with_its_parent():
    from benchlog.format.problems import schema_problems
    doc = _machine_doc()
    del doc["cpu"]["model"]
    assert [str(p) for p in schema_problems("m.json", doc, "machine")] == ["m.json: cpu.model: is missing (required)"]


def test_files_are_counted_over_every_machine_and_odd_files_named(box, tmp_path):
    results_dir, _ = box
    shutil.copytree(results_dir / "test-box", results_dir / "other-box")
    doc = json.loads((results_dir / "other-box/machine.json").read_text())
    doc["machine_id"] = "other-box"
    (results_dir / "other-box/machine.json").write_text(json.dumps(doc))
    run = json.loads((results_dir / "other-box" / RUN).read_text())
    run["machine_id"] = "other-box"
    (results_dir / "other-box" / RUN).write_text(json.dumps(run))
    (results_dir / "other-box/notes.txt").write_text("x")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (results_dir / "linked-box").symlink_to(outside)
    results = load_results(results_dir)
    assert results.files == 4
    assert sorted(str(p) for p in results.problems) == [
        f"{results_dir}/linked-box: is a link to {outside}, outside {results_dir.resolve()}/; only files inside "
        "results/ are read",
        f"{results_dir}/other-box/notes.txt: is not a result file; a machine folder holds machine.json and "
        "<run>.json files"]
