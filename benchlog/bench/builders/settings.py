"""How the cached model files are made: the settings of each step (part of the cache key, so a change rebuilds)
and the calibration data of the NNCF INT8 models (bench/data/calibration.json, kept apart from the fidelity
sentences)."""

from pathlib import Path

from benchlog.analysis.advice import FIDELITY_FLOOR  # accuracy control holds mean cosine vs f32 >= this

OPSET = 17
EXPORT_SETTINGS = {"exporter": "torch.onnx.export(dynamo=False)", "opset": OPSET, "attn": "eager",
                   "dynamic_axes": ["batch", "sequence"]}
QUANT_SETTINGS = {"method": "quantize_dynamic", "weight_type": "QInt8", "per_channel": True}
IR_SETTINGS = {"convert": "openvino.convert_model(onnx)", "compress_to_fp16": False}
CALIBRATION = Path(__file__).resolve().parent.parent / "data" / "calibration.json"
CALIBRATION_SEQ_LEN = 128  # calibration inputs are padded to 128 tokens whatever the workload
NNCF_SETTINGS = {"ptq": {"model_type": "TRANSFORMER", "subset_size": "all"},
                 "weights": {"mode": "INT8_ASYM"},
                 "accuracy_control": {"metric": "mean cosine vs f32", "max_drop": round(1 - FIDELITY_FLOOR, 6),
                                      "drop_type": "ABSOLUTE"},
                 "calibration_seq_len": CALIBRATION_SEQ_LEN}


def calibration_inputs(context):
    """[{input_ids, attention_mask}] per calibration sentence (batch 1, CALIBRATION_SEQ_LEN tokens)."""
    import numpy as np

    data = np.load(context["calibration"])
    return [{"input_ids": data["ids"][i:i + 1], "attention_mask": data["mask"][i:i + 1]}
            for i in range(len(data["ids"]))]
