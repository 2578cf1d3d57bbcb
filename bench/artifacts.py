"""Model files each variant needs, built once and cached by content (model, weights, export settings).

pytorch/ (save_pretrained) -> onnx-fp32/ (legacy exporter, one file) -> onnx-int8/ (dynamic QInt8 per-channel)
                                                                    -> ir-fp32/ (OpenVINO IR, weights kept FP32)
Each folder appears only when complete (built in a temporary folder, then renamed) and carries a manifest (files,
sizes, sha256) written last; a folder whose files differ from its manifest is rebuilt.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

from .models import load_saved, parameter_count

OPSET = 17
EXPORT_SETTINGS = {"exporter": "torch.onnx.export(dynamo=False)", "opset": OPSET, "attn": "eager",
                   "dynamic_axes": ["batch", "sequence"]}
QUANT_SETTINGS = {"method": "quantize_dynamic", "weight_type": "QInt8", "per_channel": True}
IR_SETTINGS = {"convert": "openvino.convert_model(onnx)", "compress_to_fp16": False}
PARENTS = {"pytorch": None, "onnx-fp32": "pytorch", "onnx-int8": "onnx-fp32", "ir-fp32": "onnx-fp32"}
PHASES = {"pytorch": "build model", "onnx-fp32": "export", "onnx-int8": "quantize", "ir-fp32": "convert IR"}


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
                       "quant": QUANT_SETTINGS, "ir": IR_SETTINGS}, sort_keys=True)
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


def ensure(root, name, build_model, report_phase):
    """The folder of artifact `name` under `root`, building it (and what it derives from) when missing or when
    its files do not match its manifest (said through report_phase, then rebuilt)."""
    target = Path(root) / name
    if target.is_dir():
        problem = manifest_problem(target)
        if problem is None:
            return target
        report_phase(f"rebuilding cached {name}: {problem}")
        shutil.rmtree(target, ignore_errors=True)
    parent = PARENTS[name]
    source = ensure(root, parent, build_model, report_phase) if parent else None
    report_phase(PHASES[name])
    Path(root).mkdir(parents=True, exist_ok=True)
    remove_stale_temps(root)
    tmp = Path(root) / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        BUILDERS[name](source, tmp, build_model)
        write_manifest(tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not usable(target):  # another run built it at the same time: keep theirs
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _build_pytorch(_source, out, build_model):
    model = build_model()
    model.save_pretrained(out, safe_serialization=True)
    (out / "settings.json").write_text(json.dumps({"parameters": parameter_count(model)}))


def _export_onnx(source, out, _build_model):
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


def _quantize(source, out, _build_model):
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source / "model.onnx"), str(out / "model.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    (out / "settings.json").write_text(json.dumps(QUANT_SETTINGS))


def _convert_ir(source, out, _build_model):
    import openvino as ov

    model = ov.convert_model(str(source / "model.onnx"))
    ov.save_model(model, str(out / "model.xml"), compress_to_fp16=False)
    (out / "settings.json").write_text(json.dumps(IR_SETTINGS))


BUILDERS = {"pytorch": _build_pytorch, "onnx-fp32": _export_onnx, "onnx-int8": _quantize, "ir-fp32": _convert_ir}
