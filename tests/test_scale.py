"""Fifty machines, ten runs each (tests/generate_results.py): the site builds, the comparison stays readable and
small. Build time is a benchmark for the notes (python tests/generate_results.py, then mkdocs build), not a test."""

import html
import json
import re

from generate_results import generate

from conftest import mkdocs_build

MAX_COMPARISON_BYTES = 1_000_000


def test_fifty_machines_build_and_the_comparison_stays_small(site_copy):
    generate(site_copy / "results", machines=50, runs=10)
    done = mkdocs_build(site_copy)
    assert done.returncode == 0, done.stderr
    page = (site_copy / "public/results/comparison/index.html").read_text()
    assert len(page.encode()) <= MAX_COMPARISON_BYTES
    for section in re.split(r'<h2 id="workload-\d+"', page)[1:]:
        figures = [json.loads(html.unescape(f)) for f in re.findall(r'data-figure="([^"]*)"', section)]
        drawn = {t["meta"]["machine_id"] for f in figures for t in f["data"] if "machine_id" in t["meta"]}
        measured = {m for m in drawn if m.startswith("gen-box-")}
        assert len(measured) <= 8, len(measured)
        if "gen-box-" in section and len(measured) == 8:
            assert "이 워크로드를 실행한 머신" in section and "대 더" in section
    # The navigation, which every page repeats, leaves 50 machines out; the overview lists and links each one.
    home = (site_copy / "public/index.html").read_text()
    navigation = "".join(re.findall(r"<nav.*?</nav>", home, re.S))
    assert 'class="md-nav__link"' in navigation and "gen-box-" not in navigation
    # The home page's answers name the TIL's machines and the eight measured most recently; the overview, all.
    answers = home.split('<ul class="benchlog-answers">')[1].split("</ul>")[0]
    assert answers.count("<li>") == 8 + 2 and "머신 45대 더" in home  # 55 machines: 8 measured, 2 transcribed
    overview = (site_copy / "public/results/index.html").read_text()
    assert all(f'href="machines/gen-box-{m:02d}/"' in overview for m in range(50))
    # So does the search index, which a reader's browser loads whole.
    index = json.loads((site_copy / "public/search/search_index.json").read_text())
    locations = [doc["location"] for doc in index["docs"]]
    assert locations and not any("gen-box-" in loc for loc in locations)
    # Every machine still has its own page with all its runs: the one that speaks for the TIL's workload shown,
    # the others and the sweep's points folded.
    machine = (site_copy / "public/results/machines/gen-box-49/index.html").read_text()
    assert len(re.findall(r'<(?:section|details) class="(?:benchlog-details )?benchlog-run" id="run-', machine)) == 10
    assert machine.count('<section class="benchlog-run"') == 1
    # The sweeps are one section of the comparison (as many machines as a workload section draws), not a chart set
    # per grid point.
    assert '<h2 id="sweeps">' in page and "시퀀스 512" not in "".join(re.findall(r'<h2 id="workload.*?</h2>', page))
    assert page.count("· 스윕 ") <= 8 and "스윕을 잰 머신 43대 더" in page  # 50 generated and the AVX-512 EPYC
