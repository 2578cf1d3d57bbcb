"""`mkdocs build --strict` of the real site, of a broken one, and of one with a new result file."""

import html
import json
import re
import shutil

from conftest import DATA, mkdocs_build

ANSWER = re.compile(r'<span class="benchlog-answer" data-machine="([^"]*)" data-run="([^"]*)" data-variant="([^"]*)" '
                    r'data-answer="([^"]*)">(.*?)</span>', re.S)


def test_the_real_site_builds_strict(site_copy):
    done = mkdocs_build(site_copy)
    assert done.returncode == 0, done.stderr
    public = site_copy / "public"
    for page in ("results/index.html", "results/comparison/index.html", "results/cpu-features/index.html",
                 "results/machines/colab-intel-xeon-2.20ghz-2vcpu/index.html",
                 "blog/2025/11/30/distilbert-onnx-openvino/index.html", "assets/benchlog/plotly.min.js"):
        assert (public / page).is_file(), page
    post = (public / "blog/2025/11/30/distilbert-onnx-openvino/index.html").read_text()
    assert "{{ benchlog" not in post
    source = (site_copy / "site/blog/posts/2025-11-30-distilbert-onnx-openvino.md").read_text()
    assert post.count('class="benchlog-chart"') == source.count("{{ benchlog chart=") == 5
    assert "예상과는 다르게 OpenVINO를 추가하였더니 더 느려졌다" in post
    # A handful of machines: the navigation lists each (with more than 20 it leaves them to the overview).
    home = (public / "index.html").read_text()
    assert '<a href="results/machines/colab-intel-xeon-2.20ghz-2vcpu/" class="md-nav__link">' in home
    search = (public / "search/search_index.json").read_text()
    assert '"location":"results/machines/colab-intel-xeon-2.20ghz-2vcpu/"' in search.replace(" ", "")
    check_one_answer_per_machine(public, source)
    # The measure page walks through every step on Linux/macOS and in PowerShell, with time and disk.
    measure = html.unescape(re.sub(r"<[^>]+>", "", (public / "measure/index.html").read_text()))
    assert (public / "measure/index.html").read_text().count('class="tabbed-set') >= 4
    assert "Windows (PowerShell)" in measure
    for step in (".venv\\Scripts\\benchlog run", "Compress-Archive", "benchlog collect", "git clone", "7 GB", "9분 43초"):
        assert step in measure, step
    # A sweep only one machine ran is one section of the comparison, not a chart set per grid point.
    comparison = (public / "results/comparison/index.html").read_text()
    workloads = re.findall(r'<h2 id="workload-\d+">(.*?)</h2>', comparison)
    assert workloads and not any("시퀀스 512" in w or "시퀀스 16" in w for w in workloads), workloads
    assert '<h2 id="sweeps">' in comparison and 'machines/amd-epyc-2vcpu-avx512/#sweeps' in comparison
    # No CDN: every script and stylesheet is served from the site itself.
    for page in public.rglob("*.html"):
        text = page.read_text()
        assert "https://cdn" not in text and "fonts.googleapis" not in text, page


def test_a_broken_result_file_fails_strict_with_its_name(site_copy):
    shutil.copytree(DATA / "broken/wrong-type", site_copy / "results/wrong-type")
    done = mkdocs_build(site_copy)
    assert done.returncode != 0
    assert ("results/wrong-type/20260101T000000Z-tiny.json: variants[0].latency_ms.p50: must be a number, "
            'got a string "fast"') in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_result_file_is_skipped_with_a_warning_without_strict(site_copy):
    shutil.copytree(DATA / "broken/truncated", site_copy / "results/truncated")
    done = mkdocs_build(site_copy, strict=False)
    assert done.returncode == 0, done.stderr
    assert "WARNING -  skipped: " in done.stderr and "truncated/20260101T000000Z-tiny.json: is not valid JSON" \
        in done.stderr
    # The machine itself was valid and still has its page; the bad run is not on it.
    page = (site_copy / "public/results/machines/truncated/index.html").read_text()
    article = page.split("<article")[1].split("</article>")[0]
    assert "<h1" in article and '<h2 id="run-' not in article and "tiny" not in article


def test_a_bad_tag_fails_the_build_naming_post_and_tag(site_copy):
    post = site_copy / "site/blog/posts/2025-11-30-distilbert-onnx-openvino.md"
    post.write_text(post.read_text() + "\n{{ benchlog chart=latency machine=no-such-box }}\n")
    done = mkdocs_build(site_copy)
    assert done.returncode != 0
    assert ("blog/posts/2025-11-30-distilbert-onnx-openvino.md: tag '{{ benchlog chart=latency "
            "machine=no-such-box }}': no machine 'no-such-box'") in done.stderr


def test_a_malformed_tag_fails_the_build_with_one_line(site_copy):
    post = site_copy / "site/blog/posts/2025-11-30-distilbert-onnx-openvino.md"
    post.write_text(post.read_text() + "\n{{ benchlg chart=latency }}\n")
    done = mkdocs_build(site_copy)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert ("blog/posts/2025-11-30-distilbert-onnx-openvino.md: '{{ benchlg': a misspelled tag? (tags start "
            "'{{ benchlog')") in done.stderr


def test_a_new_result_file_appears_with_no_code_change(site_copy):
    shutil.copytree(DATA / "results/test-box", site_copy / "results/test-box")
    done = mkdocs_build(site_copy)
    assert done.returncode == 0, done.stderr
    public = site_copy / "public/results"
    assert "Test box (AMD EPYC, 2 cores)" in (public / "index.html").read_text()
    machine_page = (public / "machines/test-box/index.html").read_text()
    assert "ORT CPU EP INT8" in machine_page and "OpenVINO EP could not compile the model" in machine_page
    comparison = (public / "comparison/index.html").read_text()
    figures = comparison.split('data-figure="')[1:]
    assert any("Test box (AMD EPYC, 2 cores)" in f for f in figures)
    cpu = (public / "cpu-features/index.html").read_text()
    assert "Test box (AMD EPYC, 2 cores)" in cpu


def test_a_hostile_label_is_escaped(site_copy):
    shutil.copytree(DATA / "hostile/hostile", site_copy / "results/hostile")
    done = mkdocs_build(site_copy)
    assert done.returncode == 0, done.stderr
    for page in (site_copy / "public").rglob("*.html"):
        html = page.read_text()
        assert "<script>alert(" not in html, page
        assert "<img src=x onerror" not in html, page
    machine = (site_copy / "public/results/machines/hostile/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in machine


MD_LINK = "[x](javascript:alert(1))"
TAG = "{{ benchlog chart=latency }}"


def poison(value, payload):
    """Every string of a document replaced by `payload` (keys, enums and ids kept valid)."""
    keep = {"format_version", "kind", "machine_id", "status", "weights", "id", "started_at", "finished_at",
            "complete", "quick", "precision", "backend"}
    if isinstance(value, dict):
        return {k: (v if k in keep else poison(v, payload)) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, payload) for v in value]
    return payload if isinstance(value, str) else value


def test_markdown_and_tag_payloads_in_every_string_stay_text(site_copy):
    import json

    folder = site_copy / "results/payload"
    shutil.copytree(DATA / "results/test-box", folder)
    for path in folder.glob("*.json"):
        doc = json.loads(path.read_text())
        doc = poison(doc, f"{MD_LINK} `tick` {TAG} <!-- c --> | a |")
        doc["machine_id"] = "payload"  # cpu_model and the machine's model are the same payload: they agree
        path.write_text(json.dumps(doc))
    done = mkdocs_build(site_copy)
    assert done.returncode == 0, done.stderr
    live = []
    for page in (site_copy / "public").rglob("*.html"):
        html = page.read_text()
        live += [page.name for _ in range(html.count('href="javascript:'))]
    assert live == []
    page = (site_copy / "public/results/machines/payload/index.html").read_text()
    assert "[x](javascript:alert(1))" in page  # shown as the text it is
    assert "{{ benchlog chart=latency }}" in page  # never expanded
    # This run's own charts, nothing more: latency, speed-up, size and speed-vs-fidelity (Pareto).
    assert page.count('class="benchlog-chart"') == 4


def test_the_posts_links_into_machine_pages_are_checked(site_copy):
    """The TIL post links to each machine's advice table; a link to a section that is not there fails --strict."""
    post = site_copy / "site/blog/posts/2025-11-30-distilbert-onnx-openvino.md"
    text = post.read_text()
    assert text.count(".md#advice)") >= 4 and ".md#roof)" in text
    assert mkdocs_build(site_copy).returncode == 0
    html = (site_copy / "public/results/machines/intel-core-i5-8265u-4c8t/index.html").read_text()
    assert 'id="advice"' in html and 'data-verdict="not-measured"' in html  # the laptop: expectations only
    post.write_text(text.replace("intel-core-i5-8265u-4c8t.md#advice", "intel-core-i5-8265u-4c8t.md#advise"))
    done = mkdocs_build(site_copy)
    assert done.returncode != 0 and "does not contain an anchor '#advise'" in done.stderr


def check_one_answer_per_machine(public, post_source):
    """Every page that names a machine's fastest variant names the same run, variant, figure and interval: home,
    overview, comparison, the machine page's summary and its advice; a post's chart tag without run= draws that
    run."""
    pages = {"home": "index.html", "overview": "results/index.html", "comparison": "results/comparison/index.html"}
    seen = {}  # machine -> {(run, variant, figure)} over every page, TIL workload or not
    first = {}  # machine -> {page: (run, variant, figure)} of the first answer each page gives it
    for page in public.rglob("index.html"):
        name = page.relative_to(public).as_posix()
        for machine, run, variant, figure, text in ANSWER.findall(page.read_text()):
            figure = html.unescape(figure)
            assert figure in html.unescape(re.sub(r"<[^>]+>", "", text)), (name, text)  # the reader sees it
            seen.setdefault((machine, run), set()).add((variant, figure))
            first.setdefault(machine, {}).setdefault(name, (run, variant, figure))
    assert all(len(v) == 1 for v in seen.values()), seen  # one run says one thing wherever it is shown
    machines = [p.parent.name for p in (public / "results/machines").glob("*/index.html")]
    answered = [m for m in machines if any(v for _, v, _ in first.get(m, {}).values())]  # with figures
    assert len(answered) >= 4
    for machine in answered:
        places = first[machine]
        wanted = {pages["home"], pages["overview"], pages["comparison"], f"results/machines/{machine}/index.html"}
        assert wanted <= set(places), (machine, set(places))
        assert len({places[p] for p in wanted}) == 1, (machine, {p: places[p] for p in wanted})
        machine_page = (public / f"results/machines/{machine}/index.html").read_text()
        advice = machine_page[machine_page.index('id="advice"'):machine_page.index('id="roof"')]
        assert ANSWER.search(advice).groups()[1:3] == places[pages["home"]][:2], machine
    # The post's tags without run= draw the runs that speak for their machines.
    speaking = {m: places[pages["home"]][0] for m, places in first.items()}
    post = (public / "blog/2025/11/30/distilbert-onnx-openvino/index.html").read_text()
    tags = re.findall(r"\{\{ benchlog chart=[^}]*\}\}", post_source)
    drawn = [json.loads(html.unescape(f)) for f in re.findall(r'data-figure="([^"]*)"', post)]
    assert len(tags) == len(drawn)  # each chart tag became one chart, in order
    untied = [figure for tag, figure in zip(tags, drawn) if "run=" not in tag]
    assert untied
    runs = {(t["meta"]["machine_id"], t["meta"]["run_id"]) for f in untied for t in f["data"]
            if (t.get("meta") or {}).get("machine_id") in speaking}
    assert {m for m, _ in runs} >= {"intel-xeon-2vcpu", "amd-epyc-2vcpu-avx512"}
    assert all(speaking[m] == r for m, r in runs), runs


def test_a_new_post_is_listed_on_the_home_page_by_itself(site_copy):
    posts = site_copy / "site/blog/posts"
    (posts / "2026-12-03-new.md").write_text("---\ndate: 2026-12-03\nslug: new-post\ncategories:\n  - TIL\n---\n\n"
                                             "# 새 글 <b>제목</b>\n\n본문.\n\n<!-- more -->\n\n더.\n")
    done = mkdocs_build(site_copy)
    assert done.returncode == 0, done.stderr
    home = (site_copy / "public/index.html").read_text()
    listed = re.findall(r'<li><a href="([^"]+)">([^<]*(?:&lt;[^<]*)*)</a> <small>([\d-]+)</small></li>', home)
    assert [(href, date) for href, _, date in listed] == [
        ("blog/2026/12/03/new-post/", "2026-12-03"), ("blog/2025/11/30/distilbert-onnx-openvino/", "2025-11-30")]
    assert listed[0][1] == "새 글 &lt;b&gt;제목&lt;/b&gt;"  # a title is text, never markup
    for href, _, _ in listed:
        assert (site_copy / "public" / href / "index.html").is_file()
