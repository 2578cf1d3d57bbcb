"""OpenVINO steps: the IR converted from ONNX, and NNCF's INT8 models (weight-only, post-training, accuracy
control) calibrated on bench/data/calibration.json."""

import json

from benchlog.bench.builders.settings import (CALIBRATION_SEQ_LEN, FIDELITY_FLOOR, IR_SETTINGS, NNCF_SETTINGS,
                                              calibration_inputs)
from benchlog.bench.fidelity import cosines, pooled


def _convert_ir(source, out, _context):
    import openvino as ov

    model = ov.convert_model(str(source / "model.onnx"))
    ov.save_model(model, str(out / "model.xml"), compress_to_fp16=False)
    (out / "settings.json").write_text(json.dumps(IR_SETTINGS))


def _nncf():
    import logging

    import nncf

    nncf.set_log_level(logging.ERROR)
    return nncf


def _save_ir(model, out, settings):
    import openvino as ov

    ov.save_model(model, str(out / "model.xml"), compress_to_fp16=False)
    (out / "settings.json").write_text(json.dumps(settings))


def _compress_weights(source, out, _context):
    import openvino as ov

    nncf = _nncf()
    model = nncf.compress_weights(ov.Core().read_model(str(source / "model.xml")), mode=nncf.CompressWeightsMode.INT8_ASYM)
    _save_ir(model, out, {**NNCF_SETTINGS["weights"], "nncf": nncf.__version__,
                          "summary": f"NNCF {nncf.__version__} compress_weights INT8_ASYM (weights only)"})


def _quantize_ir(source, out, context):
    import openvino as ov

    nncf = _nncf()
    data = calibration_inputs(context)
    model = nncf.quantize(ov.Core().read_model(str(source / "model.xml")), nncf.Dataset(data),
                          model_type=nncf.ModelType.TRANSFORMER, subset_size=len(data))
    _save_ir(model, out, {**NNCF_SETTINGS["ptq"], "calibration_inputs": len(data), "nncf": nncf.__version__,
                          "summary": f"NNCF {nncf.__version__} post-training quantization, {len(data)} calibration "
                                     f"sentences (bench/data/calibration.json, {CALIBRATION_SEQ_LEN} tokens)"})


def _accuracy_control(source, out, context):
    """INT8 that keeps mean cosine against f32 >= FIDELITY_FLOOR on the calibration set: NNCF reverts the layers
    that cost the most fidelity to f32 until it does."""
    import numpy as np
    import openvino as ov

    nncf = _nncf()
    core = ov.Core()
    model = core.read_model(str(source / "model.xml"))
    data = calibration_inputs(context)
    f32 = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    task = context.get("task", "classification")
    reference = [pooled(f32(x)[0], x["attention_mask"], task) for x in data]

    def validate(compiled, items):
        values = [float(cosines(pooled(compiled(x)[0], x["attention_mask"], task), r)[0])
                  for x, r in zip(items, reference)]
        return float(np.mean(values)), values

    quantized = nncf.quantize_with_accuracy_control(
        model, nncf.Dataset(data), nncf.Dataset(data), validate, max_drop=1 - FIDELITY_FLOOR,
        drop_type=nncf.DropType.ABSOLUTE, model_type=nncf.ModelType.TRANSFORMER, subset_size=len(data))
    reached = validate(core.compile_model(quantized, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}), data)[0]
    fq = sum(op.get_type_name() == "FakeQuantize" for op in quantized.get_ops())
    _save_ir(quantized, out, {**NNCF_SETTINGS["accuracy_control"], "calibration_inputs": len(data),
                              "nncf": nncf.__version__, "cosine_on_calibration_set": reached,
                              "summary": f"NNCF {nncf.__version__} accuracy control: mean cosine {reached:.4f} vs f32 "
                                         f"on the {len(data)} calibration sentences (floor {FIDELITY_FLOOR}), "
                                         f"{fq} FakeQuantize ops kept"})
