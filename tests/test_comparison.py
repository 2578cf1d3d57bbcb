"""What the comparison shows, checked in the built pages' figure JSON against the files' own values: one series
per machine and run, one workload per section, the best evidence per machine, the TIL's machines side by side."""

import html
import json
import re

import pytest

from benchlog.analysis import workloads
from benchlog.site import tables
from benchlog.format.load import load_results

from conftest import DATA, mkdocs_build

RUN = "20260101T000000Z-tiny-distilbert.json"
COLAB = "colab-intel-xeon-2.20ghz-2vcpu"


def add_run(results, machine_id, name, **changes):
    """A copy of test-box's run under `machine_id`/`name`, with workload/complete/started_at changed."""
    doc = json.loads((DATA / "results/test-box" / RUN).read_text())
    doc["machine_id"] = machine_id
    doc["workload"].update(changes.pop("workload", {}))
    scale = changes.pop("scale", 1.0)
    for v in doc["variants"]:
        for key in ("mean", "p50", "p90", "p99", "min", "max"):
            if key in (v.get("latency_ms") or {}):
                v["latency_ms"][key] = round(v["latency_ms"][key] * scale, 3)
    doc.update(changes)
    (results / machine_id / name).write_text(json.dumps(doc))
    return doc


def add_machine(results, machine_id, label):
    (results / machine_id).mkdir()
    doc = json.loads((DATA / "results/test-box/machine.json").read_text())
    doc.update(machine_id=machine_id, label=label)
    (results / machine_id / "machine.json").write_text(json.dumps(doc))


def figures(page):
    return [json.loads(html.unescape(m)) for m in re.findall(r'data-figure="([^"]*)"', page)]


def section(page, index):
    """The HTML of the comparison's index-th workload section (1-based)."""
    parts = re.split(r'<h2 id="workload-\d+"', page)
    return parts[index]


@pytest.fixture
def two_workloads_two_twins(site_copy):
    results = site_copy / "results"
    for machine_id in ("twin-a", "twin-b"):
        add_machine(results, machine_id, "Same label")
    add_run(results, "twin-a", "20260101T000000Z-seq128.json", workload={"seq_len": 128}, model={"name": "m"})
    add_run(results, "twin-a", "20260102T000000Z-seq64.json", workload={"seq_len": 64}, model={"name": "m"},
            scale=0.25)
    add_run(results, "twin-b", "20260101T000000Z-seq128.json", workload={"seq_len": 128}, model={"name": "m"},
            scale=2.0)
    return site_copy


def test_chart_data_equals_the_files_with_two_workloads_and_two_equal_labels(two_workloads_two_twins):
    root = two_workloads_two_twins
    done = mkdocs_build(root)
    assert done.returncode == 0, done.stderr
    page = (root / "public/results/comparison/index.html").read_text()
    results = load_results(root / "results")
    sections = dict(workloads.comparison_sections(results))
    assert list(sections)[0] == workloads.TIL_WORKLOAD
    for key in (("m", 1, 128), ("m", 1, 64)):
        assert key in sections
    # Every latency bar is exactly the p50 of one variant of one run, keyed by machine and run; no run twice.
    for index in range(1, len(sections) + 1):
        latency = figures(section(page, index))[0]
        seen = set()
        for trace in latency["data"]:
            key = (trace["meta"]["machine_id"], trace["meta"]["run_id"])
            assert key not in seen
            seen.add(key)
            run = results.run(*key)
            expected = {}
            for v in run.variants:
                value, _ = tables.headline_latency(v["latency_ms"])
                if v["status"] == "ok" and value is not None:
                    expected[v["id"]] = value
            assert dict(zip(trace["customdata"], trace["y"])) == expected
    seq128 = figures(section(page, [k for k in sections].index(("m", 1, 128)) + 1))[0]
    twins = [t for t in seq128["data"] if t["meta"]["machine_id"] in ("twin-a", "twin-b")]
    assert len(twins) == 2 and twins[0]["marker"]["color"] != twins[1]["marker"]["color"]
    assert {t["meta"]["run_id"] for t in twins} == {"20260101T000000Z-seq128"}
    assert all(f["layout"]["barmode"] == "group" for f in figures(page) if f["data"][0]["type"] == "bar")


def test_a_machine_keeps_its_colour_on_every_chart_of_every_page(two_workloads_two_twins):
    root = two_workloads_two_twins
    assert mkdocs_build(root).returncode == 0
    colours = {}
    for page in (root / "public").rglob("*.html"):
        for figure in figures(page.read_text()):
            for trace in figure["data"]:
                if "machine_id" in trace["meta"]:  # history charts are one machine's, coloured by variant
                    colours.setdefault(trace["meta"]["machine_id"], set()).add(trace["marker"]["color"])
    assert len(colours) >= 4 and all(len(c) == 1 for c in colours.values()), colours


def test_an_interrupted_run_never_hides_a_complete_one(site_copy):
    results = site_copy / "results"
    add_machine(results, "box", "Box")
    add_run(results, "box", "20260101T000000Z-full.json", workload={"quick": False})
    newer = add_run(results, "box", "20260301T000000Z-stopped.json", complete=False, started_at="2026-03-01T00:00:00Z")
    newer["variants"] = []
    (results / "box/20260301T000000Z-stopped.json").write_text(json.dumps(newer))
    add_run(results, "box", "20260201T000000Z-quick.json", workload={"quick": True}, started_at="2026-02-01T00:00:00Z")
    loaded = load_results(results)
    shown = [r.id for _, runs in workloads.comparison_sections(loaded) for r in runs if r.machine_id == "box"]
    assert shown == ["20260101T000000Z-full"]
    assert mkdocs_build(site_copy).returncode == 0
    overview = (site_copy / "public/results/index.html").read_text()
    row = overview.split(">Box</a>")[1].split("</tr>")[0]
    assert "완료, 전체 측정" in row and "ORT CPU EP INT8" in row and "×4.00" in row


def test_a_quick_run_is_shown_only_where_nothing_better_exists_and_says_so(site_copy):
    results = site_copy / "results"
    add_machine(results, "box", "Box")
    add_run(results, "box", "20260201T000000Z-quick.json", workload={"quick": True})
    assert mkdocs_build(site_copy).returncode == 0
    overview = (site_copy / "public/results/index.html").read_text()
    assert "quick" in overview.split(">Box</a>")[1].split("</tr>")[0]
    page = (site_copy / "public/results/comparison/index.html").read_text()
    box = [t for f in figures(page) for t in f["data"] if t["meta"].get("machine_id") == "box"]
    assert box and all("[quick]" in t["name"] and t["marker"]["opacity"] < 1 for t in box if t["type"] == "bar")


def test_the_tils_machines_side_by_side(site_copy):
    assert mkdocs_build(site_copy).returncode == 0
    page = (site_copy / "public/results/comparison/index.html").read_text()
    til = section(page, 1)
    assert "TIL 워크로드: distilbert-base-multilingual-cased · batch 1 · 시퀀스 128" in til
    latency = figures(til)[0]
    colab = [t for t in latency["data"] if t["meta"]["machine_id"] == COLAB]
    assert {t["meta"]["run_id"][-5:] for t in colab} == {"til-1", "til-2"}
    assert len({t["marker"]["color"] for t in colab}) == 1 and len({t["legendgroup"] for t in colab}) == 1
    # One colour for the machine; each of its transcribed tables its own hatching, and each name its statistic
    # (the first table's figures are means, the second's do not say), which the title leaves to them.
    assert all("TIL 표" in t["name"] for t in colab)
    assert sorted(t["marker"]["pattern"]["shape"] for t in colab) == ["/", "\\"]
    assert {t["name"].rsplit(" · ", 1)[1] for t in colab} == {"평균", "통계 미기재"}
    assert latency["layout"]["title"]["text"] == "추론 1회 지연 시간 (통계는 범례에, 낮을수록 좋음)"
    laptop = til.split("Laptop (Intel Core i5-8265U)</a>")[1].split("</tr>")[0]
    assert "출처의 본문에 수치가 없습니다." in laptop
    assert "이 머신에서 <code>benchlog run</code>을 실행하고" in laptop and "을 커밋하세요" in laptop
    measured = [t for t in latency["data"] if not t["meta"]["machine_id"] in (COLAB,)]
    assert measured, "a measured machine stands beside the TIL's"


def test_machines_with_one_label_are_told_apart_wherever_shown(two_workloads_two_twins):
    root = two_workloads_two_twins
    assert mkdocs_build(root).returncode == 0
    overview = (root / "public/results/index.html").read_text()
    assert "Same label · twin-a</a>" in overview and "Same label · twin-b</a>" in overview
    page = (root / "public/results/comparison/index.html").read_text()
    names = {t["meta"]["machine_id"]: t["name"] for f in figures(page) for t in f["data"] if "machine_id" in t["meta"]}
    assert names["twin-a"].startswith("Same label · twin-a · ") and names["twin-b"].startswith("Same label · twin-b")
    assert all(name.count("noisy") <= 1 for name in names.values())


def test_speedup_bars_and_cells_carry_the_files_intervals(site_copy):
    results = site_copy / "results"
    add_machine(results, "box", "Box")
    doc = add_run(results, "box", "20260101T000000Z-ci.json", workload={"quick": False})
    reference = next(v for v in doc["variants"] if v["id"] == "pytorch-fp32")["latency_ms"]["p50"]
    expected = {}
    for v in doc["variants"]:
        if v["status"] == "ok":
            value = reference / v["latency_ms"]["p50"]
            v["speedup"] = {"value": value, "ci95": [value * 0.97, value * 1.03], "reference": "pytorch-fp32"}
            expected[v["id"]] = value
    doc["format_version"] = 5
    (results / "box/20260101T000000Z-ci.json").write_text(json.dumps(doc))
    assert mkdocs_build(site_copy).returncode == 0
    page = (site_copy / "public/results/comparison/index.html").read_text()
    speedup = [t for f in figures(page) for t in f["data"] if t["meta"].get("machine_id") == "box"
               and t["type"] == "bar" and 0.9 < max(t["y"]) < 100 and t["y"] == [expected[v] for v in t["customdata"]]]
    assert speedup, "no speed-up trace for box"
    for trace in speedup:
        for vid, plus, minus in zip(trace["customdata"], trace["error_y"]["array"], trace["error_y"]["arrayminus"]):
            assert plus == pytest.approx(expected[vid] * 0.03) and minus == pytest.approx(expected[vid] * 0.03)
    overview = (site_copy / "public/results/index.html").read_text()
    row = overview.split(">Box</a>")[1].split("</tr>")[0]
    assert "×4.00 (3.88–4.12)" in row
