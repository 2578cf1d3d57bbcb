"""The built site in a real headless Chromium (Debian's, driven by Playwright), as a reader sees it."""

import functools
import http.server
import shutil
import socket
import threading
from pathlib import Path

import pytest

from conftest import DATA, ROOT, mkdocs_build

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
HOSTILE = "<script>alert(1)</script>"
UNFOLD = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real site plus a machine with a hostile label, built with site_url = the test server's address
    (otherwise Material's instant navigation is never exercised), and served on loopback."""
    root = tmp_path_factory.mktemp("site")
    for name in ("mkdocs.yml", "site", "results"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    shutil.copytree(DATA / "hostile/hostile", root / "results/hostile")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    config = root / "mkdocs.yml"
    config.write_text("\n".join(f"site_url: {url}" if line.startswith("site_url:") else line
                                for line in config.read_text().splitlines()))
    done = mkdocs_build(root)
    assert done.returncode == 0, done.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             functools.partial(QuietHandler, directory=str(root / "public")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url, root / "public"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the README's test set-up (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


class Watched:
    """A page that records console errors, page errors, failed requests and dialogs."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))

    def wait_for_charts(self, unfold=True):
        """Waits until every chart is drawn; `unfold` first opens every folded section (charts in a closed
        <details> are drawn when it opens)."""
        if unfold:
            self.page.evaluate(UNFOLD)
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.benchlog-chart')]"
            ".filter(el => !el.parentElement.closest('details:not([open])'))"
            ".every(el => el.querySelector('svg.main-svg') && el.dataset.drawn === 'true')", timeout=15000)
        return self.page.locator(".benchlog-chart").count()


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.page.close()


def all_pages(public):
    """Every page's path below the site root ("" for the home page, "results/" ...)."""
    paths = (p.parent.relative_to(public).as_posix() for p in public.rglob("index.html"))
    return sorted("" if path == "." else path + "/" for path in paths)


def test_every_page_loads_cleanly_and_draws_every_chart(site, watched):
    url, public = site
    pages = all_pages(public)
    assert len(pages) >= 8
    charts = 0
    for path in pages:
        watched.page.goto(url + path)
        charts += watched.wait_for_charts()
        assert watched.page.locator("a[href^='javascript:' i], [onerror], [onload]").count() == 0, path
    assert charts >= 12
    assert watched.errors == []


def test_instant_navigation_still_draws_charts(site, watched):
    url, _ = site
    watched.page.goto(url)
    watched.wait_for_charts()
    watched.page.evaluate("window.benchlogMarker = 'same document'")
    watched.page.click("article a[href$='comparison/']")
    watched.page.wait_for_url("**/results/comparison/")
    assert watched.wait_for_charts() >= 4
    # The document was not reloaded: Material swapped the page in place.
    assert watched.page.evaluate("window.benchlogMarker") == "same document"
    assert watched.errors == []


def test_the_dark_toggle_rethemes_charts(site, watched):
    url, _ = site
    watched.page.goto(url + "results/comparison/")
    watched.wait_for_charts()
    title = watched.page.locator(".benchlog-chart .gtitle").first
    light = title.evaluate("el => getComputedStyle(el).fill")
    scheme = watched.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    watched.page.locator("form[data-md-component=palette] label:visible").first.click()
    other = "slate" if scheme == "default" else "default"
    watched.page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{other}'")
    watched.page.wait_for_function(
        f"[...document.querySelectorAll('.benchlog-chart')].every(el => el.dataset.theme === '{other}')")
    assert title.evaluate("el => getComputedStyle(el).fill") != light
    assert watched.errors == []


def test_a_hostile_label_renders_as_text(site, watched):
    url, _ = site
    watched.page.goto(url + "results/machines/hostile/")
    watched.wait_for_charts()
    assert watched.page.locator("article h1").first.inner_text().rstrip("¶") == HOSTILE
    assert watched.page.get_by_text("<img src=x onerror=alert(2)>").count() == 1
    assert watched.page.get_by_text("[x](javascript:alert(7)) {{ benchlog chart=latency }}").count() == 1
    # Plotly reads <a href> in trace names, hover text and axis labels as a link: none may appear in a chart.
    assert watched.page.locator(".benchlog-chart a").count() == 0
    # Long names wrap at spaces (a line each): a name is its lines joined by spaces.
    ticks = watched.page.locator(".benchlog-chart .xtick text").evaluate_all(
        "els => els.map(t => { const lines = [...t.querySelectorAll('tspan.line')].map(l => l.textContent);"
        " return lines.length ? lines.join(' ') : t.textContent; })")
    assert '<a href="https://example.com/evil">evil link</a>' in ticks, ticks
    # Plotly fills in "%{…}" templates in names and titles: a label shows as written, never with data filled in.
    assert "ORT 100%{meta.machine_id} %{x} INT8" in ticks, ticks
    legend = watched.page.locator(".benchlog-chart .legendtext").all_text_contents()
    assert any("%{meta.run_id}" in name for name in legend), legend
    watched.page.goto(url + "results/")
    assert watched.page.get_by_text(HOSTILE).count() >= 1
    assert watched.errors == []


class PrefixHandler(QuietHandler):
    """Serves public/ under /benchlog/ only, as GitHub Pages serves a project site; anything else is a 404."""

    def translate_path(self, path):
        if not path.startswith("/benchlog/"):
            return "/nonexistent"
        return super().translate_path(path[len("/benchlog"):])


@pytest.fixture(scope="module")
def pages_site(tmp_path_factory):
    """The site built by the Pages workflow's own Build step (command and env read from the workflow), for a
    project site at http://127.0.0.1:PORT/benchlog/."""
    import os
    import subprocess
    import sys

    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["build"]["steps"] if s.get("name") == "Build"]
    root = tmp_path_factory.mktemp("pages")
    for name in ("mkdocs.yml", "site", "results", "Makefile"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    port = free_port()
    base = f"http://127.0.0.1:{port}/benchlog"
    env = {**os.environ, **{k: v.replace("${{ steps.pages.outputs.base_url }}", base) for k, v in step["env"].items()},
           "VENV": str(Path(sys.executable).parent.parent)}  # the venv these tests run in
    done = subprocess.run(step["run"], shell=True, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             functools.partial(PrefixHandler, directory=str(root / "public")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base + "/", root / "public"
    server.shutdown()


def test_the_pages_build_works_under_a_project_prefix(pages_site, watched):
    url, public = pages_site
    pages = all_pages(public)
    for path in pages:
        watched.page.goto(url + path)
        watched.wait_for_charts()
        assert watched.page.url.startswith(url)
    watched.page.goto(url + "results/")
    watched.page.click("article a[href$='comparison/']")
    watched.page.wait_for_url("**/benchlog/results/comparison/")
    assert watched.wait_for_charts() >= 4
    search = watched.page.locator("input.md-search__input")  # the index and worker load from under the prefix
    search.click()
    search.type("DistilBERT", delay=20)  # keystrokes, as a reader types: fill() fires no key events
    watched.page.wait_for_selector(".md-search-result__item", timeout=15000)
    assert watched.errors == []
    feed = (public / "feed_rss_created.xml").read_text()
    assert f"{url}blog/2025/11/30/distilbert-onnx-openvino/" in feed
    assert "<title>TIL: DistilBERT 최적화 전략 적용 (ONNX, OpenVINO, INT8)</title>" in feed


def test_every_workflow_validates_against_the_github_workflow_schema(tmp_path):
    import subprocess
    import sys

    check = [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    # this repository's, and the one `benchlog new` writes
    workflows = sorted((ROOT / ".github/workflows").glob("*.yml")) + \
        sorted((ROOT / "benchlog/scaffold/blog/github/workflows").glob("*.yml"))
    assert len(workflows) == 3
    done = subprocess.run(check + [str(w) for w in workflows], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: true\n")  # no runs-on
    refused = subprocess.run(check + [str(broken)], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0  # the check can fail


LAYOUT_PROBE = """() => {
  const r = e => e.getBoundingClientRect();
  const hit = (a, b) => !!(a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
  const inside = (a, box) => !a || (a.left >= box.left - 1 && a.right <= box.right + 1);
  const lum = c => { const [R, G, B] = c.match(/[\\d.]+/g).slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * R + 0.7152 * G + 0.0722 * B; };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = getComputedStyle(document.querySelector('.md-main') || document.body).backgroundColor;
  const page = getComputedStyle(document.body).backgroundColor;
  const bg = background.includes('rgba(0, 0, 0, 0)') ? page : background;
  const problems = [];
  document.querySelectorAll('.benchlog-chart').forEach((el, i) => {
    const box = r(el.querySelector('svg.main-svg'));
    const legend = el.querySelector('.legend') ? r(el.querySelector('.legend')) : null;
    const title = el.querySelector('.gtitle') ? r(el.querySelector('.gtitle')) : null;
    const ticks = [...el.querySelectorAll('.xtick text, .g-xtitle text')].map(r);
    if (ticks.some(t => hit(t, legend)) || hit(title, legend)) problems.push(`chart ${i}: legend overlaps`);
    if (!inside(title, box)) problems.push(`chart ${i}: title outside`);
    if (!inside(legend, box)) problems.push(`chart ${i}: legend outside`);
    // Slanted names or a legend must not squeeze the plot into a strip (13 variants at 390 px once left 10 px):
    // the plot takes at least 35% of the chart's height.
    const plot = el.querySelector('.nsewdrag');
    if (plot && r(plot).height < 60) problems.push(`chart ${i}: plot ${Math.round(r(plot).height)} px tall`);
    if (plot && r(plot).height < 0.35 * r(el).height)
      problems.push(`chart ${i}: plot ${Math.round(100 * r(plot).height / r(el).height)}% of its chart`);
    // No tool bar over the title.
    if (el.querySelector('.modebar')) problems.push(`chart ${i}: a mode bar`);
    // No text over other text: titles, tick labels, value labels, point names, legend entries, notes.
    const texts = [...el.querySelectorAll('.bartext, .textpoint text, .xtick text, .ytick text, .legendtext, .gtitle, ' +
      '.annotation-text, .g-xtitle text, .g-ytitle text')].filter(t => t.textContent.trim())
      .map(t => [t.textContent, r(t)]).filter(([, b]) => b.width > 0 && b.height > 0);
    for (let a = 0; a < texts.length; a++) for (let b = a + 1; b < texts.length; b++) {
      const [p, q] = [texts[a][1], texts[b][1]];
      if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 2 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 2)
        problems.push(`chart ${i}: '${texts[a][0].slice(0, 20)}' overprints '${texts[b][0].slice(0, 20)}'`);
    }
    el.querySelectorAll('text.bartext').forEach(t => {
      const ratio = contrast(getComputedStyle(t).fill, bg);
      if (ratio < 4.5) problems.push(`chart ${i}: label ${t.textContent} contrast ${ratio.toFixed(1)}`);
    });
  });
  const article = r(document.querySelector('article'));
  document.querySelectorAll('.benchlog-table-wrap').forEach((w, i) => {
    if (r(w).right > article.right + 1) problems.push(`table ${i} wider than the article`);
  });
  document.querySelectorAll('.benchlog-table td').forEach(td => {
    // A column squeezed to a letter per line (an unbreakable neighbour took the width) is unreadable.
    if (td.textContent.trim().length > 8 && r(td).width < 40) problems.push(`squeezed cell: ${td.textContent.slice(0, 20)}`);
  });
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('the page scrolls sideways');
  return problems;
}"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_charts_and_tables_fit_at_desktop_and_phone_widths_in_both_themes(site, browser, width, scheme):
    url, _ = site
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        for path in ("results/comparison/", "results/", "blog/2025/11/30/distilbert-onnx-openvino/",
                     "results/machines/colab-intel-xeon-2.20ghz-2vcpu/", "results/machines/hostile/",
                     "results/machines/amd-epyc-2vcpu-avx512/"):  # 13-variant runs, sweeps, history
            page.goto(url + path)
            page.evaluate(UNFOLD)
            page.wait_for_function("() => [...document.querySelectorAll('.benchlog-chart')]"
                                   ".every(el => el.querySelector('svg.main-svg') && el.dataset.drawn === 'true')", timeout=15000)
            assert page.evaluate(LAYOUT_PROBE) == [], (width, scheme, path)
    finally:
        page.close()


def test_a_long_table_can_be_filtered(tmp_path_factory, browser):
    """At fifty machines the overview's table gets a filter box that hides the rows without the words."""
    from generate_results import generate

    root = tmp_path_factory.mktemp("fifty")
    for name in ("mkdocs.yml", "site", "results"):
        shutil.copytree(ROOT / name, root / name) if (ROOT / name).is_dir() else shutil.copy(ROOT / name, root)
    generate(root / "results", machines=30, runs=1)
    assert mkdocs_build(root).returncode == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler,
                                                                                  directory=str(root / "public")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/results/")
        rows = page.locator("article table.benchlog-table tbody tr")
        assert rows.count() == 30 + len([p for p in (ROOT / "results").iterdir() if p.is_dir()])
        page.locator("input.benchlog-filter").type("box 07", delay=10)
        visible = [r for r in rows.all() if r.is_visible()]
        assert [r.locator("td").first.inner_text() for r in visible] == ["Generated box 07 (2 vCPU)"]
    finally:
        page.close()
        server.shutdown()


def test_machine_pages_show_advice_and_the_pareto_chart_draws_its_floor(site, watched):
    """Every machine page has its expected-vs-measured table; where a run has fidelity figures, its speed-vs-
    fidelity chart draws the floor as a line, every variant as a point, and names the recommended one."""
    url, public = site
    machines = sorted(p.parent.name for p in (public / "results/machines").glob("*/index.html"))
    pareto_seen = 0
    for machine in machines:
        watched.page.goto(f"{url}results/machines/{machine}/")
        watched.wait_for_charts()
        assert watched.page.locator("#advice ~ .benchlog-table-wrap tr[data-verdict]").count() >= 10, machine
        drawn = watched.page.evaluate("""() => [...document.querySelectorAll('.benchlog-chart')]
            .map(el => [JSON.parse(el.dataset.figure), el])
            .filter(([f]) => f.layout.meta && f.layout.meta.recommended !== undefined)
            .map(([f, el]) => ({points: f.data[1].x.length, recommended: f.layout.meta.recommended,
                               drawn: el.querySelectorAll('.scatterlayer .trace:nth-child(2) .point').length,
                               floor: el.querySelectorAll('.shapelayer path').length,
                               notes: [...el.querySelectorAll('.annotation-text')].map(a => a.textContent),
                               names: [...el.querySelectorAll('.textpoint text')].map(t => t.textContent)}))""")
        for chart in drawn:
            assert chart["drawn"] == chart["points"] and chart["floor"] >= 1, (machine, chart)
            assert any(n.startswith("충실도 하한") for n in chart["notes"])
            assert any(n.endswith("(추천)") for n in chart["names"]) == bool(chart["recommended"]), chart
        pareto_seen += len(drawn)
    assert pareto_seen >= 1
    assert watched.errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_thirteen_variants_lie_down_so_their_names_fit(site, watched, width):
    """Past eight variants the bars are horizontal at every width: slanted names left the plot a strip."""
    url, _ = site
    watched.page.set_viewport_size({"width": width, "height": 900})
    watched.page.goto(url + "results/machines/intel-xeon-2vcpu/")
    watched.wait_for_charts()
    rows = watched.page.evaluate("""() => [...document.querySelectorAll('.benchlog-chart')].map(el => {
        const f = JSON.parse(el.getAttribute('data-figure'));
        const names = (f.layout.xaxis || {}).categoryarray || [];
        const plot = el.querySelector('.nsewdrag').getBoundingClientRect();
        return [names.length, el.querySelectorAll('.ytick text').length, plot.height];
    })""")
    wide = [r for r in rows if r[0] > 8]
    assert wide, rows
    for names, yticks, height in wide:
        assert yticks == names and height >= 20 * names, (width, names, yticks, height)
    assert watched.errors == []


def test_folded_runs_draw_their_charts_when_opened_and_a_link_to_one_unfolds_it(site, watched):
    """A machine page shows the run that speaks for each workload and folds the others; their charts are drawn
    when the reader opens them, and a link to a folded run (#run-…) opens it."""
    url, public = site
    watched.page.goto(url + "results/machines/amd-epyc-2vcpu-avx512/")
    watched.wait_for_charts(unfold=False)
    state = """id => { const d = document.getElementById(id); return [d.open,
        d.querySelectorAll('.benchlog-chart').length, d.querySelectorAll('.benchlog-chart svg.main-svg').length]; }"""
    folded = watched.page.evaluate("() => [...document.querySelectorAll('details.benchlog-run')].map(d => d.id)")
    assert len(folded) >= 8  # the older runs and the sweep's points
    target = folded[0]
    is_open, charts, drawn = watched.page.evaluate(state, target)
    assert (is_open, drawn) == (False, 0) and charts >= 1
    watched.page.evaluate(f"location.hash = '#{target}'")
    watched.page.wait_for_function(f"() => document.getElementById('{target}').open")
    # its own charts, not those folded once more inside it, are drawn
    watched.page.wait_for_function(f"""() => [...document.getElementById('{target}')
        .querySelectorAll('.benchlog-chart')].filter(el => !el.parentElement.closest('details:not([open])'))
        .every(el => el.querySelector('svg.main-svg'))""")
    assert watched.page.evaluate(state, target)[2] >= 1
    assert watched.errors == []
