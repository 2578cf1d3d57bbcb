"""`benchlog collect SRC...`: bring result folders or zips from other machines (a Colab zip, a GitHub Actions
artifact) into results/. Every file is validated as the site would; new runs are copied, nothing is overwritten,
and a machine whose fingerprint conflicts with the folder of the same id is refused with one line.
"""

import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from benchlog.format.errors import UserError
from benchlog.format.fingerprint import fingerprint_difference
from benchlog.format.load import load_results
from benchlog.format.parse import read_document
from benchlog.format.schema import MAX_FILE_BYTES

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
            is_zip = source.suffix.lower() == ".zip"
            root = unpack(source, Path(scratch) / str(index)) if is_zip else source
            if not root.is_dir():
                raise UserError(f"{source}: not a folder or a .zip of result folders")
            folders = machine_folders(root)
            if not folders:
                report.refused.append(f"{source}: holds no results/<machine-id>/machine.json")
            refused_before, planned = len(report.refused), []
            for folder in folders:
                shown = source / folder.relative_to(root) if is_zip else folder  # messages name the zip
                planned += collect_machine(folder, Path(results_dir), report, shown)
            if len(report.refused) > refused_before:
                if planned:
                    report.refused.append(f"{source}: nothing was collected from it until every file in it is valid")
                continue
            for data, target in planned:
                copy_new(data, target, report)
    for path in report.added:
        say(f"added {path}")
    for line in report.refused:
        say(f"refused: {line}")
    say(f"collected {len(report.added)} new files; {len(report.already)} already there; "
        f"{len(report.refused)} refused")
    return report


ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
MAX_NAME = 255  # one path component, as most file systems allow
MAX_PATH = 400


def unpack(zip_path, into):
    """Extract a zip safely, or refuse it whole with one line naming the zip and the entry: plain files only, names
    that stay inside (Windows separators understood), no duplicate or case-colliding names, no encrypted entries or
    unknown compression, bounded sizes. Nothing is extracted unless every entry passes."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise UserError(f"{zip_path}: cannot be read as a zip ({exc})") from None
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise UserError(f"{zip_path}: unpacks to more than {MAX_ZIP_BYTES:,} bytes; not a results zip")
        plan = [(member, entry_parts(zip_path, member)) for member in members]
        check_names(zip_path, [(m, parts) for m, parts in plan if not m.is_dir()],
                    {parts for m, parts in plan if m.is_dir()})
        for member, parts in plan:
            if member.is_dir() or member.file_size > MAX_FILE_BYTES:
                continue  # folders are made as needed; an oversized file would be refused by validation anyway
            target = into.joinpath(*parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
                shutil.rmtree(into, ignore_errors=True)
                raise UserError(f"{zip_path}: {member.filename!r}: cannot be extracted "
                                f"({str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__})") \
                    from None
    return into


def entry_parts(zip_path, member):
    """The entry's path parts, with '\\' read as a separator (zips made on Windows); UserError for a name that
    leaves the zip, is a link, is encrypted or compressed in a way this Python cannot read."""
    name = member.filename.replace("\\", "/")
    parts = tuple(p for p in name.split("/") if p)
    refuse = None
    if name.startswith("/") or (parts and ":" in parts[0]) or any(p in (".", "..") for p in parts) or not parts:
        refuse = "a path that leaves the zip"
    elif stat.S_ISLNK(member.external_attr >> 16):
        refuse = "a link"
    elif any(not c.isprintable() for c in name):
        refuse = "a name with control characters"
    elif len(name) > MAX_PATH or any(len(p.encode()) > MAX_NAME for p in parts):
        refuse = "a name too long for a checkout"
    elif member.flag_bits & 0x1:
        refuse = "an encrypted entry"
    elif member.compress_type not in ZIP_METHODS:
        refuse = f"an unknown compression method ({member.compress_type})"
    if refuse:
        raise UserError(f"{zip_path}: {member.filename!r}: {refuse}; refused")
    return parts


def check_names(zip_path, files, folders):
    """Refuse duplicates, names that differ only in case (they collide on macOS and Windows checkouts) and a file
    that is also a folder."""
    seen = {}
    for member, parts in files:
        key = "/".join(parts).casefold()
        if key in seen:
            what = "twice" if seen[key] == parts else f"as {'/'.join(seen[key])!r}, differing only in case"
            raise UserError(f"{zip_path}: {member.filename!r}: the same name {what}; refused")
        seen[key] = parts
    prefixes = {"/".join(parts[:i]).casefold() for _, parts in files for i in range(1, len(parts))}
    prefixes |= {"/".join(f).casefold() for f in folders}
    for member, parts in files:
        if "/".join(parts).casefold() in prefixes:
            raise UserError(f"{zip_path}: {member.filename!r}: a file and a folder of the same name; refused")


def machine_folders(root):
    """Folders holding a machine.json: the root itself, or any folder below it (results/<id>/, <id>/ ...)."""
    found = sorted({p.parent for p in root.rglob("machine.json") if not p.is_symlink()})
    return [f for f in found if not any(part.startswith(".") for part in f.relative_to(root).parts)]


def collect_machine(folder, results_dir, report, shown=None):
    """Validate one machine folder (in a scratch copy named by its machine id); return its new files as
    [(bytes, target)], to be written only if the whole source is valid. `shown` is the folder as the user knows it
    (inside their zip), for messages."""
    shown = shown or folder
    with tempfile.TemporaryDirectory(prefix="benchlog-check-") as check:
        try:
            machine_id = read_document(folder / "machine.json", "machine")["machine_id"]
        except UserError as exc:
            report.refused.append(str(exc).replace(str(folder), str(shown)))
            return []
        staged = Path(check) / machine_id
        shutil.copytree(folder, staged, symlinks=True)
        loaded = load_results(check)
        report.refused += [str(p).replace(str(staged), str(shown)) for p in loaded.problems]
        if machine_id not in loaded.machines:
            return []
        target = results_dir / machine_id
        existing = target / "machine.json"
        planned = []
        if existing.exists():
            difference = fingerprint_difference(read_document(existing, "machine"),
                                                loaded.machines[machine_id].doc)
            if difference:
                report.refused.append(f"{shown / 'machine.json'}: is for another CPU than {existing} "
                                      f"({difference}); give it its own machine id to collect it")
                return []
            if existing.read_bytes() == (staged / "machine.json").read_bytes():
                report.already.append(existing)  # (the same machine written differently keeps the file it has)
        else:
            planned.append(((staged / "machine.json").read_bytes(), existing))
        for run in loaded.runs_of(machine_id):
            data, run_target = run.path.read_bytes(), target / run.path.name
            if run_target.exists() and run_target.read_bytes() != data:
                report.refused.append(f"{run_target}: exists with other content; a result file is never "
                                      f"overwritten (rename {run.path.name} to collect it)")
            else:
                planned.append((data, run_target))
        return planned


def copy_new(data, target, report):
    """Write `data` to `target` unless a file has that name: the same bytes are 'already there', other bytes are
    refused (a result file is never rewritten)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        created = open(target, "xb")
    except FileExistsError:
        if target.read_bytes() == data:
            report.already.append(target)
        else:
            report.refused.append(f"{target}: exists with other content; a result file is never overwritten")
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
