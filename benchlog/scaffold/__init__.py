"""`benchlog new DIR`: a new blog that builds with `mkdocs build --strict` from the installed benchlog alone.

The files come from this package (scaffold/blog/): mkdocs.yml with the plugin, the home page, a sample post whose
tags draw the example results (the TIL's two Colab tables, transcribed and marked so), the Pages workflow,
.gitignore, requirements.txt naming this benchlog, and a short README. Dot-files are kept without their dot in the
package (gitignore, github/) so no packaging tool skips them.
"""

import datetime
import json
import re
import shutil
from importlib import metadata, resources
from pathlib import Path

from benchlog.format.errors import UserError

RENAMES = {"gitignore": ".gitignore", "github": ".github"}
TEXT_SUFFIXES = {".md", ".yml", ".txt", ""}


def requirement():
    """What requirements.txt installs: this benchlog's git URL and commit where it was installed from git,
    else its version (PyPI)."""
    try:
        dist = metadata.distribution("benchlog")
    except metadata.PackageNotFoundError:
        return "benchlog"
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    vcs = direct.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and direct.get("url", "").startswith("https://"):
        return f"benchlog @ git+{direct['url']}@{vcs.get('commit_id') or vcs.get('requested_revision') or 'main'}"
    return f"benchlog=={dist.version}"


def with_extra(spec, extra):
    """'benchlog==0.1.0' -> 'benchlog[bench]==0.1.0'; 'benchlog @ git+…' -> 'benchlog[bench] @ git+…'."""
    return re.sub(r"^benchlog\b", f"benchlog[{extra}]", spec)


def new(target, title=None, spec=None, today=None):
    """Write a new blog into `target` (created if missing; refused if it holds anything). Returns the written
    paths, relative to target."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UserError(f"new: {target} is a file; give a new or empty folder")
    if target.is_dir() and any(target.iterdir()):
        raise UserError(f"new: {target} is not empty ({sum(1 for _ in target.iterdir())} entries); "
                        "give a new or empty folder, nothing was written")
    title = title or target.resolve().name
    spec = spec or requirement()
    fill = {"__SITE_NAME__": title, "__DATE__": (today or datetime.date.today()).isoformat(),
            "__BENCH_REQUIREMENT__": with_extra(spec, "bench")}
    source = resources.files("benchlog.scaffold") / "blog"
    written = []
    staging = target.resolve().parent / f".{target.resolve().name}.benchlog-new"  # beside it: `new .` works too
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with resources.as_file(source) as folder:
            for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                relative = path.relative_to(folder)
                relative = Path(RENAMES.get(relative.parts[0], relative.parts[0]), *relative.parts[1:])
                out = staging / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                if path.suffix in TEXT_SUFFIXES and relative.parts[0] != "results":
                    text = path.read_text(encoding="utf-8")
                    for key, value in fill.items():
                        text = text.replace(key, yaml_safe(value) if relative.name == "mkdocs.yml" else value)
                    out.write_text(text, encoding="utf-8")
                else:
                    shutil.copyfile(path, out)
                written.append(relative)
        (staging / "requirements.txt").write_text(
            "# The benchlog this blog was made with (the Pages workflow installs it). Not on PyPI? Put its git URL\n"
            "# here, e.g. benchlog @ git+https://github.com/<you>/benchlog\n"
            f"{spec}\n", encoding="utf-8")
        written.append(Path("requirements.txt"))
        target.mkdir(parents=True, exist_ok=True)
        for entry in sorted(staging.iterdir()):
            entry.rename(target / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(written)


def yaml_safe(value):
    """A value for mkdocs.yml: a JSON string is a YAML string, whatever it holds (':', '#', quotes)."""
    return json.dumps(value, ensure_ascii=False)


def main(args, out):
    written = new(args.dir, title=args.title, spec=args.requirement)
    print(f"benchlog new: wrote {len(written)} files into {args.dir}/", file=out)
    for path in written:
        print(f"  {path}", file=out)
    print(f"next: cd {args.dir} && mkdocs serve   (then see README.md: measure, write, publish)", file=out)
    return 0
