"""The one registry of backend variants: name -> backend module, artifact and options.

A backend module is imported only when its variant runs (in its own process), so `import bench` needs none of
torch, onnxruntime or openvino. Each module has `load(variant, artifact_dir, threads, shape) -> Session`,
where a Session has `run(input_ids, attention_mask) -> numpy array` and `facts() -> dict` (what actually ran).
"""

import importlib
from dataclasses import dataclass, field


class SkipVariant(Exception):
    """This variant cannot run here (library or execution provider missing); the message says why."""


@dataclass(frozen=True)
class Variant:
    id: str
    backend: str
    precision: str
    label: str
    module: str
    artifact: str
    requires: tuple
    options: dict = field(default_factory=dict)

    def load_module(self):
        return importlib.import_module(self.module)


VARIANTS = {v.id: v for v in [
    Variant("pytorch-fp32", "pytorch", "fp32", "PyTorch FP32", "bench.backends.pytorch", "pytorch",
            ("torch", "transformers"), {"mode": "inference_mode"}),
    Variant("ort-cpu-fp32", "onnxruntime", "fp32", "ORT CPU EP FP32", "bench.backends.ort", "onnx-fp32",
            ("onnxruntime",), {"provider": "CPUExecutionProvider"}),
    Variant("ort-cpu-int8", "onnxruntime", "int8", "ORT CPU EP INT8",
            "bench.backends.ort", "onnx-int8", ("onnxruntime",),
            {"provider": "CPUExecutionProvider", "quantization": "quantize_dynamic QInt8 per-channel"}),
    Variant("ort-openvino-fp32", "onnxruntime-openvino", "fp32", "ORT + OpenVINO EP FP32", "bench.backends.ort",
            "onnx-fp32", ("onnxruntime",), {"provider": "OpenVINOExecutionProvider", "precision": "FP32"}),
    Variant("openvino-fp32", "openvino", "fp32", "OpenVINO IR FP32", "bench.backends.openvino",
            "ir-fp32", ("openvino",), {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}),
]}

# Short names for --backends, each standing for its variants.
GROUPS = {"pytorch": ["pytorch-fp32"], "ort": ["ort-cpu-fp32", "ort-cpu-int8"], "ort-cpu": ["ort-cpu-fp32",
          "ort-cpu-int8"], "ort-openvino": ["ort-openvino-fp32"], "openvino": ["openvino-fp32"],
          "all": list(VARIANTS)}


def select(names):
    """Variant ids for a comma-separated --backends value, in registry order; unknown names raise ValueError."""
    chosen = set()
    for name in filter(None, (n.strip() for n in names.split(","))):
        if name in VARIANTS:
            chosen.add(name)
        elif name in GROUPS:
            chosen.update(GROUPS[name])
        else:
            raise ValueError(f"--backends: unknown '{name}' (variants: {', '.join(VARIANTS)}; groups: "
                             f"{', '.join(GROUPS)})")
    return [v for v in VARIANTS if v in chosen]
