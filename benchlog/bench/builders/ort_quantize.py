"""ONNX Runtime steps: dynamic INT8 quantization (QInt8 per-channel, QUInt8 per-tensor) and the transformer
optimizer's fused graph."""

import json

from benchlog.bench.builders.settings import QUANT_SETTINGS


def _quantize(source, out, _context, weight_type="QInt8", per_channel=True):
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # DefaultTensorType: shape inference fails on the optimizer-fused graph without it.
    quantize_dynamic(str(source / "model.onnx"), str(out / "model.onnx"), weight_type=getattr(QuantType, weight_type),
                     per_channel=per_channel, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    settings = {**QUANT_SETTINGS, "weight_type": weight_type, "per_channel": per_channel}
    (out / "settings.json").write_text(json.dumps(settings))


def _quantize_u8(source, out, context):
    _quantize(source, out, context, weight_type="QUInt8", per_channel=False)


def _fuse(source, out, _context):
    """ORT's transformer optimizer (offline, CPU): fuses what it recognises and records how much it fused."""
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((source.parent / "pytorch" / "config.json").read_text())
    heads = config.get("n_heads") or config.get("num_attention_heads")
    hidden = config.get("dim") or config.get("hidden_size")
    optimized = optimize_model(str(source / "model.onnx"), model_type="bert", num_heads=heads, hidden_size=hidden,
                               opt_level=1, use_gpu=False)
    optimized.save_model_to_file(str(out / "model.onnx"))
    fused = {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}
    summary = ("ORT transformer optimizer fused: " + ", ".join(f"{k} {v}" for k, v in sorted(fused.items()))
               if fused else "ORT transformer optimizer fused nothing")
    if not fused.get("Attention") and not fused.get("MultiHeadAttention"):
        summary += " (attention was not fused: the exported pattern is not one it recognises)"
    (out / "settings.json").write_text(json.dumps({"optimizer": "bert", "num_heads": heads, "hidden_size": hidden,
                                                   "fused": fused, "summary": summary}))


def _quantize_fused(source, out, context):
    _quantize(source, out, context)
    settings = json.loads((out / "settings.json").read_text())
    fused = json.loads((source / "settings.json").read_text())
    settings["summary"] = fused["summary"] + "; then quantize_dynamic QInt8 per-channel"
    (out / "settings.json").write_text(json.dumps(settings))
