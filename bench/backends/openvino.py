"""OpenVINO runtime on an IR, FP32 pinned: OpenVINO defaults to bf16 on bf16-capable CPUs otherwise."""

from pathlib import Path


class Session:
    def __init__(self, compiled, notes):
        self.compiled, self.notes = compiled, notes
        self.request = compiled.create_infer_request()
        self.names = [p.get_any_name() for p in compiled.inputs]

    def run(self, ids, mask):
        result = self.request.infer(dict(zip(self.names, (ids, mask))), share_inputs=True)
        return next(iter(result.values())).copy()

    def facts(self):
        return {"providers": ["OpenVINO CPU plugin"], "notes": self.notes}


def load(variant, artifact_dir, threads, shape):
    import openvino as ov

    core = ov.Core()
    model = core.read_model(str(Path(artifact_dir) / "model.xml"))
    # The workload's shape is fixed: compile it static, as benchmark_app -shape does.
    model.reshape({port.get_any_name(): list(shape) for port in model.inputs})
    config = {"INFERENCE_PRECISION_HINT": variant.options["INFERENCE_PRECISION_HINT"],
              "PERFORMANCE_HINT": variant.options["PERFORMANCE_HINT"], "INFERENCE_NUM_THREADS": threads}
    compiled = core.compile_model(model, "CPU", config)
    precision = _type_name(compiled.get_property("INFERENCE_PRECISION_HINT"))
    if precision != "f32":
        raise RuntimeError(f"OpenVINO compiled with INFERENCE_PRECISION_HINT={precision}, not f32")
    weights = sorted({_type_name(op.get_element_type()) for op in model.get_ops() if op.get_type_name() == "Constant"
                      and op.get_element_type().is_real()})
    notes = [f"compiled INFERENCE_PRECISION_HINT={precision}, "
             f"INFERENCE_NUM_THREADS={compiled.get_property('INFERENCE_NUM_THREADS')}, "
             f"real-valued weights stored as {', '.join(weights)}",
             f"static input shape {list(shape)}", f"OpenVINO {ov.__version__}"]
    return Session(compiled, notes)


def _type_name(element_type):
    """'f32', 'bf16', 'f16' ... for an openvino Type (its str() is "<Type: 'float32'>")."""
    return element_type.to_string() if hasattr(element_type, "to_string") else str(element_type)
