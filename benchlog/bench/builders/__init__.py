"""The recipe of the model files each variant needs: which folder is made from which (PARENTS), what each step is
called while it runs (PHASES) and the function that makes it (BUILDERS); bench/cache.py builds them once and keeps
them by content.

pytorch/ (save_pretrained) -> onnx-fp32/ (legacy exporter, one file) -> onnx-int8/ (dynamic QInt8 per-channel)
                                                                    -> onnx-int8-u8/ (dynamic QUInt8 per-tensor)
                                                                    -> onnx-fused/ (ORT transformer optimizer)
                                                                       -> onnx-fused-int8/ (QInt8 per-channel)
                                                                    -> ir-fp32/ (OpenVINO IR, weights kept FP32)
                                                                       -> ir-int8-wo/ (NNCF weight-only INT8)
                                                                       -> ir-int8/ (NNCF post-training INT8)
                                                                       -> ir-int8-ac/ (NNCF accuracy control)
           -> onnx-attn/ (exported with BERT's attention pattern) -> onnx-attn-fused/ (optimizer: Attention fused)
                                                                   -> onnx-attn-int8/ (QAttention, QInt8 per-channel)
The NNCF INT8 models are calibrated on bench/data/calibration.json, kept apart from the fidelity sentences.
"""

from benchlog.bench.builders.openvino_ir import _accuracy_control, _compress_weights, _convert_ir, _quantize_ir
from benchlog.bench.builders.ort_quantize import _fuse, _quantize, _quantize_fused, _quantize_u8
from benchlog.bench.builders.torch_export import _build_pytorch, _export_onnx, _export_onnx_attention

PARENTS = {"pytorch": None, "onnx-fp32": "pytorch", "onnx-int8": "onnx-fp32", "onnx-int8-u8": "onnx-fp32",
           "onnx-fused": "onnx-fp32", "onnx-fused-int8": "onnx-fused", "ir-fp32": "onnx-fp32",
           "ir-int8-wo": "ir-fp32", "ir-int8": "ir-fp32", "ir-int8-ac": "ir-fp32",
           "onnx-attn": "pytorch", "onnx-attn-fused": "onnx-attn", "onnx-attn-int8": "onnx-attn-fused"}
PHASES = {"pytorch": "build model", "onnx-fp32": "export", "onnx-int8": "quantize", "onnx-int8-u8": "quantize U8",
          "onnx-fused": "fuse graph", "onnx-fused-int8": "quantize fused", "ir-fp32": "convert IR",
          "ir-int8-wo": "compress weights", "ir-int8": "calibrate INT8", "ir-int8-ac": "INT8 accuracy control",
          "onnx-attn": "export for attention fusion", "onnx-attn-fused": "fuse attention",
          "onnx-attn-int8": "quantize fused attention"}
BUILDERS = {"pytorch": _build_pytorch, "onnx-fp32": _export_onnx, "onnx-int8": _quantize, "onnx-int8-u8": _quantize_u8,
            "onnx-fused": _fuse, "onnx-fused-int8": _quantize_fused, "ir-fp32": _convert_ir,
            "ir-int8-wo": _compress_weights, "ir-int8": _quantize_ir, "ir-int8-ac": _accuracy_control,
            "onnx-attn": _export_onnx_attention, "onnx-attn-fused": _fuse, "onnx-attn-int8": _quantize_fused}
