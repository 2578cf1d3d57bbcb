"""Downloading a model's weights and tokenizer from the Hugging Face hub ($HF_ENDPOINT) without trusting it.

A hub is remote input: its revision is accepted only as a 40-hex commit hash, resolved once and every file is
asked for at that commit; only plain file names of the kinds a model needs are fetched; every path written is
checked to stay inside the hub cache; the whole download has a deadline, a stalled connection a timeout, and a
file a size cap. The files land where huggingface_hub keeps them (<cache>/models--org--name/snapshots/<sha>/), so
the next run finds them offline.
"""

import json
import os
import re
import shutil
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

COMMIT = re.compile(r"[0-9a-f]{40}")
REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?")
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
KINDS = (".json", ".safetensors", ".txt", ".model")  # weights, config and tokenizer; not tf/flax/onnx copies
DEADLINE_S = 1800  # the whole download (BENCHLOG_HUB_DEADLINE_S)
STALL_S = 30  # no byte for this long ends it (BENCHLOG_HUB_STALL_S)
MAX_FILE_BYTES = 8 * 2**30
MAX_INFO_BYTES = 2**20
CHUNK = 1 << 20


class HubError(Exception):
    """Why the hub did not give the model, in one line."""


def hub_cache():
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    return Path(home) / "hub"


def endpoint():
    url = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise HubError(f"HF_ENDPOINT must be an http(s) address, got {url[:80]!r}")
    return url


def download(repo_id, deadline_s=None, stall_s=None):
    """The snapshot folder of `repo_id` at the commit `main` points to, downloaded now; raises HubError."""
    if not REPO_ID.fullmatch(repo_id) or ".." in repo_id:
        raise HubError(f"'{repo_id[:80]}' is not a hub model id")
    deadline = time.monotonic() + float(deadline_s or os.environ.get("BENCHLOG_HUB_DEADLINE_S") or DEADLINE_S)
    stall = float(stall_s or os.environ.get("BENCHLOG_HUB_STALL_S") or STALL_S)
    base = endpoint()
    quoted = urllib.parse.quote(repo_id)
    info = _json(_get(f"{base}/api/models/{quoted}/revision/main", stall, deadline, MAX_INFO_BYTES))
    sha = info.get("sha") if isinstance(info, dict) else None
    if not isinstance(sha, str) or not COMMIT.fullmatch(sha):
        raise HubError(f"the hub answered a revision that is not a 40-hex commit hash ({str(sha)[:60]!r})")
    names = sorted({s.get("rfilename") for s in info.get("siblings") or [] if isinstance(s, dict)} - {None})
    wanted = [n for n in names if isinstance(n, str) and FILE_NAME.fullmatch(n) and n.endswith(KINDS)]
    if "model.safetensors" not in wanted:
        raise HubError(f"the hub's commit {sha[:12]} of {repo_id} has no model.safetensors")
    cache = hub_cache().resolve()
    repo_dir = _inside(cache, cache / ("models--" + repo_id.replace("/", "--")))
    final = _inside(cache, repo_dir / "snapshots" / sha)
    repo_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".benchlog-download-", dir=repo_dir))
    try:
        for name in wanted:
            target = _inside(staging, staging / name)
            url = f"{base}/{quoted}/resolve/{sha}/{urllib.parse.quote(name)}"
            _get(url, stall, deadline, MAX_FILE_BYTES, to=target)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    refs = _inside(cache, repo_dir / "refs" / "main")
    refs.parent.mkdir(parents=True, exist_ok=True)
    refs.write_text(sha)
    return str(final)


def _inside(root, path):
    """`path`, resolved, if it lies inside `root`; else HubError (nothing is written outside the cache)."""
    resolved = Path(os.path.abspath(path))
    if resolved != root and root not in resolved.parents:
        raise HubError(f"refused to write {resolved} outside {root}")
    return resolved


def _json(data):
    try:
        return json.loads(data)
    except ValueError:
        raise HubError("the hub's answer is not JSON") from None


def _get(url, stall, deadline, limit, to=None):
    """GET `url` into memory (or the file `to`): at most `limit` bytes, each read within `stall` seconds, all
    before `deadline` (time.monotonic())."""
    headers = {"User-Agent": "benchlog"}
    if os.environ.get("HF_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['HF_TOKEN']}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=stall) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise HubError(f"{url.rsplit('/', 1)[-1]} is {int(declared):,} bytes, over the {limit:,} limit")
            return _read(response, url, deadline, limit, to)
    except HubError:
        raise
    except urllib.error.HTTPError as exc:
        raise HubError(f"HTTP {exc.code} for {url.rsplit('/', 1)[-1]}") from None
    except (OSError, ValueError) as exc:
        raise HubError(f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}") from None


def _read(response, url, deadline, limit, to):
    out = open(to, "wb") if to else None
    parts, total = [], 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise HubError(f"the download passed its deadline while reading {url.rsplit('/', 1)[-1]} "
                               "(BENCHLOG_HUB_DEADLINE_S)")
            chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise HubError(f"{url.rsplit('/', 1)[-1]} is over the {limit:,}-byte limit")
            out.write(chunk) if out else parts.append(chunk)
    finally:
        if out:
            out.close()
    return b"".join(parts)
