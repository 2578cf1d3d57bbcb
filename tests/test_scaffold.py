"""`benchlog new`: what it writes, what it refuses, and what its requirements.txt installs (the wheel-installed
build is tests/test_package.py)."""

import datetime
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
import yaml

from benchlog import scaffold
from benchlog.format.errors import UserError
from conftest import ROOT


class EnvTag(yaml.SafeLoader):
    """mkdocs.yml's !ENV tag, read as its default."""


EnvTag.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])


def test_new_writes_the_blog_with_its_title_date_and_requirement(tmp_path):
    title = '내 블로그: "CPU" # 추론'  # YAML's specials in a title
    written = scaffold.new(tmp_path / "blog", title=title, spec="benchlog==9.9", today=datetime.date(2026, 12, 3))
    blog = tmp_path / "blog"
    assert sorted(p.relative_to(blog).as_posix() for p in blog.rglob("*") if p.is_file()) == \
        sorted(p.as_posix() for p in written)
    config = yaml.load((blog / "mkdocs.yml").read_text(), Loader=EnvTag)
    assert config["site_name"] == title and config["docs_dir"] == "site"
    assert {"benchlog": {"results_dir": "results"}} in config["plugins"]
    post = (blog / "site/blog/posts/first-post.md").read_text()
    assert post.startswith("---\ndate: 2026-12-03\n") and "{{ benchlog table=variants machine=" in post
    assert (blog / "requirements.txt").read_text().splitlines()[-1] == "benchlog==9.9"
    readme = (blog / "README.md").read_text()
    assert f"# {title}" in readme and '"benchlog[bench]==9.9"' in readme and "torch==2.13.0" in readme
    assert (blog / ".gitignore").read_text().startswith("#") and "public/" in (blog / ".gitignore").read_text()
    workflow = yaml.safe_load((blog / ".github/workflows/pages.yml").read_text())
    steps = [s.get("run") for s in workflow["jobs"]["build"]["steps"]]
    assert "pip install -r requirements.txt" in steps and "mkdocs build --strict" in steps
    assert not list(tmp_path.glob(".*benchlog-new"))  # no staging folder left behind


def test_the_example_results_are_this_repos_transcribed_tables(tmp_path):
    scaffold.new(tmp_path / "b", spec="benchlog")
    shipped = tmp_path / "b/results/colab-intel-xeon-2.20ghz-2vcpu"
    committed = ROOT / "results/colab-intel-xeon-2.20ghz-2vcpu"
    assert sorted(p.name for p in shipped.iterdir()) == sorted(p.name for p in committed.iterdir())
    for path in shipped.iterdir():
        assert path.read_bytes() == (committed / path.name).read_bytes(), path.name
        doc = json.loads(path.read_text())
        if doc["kind"] == "run":
            assert doc["source"]["kind"] == "transcribed" and doc["source"]["name"]


@pytest.mark.parametrize("make", ["file", "nonempty", "hidden"])
def test_new_refuses_anything_but_a_new_or_empty_folder_and_writes_nothing(tmp_path, make):
    target = tmp_path / "t"
    if make == "file":
        target.write_text("x")
    else:
        target.mkdir()
        (target / (".git" if make == "hidden" else "post.md")).write_text("x")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(UserError, match="is a file" if make == "file" else r"is not empty \(1 entries\)"):
        scaffold.new(target, spec="benchlog")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_new_dot_in_an_empty_folder_from_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchlog", "new", ".", "--requirement", "benchlog==1"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mkdocs.yml").is_file() and (tmp_path / ".github/workflows/pages.yml").is_file()
    assert f'site_name: "{tmp_path.name}"' in (tmp_path / "mkdocs.yml").read_text()
    assert not list(tmp_path.parent.glob(f".{tmp_path.name}.benchlog-new"))


def test_the_requirement_names_where_this_benchlog_came_from(monkeypatch):
    def dist(direct):
        return SimpleNamespace(version="0.1.0", read_text=lambda name: json.dumps(direct) if direct else None)

    cases = [
        (None, "benchlog==0.1.0"),  # a wheel from an index
        ({"url": "file:///work/main", "dir_info": {"editable": True}}, "benchlog==0.1.0"),  # a checkout: no URL
        ({"url": "https://github.com/me/benchlog", "vcs_info": {"vcs": "git", "commit_id": "a" * 40}},
         f"benchlog @ git+https://github.com/me/benchlog@{'a' * 40}"),
        ({"url": "file:///home/me/benchlog", "vcs_info": {"vcs": "git", "commit_id": "b" * 40}}, "benchlog==0.1.0"),
    ]
    for direct, expected in cases:
        monkeypatch.setattr(scaffold.metadata, "distribution", lambda name, d=direct: dist(d))
        assert scaffold.requirement() == expected, direct
    assert scaffold.with_extra("benchlog==0.1.0", "bench") == "benchlog[bench]==0.1.0"
    assert scaffold.with_extra("benchlog @ git+https://x/benchlog@c", "bench") == \
        "benchlog[bench] @ git+https://x/benchlog@c"
