"""PyTorch FP32, eager, under torch.inference_mode()."""

from bench.models import load_saved, model_outputs


class Session:
    def __init__(self, model, torch):
        self.model, self.torch = model, torch

    def run(self, ids, mask):
        with self.torch.inference_mode():
            return model_outputs(self.model, self.torch.from_numpy(ids), self.torch.from_numpy(mask)).numpy()

    def facts(self):
        dtypes = sorted({str(p.dtype).replace("torch.", "") for p in self.model.parameters()})
        return {"providers": None, "notes": [f"parameters held as {', '.join(dtypes)}; "
                                             f"torch threads {self.torch.get_num_threads()}"]}


def load(variant, artifact_dir, threads, shape):
    import torch

    torch.set_num_threads(threads)
    model, _ = load_saved(artifact_dir)
    return Session(model, torch)
