import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def site_copy(tmp_path):
    """A copy of the real site source (mkdocs.yml, site/, results/) to build or break; the templates, theme and
    assets come from the installed package, as they do for any blog."""
    for name in ("mkdocs.yml", "site", "results"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    return tmp_path


def mkdocs_build(root, *extra, strict=True):
    """Run `mkdocs build [--strict]` in `root` as a user would; returns the CompletedProcess."""
    command = [sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else []), *extra]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
