"""The one registry of backend variants: name -> backend module, artifact and options.

A backend module is imported only when its variant runs (in its own process), so `import bench` needs none of
torch, onnxruntime or openvino. Each module has `load(variant, artifact_dir, threads, shape) -> Session`,
where a Session has `run(input_ids, attention_mask) -> numpy array` and `facts() -> dict` (what actually ran).
"""

import importlib
from dataclasses import dataclass, field

from benchlog.format import isa


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
    # The ISA feature that makes this precision fast (any one of these flags), and what the library does on a CPU
    # without it: "emulated" (it still runs, converting to a precision the CPU has) or "skip".
    needs: tuple = ()
    without: str = None

    def load_module(self):
        return importlib.import_module(self.module)


BF16, VNNI = isa.BF16, isa.INT8  # the features that make bf16 and INT8 fast (format/isa.py)
OV = {"PERFORMANCE_HINT": "LATENCY"}

VARIANTS = {v.id: v for v in [
    Variant("pytorch-fp32", "pytorch", "fp32", "PyTorch FP32", "benchlog.bench.backends.pytorch", "pytorch",
            ("torch", "transformers"), {"mode": "inference_mode"}),
    Variant("pytorch-bf16", "pytorch", "bf16", "PyTorch BF16 (autocast)", "benchlog.bench.backends.pytorch", "pytorch",
            ("torch", "transformers"), {"mode": "inference_mode", "autocast": "bfloat16"}, BF16, "emulated"),
    Variant("pytorch-int8", "pytorch", "int8", "PyTorch INT8 Linear (torchao)", "benchlog.bench.backends.pytorch", "pytorch",
            ("torch", "transformers", "torchao"),
            {"mode": "inference_mode", "quantization": "torchao quantize_ Int8DynamicActivationInt8WeightConfig "
                                                       "(Linear layers, per-token activations, per-channel weights)"},
            VNNI, "emulated"),
    Variant("ort-cpu-fp32", "onnxruntime", "fp32", "ORT CPU EP FP32", "benchlog.bench.backends.ort", "onnx-fp32",
            ("onnxruntime",), {"provider": "CPUExecutionProvider"}),
    Variant("ort-cpu-int8-u8", "onnxruntime", "int8", "ORT CPU EP INT8 (QUInt8 per-tensor)",
            "benchlog.bench.backends.ort", "onnx-int8-u8", ("onnxruntime",),
            {"provider": "CPUExecutionProvider", "quantization": "quantize_dynamic QUInt8 per-tensor"}, VNNI,
            "emulated"),
    Variant("ort-cpu-int8", "onnxruntime", "int8", "ORT CPU EP INT8",
            "benchlog.bench.backends.ort", "onnx-int8", ("onnxruntime",),
            {"provider": "CPUExecutionProvider", "quantization": "quantize_dynamic QInt8 per-channel"}, VNNI,
            "emulated"),
    Variant("ort-cpu-int8-fused", "onnxruntime", "int8", "ORT CPU EP INT8 (optimizer-fused graph)",
            "benchlog.bench.backends.ort", "onnx-fused-int8", ("onnxruntime",),
            {"provider": "CPUExecutionProvider",
             "quantization": "onnxruntime.transformers optimize_model, then quantize_dynamic QInt8 per-channel"},
            VNNI, "emulated"),
    Variant("ort-cpu-int8-attn", "onnxruntime", "int8", "ORT CPU EP INT8 (fused attention, QAttention)",
            "benchlog.bench.backends.ort", "onnx-attn-int8", ("onnxruntime", "onnx"),
            {"provider": "CPUExecutionProvider",
             "quantization": "exported with BERT's attention pattern, optimize_model (Attention fused), then "
                             "quantize_dynamic QInt8 per-channel"}, VNNI, "emulated"),
    Variant("ort-openvino-fp32", "onnxruntime-openvino", "fp32", "ORT + OpenVINO EP FP32", "benchlog.bench.backends.ort",
            "onnx-fp32", ("onnxruntime",), {"provider": "OpenVINOExecutionProvider", "precision": "FP32"}),
    Variant("openvino-fp32", "openvino", "fp32", "OpenVINO IR FP32", "benchlog.bench.backends.openvino",
            "ir-fp32", ("openvino",), {"INFERENCE_PRECISION_HINT": "f32", **OV}),
    Variant("openvino-bf16", "openvino", "bf16", "OpenVINO IR BF16", "benchlog.bench.backends.openvino",
            "ir-fp32", ("openvino",), {"INFERENCE_PRECISION_HINT": "bf16", **OV}, BF16, "skip"),
    Variant("openvino-int8-wo", "openvino", "int8-weights", "OpenVINO INT8 weights only (NNCF)",
            "benchlog.bench.backends.openvino", "ir-int8-wo", ("openvino", "nncf"),
            {"INFERENCE_PRECISION_HINT": "f32", **OV,
             "quantization": "nncf.compress_weights INT8_ASYM per-channel; activations stay f32"}),
    Variant("openvino-int8", "openvino", "int8", "OpenVINO INT8 (NNCF PTQ)", "benchlog.bench.backends.openvino",
            "ir-int8", ("openvino", "nncf"),
            {"INFERENCE_PRECISION_HINT": "f32", **OV,
             "quantization": "nncf.quantize, model_type TRANSFORMER; other layers f32"}, VNNI, "emulated"),
    Variant("openvino-int8-bf16", "openvino", "int8", "OpenVINO INT8 (NNCF PTQ) + bf16 elsewhere",
            "benchlog.bench.backends.openvino", "ir-int8", ("openvino", "nncf"),
            {"INFERENCE_PRECISION_HINT": "bf16", **OV,
             "quantization": "nncf.quantize, model_type TRANSFORMER; the layers left unquantized run bf16 (OpenVINO's "
                             "default on a bf16 CPU)"}, BF16, "skip"),
    Variant("openvino-int8-ac", "openvino", "int8", "OpenVINO INT8 under a fidelity floor (NNCF accuracy control)",
            "benchlog.bench.backends.openvino", "ir-int8-ac", ("openvino", "nncf"),
            {"INFERENCE_PRECISION_HINT": "f32", **OV,
             "quantization": "nncf.quantize_with_accuracy_control, max_drop 0.01 of mean cosine vs f32"},
            VNNI, "emulated"),
]}

# The TIL's five variants, in its order: what `--backends til` measures.
TIL = ["pytorch-fp32", "ort-cpu-fp32", "ort-cpu-int8", "ort-openvino-fp32", "openvino-fp32"]

# Short names for --backends, each standing for its variants.
GROUPS = {"pytorch": ["pytorch-fp32", "pytorch-bf16", "pytorch-int8"],
          "ort": ["ort-cpu-fp32", "ort-cpu-int8-u8", "ort-cpu-int8", "ort-cpu-int8-fused", "ort-cpu-int8-attn"],
          "ort-cpu": ["ort-cpu-fp32", "ort-cpu-int8"],  # the TIL's pair
          "ort-int8": ["ort-cpu-int8-u8", "ort-cpu-int8", "ort-cpu-int8-fused", "ort-cpu-int8-attn"],
          "ort-openvino": ["ort-openvino-fp32"],
          "openvino": ["openvino-fp32", "openvino-bf16", "openvino-int8-wo", "openvino-int8", "openvino-int8-bf16",
                       "openvino-int8-ac"],
          "til": TIL, "fp32": [v for v in VARIANTS if VARIANTS[v].precision == "fp32"], "all": list(VARIANTS)}


def hardware(variant, flags):
    """How this CPU runs the variant's precision: None for FP32 (every CPU has it), else whether the feature it
    needs is there ("native") or the library works around its absence, from the machine's ISA flags."""
    if not variant.needs:
        return None
    present = [f for f in variant.needs if flags.get(f)]
    if present:
        return {"native": True, "uses": present[0], "detail": f"{present[0]} present"}
    wanted = " or ".join(variant.needs)
    if variant.precision == "bf16":
        detail = (f"no {wanted}: bf16 is emulated (converted to f32 for the arithmetic)" if variant.without ==
                  "emulated" else f"no {wanted}: this library does not run bf16 without it")
    else:
        detail = f"no {wanted}: INT8 dot products run on AVX2/AVX-512 without VNNI (slower; U8 may saturate)"
    return {"native": False, "uses": None, "detail": detail}


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
