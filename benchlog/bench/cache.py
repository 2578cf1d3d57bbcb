"""The cache of model files: a content key per model, weights and build settings, and folders that appear only
when complete (built in a temporary folder, then renamed) with a manifest (files, sizes, sha256) written last; a
folder whose files differ from its manifest is rebuilt. What is built from what: bench/builders/."""

import hashlib
import json
import os
import shutil
from pathlib import Path

from benchlog.bench.builders import BUILDERS, PARENTS, PHASES
from benchlog.bench.builders.settings import (CALIBRATION, EXPORT_SETTINGS, IR_SETTINGS, NNCF_SETTINGS,
                                              QUANT_SETTINGS)


def default_cache():
    return Path(os.environ.get("BENCHLOG_CACHE") or Path.home() / ".cache" / "benchlog")


def cache_key(spec_key, weights, folder, seed):
    """A content key: the model spec, the weights (pretrained folder's file sizes and times, or the seed)."""
    if weights == "pretrained":
        files = sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in Path(folder).iterdir()
                       if p.is_file())
        weights_key = {"pretrained": files}
    else:
        weights_key = {"random_seed": seed}
    blob = json.dumps({"model": spec_key, "weights": weights_key, "export": EXPORT_SETTINGS,
                       "quant": QUANT_SETTINGS, "ir": IR_SETTINGS, "nncf": NNCF_SETTINGS,
                       "calibration": sha256_of(CALIBRATION)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


MANIFEST = "manifest.json"
NOT_MODEL_FILES = {"settings.json", MANIFEST}


def files_of(folder):
    """Every file an artifact needs (external data included), with sizes, for the result's size on disk."""
    folder = Path(folder)
    files = [{"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size}
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in NOT_MODEL_FILES]
    return {"bytes": sum(f["bytes"] for f in files), "files": files}


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder):
    """Written last, after every file of the artifact: its presence says the folder is complete."""
    folder = Path(folder)
    files = [{**f, "sha256": sha256_of(folder / f["path"])} for f in files_of(folder)["files"]]
    (folder / MANIFEST).write_text(json.dumps({"files": files}, indent=1))


def manifest_problem(folder):
    """Why a cached artifact folder cannot be used as it is, or None when its files match its manifest."""
    folder = Path(folder)
    try:
        listed = json.loads((folder / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return "it has no readable manifest (an interrupted build, or a cache from an older benchlog)"
    present = {f["path"]: f["bytes"] for f in files_of(folder)["files"]}
    expected = {f["path"]: f["bytes"] for f in listed}
    if present != expected:
        changed = sorted(set(present.items()) ^ set(expected.items()))
        return f"its files differ from its manifest ({', '.join(sorted({p for p, _ in changed}))})"
    for f in listed:
        if sha256_of(folder / f["path"]) != f["sha256"]:
            return f"{f['path']} does not match its checksum"
    return None


def usable(folder):
    return Path(folder).is_dir() and manifest_problem(folder) is None


def remove_stale_temps(root):
    """Remove .<name>.tmp-<pid> folders left by builds whose process is gone (a failed export is ~540 MB)."""
    for tmp in Path(root).glob(".*.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def ensure(root, name, context, report_phase):
    """The folder of artifact `name` under `root`, building it (and what it derives from) when missing or when
    its files do not match its manifest (said through report_phase, then rebuilt). `context` holds what builders
    may need: build_model (a callable), calibration (an .npz of tokenized calibration inputs), task."""
    target = Path(root) / name
    if target.is_dir():
        problem = manifest_problem(target)
        if problem is None:
            return target
        report_phase(f"rebuilding cached {name}: {problem}")
        shutil.rmtree(target, ignore_errors=True)
    parent = PARENTS[name]
    source = ensure(root, parent, context, report_phase) if parent else None
    report_phase(PHASES[name])
    Path(root).mkdir(parents=True, exist_ok=True)
    remove_stale_temps(root)
    tmp = Path(root) / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        BUILDERS[name](source, tmp, context or {})
        write_manifest(tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not usable(target):  # another run built it at the same time: keep theirs
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
