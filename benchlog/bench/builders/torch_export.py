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


def _export_onnx_attention(source, out, _context):
    """The same model exported so that ORT's transformer optimizer recognises its attention and fuses it into one
    Attention op (which quantize_dynamic turns into QAttention), as ORT's documentation recommends before quantizing.
    Three differences from the plain export, none of them in the arithmetic:
    - the padding mask enters as BERT's additive mask, (1 - mask) · -10000 on [batch, 1, 1, seq], where
      transformers 5 builds a boolean mask the optimizer does not match;
    - the attention scores are divided by sqrt(d) after QK^T (the pattern the optimizer matches) instead of
      multiplied by its inverse; softmax of the same scores;
    - the head count is written into the reshapes (the export says -1, and the optimizer needs the number).
    The outputs are compared with the plain model's on padded inputs before the file is kept."""
    import math

    import torch
    from transformers import AttentionInterface

    def bert_attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
        scores = torch.matmul(query, key.transpose(2, 3)) / math.sqrt(query.size(-1))
        if attention_mask is not None:
            scores = scores + attention_mask
        probs = torch.nn.functional.softmax(scores, dim=-1)
        return torch.matmul(probs, value).transpose(1, 2).contiguous(), probs

    AttentionInterface.register("benchlog_bert_attention", bert_attention)
    model, output = load_saved(source)
    plain, _ = load_saved(source)
    model.set_attn_implementation("benchlog_bert_attention")

    class AdditiveMask(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            additive = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
            return getattr(self.model(input_ids=input_ids, attention_mask=additive), output)

    ids = torch.randint(100, 1000, (2, 16), generator=torch.Generator().manual_seed(0))
    mask = torch.ones((2, 16), dtype=torch.int64)
    mask[1, 10:] = 0
    with torch.inference_mode():
        want = getattr(plain(input_ids=ids, attention_mask=mask), output)
        got = AdditiveMask()(ids, mask)
    real = mask.bool() if output != "logits" else torch.ones(want.shape[:1], dtype=torch.bool)
    difference = float((want - got).abs()[real].max())
    if difference > 1e-3 * max(1.0, float(want.abs().max())):
        raise RuntimeError(f"the attention export differs from the model by {difference:.3g}")
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            output: {0: "batch"} if output == "logits" else {0: "batch", 1: "sequence"}}
    with torch.inference_mode():
        torch.onnx.export(AdditiveMask(), (ids[:1], mask[:1]), str(out / "model.onnx"), dynamo=False,
                          opset_version=OPSET, input_names=["input_ids", "attention_mask"], output_names=[output],
                          dynamic_axes=axes, do_constant_folding=True)
    heads = model.config.num_attention_heads if hasattr(model.config, "num_attention_heads") else model.config.n_heads
    hidden = model.config.hidden_size if hasattr(model.config, "hidden_size") else model.config.dim
    patched = _write_head_count(out / "model.onnx", heads, hidden // heads)
    (out / "settings.json").write_text(json.dumps({
        **EXPORT_SETTINGS, "attention": "BERT pattern: additive mask, scores / sqrt(d)", "head_count_written": patched,
        "max_abs_difference_vs_model": difference,
        "summary": f"exported with BERT's attention pattern for ORT's optimizer (largest difference from the model "
                   f"{difference:.2g}); head count written into {patched} reshapes"}))


def _write_head_count(path, heads, head_dim):
    """Reshape targets (…, -1, head_dim) -> (…, heads, head_dim) in an exported graph; returns how many."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    constants = {n.output[0]: n for n in model.graph.node if n.op_type == "Constant"}

    def value(name):
        node = constants.get(name)
        return numpy_helper.to_array(node.attribute[0].t) if node is not None else None

    patched = 0
    for node in model.graph.node:
        if node.op_type == "Concat" and len(node.input) == 4:
            a, b = value(node.input[2]), value(node.input[3])
            if a is not None and b is not None and a.size == 1 and b.size == 1 and int(a.ravel()[0]) == -1 \
                    and int(b.ravel()[0]) == head_dim:
                tensor = constants[node.input[2]].attribute[0].t
                tensor.CopyFrom(numpy_helper.from_array(np.full(a.shape, heads, dtype=a.dtype), tensor.name))
                patched += 1
    onnx.save(model, str(path))
    return patched
