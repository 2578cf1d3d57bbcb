"""Loading, validation (every message a user sees), migration and defaults of result files."""

import json

import pytest

from benchlog.format.errors import ResultFileError
from benchlog.format.load import load_results
from benchlog.format.parse import read_document
from benchlog.format.schema import FORMAT_VERSION

from conftest import DATA

BROKEN = DATA / "broken"


def problems_by_case():
    results = load_results(BROKEN)
    return {p.path.split("/")[-2]: str(p) for p in results.problems}, results


def test_valid_results_load_without_problems():
    results = load_results(DATA / "results")
    assert results.problems == []
    assert sorted(results.machines) == ["old-box", "test-box"]
    assert [r.id for r in results.runs_of("test-box")] == ["20260101T000000Z-tiny-distilbert"]


def test_each_broken_file_gives_one_line_naming_file_and_field():
    problems, results = problems_by_case()
    b = str(BROKEN)
    run = "20260101T000000Z-tiny.json"
    assert problems == {
        "bad-status": f'{b}/bad-status/{run}: variants[1].status: must be one of "ok", "skipped", "failed", '
                      'got "great"',
        "conflict": f'{b}/conflict/{run}: cpu_model: "Intel(R) Xeon(R) Platinum 8480+" differs from '
                    f'"AMD EPYC 9R14" in {b}/conflict/machine.json: two CPUs claim machine id \'conflict\'; '
                    'move this run to its own machine id',
        "missing-field": f"{b}/missing-field/{run}: started_at: is missing (required)",
        "moved": f"{b}/moved/machine.json: machine_id: says 'someone-else' but the file is in {b}/moved/; "
                 "the folder name is the machine id",
        "newer": f"{b}/newer/{run}: format_version: 99 is newer than this benchlog reads ({FORMAT_VERSION}); "
                 "upgrade benchlog (git pull, then the README's set-up) to read it",
        "no-machine": f"{b}/no-machine/machine.json: is missing; every results/<machine>/ folder needs one "
                      "(benchlog run writes it)",
        "truncated": f"{b}/truncated/{run}: is not valid JSON (line 81, column 15: Expecting ':' delimiter); "
                     "it may be truncated",
        "unknown-field": f"{b}/unknown-field/{run}: variants[2].latncy_ms: is not a known field",
        "wrong-type": f'{b}/wrong-type/{run}: variants[0].latency_ms.p50: must be a number, got a string "fast"',
    }
    assert all("\n" not in line for line in problems.values())
    # Bad runs are skipped; their machines (valid) still load.
    assert results.runs == []
    assert "conflict" in results.machines and "moved" not in results.machines


def test_every_problem_of_one_file_is_reported(tmp_path):
    machine = json.loads((DATA / "results/test-box/machine.json").read_text())
    machine["label"] = 3
    machine["cpu"]["logical_cores"] = "two"
    (tmp_path / "test-box").mkdir()
    (tmp_path / "test-box/machine.json").write_text(json.dumps(machine))
    fields = [p.field for p in load_results(tmp_path).problems]
    assert fields == ["cpu.logical_cores", "label"]


def test_old_format_is_migrated():
    results = load_results(DATA / "results")
    machine = results.machines["old-box"]
    assert machine.doc["format_version"] == FORMAT_VERSION
    assert machine.cpu["model"] == "Intel(R) Core(TM) i7-1185G7"
    assert machine.cpu["logical_cores"] == 8
    (run,) = results.runs_of("old-box")
    assert run.doc["model"] == {"name": "distilbert-base-uncased", "weights": "pretrained",
                                "architecture": None, "revision": None, "parameters": None,
                                "dims": dict.fromkeys(("layers", "hidden", "heads", "ffn", "vocab", "labels",
                                                       "head_hidden"))}
    assert [v["id"] for v in run.variants] == ["pytorch-fp32", "ort-cpu-int8"]
    assert run.variants[0]["size"]["bytes"] == 267000000


def test_format_6_stores_noise_reasons_as_keys_and_older_sentences_are_dropped(tmp_path):
    """An older file kept the reasons as UI sentences: they are dropped on reading (the figures they were worded
    from stay and are judged again); a version-6 file may hold only the keys."""
    from conftest import ROOT

    (source,) = [p for p in (ROOT / "results/amd-epyc-2vcpu-avx512").glob("2026*.json")
                 if '"reasons": [\n          "' in p.read_text()][:1]
    old = json.loads(source.read_text())
    assert old["format_version"] < 6
    noisy = [v for v in old["variants"] if (v.get("noise") or {}).get("reasons")]
    assert noisy and all(isinstance(r, str) and " " in r for v in noisy for r in v["noise"]["reasons"])
    doc = read_document(source, "run")
    assert doc["format_version"] == FORMAT_VERSION
    by_id = {v["id"]: v for v in doc["variants"]}
    for v in noisy:
        assert by_id[v["id"]]["noise"]["reasons"] == []
        kept = {k: by_id[v["id"]]["noise"][k] for k in v["noise"] if k != "reasons"}
        assert kept == {k: x for k, x in v["noise"].items() if k != "reasons"}  # the figures stay
    new = dict(old, format_version=6)
    new["variants"] = [dict(v, noise=dict(v["noise"], reasons=["half_width"])) if v in noisy else v
                       for v in old["variants"]]
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert read_document(tmp_path / "new.json", "run")["variants"][old["variants"].index(noisy[0])]["noise"][
        "reasons"] == ["half_width"]
    new["variants"][old["variants"].index(noisy[0])]["noise"]["reasons"] = ["95% 구간이 ±7.2%로 넓음"]
    (tmp_path / "prose.json").write_text(json.dumps(new))
    with pytest.raises(ResultFileError, match=r"prose.json: variants\[\d+\]\.noise\.reasons\[0\]"):
        read_document(tmp_path / "prose.json", "run")


def test_optional_fields_are_filled_with_empty_values():
    doc = read_document(DATA / "results/old-box/20250101T000000Z-old.json", "run")
    variant = doc["variants"][0]
    assert variant["fidelity"]["cosine"] is None
    assert variant["notes"] == []
    assert variant["reason"] is None


def test_a_wrong_top_level_type_is_one_line(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m/machine.json").write_text("[1, 2]")
    (problem,) = load_results(tmp_path).problems
    assert str(problem) == f"{tmp_path}/m/machine.json: must hold a JSON object, not a list"


def test_missing_results_folder_is_empty(tmp_path):
    results = load_results(tmp_path / "nothing")
    assert results.machines == {} and results.problems == []


def test_the_committed_results_are_valid():
    from conftest import ROOT

    results = load_results(ROOT / "results")
    assert results.problems == []
    assert "colab-intel-xeon-2.20ghz-2vcpu" in results.machines


def test_the_fast_validator_agrees_with_jsonschema_on_every_file_and_every_broken_copy(monkeypatch):
    """format/problems.fast_valid (fastjsonschema) decides alone that a file is valid: it must never pass what
    jsonschema, whose errors users read, would refuse. Every committed and test file, and copies of them broken
    one field at a time (a wrong type, a missing required field, an unknown field, a bad enum)."""
    import copy
    import json

    import jsonschema

    from benchlog.format import problems
    from benchlog.format.problems import fast_valid
    from benchlog.format.schema import SCHEMAS

    monkeypatch.setattr(problems, "_FAST", {})  # compiled here, not taken from an earlier test's cache

    def kind_of(path, doc):
        return "machine" if path.name == "machine.json" else "roof" if path.name.startswith("roof-") else "run"

    def breakages(doc):
        for key in list(doc)[:12]:
            for value in (None, "x", -1, [], {}):
                broken = copy.deepcopy(doc)
                broken[key] = value
                yield broken
            gone = copy.deepcopy(doc)
            del gone[key]
            yield gone
        yield {**doc, "no_such_field": 1}
        for i, variant in enumerate((doc.get("variants") or [])[:3]):
            for key, value in (("status", "fine"), ("latency_ms", {"p50": "fast"}), ("id", 7),
                               ("fidelity", {"cosine": 2})):
                broken = copy.deepcopy(doc)
                broken["variants"][i][key] = value
                yield broken

    checked = 0
    from conftest import ROOT

    for path in sorted([*(ROOT / "results").rglob("*.json"), *(ROOT / "tests/data").rglob("*.json")]):
        try:
            doc = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(doc, dict):
            continue
        kind = kind_of(path, doc)
        strict = jsonschema.Draft202012Validator(SCHEMAS[kind])
        for candidate in [doc, *breakages(doc)]:
            assert fast_valid(candidate, kind) == strict.is_valid(candidate), path
            checked += 1
    assert checked > 2000


def test_the_ascii_fast_path_finds_the_same_invisible_characters_as_the_rule():
    import unicodedata

    from benchlog.format import parse as load

    for code in range(128):
        char = chr(code)
        rule = char not in "\n\t" and unicodedata.category(char) in load.INVISIBLE_CATEGORIES
        assert (load.invisible_character("ab" + char + "c") == (2, char)) == rule, hex(code)
        assert (load.invisible_character("한" + char) == (1, char)) == rule, hex(code)  # the slow path agrees
