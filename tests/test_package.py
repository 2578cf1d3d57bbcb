"""benchlog as others get it: the wheel holds one package with its templates, theme, assets and scaffold, and a
fresh venv outside the repository builds a new blog from it (`benchlog new`, `mkdocs build --strict`), also with
this repository's results, and validates them."""

import email
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT
from test_browser import browser  # noqa: F401 (the Chromium fixture)

pytestmark = pytest.mark.install


def run(command, cwd, env=None):
    """A command as a user runs it: no checkout on the path, no PYTHONPATH, from `cwd` outside the repository."""
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV",
                                                                                "PYTHONHOME")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built from a copy of the sources (an in-tree build would leave build/ in the checkout)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "benchlog", src / "benchlog", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                str(src)], cwd=dist)
    assert done.returncode == 0, done.stderr
    (path,) = dist.glob("benchlog-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    """A fresh venv with only the wheel (and its dependencies) installed."""
    root = tmp_path_factory.mktemp("user")
    done = run([sys.executable, "-m", "venv", str(root / "venv")], cwd=root)
    assert done.returncode == 0, done.stderr
    pip = run([str(root / "venv/bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
               str(wheel)], cwd=root)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return root


def test_the_wheel_has_one_package_with_its_data_and_a_readme_that_renders(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"benchlog", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    for shipped in ["benchlog/site/templates/machine.html.j2", "benchlog/site/templates/answer.html.j2",
                    "benchlog/site/theme/main.html", "benchlog/site/theme/partials/languages/ko.html",
                    "benchlog/site/assets/benchlog.js", "benchlog/site/assets/benchlog.css",
                    "benchlog/bench/data/sentences.json", "benchlog/bench/data/calibration.json",
                    "benchlog/scaffold/blog/mkdocs.yml", "benchlog/scaffold/blog/site/blog/posts/first-post.md",
                    "benchlog/scaffold/blog/gitignore", "benchlog/scaffold/blog/github/workflows/pages.yml",
                    "benchlog/scaffold/blog/results/colab-intel-xeon-2.20ghz-2vcpu/machine.json"]:
        assert shipped in names, shipped
    # every template, asset and scaffold file of the checkout is in the wheel
    for folder in ("benchlog/site/templates", "benchlog/site/theme", "benchlog/site/assets", "benchlog/scaffold/blog"):
        files = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert files <= set(names), files - set(names)
    (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    meta = email.message_from_string(zipfile.ZipFile(wheel).read(metadata_name).decode())
    assert meta["Name"] == "benchlog" and meta["Description-Content-Type"] == "text/markdown"
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    points = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "benchlog = benchlog.cli:main" in points and "benchlog = benchlog.site.plugin:BenchlogPlugin" in points
    from readme_renderer.markdown import render

    body = meta.get_payload()
    assert body.strip() == (ROOT / "README.md").read_text().strip()
    html = render(body, variant="GFM")
    assert html and re.search(r"<h2[^>]*>Start your own blog<", html)
    assert "<script" not in html  # rendered and cleaned, as PyPI shows it


def test_a_new_blog_builds_from_the_wheel_alone_then_with_this_repos_results(venv):
    bin_ = venv / "venv/bin"
    where = run([str(bin_ / "python"), "-c", "import benchlog, sys; print(benchlog.__file__); "
                 "print(any(p.startswith(sys.argv[1]) for p in sys.path))", str(ROOT)], cwd=venv)
    assert where.returncode == 0, where.stderr
    location, on_path = where.stdout.split()
    assert "site-packages" in location and not location.startswith(str(ROOT)) and on_path == "False"

    done = run([str(bin_ / "benchlog"), "new", "blog", "--title", "내 블로그: CPU 추론"], cwd=venv)
    assert done.returncode == 0, done.stderr
    blog = venv / "blog"
    for name in ("mkdocs.yml", "site/index.md", "site/blog/posts/first-post.md", ".gitignore", "README.md",
                 ".github/workflows/pages.yml", "requirements.txt",
                 "results/colab-intel-xeon-2.20ghz-2vcpu/machine.json"):
        assert (blog / name).is_file(), name
    assert "benchlog==0.1.0" in (blog / "requirements.txt").read_text().splitlines()

    build = run([str(bin_ / "mkdocs"), "build", "--strict"], cwd=blog)
    assert build.returncode == 0, build.stderr[-3000:]
    home = (blog / "public/index.html").read_text()
    assert "<title>홈 - 내 블로그: CPU 추론</title>" in home and 'class="benchlog-answer"' in home
    post = next((blog / "public/blog").rglob("first-post/index.html")).read_text()
    assert "benchlog-chart" in post and "전사" in post and "{{ benchlog" not in post
    assert (blog / "public/assets/benchlog/benchlog.js").is_file()  # the assets and theme came from the wheel
    assert "assets/benchlog/plotly.min.js" in home

    shutil.copytree(ROOT / "results", blog / "results", dirs_exist_ok=True)
    build = run([str(bin_ / "mkdocs"), "build", "--strict"], cwd=blog)
    assert build.returncode == 0, build.stderr[-3000:]
    machines = {p.parent.name for p in (blog / "public/results/machines").glob("*/index.html")}
    assert machines == {p.name for p in (ROOT / "results").iterdir() if p.is_dir()}
    validate = run([str(bin_ / "benchlog"), "validate", "results"], cwd=blog)
    assert validate.returncode == 0 and ", 0 problems" in validate.stdout, validate.stdout + validate.stderr


def test_new_refuses_a_folder_that_is_not_empty_and_writes_nothing(venv, tmp_path):
    bin_ = venv / "venv/bin"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/notes.md").write_text("mine")
    done = run([str(bin_ / "benchlog"), "new", "mine"], cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "benchlog: error: new: mine is not empty (1 entries); give a new or empty folder, nothing was written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.md"]
    assert (tmp_path / "mine/notes.md").read_text() == "mine"


@pytest.mark.browser
def test_the_new_blog_reads_in_chromium(venv, tmp_path, browser):  # noqa: F811
    """The scaffold as its author first sees it: served, every page loads without an error and draws its charts,
    the sample post shows its transcribed table and the answers, and the Korean theme labels are there."""
    import functools
    import http.server
    import threading

    from test_browser import QuietHandler, Watched, all_pages, free_port

    bin_ = venv / "venv/bin"
    assert run([str(bin_ / "benchlog"), "new", "blog"], cwd=tmp_path).returncode == 0
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    build = run([str(bin_ / "mkdocs"), "build", "--strict"], cwd=tmp_path / "blog", env={"SITE_URL": url})
    assert build.returncode == 0, build.stderr[-3000:]
    public = tmp_path / "blog/public"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             functools.partial(QuietHandler, directory=str(public)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    watched = Watched(browser)
    try:
        charts = 0
        for path in all_pages(public):
            watched.page.goto(url + path)
            charts += watched.wait_for_charts()
        assert charts >= 4
        post = next(p for p in all_pages(public) if p.endswith("first-post/"))
        watched.page.goto(url + post)
        watched.wait_for_charts()
        text = watched.page.inner_text("article")
        assert "첫 글: 결과를 글에 넣기" in text and "전사" in text and "PyTorch" in text
        assert watched.page.locator(".benchlog-answer").count() >= 1
        assert watched.page.locator("a[href$='blog/']").count() >= 1
        assert watched.errors == []
    finally:
        watched.page.close()
        server.shutdown()
