"""What fidelity compares (per input: the logits, or the mask-weighted mean of token embeddings) and how (the
cosine of each pair of rows)."""


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
