"""Model files each variant needs, built once and cached by content (model, weights, export settings).

pytorch/ (save_pretrained) -> onnx-fp32/ (legacy exporter, one file) -> onnx-int8/ (dynamic QInt8 per-channel)
                                                                    -> onnx-int8-u8/ (dynamic QUInt8 per-tensor)
                                                                    -> onnx-fused/ (ORT transformer optimizer)
                                                                       -> onnx-fused-int8/ (QInt8 per-channel)
                                                                    -> ir-fp32/ (OpenVINO IR, weights kept FP32)
                                                                       -> ir-int8-wo/ (NNCF weight-only INT8)
                                                                       -> ir-int8/ (NNCF post-training INT8)
                                                                       -> ir-int8-ac/ (NNCF accuracy control)
The NNCF INT8 models are calibrated on bench/data/calibration.json, kept apart from the fidelity sentences.
Each folder appears only when complete (built in a temporary folder, then renamed) and carries a manifest (files,
sizes, sha256) written last; a folder whose files differ from its manifest is rebuilt.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

from benchlog.analysis.advice import FIDELITY_FLOOR  # accuracy control holds mean cosine vs f32 >= this

from .models import load_saved, parameter_count

OPSET = 17
EXPORT_SETTINGS = {"exporter": "torch.onnx.export(dynamo=False)", "opset": OPSET, "attn": "eager",
                   "dynamic_axes": ["batch", "sequence"]}
QUANT_SETTINGS = {"method": "quantize_dynamic", "weight_type": "QInt8", "per_channel": True}
IR_SETTINGS = {"convert": "openvino.convert_model(onnx)", "compress_to_fp16": False}
CALIBRATION = Path(__file__).parent / "data" / "calibration.json"
CALIBRATION_SEQ_LEN = 128  # calibration inputs are padded to 128 tokens whatever the workload
NNCF_SETTINGS = {"ptq": {"model_type": "TRANSFORMER", "subset_size": "all"},
                 "weights": {"mode": "INT8_ASYM"},
                 "accuracy_control": {"metric": "mean cosine vs f32", "max_drop": round(1 - FIDELITY_FLOOR, 6),
                                      "drop_type": "ABSOLUTE"},
                 "calibration_seq_len": CALIBRATION_SEQ_LEN}
PARENTS = {"pytorch": None, "onnx-fp32": "pytorch", "onnx-int8": "onnx-fp32", "onnx-int8-u8": "onnx-fp32",
           "onnx-fused": "onnx-fp32", "onnx-fused-int8": "onnx-fused", "ir-fp32": "onnx-fp32",
           "ir-int8-wo": "ir-fp32", "ir-int8": "ir-fp32", "ir-int8-ac": "ir-fp32"}
PHASES = {"pytorch": "build model", "onnx-fp32": "export", "onnx-int8": "quantize", "onnx-int8-u8": "quantize U8",
          "onnx-fused": "fuse graph", "onnx-fused-int8": "quantize fused", "ir-fp32": "convert IR",
          "ir-int8-wo": "compress weights", "ir-int8": "calibrate INT8", "ir-int8-ac": "INT8 accuracy control"}


def default_cache():
    return Path(os.environ.get("BENCHLOG_CACHE") or Path.home() / ".cache" / "benchlog")


def cache_key(spec_key, weights, folder, seed):
    """A content key: the model spec, the weights (pretrained folder's file sizes and times, or the seed)."""
    if weights == "pretrained":
        files = sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in Path(folder).iterdir()
                       if p.is_file())
        weights_key = {"pretrained": files}
    else:
        weights_key = {"random_seed": seed}
    blob = json.dumps({"model": spec_key, "weights": weights_key, "export": EXPORT_SETTINGS,
                       "quant": QUANT_SETTINGS, "ir": IR_SETTINGS, "nncf": NNCF_SETTINGS,
                       "calibration": sha256_of(CALIBRATION)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


MANIFEST = "manifest.json"
NOT_MODEL_FILES = {"settings.json", MANIFEST}


def files_of(folder):
    """Every file an artifact needs (external data included), with sizes, for the result's size on disk."""
    folder = Path(folder)
    files = [{"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size}
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in NOT_MODEL_FILES]
    return {"bytes": sum(f["bytes"] for f in files), "files": files}


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder):
    """Written last, after every file of the artifact: its presence says the folder is complete."""
    folder = Path(folder)
    files = [{**f, "sha256": sha256_of(folder / f["path"])} for f in files_of(folder)["files"]]
    (folder / MANIFEST).write_text(json.dumps({"files": files}, indent=1))


def manifest_problem(folder):
    """Why a cached artifact folder cannot be used as it is, or None when its files match its manifest."""
    folder = Path(folder)
    try:
        listed = json.loads((folder / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return "it has no readable manifest (an interrupted build, or a cache from an older benchlog)"
    present = {f["path"]: f["bytes"] for f in files_of(folder)["files"]}
    expected = {f["path"]: f["bytes"] for f in listed}
    if present != expected:
        changed = sorted(set(present.items()) ^ set(expected.items()))
        return f"its files differ from its manifest ({', '.join(sorted({p for p, _ in changed}))})"
    for f in listed:
        if sha256_of(folder / f["path"]) != f["sha256"]:
            return f"{f['path']} does not match its checksum"
    return None


def usable(folder):
    return Path(folder).is_dir() and manifest_problem(folder) is None


def remove_stale_temps(root):
    """Remove .<name>.tmp-<pid> folders left by builds whose process is gone (a failed export is ~540 MB)."""
    for tmp in Path(root).glob(".*.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def ensure(root, name, context, report_phase):
    """The folder of artifact `name` under `root`, building it (and what it derives from) when missing or when
    its files do not match its manifest (said through report_phase, then rebuilt). `context` holds what builders
    may need: build_model (a callable), calibration (an .npz of tokenized calibration inputs), task."""
    target = Path(root) / name
    if target.is_dir():
        problem = manifest_problem(target)
        if problem is None:
            return target
        report_phase(f"rebuilding cached {name}: {problem}")
        shutil.rmtree(target, ignore_errors=True)
    parent = PARENTS[name]
    source = ensure(root, parent, context, report_phase) if parent else None
    report_phase(PHASES[name])
    Path(root).mkdir(parents=True, exist_ok=True)
    remove_stale_temps(root)
    tmp = Path(root) / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        BUILDERS[name](source, tmp, context or {})
        write_manifest(tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not usable(target):  # another run built it at the same time: keep theirs
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _build_pytorch(_source, out, context):
    model = context["build_model"]()
    model.save_pretrained(out, safe_serialization=True)
    (out / "settings.json").write_text(json.dumps({"parameters": parameter_count(model)}))


def _export_onnx(source, out, _context):
    import torch

    model, output = load_saved(source)
    ids = torch.ones((1, 16), dtype=torch.int64)
    mask = torch.ones((1, 16), dtype=torch.int64)
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            output: {0: "batch"} if output == "logits" else {0: "batch", 1: "sequence"}}
    with torch.inference_mode():
        torch.onnx.export(two_input_wrapper(model, output), (ids, mask), str(out / "model.onnx"), dynamo=False,
                          opset_version=OPSET, input_names=["input_ids", "attention_mask"], output_names=[output],
                          dynamic_axes=axes, do_constant_folding=True)
    (out / "settings.json").write_text(json.dumps(EXPORT_SETTINGS))


def two_input_wrapper(model, output):
    """A module whose forward(input_ids, attention_mask) calls `model` by keyword and returns `output`:
    models differ in their positional order (BertModel's third argument is not attention_mask's neighbour)."""
    import torch

    class TwoInputs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return getattr(self.model(input_ids=input_ids, attention_mask=attention_mask), output)

    return TwoInputs()


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


def _convert_ir(source, out, _context):
    import openvino as ov

    model = ov.convert_model(str(source / "model.onnx"))
    ov.save_model(model, str(out / "model.xml"), compress_to_fp16=False)
    (out / "settings.json").write_text(json.dumps(IR_SETTINGS))


def calibration_inputs(context):
    """[{input_ids, attention_mask}] per calibration sentence (batch 1, CALIBRATION_SEQ_LEN tokens)."""
    import numpy as np

    data = np.load(context["calibration"])
    return [{"input_ids": data["ids"][i:i + 1], "attention_mask": data["mask"][i:i + 1]}
            for i in range(len(data["ids"]))]


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


def pooled(outputs, mask, task):
    """What fidelity compares, per input: the logits, or the mask-weighted mean of token embeddings."""
    import numpy as np

    outputs = np.asarray(outputs, dtype=np.float64)
    if task == "embedding":
        weights = np.asarray(mask, dtype=np.float64)[..., None]
        return (outputs * weights).sum(1) / weights.sum(1)
    return outputs.reshape(len(outputs), -1)


def cosines(a, b):
    import numpy as np

    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)


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


BUILDERS = {"pytorch": _build_pytorch, "onnx-fp32": _export_onnx, "onnx-int8": _quantize, "onnx-int8-u8": _quantize_u8,
            "onnx-fused": _fuse, "onnx-fused-int8": _quantize_fused, "ir-fp32": _convert_ir,
            "ir-int8-wo": _compress_weights, "ir-int8": _quantize_ir, "ir-int8-ac": _accuracy_control}
