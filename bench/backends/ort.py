"""ONNX Runtime with one execution provider (CPU EP or OpenVINO EP), recording which provider really ran.

The OpenVINO EP falls back to the CPU EP silently, node by node: a one-inference profile counts the nodes each
provider executed, and that is what the result records.
"""

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from . import SkipVariant


class Session:
    def __init__(self, session, providers_ran, notes):
        self.session, self.providers_ran, self.notes = session, providers_ran, notes
        self.names = [i.name for i in session.get_inputs()]

    def run(self, ids, mask):
        return self.session.run(None, dict(zip(self.names, (ids, mask))))[0]

    def facts(self):
        return {"providers": self.providers_ran, "notes": self.notes}


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


def nodes_per_provider(profile_path):
    """{provider: executed node count} from an ORT profile (kernel events carry args.provider)."""
    events = json.loads(Path(profile_path).read_text())
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
    session = ort.InferenceSession(model, _options(ort, threads), providers=providers)
    registered = session.get_providers()
    ran = _profile_providers(ort, model, providers, threads, session)
    notes = [f"registered providers: {', '.join(registered)}",
             "nodes executed per provider in a profiled inference: "
             + ", ".join(f"{p} {n}" for p, n in sorted(ran.items()))]
    if wanted not in ran:
        notes.append(f"{wanted} executed no node: this variant really ran on {', '.join(ran) or 'nothing'}")
    return Session(session, sorted(ran, key=lambda p: -ran[p]) or registered, notes)


def _profile_providers(ort, model, providers, threads, session):
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        profiled = ort.InferenceSession(model, _options(ort, threads, os.path.join(tmp, "profile")),
                                        providers=providers)
        shape = (1, 16)
        feeds = {i.name: np.ones(shape, dtype=np.int64) for i in profiled.get_inputs()}
        profiled.run(None, feeds)
        path = profiled.end_profiling()
        return nodes_per_provider(path)
