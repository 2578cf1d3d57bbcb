"""How much arithmetic one inference is, counted analytically from the model's dims and the workload.

Only matrix products are counted, a multiply-add as 2 operations (FLOP for float, OP for integer); softmax,
layer norm, GELU, embedding look-ups and the attention mask are left out (well under 1% at sequence 128). Every
token position of the padded sequence is counted, because the runtimes compute them all.

Per encoder layer, with batch B, sequence S, hidden H and feed-forward width F:
    Q, K, V and output projections   4 x 2*B*S*H*H
    attention scores Q K^T           2*B*S*S*H   (summed over heads: heads x S x S x H/heads)
    attention-weighted values        2*B*S*S*H
    feed-forward (two layers)        2 x 2*B*S*H*F
    = B*S*(8*H*H + 4*S*H + 4*H*F)
A classifier adds its head on the first token: 2*B*H*H (DistilBERT's pre_classifier, BERT's pooler) +
2*B*H*labels.
For distilbert-base-multilingual-cased at B=1, S=128: 11.17 GFLOP.
"""


def layer_flops(batch, seq, hidden, ffn):
    """Matrix-product operations of one encoder layer (see the module's formula)."""
    return batch * seq * (8 * hidden * hidden + 4 * seq * hidden + 4 * hidden * ffn)


def inference_flops(dims, batch, seq):
    """Operations of one inference of the whole batch, or None when the run does not record the model's dims."""
    dims = dims or {}
    layers, hidden, ffn = dims.get("layers"), dims.get("hidden"), dims.get("ffn")
    if not (layers and hidden and ffn and batch and seq):
        return None
    total = layers * layer_flops(batch, seq, hidden, ffn)
    labels = dims.get("labels")
    if labels:
        head = dims.get("head_hidden")
        total += 2 * batch * hidden * head + 2 * batch * head * labels if head else 2 * batch * hidden * labels
    return total


def achieved_gops(dims, batch, seq, latency_ms):
    """Giga-operations per second one inference of latency_ms achieves, or None."""
    flops = inference_flops(dims, batch, seq)
    if flops is None or not latency_ms or latency_ms <= 0:
        return None
    return flops / (latency_ms * 1e-3) / 1e9
