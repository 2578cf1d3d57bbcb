"""ONNX Runtime with one execution provider (CPU EP or OpenVINO EP), recording which provider really ran.

The OpenVINO EP falls back to the CPU EP silently, node by node: a one-inference profile counts the nodes each
provider executed, and that is what the result records.
"""

import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import SkipVariant


class Session:
    def __init__(self, session, providers_ran, notes, first_inference_ms, evidence=None):
        self.session, self.providers_ran, self.notes, self.evidence = session, providers_ran, notes, evidence
        self.first_inference_ms = first_inference_ms  # the profiled inference was the session's first
        self.names = [i.name for i in session.get_inputs()]

    def run(self, ids, mask):
        return self.session.run(None, dict(zip(self.names, (ids, mask))))[0]

    def facts(self):
        return {"providers": self.providers_ran, "notes": self.notes}

    def kernels(self, ids, mask):
        """What ran, from the profile of the session's first inference (read while loading)."""
        return self.evidence


def _options(ort, threads, profile_prefix=None):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if profile_prefix:
        so.enable_profiling = True
        so.profile_file_prefix = profile_prefix
    return so


def _providers(variant, threads):
    if variant.options["provider"] == "OpenVINOExecutionProvider":
        ov = {"device_type": "CPU", "precision": variant.options.get("precision", "FP32"),
              "num_of_threads": str(threads)}
        return [("OpenVINOExecutionProvider", ov), "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def nodes_per_provider(events):
    """{provider: executed node count} from an ORT profile's events (kernel events carry args.provider)."""
    counts = Counter(e["args"]["provider"] for e in events
                     if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time")
                     and "provider" in e.get("args", {}))
    return dict(counts)


def load(variant, artifact_dir, threads, shape):
    import onnxruntime as ort

    wanted = variant.options["provider"]
    available = ort.get_available_providers()
    if wanted not in available:
        raise SkipVariant(f"{wanted} is not available in this onnxruntime {ort.__version__} build "
                          f"(available: {', '.join(available)}); onnxruntime-openvino provides it")
    model = str(Path(artifact_dir) / "model.onnx")
    providers = _providers(variant, threads)
    with tempfile.TemporaryDirectory() as tmp:
        # One session: its first inference is profiled (to see which provider ran each node), then profiling
        # ends and the same session is timed. A second session would double the model in memory (peak RSS).
        session = ort.InferenceSession(model, _options(ort, threads, os.path.join(tmp, "profile")),
                                       providers=providers)
        started = time.perf_counter()
        events = _profile(session, shape)
        ran = nodes_per_provider(events)
        first_ms = (time.perf_counter() - started) * 1e3
    registered = session.get_providers()
    notes = [f"registered providers: {', '.join(registered)}",
             "nodes executed per provider in a profiled inference: "
             + ", ".join(f"{p} {n}" for p, n in sorted(ran.items()))]
    if not ran:
        # Registered is not the same as ran: the OpenVINO EP registers and then falls back silently.
        notes.append("the profile recorded no executed node: which provider ran is unknown")
    elif wanted not in ran:
        notes.append(f"{wanted} executed no node: this variant really ran on {', '.join(ran)}")
    notes.append("first inference timed with profiling on")
    settings = Path(artifact_dir) / "settings.json"
    if settings.exists() and json.loads(settings.read_text()).get("summary"):
        notes.append(json.loads(settings.read_text())["summary"])
    from benchlog.bench import kernels

    return Session(session, sorted(ran, key=lambda p: -ran[p]) or None, notes, first_ms, kernels.onnxruntime(events))


def _profile(session, shape):
    """The events of a profiled first inference (ORT's profile JSON)."""
    import numpy as np

    feeds = {i.name: np.ones(shape, dtype=np.int64) for i in session.get_inputs()}
    session.run(None, feeds)
    return json.loads(Path(session.end_profiling()).read_text())
