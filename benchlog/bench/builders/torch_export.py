"""PyTorch steps: the model saved with save_pretrained, and its ONNX export (one file, two inputs)."""

import json

from benchlog.bench.builders.settings import EXPORT_SETTINGS, OPSET
from benchlog.bench.models import load_saved, parameter_count


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
