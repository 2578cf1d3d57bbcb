"""PyTorch eager under torch.inference_mode(): FP32, BF16 through torch.autocast, or INT8 Linear layers through
torchao (the API PyTorch recommends now that torch.ao.quantization.quantize_dynamic is deprecated)."""

import contextlib
import os
import sys
import tempfile
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

    def kernels(self, ids, mask):
        """One inference under the profiler, with oneDNN's and MKL's verbose output captured from this process's
        stdout (file descriptor 1: the libraries print there, below Python)."""
        from benchlog.bench import kernels

        torch = self.torch
        with stdout_lines() as lines:
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON), \
                    torch.backends.mkl.verbose(torch.backends.mkl.VERBOSE_ON), \
                    torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
                self.run(ids, mask)
        events = [(e.name(), [str(d) for d in e.dtypes()], [list(s) for s in e.shapes()])
                  for e in prof.profiler.kineto_results.events() if e.name() in kernels.TORCH_GEMM]
        found = kernels.pytorch(events, lines)
        found["kernels"]["isa"].append(f"aten:{torch.backends.cpu.get_cpu_capability().lower()}")
        return found

    def facts(self):
        dtypes = sorted({str(p.dtype).replace("torch.", "") for p in self.model.parameters()})
        return {"providers": None, "notes": [f"parameters held as {', '.join(dtypes)}; "
                                             f"torch threads {self.torch.get_num_threads()}", *self.notes]}


@contextlib.contextmanager
def stdout_lines():
    """Collects what is written to file descriptor 1 (C libraries' printf included) into the yielded list; the
    worker's own messages to its parent go through Python and are flushed around it."""
    sys.stdout.flush()
    saved = os.dup(1)
    lines = []
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield lines
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode(errors="replace").splitlines())


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
