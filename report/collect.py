"""`benchlog collect SRC...`: bring result folders or zips from other machines (a Colab zip, a GitHub Actions
artifact) into results/. Every file is validated as the site would; new runs are copied, nothing is overwritten,
and a machine whose fingerprint conflicts with the folder of the same id is refused with one line.
"""

import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import UserError
from .fingerprint import fingerprint_difference
from .load import load_results, read_document
from .schema import MAX_FILE_BYTES

MAX_ZIP_BYTES = 200 * 2**20  # uncompressed: a results zip is kilobytes; this stops a zip bomb


@dataclass
class Report:
    added: list = field(default_factory=list)
    already: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # one line each


def collect(sources, results_dir, say=print):
    """Collect every machine folder found in `sources` into `results_dir`; return a Report."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="benchlog-collect-") as scratch:
        for index, source in enumerate(map(Path, sources)):
            root = unpack(source, Path(scratch) / str(index)) if source.suffix.lower() == ".zip" else source
            if not root.is_dir():
                raise UserError(f"{source}: not a folder or a .zip of result folders")
            folders = machine_folders(root)
            if not folders:
                report.refused.append(f"{source}: holds no results/<machine-id>/machine.json")
            for folder in folders:
                collect_machine(folder, Path(results_dir), report)
    for path in report.added:
        say(f"added {path}")
    for line in report.refused:
        say(f"refused: {line}")
    say(f"collected {len(report.added)} new files; {len(report.already)} already there; "
        f"{len(report.refused)} refused")
    return report


def unpack(zip_path, into):
    """Extract a zip safely: plain files only, no absolute paths or '..', bounded sizes."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise UserError(f"{zip_path}: cannot be read as a zip ({exc})") from None
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise UserError(f"{zip_path}: unpacks to more than {MAX_ZIP_BYTES:,} bytes; not a results zip")
        for member in members:
            name = PurePosixPath(member.filename)
            is_link = stat.S_ISLNK(member.external_attr >> 16)
            if name.is_absolute() or ".." in name.parts or is_link:
                raise UserError(f"{zip_path}: {member.filename}: a path that leaves the zip or a link; refused")
            if member.is_dir() or member.file_size > MAX_FILE_BYTES:
                continue  # folders are made as needed; an oversized file would be refused by validation anyway
            target = into.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    return into


def machine_folders(root):
    """Folders holding a machine.json: the root itself, or any folder below it (results/<id>/, <id>/ ...)."""
    found = sorted({p.parent for p in root.rglob("machine.json") if not p.is_symlink()})
    return [f for f in found if not any(part.startswith(".") for part in f.relative_to(root).parts)]


def collect_machine(folder, results_dir, report):
    """Validate one machine folder (in a scratch copy named by its machine id) and copy its new runs."""
    with tempfile.TemporaryDirectory(prefix="benchlog-check-") as check:
        try:
            machine_id = read_document(folder / "machine.json", "machine")["machine_id"]
        except UserError as exc:
            report.refused.append(str(exc))
            return
        staged = Path(check) / machine_id
        shutil.copytree(folder, staged, symlinks=True)
        loaded = load_results(check)
        report.refused += [str(p).replace(str(staged), str(folder)) for p in loaded.problems]
        if machine_id not in loaded.machines:
            return
        target = results_dir / machine_id
        existing = target / "machine.json"
        if existing.exists():
            difference = fingerprint_difference(read_document(existing, "machine"),
                                                loaded.machines[machine_id].doc)
            if difference:
                report.refused.append(f"{folder / 'machine.json'}: is for another CPU than {existing} "
                                      f"({difference}); give it its own machine id to collect it")
                return
            if existing.read_bytes() == (staged / "machine.json").read_bytes():
                report.already.append(existing)  # (the same machine written differently keeps the file it has)
        else:
            target.mkdir(parents=True, exist_ok=True)
            copy_new(staged / "machine.json", existing, report)
        for run in loaded.runs_of(machine_id):
            copy_new(run.path, target / run.path.name, report)


def copy_new(source, target, report):
    """Copy `source` to `target` unless a file has that name: the same bytes are 'already there', other bytes are
    refused (a result file is never rewritten)."""
    data = source.read_bytes()
    try:
        created = open(target, "xb")
    except FileExistsError:
        if target.read_bytes() == data:
            report.already.append(target)
        else:
            report.refused.append(f"{target}: exists with other content; a result file is never overwritten "
                                  f"(rename {source.name} to collect it)")
        return
    try:
        with created:
            created.write(data)
    except OSError as exc:
        target.unlink(missing_ok=True)  # never leave half a file
        raise UserError(f"{target}: could not be written ({exc.strerror}); nothing already written was "
                        "changed") from None
    report.added.append(target)


def main(args):
    """The `benchlog collect` command: exit status 1 when anything was refused."""
    report = collect(args.sources, args.results)
    return 1 if report.refused else 0
