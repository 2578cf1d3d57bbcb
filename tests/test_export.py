"""`benchlog export` run as a user runs it, and its output opened as a reader (or a blog platform) would."""

import re
import shutil
import subprocess
import sys

import pytest
from PIL import Image, ImageStat

from conftest import DATA, ROOT

POST = ROOT / "site/blog/posts/2025-11-30-distilbert-onnx-openvino.md"


def export(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "benchlog", "export", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def markdown_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("md")
    done = export(str(POST), "--out", str(out), "--site-url", "https://someone.github.io/benchlog/")
    assert done.returncode == 0, done.stderr
    return out, done


def test_markdown_export_has_every_chart_as_a_real_png(markdown_export):
    out, done = markdown_export
    text = (out / f"{POST.stem}.md").read_text()
    assert "{{ benchlog" not in text and "---\ndate:" not in text  # tags expanded, front matter converted
    images = re.findall(r"!\[[^\]]*\]\((images/[^)]+\.png)\)", text)
    assert len(images) == POST.read_text().count("{{ benchlog chart=") == 5
    for ref in images:
        image = Image.open(out / ref)
        assert image.format == "PNG" and image.size == (1800, 1080)  # 900 x 540 at 2x
        title = image.convert("L").crop((0, 0, 1800, 110))  # the title band
        assert ImageStat.Stat(title).stddev[0] > 10, ref  # text is drawn there, not a blank band
        assert f"wrote {out / ref}" in done.stdout


def test_markdown_export_tables_and_marks(markdown_export):
    out, done = markdown_export
    assert "local preview" not in done.stderr  # --site-url given: no warning
    text = (out / f"{POST.stem}.md").read_text()
    assert "| ONNX INT8 (전사) | 178.90 | ×2.08 | 129.8 | 오차 0.3177 argmax 7/10 |" in text  # a compact table
    assert "0.66MB(?) ⚠ 보고된 값, 실제 용량 아님" in text
    assert "*빗금 막대는 전사(transcribed) 수치: TIL 2025-11-30*" in text
    assert "](https://someone.github.io/benchlog/results/machines/intel-core-i5-8265u-4c8t/)" in text
    # Title, date and tags are the blog editor's own fields: printed, not in the body.
    assert text.startswith("## 스크럼") and "# TIL: DistilBERT" not in text and "*2025-11-30*\n" not in text
    assert "제목: TIL: DistilBERT 최적화 전략 적용 (ONNX, OpenVINO, INT8)\n날짜: 2025-11-30\n" \
           "태그: DistilBERT, ONNX Runtime, OpenVINO, INT8" in done.stdout


def test_markdown_with_an_image_base_url_pastes_with_no_relative_or_local_link(tmp_path):
    base = "https://someone.github.io/benchlog/assets/posts/til/"
    done = export(str(POST), "--out", str(tmp_path), "--site-url", "https://someone.github.io/benchlog/",
                  "--image-base-url", base)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / f"{POST.stem}.md").read_text()
    links = re.findall(r"\]\(([^)\s]+)", text) + re.findall(r'(?:href|src)="([^"]+)"', text)
    assert len(links) >= 10
    assert all(link.startswith("https://someone.github.io/benchlog/") for link in links), links
    assert "127.0.0.1" not in text and "localhost" not in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == 5 and all(i.startswith(base) and (tmp_path / "images" / i[len(base):]).is_file()
                                    for i in images)
    refused = export(str(POST), "--out", str(tmp_path / "x"), "--image-base-url", "javascript:alert(1)")
    assert refused.returncode == 1 and refused.stderr.strip().startswith(
        "benchlog: error: --image-base-url: 'javascript:alert(1)' is not a plain http(s) address")


def test_korean_text_is_drawn_in_noto_cjk():
    done = subprocess.run(["fc-match", ":lang=ko", "family"], capture_output=True, text=True)
    assert "Noto Sans CJK" in done.stdout, "install fonts-noto-cjk (make site and make test do)"
    from benchlog.site.export import FONT

    assert FONT.startswith("Noto Sans CJK KR")


def test_html_export_is_one_file_with_inline_svg_and_no_script(tmp_path):
    done = export(str(POST), "--out", str(tmp_path), "--format", "html")
    assert done.returncode == 0, done.stderr
    # No --site-url: its links go to the local preview, and the export says so (once, one line).
    assert done.stderr.count("will point to http://127.0.0.1:8000/, the local preview; give --site-url") == 1
    assert len(done.stderr.strip().splitlines()) == 1
    (page,) = tmp_path.iterdir()
    html = page.read_text()
    assert "<script" not in html.lower() and "{{ benchlog" not in html
    assert html.count("<svg") >= 5 and "<style>" in html
    assert not re.search(r'(src|href)="(?!https?:|#)[^"]*"', html)  # nothing to fetch beside the file


def test_html_export_renders_its_charts_in_chromium(tmp_path):
    done = export(str(POST), "--out", str(tmp_path), "--format", "html")
    assert done.returncode == 0, done.stderr
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((tmp_path / f"{POST.stem}.html").as_uri())
        figures = page.locator("figure svg")
        assert figures.count() == 5
        box = figures.first.bounding_box()
        assert box["width"] > 300 and box["height"] > 150
        assert page.locator("figure svg text", has_text="추론 1회 지연 시간").count() >= 1
        assert page.title() == "TIL: DistilBERT 최적화 전략 적용 (ONNX, OpenVINO, INT8)"  # not the file's stem
        # On a phone the page does not scroll sideways: tables scroll in their own box, charts shrink.
        page.set_viewport_size({"width": 390, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert figures.first.bounding_box()["width"] <= 390
        browser.close()
    assert requests == [(tmp_path / f"{POST.stem}.html").as_uri()]


def test_result_text_stays_text_in_both_exports(tmp_path):
    site = tmp_path / "site-copy"
    shutil.copytree(ROOT / "results", site / "results")
    shutil.copytree(DATA / "hostile/hostile", site / "results/hostile")
    post = tmp_path / "post.md"
    post.write_text("# hostile\n\n{{ benchlog table=variants machine=hostile }}\n\n"
                    "{{ benchlog chart=latency machine=hostile }}\n")
    md = export(str(post), "--out", str(tmp_path / "md"), "--results", str(site / "results"))
    assert md.returncode == 0, md.stderr
    text = (tmp_path / "md/post.md").read_text()
    assert "<script" not in text and "<a href" not in text and "&lt;script&gt;alert(3)&lt;/script&gt;" in text
    html = export(str(post), "--out", str(tmp_path / "html"), "--format", "html", "--results",
                  str(site / "results"))
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "html/post.html").read_text()
    assert "<script" not in page.lower() and "<a " not in page


def test_a_bad_tag_or_a_missing_post_is_one_line(tmp_path):
    post = tmp_path / "post.md"
    post.write_text("{{ benchlog chart=pie }}\n")
    done = export(str(post), "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"benchlog: error: {post}: tag '{{{{ benchlog chart=pie }}}}': no chart 'pie' " \
                                  "(charts: latency, speedup, size, fidelity, pareto, sweep, history)"
    missing = export(str(tmp_path / "nope.md"), "--out", str(tmp_path / "out"))
    assert missing.stderr.strip() == f"benchlog: error: {tmp_path / 'nope.md'}: no such post (give a file such as " \
                                     "site/blog/posts/<post>.md)"


@pytest.mark.parametrize("args, message", [
    (["--site-url", "javascript:alert(1)//x"], "--site-url: 'javascript:alert(1)//x' is not a plain http(s) address"),
    (["--site-url", 'https://x.org/"><script>'], "is not a plain http(s) address"),
    (["--out", "site/blog/posts"], "is the post's own folder"),
    (["--out", "site/assets"], "is inside"),
    (["--out", "results/intel-xeon-2vcpu"], "is inside"),
    (["--out", "README.md"], "is a file; give a folder"),
])
def test_export_refuses_hostile_urls_and_targets_with_one_line(args, message):
    """A javascript: site URL used to become a live link; --out site/blog/posts overwrote the post itself."""
    before = {p: p.read_bytes() for p in (ROOT / "site/blog/posts").iterdir()}
    command = [sys.executable, "-m", "benchlog", "export", str(POST), "--out", "export-never", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("benchlog: error: ") and message in line
    assert {p: p.read_bytes() for p in (ROOT / "site/blog/posts").iterdir()} == before
    assert not (ROOT / "export-never").exists()


# --- escaping, links and the SVG guard as functions: expected strings written out by hand ------------------------

@pytest.mark.parametrize("value, expected", [
    ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),         # no link: both brackets escaped
    ("![img](http://e/x.png)", r"!\[img\](http://e/x.png)"),             # no image
    ("a|b `c` *d* _e_ ~f~ {g} \\h", r"a\|b \`c\` \*d\* \_e\_ \~f\~ \{g\} \\h"),
    ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),                    # entities, not markup
    ("two\nlines\tand  spaces", "two lines and spaces"),                  # one line: a table cell stays one cell
    (4.5, "4.5"),
])
def test_md_text_escapes_every_markdown_and_html_special(value, expected):
    from benchlog.site.export import md_text
    assert md_text(value) == expected


def test_links_to_site_pages_become_published_addresses_with_their_anchors():
    from benchlog.site.export import absolute_links
    body = ("[a](../../results/machines/box.md#advice) [b](../index.md) [c](https://x.org/p.md) "
            "[d](#local) [e](/abs.md) [f](../../results/comparison.md)")
    got = absolute_links(body, "blog/posts/post.md", "https://me.github.io/benchlog/")
    assert got == ("[a](https://me.github.io/benchlog/results/machines/box/#advice) "
                   "[b](https://me.github.io/benchlog/blog/) [c](https://x.org/p.md) [d](#local) [e](/abs.md) "
                   "[f](https://me.github.io/benchlog/results/comparison/)")


@pytest.mark.parametrize("svg", ['<svg><script>alert(1)</script></svg>', '<svg><g onload="x()"></g></svg>',
                                 '<svg><a href="JavaScript:alert(1)">x</a></svg>', '<svg><SCRIPT src=x></svg>',
                                 '<svg><rect\nonclick = "x"/></svg>'])
def test_an_svg_that_can_run_anything_is_refused(svg):
    from benchlog.format.errors import UserError
    from benchlog.site.export import check_svg
    with pytest.raises(UserError, match="holds script"):
        check_svg(svg)


def test_a_plain_svg_passes_as_given():
    from benchlog.site.export import check_svg
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text x="1">onion = 3, scripts: none</text></svg>'
    assert check_svg(svg) == svg


@pytest.mark.parametrize("url, ok", [
    ("https://me.github.io/benchlog/", True), ("http://127.0.0.1:8000/", True), ("https://x.org", True),
    ("javascript:alert(1)//x", False), ('https://x.org/"><script>', False), ("https://x.org/a b", False),
    ("ftp://x.org/", False), ("https://x.org/\n", False), ("//x.org/", False), ("https://x.org:123456/", False)])
def test_only_plain_http_site_urls(url, ok):
    from benchlog.format.errors import UserError
    from benchlog.site.export import check_site_url
    if ok:
        assert check_site_url(url) == url
    else:
        with pytest.raises(UserError, match=r"^--site-url: '[^\n]*' is not a plain http\(s\) address") as exc:
            check_site_url(url)
        assert "\n" not in str(exc.value)


def test_out_dirs_that_would_overwrite_a_post_or_a_result_are_refused(tmp_path):
    from benchlog.format.errors import UserError
    from benchlog.site.export import check_out_dir
    post = tmp_path / "site/blog/posts/p.md"
    post.parent.mkdir(parents=True)
    post.write_text("x")
    results = tmp_path / "results"
    (results / "box").mkdir(parents=True)
    (tmp_path / "a-file").write_text("x")
    refused = {tmp_path / "a-file": "is a file", post.parent: "is the post's own folder",
               tmp_path / "site": "is inside", tmp_path / "site/assets": "is inside", results: "is inside",
               results / "box": "is inside"}
    for out, message in refused.items():
        with pytest.raises(UserError, match=f"^--out {re.escape(str(out))}: {message}"):
            check_out_dir(out, post, results)
    assert check_out_dir(tmp_path / "export", post, results) is None
    assert check_out_dir(tmp_path / "sitemap", post, results) is None  # a name that starts like site/ is not in it
    elsewhere = tmp_path / "drafts/q.md"  # a post outside site/: only its own folder is guarded
    elsewhere.parent.mkdir()
    elsewhere.write_text("x")
    assert check_out_dir(tmp_path / "site", elsewhere, results) is None
    with pytest.raises(UserError, match="is the post's own folder"):
        check_out_dir(elsewhere.parent, elsewhere, results)


def test_markdown_tables_escape_every_cell_and_mark_missing_figures():
    from benchlog.site.export import _md_table, _num, _sci
    assert _md_table(["a|b", "c"], [["[x](y)", 1.5], ["<i>", "—"]]) == (
        "| a\\|b | c |\n|---|---|\n| \\[x\\](y) | 1.5 |\n| &lt;i&gt; | — |")
    assert _num(1234.567, 1) == "1,234.6" and _num(None, 1) == "—" and _num(float("nan"), 2) == "—"
    assert _sci(0.000123456) == "0.000123" and _sci(123456.0) == "1.23e+05" and _sci(None) == "—"


def test_messages_of_the_url_and_svg_checks_in_full(tmp_path):
    from benchlog.format.errors import UserError
    from benchlog.site.export import absolute_links, check_out_dir, check_svg, check_site_url, md_text
    with pytest.raises(UserError) as exc:
        check_site_url("https://x.org/\n\t" + "y" * 100)
    shown = "https://x.org/\\n\\t" + "y" * 64  # control characters written out; the first 80 characters
    assert str(exc.value) == (f"--site-url: '{shown}' is not a plain http(s) address such as "
                              "https://<user>.github.io/<repo>/")
    with pytest.raises(UserError) as exc:
        check_svg("<svg><script/></svg>")
    assert str(exc.value) == "a chart's SVG holds script; refusing to write it"
    assert md_text('say "hi" it\'s') == 'say "hi" it\'s'  # quotes are text in Markdown
    assert absolute_links("[a](../x.md)", "blog/p.md", "https://h.io/r") == "[a](https://h.io/r/x/)"
    post = tmp_path / "drafts/q.md"
    post.parent.mkdir()
    post.write_text("x")
    assert check_out_dir(post.parent / "export", post, tmp_path / "results") is None  # beside a post outside site/


def test_a_backslash_in_a_site_url_is_shown_once_and_an_x_before_the_slash_stays():
    from benchlog.format.errors import UserError
    from benchlog.site.export import absolute_links, check_site_url
    with pytest.raises(UserError) as exc:
        check_site_url("https://x.org/a\\b")
    assert "'https://x.org/a\\b'" in str(exc.value)
    assert absolute_links("[a](../x.md)", "blog/p.md", "https://h.io/blogX/") == "[a](https://h.io/blogX/x/)"


def test_the_html_export_survives_a_paste_into_an_editor(tmp_path):
    """What a blog editor (tistory's, velog's) receives: the export is opened in Chromium, its article selected and
    copied, and pasted into a contenteditable editor; headings, tables, charts and links survive, and every link
    is absolute."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    done = export(str(POST), "--out", str(tmp_path), "--format", "html", "--site-url",
                  "https://someone.github.io/benchlog/")
    assert done.returncode == 0, done.stderr

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    count = """root => ({h2: root.querySelectorAll('h2').length, tables: root.querySelectorAll('table').length,
        charts: root.querySelectorAll('svg.main-svg, figure svg').length, links: [...root.querySelectorAll('a')]
        .map(a => a.getAttribute('href')), text: root.innerText.replace(/\\s+/g, ' ').length})"""
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{POST.stem}.html")
            before = page.evaluate(f"() => ({count})(document.querySelector('article'))")
            page.evaluate("""() => { const range = document.createRange();
                range.selectNodeContents(document.querySelector('article'));
                getSelection().removeAllRanges(); getSelection().addRange(range); }""")
            page.keyboard.press("Control+C")
            page.evaluate("""() => { document.body.innerHTML = '<div id="editor" contenteditable="true"></div>';
                document.getElementById('editor').focus(); }""")
            page.keyboard.press("Control+V")
            page.wait_for_function("() => document.getElementById('editor').querySelectorAll('table').length > 0")
            after = page.evaluate(f"() => ({count})(document.getElementById('editor'))")
            browser.close()
    finally:
        server.shutdown()
    assert before["tables"] == 4 and before["charts"] == 5 and before["h2"] >= 5
    for key in ("h2", "tables", "charts"):
        assert after[key] == before[key], (key, before, after)
    assert after["links"] == before["links"] and len(after["links"]) >= 10
    assert all(link.startswith("https://someone.github.io/benchlog/") for link in after["links"]), after["links"]
    assert abs(after["text"] - before["text"]) <= 0.05 * before["text"], (before["text"], after["text"])


def test_the_title_leaves_the_body_and_the_answers_become_markdown_items():
    from benchlog.site.export import answers_markdown, take_title

    assert take_title("# TIL: 제목 *a*\n\n## 스크럼\n") == ("TIL: 제목 *a*", "## 스크럼\n")
    assert take_title("\n\n# 제목\n본문") == ("제목", "본문")
    assert take_title("## 부제\n# 제목\n") == (None, "## 부제\n# 제목\n")  # only a leading H1 is the title
    assert take_title("#제목\n") == (None, "#제목\n")
    fragment = ('<ul class="benchlog-answers">\n<li><a href="x/">Box &amp; co</a>: 가장 빠른 변형은 '
                '<strong>ORT *INT8*</strong>, ×2.08.</li>\n<li>두 번째</li>\n</ul>')
    assert answers_markdown(fragment) == "- Box &amp; co: 가장 빠른 변형은 ORT \\*INT8\\*, ×2.08.\n- 두 번째"  # md_text: & stays an entity
    assert answers_markdown("<ul></ul>") == ""


def test_a_compact_markdown_table_is_the_default_view():
    from benchlog.site.export import MarkdownExport
    from benchlog.format.load import load_results
    from benchlog.site.pages import Renderer
    from benchlog.site.tags import resolve

    renderer = Renderer(load_results(ROOT / "results"))
    exporter = MarkdownExport(ROOT / "unused", "x", renderer)
    args = {"table": "variants", "machine": "colab-intel-xeon-2.20ghz-2vcpu",
            "run": "20251130T000000Z-distilbert-base-multilingual-cased-til-2"}
    compact = exporter.render(*resolve(args, renderer))
    assert compact.splitlines()[0] == "| 변형 | p50 ms (95% 구간) | 속도 향상 × | 용량 (MiB) | 충실도 |"
    assert "| PyTorch FP32 (전사) | 371.90 | ×1.00 | 516.3 | 기준 |" in compact
    full = exporter.render(*resolve(dict(args, view="full"), renderer))
    assert full.splitlines()[0].startswith("| 변형 | 정밀도 | 상태 |")
    assert exporter.render(*resolve({"table": "advice", "machine": "intel-xeon-2vcpu"}, renderer)) == \
        "[이 머신의 조언 표 (사이트)](http://127.0.0.1:8000/results/machines/intel-xeon-2vcpu/#advice)"
