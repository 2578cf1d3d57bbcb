"""Property: what `validate` accepts, the site builds with no payload live in its HTML; what it rejects, the
build names (and --strict fails on). Files come from report/schema.py (hypothesis-jsonschema), then hostile
strings and edge numbers are put into random fields."""

import json
import math
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from benchlog.format.load import load_results
from benchlog.format.schema import FORMAT_VERSION, RUN

from conftest import DATA

PAYLOADS = ["[x](javascript:alert(1))", '<a href="https://example.com/x">x</a>', "<script>alert(1)</script>", "<img src=x onerror=alert(2)>",
            "{{ benchlog chart=latency }}", "`x` ``", "\n\n<a href=\"javascript:alert(3)\">x</a>\n\n",
            "| a | b |\n|---|---|", "# heading", "x" * 250, "<!-- {{ benchlog table=variants }} -->",
            "\"><svg onload=alert(4)>", "javascript:alert(5)"]
EDGE_NUMBERS = [0, -1, -149.5, math.nan, math.inf, -math.inf, 10**400, 2**63, 1e-300]
PLOTLY_LINK = re.compile(r"<\s*a[\s>/]", re.I)
OUR_SCRIPTS = ("plotly.min.js", "benchlog.js", "bundle.", "workers/search")


class LiveCode(HTMLParser):
    """Collects every place where a page would run script or follow a script link."""

    def __init__(self):
        super().__init__()
        self.live, self.figures, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        if "data-figure" in dict(attrs):
            self.figures.append(json.loads(dict(attrs)["data-figure"]))
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "data") and value.startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            self._in_script = not src
            if src and not any(s in src for s in OUR_SCRIPTS):
                self.live.append(f"<script src={src}>")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.live.append(f"inline script: {data[:60]}")


def paths(value, where=()):
    """(path, value) of every string and number leaf."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, where + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, where + (i,))
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield where, value


def put(doc, where, value):
    for key in where[:-1]:
        doc = doc[key]
    doc[where[-1]] = value


@st.composite
def run_files(draw):
    doc = draw(from_schema(RUN))
    doc.update(format_version=FORMAT_VERSION, kind="run", machine_id="prop-box", cpu_model="AMD EPYC 9R14")
    leaves = list(paths(doc))
    for _ in range(draw(st.integers(0, 4))):
        if not leaves:
            break
        where, old = draw(st.sampled_from(leaves))
        if where in (("format_version",), ("kind",), ("machine_id",), ("cpu_model",)):
            continue
        put(doc, where, draw(st.sampled_from(PAYLOADS if isinstance(old, str) else EDGE_NUMBERS)))
    # At least one variant a chart draws (the schema alone rarely makes one), so chart text is always exercised.
    doc["variants"] = doc["variants"][:3] + [{"id": "chartable", "backend": "b", "precision": "fp32", "status": "ok",
                                              "latency_ms": {"p50": draw(st.floats(0.01, 1e4))}}]
    # The strings every page and chart shows get a payload too (random leaves rarely land on them).
    doc["label"] = draw(st.sampled_from(PAYLOADS))
    for variant in doc["variants"]:
        variant["label"] = draw(st.sampled_from(PAYLOADS + ["ORT CPU EP INT8"]))
    name = draw(st.sampled_from(["20260101T000000Z-prop", "20260101T000000Z-prop-2", "x.y_z-1"]))
    return name, json.dumps(doc, allow_nan=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A small site: one page, the benchlog plugin, Material; results/ holds the TIL's Colab machine and prop-box."""
    root = tmp_path_factory.mktemp("prop-site")
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text("# prop\n\n{{ benchlog chart=latency }}\n")
    (root / "mkdocs.yml").write_text("site_name: prop\nsite_url: http://127.0.0.1/\ndocs_dir: docs\n"
                                     "site_dir: public\ntheme:\n  name: material\n"
                                     "  font: false\nplugins:\n  - benchlog\n")
    (root / "results/prop-box").mkdir(parents=True)
    machine = json.loads((DATA / "results/test-box/machine.json").read_text())
    machine.update(machine_id="prop-box", label="<script>alert(9)</script> [m](javascript:alert(9))")
    (root / "results/prop-box/machine.json").write_text(json.dumps(machine))
    return root


def build(root):
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    config = load_config(str(root / "mkdocs.yml"), strict=True)
    try:
        mkdocs_build(config)
        return None
    except Abort as exc:
        return str(exc)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
@given(run_files())
def test_validate_and_the_build_agree_and_nothing_is_live(site, caplog, run):
    name, text = run
    folder = site / "results/prop-box"
    for old in folder.glob("*.json"):
        if old.name != "machine.json":
            old.unlink()
    (folder / f"{name}.json").write_text(text)
    problems = [str(p) for p in load_results(site / "results").problems]
    caplog.clear()
    failure = build(site)
    event("rejected by validate" if problems else "accepted by validate")
    if problems:
        assert failure is not None, "validate rejected the file but --strict passed"
        assert any(f"{name}.json" in r.getMessage() for r in caplog.records), problems
        return
    assert failure is None, [r.getMessage() for r in caplog.records]
    for page in (site / "public").rglob("*.html"):
        parser = LiveCode()
        parser.feed(page.read_text())
        assert parser.live == [], (page, parser.live)
        for figure in parser.figures:  # Plotly draws <a href> in chart text as a link: none may come from a file
            live = [s for _, s in paths(figure) if isinstance(s, str) and PLOTLY_LINK.search(s)]
            assert live == [], (page, live)
    machine_page = (site / "public/results/machines/prop-box/index.html").read_text()
    assert machine_page.count('class="benchlog-chart"') <= 3  # a tag in a result file is never expanded
