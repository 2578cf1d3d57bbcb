"""`mkdocs serve` rebuilds when a result file or a template changes (live reload of the preview)."""

import shutil
import subprocess
import sys
import time
import urllib.request

from conftest import DATA, ROOT
from test_browser import free_port


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def wait_for(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_serve_rebuilds_on_result_and_template_changes(site_copy):
    """The blog's own templates (plugin option templates_dir, a copy of the packaged ones) are watched too."""
    shutil.copytree(ROOT / "benchlog/site/templates", site_copy / "templates")
    config = site_copy / "mkdocs.yml"
    config.write_text(config.read_text().replace("      results_dir: results\n",
                                                 "      results_dir: results\n      templates_dir: templates\n"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a",
                             f"127.0.0.1:{port}"], cwd=site_copy, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/results/"  # site_url defaults to the root; the Pages build sets SITE_URL
    try:
        assert wait_for(lambda: "결과 개요" in fetch(base)), "mkdocs serve did not come up"
        shutil.copytree(DATA / "results/test-box", site_copy / "results/test-box")
        assert wait_for(lambda: "Test box (AMD EPYC, 2 cores)" in fetch(base)), "no rebuild on a new result file"
        template = site_copy / "templates/overview.html.j2"
        template.write_text(template.read_text().replace("<h1>결과 개요", "<h1>결과 개요 (edited)"))
        assert wait_for(lambda: "결과 개요 (edited)" in fetch(base)), "no rebuild on a template change"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
