"""--weights auto|pretrained against a local stand-in for the Hugging Face hub (HF_ENDPOINT -> a loopback server
that speaks the hub's HTTP API and serves a tiny DistilBERT with its tokenizer): the real download path, no mock
of benchlog's code."""

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.backends
REPO = "benchlog-test/tiny-distilbert"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """A tiny DistilBERT classifier (2 layers, hidden 32) saved as on the hub, with a real BERT tokenizer."""
    import torch
    import transformers

    from benchlog.bench.models import TINY, minilm_path

    folder = tmp_path_factory.mktemp("tiny-hub-model")
    torch.manual_seed(1)
    config = transformers.DistilBertConfig(num_labels=2, **TINY)
    transformers.DistilBertForSequenceClassification(config).save_pretrained(folder, safe_serialization=True)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (Path(minilm_path()) / name).exists():
            shutil.copy(Path(minilm_path()) / name, folder / name)
    return folder


class Hub(http.server.BaseHTTPRequestHandler):
    """GET /api/models/<repo>/revision/<rev>, GET /api/models/<repo>/tree/<rev> and HEAD/GET
    /<repo>/resolve/<rev>/<file>, as the hub answers them (huggingface_hub 2.x asks these)."""

    files, seen = None, []
    sha, dribble = SHA, False  # a hostile hub: a path as its commit, or a weights file sent one byte a second

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.respond(body=False)

    def do_GET(self):
        self.respond(body=True)

    def respond(self, body):
        self.seen.append(f"{self.command} {self.path}")
        path = self.path.split("?")[0]
        info = f"/api/models/{REPO}/revision/"
        resolve = f"/{REPO}/resolve/"
        if path.startswith(info):
            payload = json.dumps({"id": REPO, "modelId": REPO, "sha": self.sha, "private": False,
                                  "siblings": [{"rfilename": p.name} for p in sorted(self.files.iterdir())]}).encode()
            return self.send(200, payload, {"Content-Type": "application/json"}, body)
        if path.startswith(f"/api/models/{REPO}/tree/"):
            entries = [{"type": "file", "path": p.name, "size": p.stat().st_size,
                        "oid": hashlib.sha1(p.read_bytes()).hexdigest()} for p in sorted(self.files.iterdir())]
            return self.send(200, json.dumps(entries).encode(), {"Content-Type": "application/json"}, body)
        if path.startswith(resolve):
            name = path[len(resolve):].split("/", 1)[1]
            file = self.files / name
            if self.dribble and name == "model.safetensors":
                return self.send_slowly()
            if file.is_file():
                data = file.read_bytes()
                return self.send(200, data, {"X-Repo-Commit": SHA, "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
                                             "Content-Type": "application/octet-stream"}, body)
        self.send(404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepoNotFound",
                                                             "Content-Type": "application/json"}, body)

    def send_slowly(self):
        self.send_response(200)
        self.send_header("Content-Length", str(2**30))
        self.send_header("X-Repo-Commit", self.sha)
        self.end_headers()
        try:
            for _ in range(60):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass  # the client gave up, as it should

    def send(self, status, data, headers, body):
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            self.wfile.write(data)


@pytest.fixture(scope="module")
def hub(model_files):
    Hub.files = model_files
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run(tmp_path, *args, endpoint, extra_env=None):
    env = {**os.environ, "HF_ENDPOINT": endpoint, "HF_HOME": str(tmp_path / "hf-home"), **(extra_env or {})}
    env.pop("HF_HUB_OFFLINE", None)
    command = [sys.executable, "-m", "benchlog", "run", "--quick", "--rounds", "1", "--backends", "ort-cpu-int8",
               "--results", str(tmp_path / "results"), "--cache", str(tmp_path / "cache"), "--machine-id", "hub-box",
               *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)


def the_run(tmp_path):
    (path,) = (tmp_path / "results/hub-box").glob("2*.json")
    return json.loads(path.read_text())


def test_auto_downloads_real_weights_and_tokenizer_from_the_hub(tmp_path, hub):
    Hub.seen.clear()
    done = run(tmp_path, "--model", REPO, endpoint=hub)
    assert done.returncode == 0, done.stderr + "\n".join(Hub.seen)
    assert f"benchlog: downloading {REPO} from the Hugging Face hub" in done.stderr
    assert any(s.startswith(f"GET /{REPO}/resolve/") and s.endswith("/model.safetensors") for s in Hub.seen)
    doc = the_run(tmp_path)
    assert doc["model"]["weights"] == "pretrained" and doc["model"]["revision"] == SHA
    assert f"tokenizer: {REPO} (its own)" in doc["notes"]
    assert not any("RANDOM weights" in n for n in doc["notes"])
    variant = next(v for v in doc["variants"] if v["id"] == "ort-cpu-int8")  # beside the reference
    assert variant["status"] == "ok" and variant["fidelity"]["argmax_total"] == 10


def test_auto_falls_back_to_random_weights_and_says_so_when_the_hub_does_not_answer(tmp_path):
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    done = run(tmp_path, "--model", REPO, "--weights", "auto", endpoint=closed)
    last_lines = done.stderr
    assert done.returncode == 1  # a hub id with no config anywhere cannot be built at random
    assert f"the hub did not give '{REPO}'" in last_lines
    assert f"benchlog: error: --model {REPO}: no local config for this model" in last_lines


def test_the_tils_model_falls_back_to_its_known_architecture(tmp_path, monkeypatch, capsys):
    from benchlog.bench import models

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    spec = models.resolve_model("distilbert-base-multilingual-cased")
    assert models.choose_weights(spec, "auto") == ("random", None)  # its config is known: random weights, said
    assert "the hub did not give 'distilbert-base-multilingual-cased'" in capsys.readouterr().err


def test_pretrained_fails_with_one_line_when_the_hub_has_no_such_model(tmp_path, hub):
    done = run(tmp_path, "--model", "benchlog-test/no-such-model", "--weights", "pretrained", endpoint=hub)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("benchlog: error: --weights pretrained: no weights for 'benchlog-test/no-such-model' in "
                           "a local folder, the hub cache or the hub (")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "results/hub-box").exists() or not list((tmp_path / "results/hub-box").glob("2*.json"))


@pytest.fixture()
def hostile(hub):
    yield Hub
    Hub.sha, Hub.dribble = SHA, False


def test_a_hub_that_answers_a_path_as_its_commit_writes_nothing_anywhere(tmp_path, hub, hostile):
    target = tmp_path / "outside"
    hostile.sha = "../../../../../../" + str(target / "PWN").lstrip("/")
    done = run(tmp_path, "--model", REPO, "--weights", "pretrained", endpoint=hub)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("benchlog: error: --weights pretrained: no weights for") and \
        "not a 40-hex commit hash" in last
    assert not target.exists()
    assert not any("resolve" in s for s in Hub.seen if "PWN" in s)  # no file was asked for at that "revision"
    assert not list((tmp_path / "hf-home").rglob("PWN*"))


def test_a_hub_that_stalls_is_ended_by_the_deadline_and_auto_falls_back(tmp_path, hub, hostile):
    hostile.dribble = True
    started = time.monotonic()
    done = run(tmp_path, "--model", REPO, "--weights", "pretrained", endpoint=hub,
               extra_env={"BENCHLOG_HUB_DEADLINE_S": "4"})
    assert time.monotonic() - started < 120
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "passed its deadline" in done.stderr.strip().splitlines()[-1]
    snapshots = tmp_path / "hf-home/hub" / ("models--" + REPO.replace("/", "--")) / "snapshots"
    assert not snapshots.exists() or not any(snapshots.iterdir())  # no half-downloaded snapshot is left


def test_the_hub_download_never_leaves_the_local_stand_in(tmp_path, hub):
    """Run against the stand-in, every request the run makes reaches it (none goes to the real hub)."""
    Hub.seen.clear()
    done = run(tmp_path, "--model", REPO, endpoint=hub)
    assert done.returncode == 0, done.stderr
    asked = [s.split()[1] for s in Hub.seen]
    assert asked[0] == f"/api/models/{REPO}/revision/main"
    assert all(a.startswith((f"/api/models/{REPO}/", f"/{REPO}/resolve/{SHA}/")) for a in asked)
