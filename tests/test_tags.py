"""Chart and table tags in posts: expansion, errors that name the tag, and tags left alone inside code."""

import json
import re

import pytest

from report.load import load_results
from report.pages import Renderer
from report.tags import TagError, expand_tags

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
    assert "0.66MB(?) ⚠" in html and "516.26" in html and "7/10" in html


@pytest.mark.parametrize("tag, message", [
    ("{{ benchlog chart=latency machine=nope }}",
     "tag '{{ benchlog chart=latency machine=nope }}': no machine 'nope' in results/ (machines: " +
     ", ".join(sorted(p.name for p in (ROOT / "results").iterdir() if p.is_dir())) + ")"),
    ("{{ benchlog chart=pie }}", "tag '{{ benchlog chart=pie }}': no chart 'pie' (charts: latency, speedup, size, "
                                 "fidelity)"),
    (f"{{{{ benchlog chart=size machine={COLAB} run=x }}}}",
     f"tag '{{{{ benchlog chart=size machine={COLAB} run=x }}}}': no run 'x' for machine '{COLAB}' (runs: "
     "20251130T000000Z-distilbert-base-multilingual-cased-til-1, " + RUN2 + ")"),
    ("{{ benchlog table=pie }}", "tag '{{ benchlog table=pie }}': no table 'pie' (tables: variants, cpu-features)"),
    ("{{ benchlog colour=red }}", "tag '{{ benchlog colour=red }}': 'colour=red' is not one of chart=, machine=, "
                                  "run=, table="),
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
