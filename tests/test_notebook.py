"""The Colab notebook executed with nbclient on the tiny model: it runs benchlog and writes a zip that
`benchlog collect` accepts."""

import json
import os
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from benchlog.format.load import load_results

from conftest import ROOT

pytestmark = pytest.mark.backends


def test_the_colab_notebook_measures_and_zips_a_machine(tmp_path):
    notebook = nbformat.read(ROOT / "notebooks/benchlog-colab.ipynb", as_version=4)
    (index,) = [i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])]
    # As papermill does: a cell after the parameters cell overrides them.
    overrides = (f"MODEL = 'tiny-distilbert'\nBACKENDS = 'ort-cpu-int8'\nQUICK = True\nINSTALL = False\n"
                 f"RESULTS = {str(tmp_path / 'results')!r}\nEXTRA_ARGS = ['--cache', {str(tmp_path / 'cache')!r}]\n")
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(overrides))
    env_before = dict(os.environ)
    try:
        os.environ["PYTHONPATH"] = str(ROOT)  # the kernel imports this checkout's benchlog
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert '"kind": "machine"' in printed  # the fingerprint cell
    (archive,) = tmp_path.glob("benchlog-results-*.zip")
    assert f"Not on Colab: the zip is at {archive}" in printed
    names = zipfile.ZipFile(archive).namelist()
    machine = archive.stem.removeprefix("benchlog-results-")
    assert f"results/{machine}/machine.json" in names and any(n.endswith(".json") and "/2" in n for n in names)
    collected = subprocess.run([sys.executable, "-m", "benchlog", "collect", str(archive), "--results",
                                str(tmp_path / "home-results")], cwd=ROOT, capture_output=True, text=True,
                               timeout=120)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    results = load_results(tmp_path / "home-results")
    assert results.problems == [] and len(results.runs) == 1
    assert json.loads(results.runs[0].path.read_text())["model"]["name"] == "tiny-distilbert"


def test_the_placeholder_repository_stops_with_a_message_before_any_clone(tmp_path, monkeypatch):
    """Its default REPO_URL (".../OWNER/benchlog.git") used to reach `git clone` and fail there."""
    notebook = nbformat.read(ROOT / "notebooks/benchlog-colab.ipynb", as_version=4)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    ran = []
    namespace = {}
    monkeypatch.chdir(tmp_path)
    exec(code[0], namespace)  # the parameters, as shipped
    assert "/OWNER/" in namespace["REPO_URL"] and namespace["INSTALL"] is True
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: ran.append(a) or pytest.fail("a command ran"))
    with pytest.raises(RuntimeError, match=r"^Set REPO_URL in the first code cell to your benchlog repository"):
        exec(code[1], namespace)
    assert ran == [] and list(tmp_path.iterdir()) == []
