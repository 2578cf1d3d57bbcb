"""Writing results/<machine>/: machine.json created once under a lock, run files claimed exclusively and rewritten
atomically (unique temp file, fsync, rename), every OSError turned into one line that names the path.

Two `benchlog run` on one machine folder in the same second each get their own run file and lose nothing.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

from filelock import FileLock

from benchlog.format.errors import UserError

from benchlog.format.fingerprint import fingerprint_difference

from .machine import isa_tag

MAX_NAME_TRIES = 100


def write_error(path, exc):
    return UserError(f"{path}: could not be written ({exc.strerror or exc}); nothing already written was changed")


def _temp_beside(path, data):
    """A fully written, fsync'ed temp file with a unique name in `path`'s folder."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _encode(doc):
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _sync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the file itself was fsync'ed
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_json(path, doc):
    """Rewrite `path` atomically: readers see the old file or the new one, never a part."""
    path = Path(path)
    tmp = None
    try:
        tmp = _temp_beside(path, _encode(doc))
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from None


def claim_json(path, doc):
    """Create `path` holding `doc` only if no file has that name (a hard link fails on an existing name);
    return False when the name is taken."""
    path = Path(path)
    tmp = None
    try:
        tmp = _temp_beside(path, _encode(doc))
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        _sync_folder(path.parent)
        return True
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def claim_run_file(machine_dir, doc):
    """results/<machine>/<UTC start>-<model>[-N].json, claimed with `doc` in it; never an existing file."""
    model = "".join(c if c.isalnum() or c in ".-" else "-" for c in doc["model"]["name"].lower())
    return claim_named(machine_dir, f"{stamp_of(doc)}-{model}", doc)


def stamp_of(doc):
    """The compact UTC start time that begins a result file's name (20261129T125655Z)."""
    return doc["started_at"].replace("-", "").replace(":", "")


def claim_named(machine_dir, stem, doc):
    """<stem>.json, else <stem>-2.json, ... in machine_dir, claimed with `doc` in it; never an existing file."""
    for n in range(1, MAX_NAME_TRIES + 1):
        path = machine_dir / (f"{stem}.json" if n == 1 else f"{stem}-{n}.json")
        if claim_json(path, doc):
            return path
    raise UserError(f"{machine_dir}: {MAX_NAME_TRIES} files already start with {stem}; try again in a second")


def _lock(folder):
    """A lock per machine folder, kept outside results/ so the folder holds only result files."""
    key = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return FileLock(Path(tempfile.gettempdir()) / f"benchlog-{key}.lock", timeout=60)


def read_machine(path):
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("cpu"), dict):
            raise ValueError("no cpu object")
        return doc
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot be read as a machine file ({exc.__class__.__name__}); fix or move it, "
                        "or pass another --machine-id") from None


def place_machine(results_root, machine, explicit, warn):
    """The machine folder this run writes to, with machine.json created in it if new.

    "Same machine" means the same fingerprint (vendor, model, cores, ISA flags). An explicit --machine-id whose
    folder holds another fingerprint is refused; the default id moves on to a name that says the difference
    (amd-epyc-2vcpu -> amd-epyc-2vcpu-avx512 -> amd-epyc-2vcpu-avx512-2 ...)."""
    base = machine["machine_id"]
    tag = isa_tag(machine["cpu"].get("flags"))
    candidates = [base] if explicit else [base, f"{base}-{tag}", *(f"{base}-{tag}-{n}" for n in range(2, 100))]
    for machine_id in candidates:
        folder = Path(results_root) / machine_id
        path = folder / "machine.json"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _lock(folder):
                if not path.exists():
                    claim_json(path, {**machine, "machine_id": machine_id})
                    return folder
                difference = fingerprint_difference(read_machine(path), machine)
        except OSError as exc:
            raise write_error(path, exc) from None
        if not difference:
            return folder
        if explicit:
            raise UserError(f"{path} is for another CPU ({difference}); pass another --machine-id")
        warn(f"{path} is for another CPU ({difference}); this machine's results go to the next free id")
    raise UserError(f"{results_root}: no free machine id for this CPU after {len(candidates)} tries")
