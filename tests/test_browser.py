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
    for name in ("mkdocs.yml", "site", "templates", "results"):
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

    def wait_for_charts(self):
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.benchlog-chart')]"
            ".every(el => el.querySelector('svg.main-svg'))", timeout=15000)
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
    ticks = watched.page.locator(".benchlog-chart .xtick text").all_text_contents()
    assert '<a href="https://example.com/evil">evil link</a>' in ticks, ticks
    watched.page.goto(url + "results/")
    assert watched.page.get_by_text(HOSTILE).count() >= 1
    assert watched.errors == []
