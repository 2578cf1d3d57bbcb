"""The package's layers import in one direction: format <- analysis <- bench, site (README "Layout")."""

import ast

from conftest import ROOT

PACKAGE = ROOT / "benchlog"
# layer -> the benchlog layers it may import (itself included)
ALLOWED = {
    "format": {"format"},
    "analysis": {"format", "analysis"},
    "bench": {"format", "analysis", "bench"},
    "site": {"format", "analysis", "site"},
}


def imports_of(path, root=ROOT):
    """The benchlog modules a file imports (absolute and relative), e.g. {'benchlog.analysis.noise'}."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)  # `from benchlog import site`
    return {m for m in found if m == "benchlog" or m.startswith("benchlog.")}


def layer_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if own is None:
            continue
        for module in imports_of(path):
            target = layer_of(module)
            if target is not None and target not in ALLOWED[own]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_the_checker_sees_a_wrong_arrow(tmp_path):
    """The rule above can fail: a file in the analysis that imports the site (absolute or relative) is caught."""
    for text in ("from benchlog.site.strings import UI\n", "from ..site import strings\n",
                 "import benchlog.site.tables\n", "from benchlog import site\n"):
        fake = tmp_path / "benchlog/analysis/probe.py"
        fake.parent.mkdir(parents=True, exist_ok=True)
        fake.write_text(text)
        assert any(layer_of(m) == "site" for m in imports_of(fake, tmp_path)), text


def test_no_other_top_level_package():
    """One import root: everything the wheel installs is under benchlog/ (pyproject: packages.find benchlog*)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["packages"]["find"]["include"] == ["benchlog*"]
    assert not (ROOT / "bench").exists() and not (ROOT / "report").exists()
