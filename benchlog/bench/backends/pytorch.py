"""PyTorch eager under torch.inference_mode(): FP32, BF16 through torch.autocast, or INT8 Linear layers through
torchao (the API PyTorch recommends now that torch.ao.quantization.quantize_dynamic is deprecated)."""

import warnings

from benchlog.bench.models import load_saved, model_outputs


class Session:
    def __init__(self, model, torch, autocast, notes):
        self.model, self.torch, self.autocast, self.notes = model, torch, autocast, notes

    def run(self, ids, mask):
        torch = self.torch
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.autocast):
            out = model_outputs(self.model, torch.from_numpy(ids), torch.from_numpy(mask))
            return out.float().numpy()

    def facts(self):
        dtypes = sorted({str(p.dtype).replace("torch.", "") for p in self.model.parameters()})
        return {"providers": None, "notes": [f"parameters held as {', '.join(dtypes)}; "
                                             f"torch threads {self.torch.get_num_threads()}", *self.notes]}


def load(variant, artifact_dir, threads, shape):
    import torch

    torch.set_num_threads(threads)
    model, _ = load_saved(artifact_dir)
    notes = []
    autocast = variant.options.get("autocast") == "bfloat16"
    if autocast:
        notes.append(f"torch.autocast('cpu', dtype=torch.bfloat16); oneDNN bf16 support: "
                     f"{torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()}")
    if variant.precision == "int8":
        notes.append(quantize_linear(model, torch))
    return Session(model, torch, autocast, notes)


def quantize_linear(model, torch):
    """INT8 dynamic activations and INT8 per-channel weights on every nn.Linear (torchao), in place."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torchao
        from torchao.quantization import Int8DynamicActivationInt8WeightConfig, quantize_

    linears = sum(isinstance(m, torch.nn.Linear) for m in model.modules())
    quantize_(model, Int8DynamicActivationInt8WeightConfig())
    kinds = sorted({type(m.weight).__name__ for m in model.modules() if isinstance(m, torch.nn.Linear)})
    return f"torchao {torchao.__version__}: {linears} Linear layers quantized; their weights are now {', '.join(kinds)}"
