"""Chart and table tags in posts: expansion, errors that name the tag, and tags left alone inside code."""

import json
import re

import pytest

from benchlog.format.load import load_results
from benchlog.site.pages import Renderer
from benchlog.site.tags import TagError, expand_tags

from conftest import ROOT

COLAB = "colab-intel-xeon-2.20ghz-2vcpu"
RUN2 = "20251130T000000Z-distilbert-base-multilingual-cased-til-2"


@pytest.fixture(scope="module")
def renderer():
    return Renderer(load_results(ROOT / "results"))


def figures(html):
    return [json.loads(m.replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                       .replace("&#39;", "'"))
            for m in re.findall(r'data-figure="([^"]*)"', html)]


def test_chart_tag_for_one_run(renderer):
    html = expand_tags(f"before\n{{{{ benchlog chart=speedup machine={COLAB} run={RUN2} }}}}\nafter", renderer)
    (figure,) = figures(html)
    (trace,) = figure["data"]
    assert trace["x"] == ["PyTorch FP32", "ONNX FP32", "ONNX INT8"]
    assert trace["y"] == pytest.approx([1.0, 371.9 / 213.3, 371.9 / 178.9])
    assert html.startswith("before\n") and html.endswith("after")


def test_table_tag_shows_the_flagged_size(renderer):
    html = expand_tags(f"{{{{ benchlog table=variants machine={COLAB} run={RUN2} }}}}", renderer)
    assert "benchlog-compact" in html and "0.66MB(?) ⚠" in html and "516.3" in html and "argmax 7/10" in html
    assert "<th>" + "</th><th>".join(["변형", "p50 ms (95% 구간)", "속도 향상 ×", "용량 (MiB)", "충실도"]) in html
    full = expand_tags(f"{{{{ benchlog table=variants view=full machine={COLAB} run={RUN2} }}}}", renderer)
    assert "benchlog-compact" not in full and "516.26" in full and "실제 실행된 provider" in full


def test_a_compact_table_leaves_memos_to_the_machine_page_and_links_there(renderer):
    from benchlog.site.tags import render_html, resolve
    tag = {"table": "variants", "machine": "intel-xeon-2vcpu"}
    post = "blog/2025/11/30/x/"  # a blog post's URL, not its path (blog/posts/x.md)
    compact = render_html(*resolve(tag, renderer), renderer, page_url=post)
    full = render_html(*resolve(dict(tag, view="full"), renderer), renderer, page_url=post)
    assert "benchlog-notes" in full and "benchlog-notes" not in compact  # the memo rows
    run = renderer.answers["intel-xeon-2vcpu"][0][1]["run"].id
    assert f'href="../../../../../results/machines/intel-xeon-2vcpu/#run-{run}"' in compact


@pytest.mark.parametrize("tag, message", [
    ("{{ benchlog chart=latency machine=nope }}",
     "tag '{{ benchlog chart=latency machine=nope }}': no machine 'nope' in results/ (machines: " +
     ", ".join(sorted(p.name for p in (ROOT / "results").iterdir() if p.is_dir())) + ")"),
    ("{{ benchlog chart=pie }}", "tag '{{ benchlog chart=pie }}': no chart 'pie' (charts: latency, speedup, size, "
                                 "fidelity, pareto, sweep, history)"),
    (f"{{{{ benchlog chart=size machine={COLAB} run=x }}}}",
     f"tag '{{{{ benchlog chart=size machine={COLAB} run=x }}}}': no run 'x' for machine '{COLAB}' (runs: "
     "20251130T000000Z-distilbert-base-multilingual-cased-til-1, " + RUN2 + ")"),
    ("{{ benchlog table=pie }}", "tag '{{ benchlog table=pie }}': no table 'pie' (tables: variants, cpu-features, "
                                "answers, posts, advice, roof)"),
    ("{{ benchlog table=variants view=wide }}", "tag '{{ benchlog table=variants view=wide }}': view= goes with "
                                                "table=variants and is one of compact, full"),
    ("{{ benchlog chart=speedup view=full }}", "tag '{{ benchlog chart=speedup view=full }}': view= goes with "
                                               "table=variants and is one of compact, full"),
    ("{{ benchlog colour=red }}", "tag '{{ benchlog colour=red }}': 'colour=red' is not one of chart=, machine=, "
                                  "run=, table=, view="),
    ("{{ benchlog }}", "tag '{{ benchlog }}': give exactly one of chart=NAME or table=NAME"),
    ("{{ benchlog chart=size run=x }}", "tag '{{ benchlog chart=size run=x }}': run= needs machine= too"),
])
def test_bad_tags_name_the_tag(renderer, tag, message):
    with pytest.raises(TagError) as exc:
        expand_tags(f"text\n{tag}\n", renderer)
    assert str(exc.value) == message


def test_tags_in_code_are_left_alone(renderer):
    text = "Use `{{ benchlog chart=nope }}` like this:\n\n```\n{{ benchlog chart=nope }}\n```\n"
    assert expand_tags(text, renderer) == text


def test_tags_in_html_comments_and_indented_code_are_left_alone(renderer):
    text = ("<!-- {{ benchlog chart=nope }} -->\n"
            "<!--\n{{ benchlog chart=nope }}\n-->\n"
            "\n    {{ benchlog chart=nope }}\n    more code\n\n"
            "~~~\n{{ benchlog chart=nope }}\n~~~\n")
    assert expand_tags(text, renderer) == text


def test_a_tag_after_a_comment_on_the_same_line_is_expanded(renderer):
    html = expand_tags("<!-- note --> {{ benchlog table=cpu-features }}\n", renderer)
    assert html.startswith("<!-- note --> \n\n<div") and "benchlog-cpu" in html


def test_an_indented_line_inside_a_paragraph_is_not_code(renderer):
    html = expand_tags("para\n    {{ benchlog table=cpu-features }}\n", renderer)
    assert "benchlog-cpu" in html


def test_a_pathological_post_is_left_as_written(renderer):
    # Unclosed backticks and comments by the thousand: the scan stays linear (a code span closes by bisection).
    text = ("`" * 20000 + "\n") + "".join("`" * k + " x " for k in range(1, 400)) + "\n" + ("<!--" * 5000 + "\n")
    assert expand_tags(text, renderer) == text


def test_thousands_of_unclosed_tags_are_one_error(renderer):
    with pytest.raises(TagError, match="does not parse"):
        expand_tags("{{ benchlog " * 20000 + "\n", renderer)


@pytest.mark.parametrize("text", [
    "Write ``{{ benchlog chart=nope }}`` in a post.\n",              # double-backtick code span
    "``a ` {{ benchlog chart=nope }} ``\n",                         # a single backtick inside a double span
    "```\n{{ benchlog chart=nope }}\n```\n",                        # a fence
    "text\n```\n{{ benchlog chart=nope }}\n```\n",                  # a fence that interrupts a paragraph
    "`{{ benchlog chart=nope }}\nstill code`\n",                      # a code span across a line break
])
def test_tags_in_every_kind_of_code_are_left_alone(renderer, text):
    assert expand_tags(text, renderer) == text


def test_a_comment_opener_inside_code_hides_nothing(renderer):
    # Markdown shows `<!--` in a code span as text: the tag after it is live, and a bad one still fails.
    html = expand_tags("Comments start with `<!--`.\n\n{{ benchlog table=cpu-features }}\n", renderer)
    assert "benchlog-cpu" in html
    with pytest.raises(TagError, match="no chart 'nope'"):
        expand_tags("`<!--` then {{ benchlog chart=nope }}\n", renderer)


def test_an_unclosed_backtick_ends_with_its_paragraph(renderer):
    with pytest.raises(TagError, match="no chart 'nope'"):
        expand_tags("an unclosed ` here\n\n{{ benchlog chart=nope }} and a ` there\n", renderer)


def test_an_escaped_backtick_opens_no_code_span(renderer):
    html = expand_tags("\\`{{ benchlog table=cpu-features }}\\`\n", renderer)
    assert "benchlog-cpu" in html


def test_a_tag_may_have_line_breaks_and_extra_spaces(renderer):
    html = expand_tags("{{   benchlog\n   table=cpu-features\n}}\n", renderer)
    assert "benchlog-cpu" in html and "{{" not in html


@pytest.mark.parametrize("text, message", [
    ("{{ benchlog chart=latency\n\nthe rest", "does not parse"),                       # never closed
    ("{{ benchlog chart=latency }", "does not parse"),                                   # one brace
    ("{{ benchlog chart={latency} }}", "does not parse"),                                # braces inside
    ("{{ benchlog chart=" + "x" * 1001 + " }}", "does not parse"),                      # over 1,000 characters
    ("{{ benchlg chart=latency }}", "'{{ benchlg': a misspelled tag"),
    ("{{ Benchlog chart=latency }}", "'{{ Benchlog': a misspelled tag"),
    ("{{ bechlog chart=latency }}", "'{{ bechlog': a misspelled tag"),
])
def test_a_malformed_tag_is_an_error_not_text(renderer, text, message):
    with pytest.raises(TagError, match=re.escape(message)):
        expand_tags(f"para\n{text}\n", renderer)


def test_other_double_braces_are_text(renderer):
    text = "Jinja writes {{ name }} and sets use {{1, 2}}; {{ bench }} too.\n"
    assert expand_tags(text, renderer) == text


# --- the scanner's states, one case each --------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "    {{ benchlog chart=nope }}\n",                                  # indented code at the very start
    "\t{{ benchlog chart=nope }}\n",                                    # a tab indents too
    "para\n```\ncode\n```\n    {{ benchlog chart=nope }}\n",            # indented code right after a fence
    "```\n~~~\n{{ benchlog chart=nope }}\n```\n",                       # a tilde line does not close a backtick fence
    "<!--\n\n{{ benchlog chart=nope }}\n\n-->\n",                       # a comment spans paragraphs
    "<!-- open\n\n{{ benchlog chart=nope }}\n",                         # a comment never closed hides the rest
])
def test_more_places_a_tag_is_code_or_comment(renderer, text):
    assert expand_tags(text, renderer) == text


@pytest.mark.parametrize("text", [
    "```\ncode\n```\n{{ benchlog table=cpu-features }}\n",              # after a closed fence
    "<!-- a --> {{ benchlog table=cpu-features }} <!-- b -->\n",        # between two comments on one line
    "<!--\n\n--> {{ benchlog table=cpu-features }}\n",                  # right after a comment closes
])
def test_more_places_a_tag_is_live(renderer, text):
    assert "benchlog-cpu" in expand_tags(text, renderer)


def test_a_code_span_closes_where_it_closes(renderer):
    with pytest.raises(TagError, match="no chart 'nope'"):  # `a` is code; the tag between two spans is live
        expand_tags("`a` {{ benchlog chart=nope }} `b`\n", renderer)


def test_messages_of_a_tag_that_does_not_parse_in_full(renderer):
    rule = ("does not parse (a tag is '{{ benchlog chart=NAME … }}': no braces inside, at most 1,000 characters of "
            "arguments, closed by '}}')")
    exact = "{{ benchlog chart=" + "x" * 42  # 60 characters: shown whole
    with pytest.raises(TagError) as exc:
        expand_tags(exact, renderer)
    assert str(exc.value) == f"tag '{exact}': {rule}"
    with pytest.raises(TagError) as exc:
        expand_tags(exact + "y", renderer)  # 61: cut at 60, with an ellipsis
    assert str(exc.value) == f"tag '{exact}…': {rule}"
    with pytest.raises(TagError) as exc:
        expand_tags('{{ benchlog chart="latency }}', renderer)
    assert str(exc.value) == "tag '{{ benchlog chart=\"latency }}': cannot read its arguments (No closing quotation)"
    with pytest.raises(TagError) as exc:
        expand_tags("{{ benchlog chart=a=b }}", renderer)
    assert str(exc.value).startswith("tag '{{ benchlog chart=a=b }}': no chart 'a=b'")


def test_the_misspelling_threshold_is_inclusive(renderer):
    # "benchlogging" against "benchlog": 8 letters match, 20 in all, a ratio of exactly 0.8.
    with pytest.raises(TagError, match="'{{ benchlogging': a misspelled tag"):
        expand_tags("{{ benchlogging }}", renderer)
    assert expand_tags("{{ benchloggings }}", renderer) == "{{ benchloggings }}"  # 16 of 21: 0.76


def test_scopes_of_a_tag(renderer):
    from benchlog.site.tags import resolve
    assert resolve({"table": "variants"}, renderer)[:2] == ("table", "variants")
    kind, name, frame, view = resolve({"chart": "latency", "machine": COLAB}, renderer)
    assert (kind, name) == ("chart", "latency") and set(frame.machine_id) == {COLAB}
    frame = resolve({"chart": "latency", "machine": COLAB, "run": RUN2}, renderer)[2]
    assert set(frame.machine_id) == {COLAB} and set(frame.run_id) == {RUN2}


def test_a_tag_on_an_empty_results_folder_says_none(tmp_path):
    empty = Renderer(load_results(tmp_path))
    with pytest.raises(TagError, match=r"no machine 'x' in results/ \(machines: none\)"):
        expand_tags("{{ benchlog chart=latency machine=x }}", empty)
    box = tmp_path / "results/test-box"
    box.mkdir(parents=True)
    box.joinpath("machine.json").write_text((ROOT / "tests/data/results/test-box/machine.json").read_text())
    lonely = Renderer(load_results(tmp_path / "results"))
    with pytest.raises(TagError, match=r"no run 'r' for machine 'test-box' \(runs: none\)"):
        expand_tags("{{ benchlog chart=latency machine=test-box run=r }}", lonely)


@pytest.mark.parametrize("tag, check", [
    ("{{ benchlog chart=pareto machine=intel-xeon-2vcpu }}", lambda f: f["layout"]["meta"]["recommended"]),
    ("{{ benchlog chart=sweep machine=amd-epyc-2vcpu-avx512 }}", lambda f: f["data"][0]["meta"]["sweep_axis"]),
    ("{{ benchlog chart=history machine=amd-epyc-2vcpu-avx512 }}", lambda f: f["data"][0]["meta"]["history_of"]),
])
def test_a_post_can_embed_the_machine_pages_charts(renderer, tag, check):
    html = expand_tags(tag, renderer)
    (figure,) = figures(html)
    assert check(figure)


def test_a_post_can_embed_the_advice_and_roof_tables_and_unknown_views_say_why(renderer):
    advice = expand_tags("{{ benchlog table=advice machine=intel-xeon-2vcpu }}", renderer)
    assert 'class="benchlog-table benchlog-advice"' in advice and "data-verdict" in advice
    roof = expand_tags("{{ benchlog table=roof machine=intel-xeon-2vcpu }}", renderer)
    assert 'class="benchlog-table benchlog-roof"' in roof
    pareto = expand_tags("{{ benchlog chart=pareto machine=amd-epyc-2vcpu-avx512 "
                         "run=20261129T130445Z-all-minilm-l6-v2 }}", renderer)
    assert figures(pareto)[0]["layout"]["meta"]["recommended"] == "openvino-int8"
    for tag, message in [
        ("{{ benchlog chart=sweep }}", "chart=sweep needs machine="),
        ("{{ benchlog table=roof machine=colab-intel-xeon-2.20ghz-2vcpu }}",
         "machine 'colab-intel-xeon-2.20ghz-2vcpu' has no roof to show"),
        ("{{ benchlog chart=sweep machine=intel-xeon-2vcpu }}", "machine 'intel-xeon-2vcpu' has no sweep to show"),
        ("{{ benchlog chart=history machine=intel-xeon-2vcpu run=20261202T192045Z-distilbert-base-multilingual-cased }}",
         "takes no run="),
    ]:
        with pytest.raises(TagError, match=re.escape(message)):
            expand_tags(tag, renderer)


def test_the_answers_and_posts_tables(renderer):
    answers = expand_tags("{{ benchlog table=answers }}", renderer)
    assert '<ul class="benchlog-answers">' in answers and answers.count('class="benchlog-answer"') >= 4
    renderer.posts = [("2026-12-03", "새 글", "blog/2026/12/03/new/"), ("2025-11-30", "TIL", "blog/2025/11/30/til/")]
    try:
        posts = expand_tags("{{ benchlog table=posts }}", renderer)
    finally:
        renderer.posts = ()
    assert posts.index("새 글") < posts.index("TIL") and 'href="blog/2026/12/03/new/"' in posts
