"""Reads a results folder (results/<machine>/*.json): every machine, run and roof file through format/parse.py,
cross-checked (the folder is the machine id, a run's CPU is its machine's, variant ids are unique); bad files become
problems and are left out."""

import re
import unicodedata
from pathlib import Path

from benchlog.format.errors import ResultFileError
from benchlog.format.model import Machine, Results, Run
from benchlog.format.parse import read_document
from benchlog.format.problems import shown
from benchlog.format.schema import RUN_ID_PATTERN


def load_results(results_dir):
    """Load every machine and run under `results_dir`; bad files become `problems` and are left out.

    Only regular files and folders inside `results_dir` are read. Anything else there (a hidden entry, a link that
    leaves the folder, a FIFO, a `*.JSON`, a stray file) is reported as a problem, never silently skipped."""
    results = Results()
    root = Path(results_dir)
    if not root.is_dir():
        return results
    for entry in sorted(root.iterdir()):
        if _usable(entry, root.resolve(), results, folder=True):
            _load_machine_folder(entry, root.resolve(), results)
    results.runs.sort(key=lambda r: (r.machine_id, r.doc["started_at"], r.id))
    results.roofs.sort(key=lambda r: (r.machine_id, r.doc["started_at"], r.id))
    # Two machines whose labels read alike (case, spacing, full-width forms, Cyrillic or Greek look-alikes) are
    # shown with their ids, so one can never pass as the other.
    skeletons = [label_skeleton(m.label) for m in results.machines.values()]
    for machine in results.machines.values():
        alike = skeletons.count(label_skeleton(machine.label)) > 1
        machine.display = f"{machine.label} · {machine.id}" if alike else machine.label
    return results


# Cyrillic and Greek letters that look like Latin ones (after case folding).
LOOK_ALIKES = str.maketrans("авсеһіјкмнорѕтухԁԛԝαβεηικμνορτυχ", "abcehijkmhopstyxdqwabenikmvoptux")


def label_skeleton(label):
    """What a label looks like to a reader: compatibility forms folded (NFKC), case folded, look-alike letters
    mapped to Latin, runs of spaces as one."""
    folded = unicodedata.normalize("NFKC", label).casefold().translate(LOOK_ALIKES)
    return " ".join(folded.split())


def _usable(entry, root, results, folder):
    """True for an entry to read; otherwise a problem line saying why it is not read."""
    def refuse(message):
        results.problems.append(ResultFileError(entry, None, message))
        return False

    if entry.name.startswith("."):
        return refuse("is hidden and is not read; rename or remove it")
    if entry.is_symlink():
        target = entry.resolve()
        if target != root and root not in target.parents:
            return refuse(f"is a link to {target}, outside {root}/; only files inside results/ are read")
    if folder:
        if entry.is_dir():
            return True
        if entry.suffix.lower() == ".json" and entry.is_file():
            return refuse("is not in a machine folder; move it to results/<machine-id>/")
        return refuse("is not a machine folder; results/ holds only results/<machine-id>/ folders")
    if entry.suffix != ".json":
        hint = " (the extension must be lower-case .json)" if entry.suffix.lower() == ".json" else ""
        return refuse(f"is not a result file{hint}; a machine folder holds machine.json and <run>.json files")
    if not RUN_ID.fullmatch(entry.stem):  # match() would let a trailing newline through
        return refuse("has a name that is not a plain run id (letters, digits, '.', '_', '-'; at most 151 "
                      "characters); rename it")
    return True


RUN_ID = re.compile(RUN_ID_PATTERN)


def _load_machine_folder(folder, root, results):
    machine_path = folder / "machine.json"
    entries = [e for e in sorted(folder.iterdir()) if _usable(e, root, results, folder=False)]
    results.files += len(entries)
    if not machine_path.exists() and not machine_path.is_symlink():
        results.problems.append(ResultFileError(machine_path, None, "is missing; every results/<machine>/ "
                                                "folder needs one (benchlog run writes it)"))
        return
    if machine_path not in entries:
        return
    try:
        machine = Machine(folder.name, read_document(machine_path, "machine"), machine_path)
        _check_claim(machine_path, machine.doc["machine_id"])
    except ResultFileError as exc:
        results.problems.extend(exc.problems)
        return
    results.machines[machine.id] = machine
    for path in entries:
        if path.name.startswith(ROOF_PREFIX):
            _load_roof(path, results)
        elif path.name != "machine.json":
            _load_run(path, machine, results)


ROOF_PREFIX = "roof-"


def _load_roof(path, results):
    try:
        doc = read_document(path, "roof")
        _check_claim(path, doc["machine_id"])
    except ResultFileError as exc:
        results.problems.extend(exc.problems)
        return
    results.roofs.append(Run(path.stem, doc, path))


def _load_run(path, machine, results):
    try:
        doc = read_document(path, "run")
        _check_claim(path, doc["machine_id"])
        cpu = doc.get("cpu_model")
        if cpu is not None and cpu != machine.cpu["model"]:
            raise ResultFileError(path, "cpu_model", f"{shown(cpu)} differs from {shown(machine.cpu['model'])} in "
                                  f"{machine.path}: two CPUs claim machine id '{machine.id}'; "
                                  "move this run to its own machine id")
        _check_unique_variants(path, doc["variants"])
    except ResultFileError as exc:
        results.problems.extend(exc.problems)
        return
    results.runs.append(Run(path.stem, doc, path))


def _check_claim(path, claimed):
    folder = Path(path).parent
    if claimed != folder.name:
        raise ResultFileError(path, "machine_id", f"says '{claimed}' but the file is in {folder}/; "
                                                  "the folder name is the machine id")


def _check_unique_variants(path, variants):
    seen = set()
    for i, variant in enumerate(variants):
        if variant["id"] in seen:
            raise ResultFileError(path, f"variants[{i}].id", f"'{variant['id']}' appears twice in this run")
        seen.add(variant["id"])
