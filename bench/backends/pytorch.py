"""PyTorch FP32, eager, under torch.inference_mode()."""

import json
from pathlib import Path


class Session:
    def __init__(self, model, torch):
        self.model, self.torch = model, torch

    def run(self, ids, mask):
        with self.torch.inference_mode():
            out = self.model(input_ids=self.torch.from_numpy(ids), attention_mask=self.torch.from_numpy(mask))
        value = out.logits if getattr(out, "logits", None) is not None else out.last_hidden_state
        return value.numpy()

    def facts(self):
        dtypes = sorted({str(p.dtype).replace("torch.", "") for p in self.model.parameters()})
        return {"providers": None, "notes": [f"parameters held as {', '.join(dtypes)}; "
                                             f"torch threads {self.torch.get_num_threads()}"]}


def load(variant, artifact_dir, threads, shape):
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification

    torch.set_num_threads(threads)
    config = json.loads((Path(artifact_dir) / "config.json").read_text())
    classify = any("SequenceClassification" in a for a in config.get("architectures", []))
    auto = AutoModelForSequenceClassification if classify else AutoModel
    model = auto.from_pretrained(artifact_dir, attn_implementation="eager", dtype=torch.float32).eval()
    return Session(model, torch)
