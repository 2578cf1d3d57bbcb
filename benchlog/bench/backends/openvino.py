"""OpenVINO runtime on an IR with an explicit precision hint, checked after compiling: OpenVINO defaults to bf16
on bf16-capable CPUs, and on a CPU without bf16 it compiles f32 whatever the hint says (the variant is skipped)."""

import json
from pathlib import Path

from . import SkipVariant


class Session:
    def __init__(self, compiled, notes, compute=None):
        self.compiled, self.notes, self.compute = compiled, notes, compute
        self.request = compiled.create_infer_request()
        self.names = [p.get_any_name() for p in compiled.inputs]

    def run(self, ids, mask):
        result = self.request.infer(dict(zip(self.names, (ids, mask))), share_inputs=True)
        return next(iter(result.values())).copy()

    def facts(self):
        return {"providers": ["OpenVINO CPU plugin"], "notes": self.notes, "compute_precision": self.compute}

    def kernels(self, ids, mask):
        """What ran, read from the runtime model once inferences have run (the kernels are chosen at the first)."""
        from benchlog.bench import kernels

        return kernels.openvino(self.compiled.get_runtime_model().get_ops())


def load(variant, artifact_dir, threads, shape):
    import openvino as ov

    core = ov.Core()
    model = core.read_model(str(Path(artifact_dir) / "model.xml"))
    # The workload's shape is fixed: compile it static, as benchmark_app -shape does.
    model.reshape({port.get_any_name(): list(shape) for port in model.inputs})
    config = {"INFERENCE_PRECISION_HINT": variant.options["INFERENCE_PRECISION_HINT"],
              "PERFORMANCE_HINT": variant.options["PERFORMANCE_HINT"], "INFERENCE_NUM_THREADS": threads}
    compiled = core.compile_model(model, "CPU", config)
    wanted = variant.options["INFERENCE_PRECISION_HINT"]
    precision = type_name(compiled.get_property("INFERENCE_PRECISION_HINT"))
    if precision != wanted and wanted == "bf16":
        raise SkipVariant(f"OpenVINO compiled {precision} although bf16 was asked: this CPU has no bf16 "
                          "instructions (avx512_bf16 or amx_bf16) and OpenVINO does not emulate them")
    if precision != wanted:
        raise RuntimeError(f"OpenVINO compiled with INFERENCE_PRECISION_HINT={precision}, not {wanted}")
    weights = sorted({type_name(op.get_element_type()) for op in model.get_ops() if op.get_type_name() == "Constant"
                      and op.get_element_type().is_real()})
    # Quantized weight tensors (i8, u8, i4, u4), not the boolean masks and i64 shapes every graph holds.
    stored = sorted({type_name(op.get_element_type()) for op in model.get_ops() if op.get_type_name() == "Constant"
                     and type_name(op.get_element_type()) in LOW_PRECISION
                     and op.get_output_partial_shape(0).rank.get_length() >= 2})
    fake_quantize = sum(op.get_type_name() == "FakeQuantize" for op in model.get_ops())
    notes = [f"compiled INFERENCE_PRECISION_HINT={precision}, "
             f"INFERENCE_NUM_THREADS={compiled.get_property('INFERENCE_NUM_THREADS')}, "
             f"real-valued weights stored as {', '.join(weights)}"
             + (f"; integer weight tensors as {', '.join(stored)}" if stored else "")
             + (f"; {fake_quantize} FakeQuantize ops (INT8 activations)" if fake_quantize else ""),
             f"static input shape {list(shape)}", f"OpenVINO {ov.__version__}"]
    settings = Path(artifact_dir) / "settings.json"
    if settings.exists():
        made = json.loads(settings.read_text())
        if made.get("summary"):
            notes.append(made["summary"])
    compute = None
    if stored and not fake_quantize:
        # Weights-only INT8: OpenVINO's CPU plugin may quantize the activations on the fly and run INT8 GEMMs.
        group = _property(compiled, "DYNAMIC_QUANTIZATION_GROUP_SIZE")
        if group:
            compute = "int8"
            notes.append(f"DYNAMIC_QUANTIZATION_GROUP_SIZE={group}: OpenVINO may quantize activations on the fly "
                         "and run the matrix products in INT8 (the kernels recorded say whether it did)")
        else:
            compute = "fp32"
            notes.append("no dynamic quantization: weights are decompressed and the arithmetic is f32")
    return Session(compiled, notes, compute)


def _property(compiled, name):
    try:
        return compiled.get_property(name)
    except Exception:  # an older OpenVINO without the property
        return None


LOW_PRECISION = {"i8", "u8", "i4", "u4"}


def type_name(element_type):
    """'f32', 'bf16', 'f16' ... for an openvino Type (its str() is "<Type: 'float32'>")."""
    return element_type.to_string() if hasattr(element_type, "to_string") else str(element_type)
