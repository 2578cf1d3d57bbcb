"""What really ran: the ops and kernels a library executed for one inference, in the library's own names, and the
share of the model's GEMM FLOPs that ran in each precision (a variant's `kernels` and `gemm_share`).

- OpenVINO: the compiled model's runtime graph read after an inference (each op's layerType, primitiveType and
  runtimePrecision; the kernels are chosen at the first inference, before it they read "undef"). The precision is
  runtimePrecision, and where the kernel's name ends in another one, both ("u8/f32": a weights-only INT8
  FullyConnected, u8 weights and a kernel named after its f32 input), counted as "other" in the GEMM share.
- ONNX Runtime: the profile of an inference (each node's op type, provider, input types and shapes).
- PyTorch: the profiler's GEMM ops with their input dtypes and shapes, and the kernels the libraries beneath name
  in their verbose modes (oneDNN: primitive and ISA, e.g. brg_matmul:avx10_1_512_amx; MKL: SGEMM).

GEMM FLOPs are 2 · (elements of the output) · K, K the last dimension of the first input; attention fused into one
op counts its QKV projection (2 · B · S · H · 3H, in the op's precision) and its two batched products
(4 · B · S · S · H, in float for ORT's Attention and QAttention, which quantize the projection only). The parsers are pure functions over what the libraries
return, so they are tested on recorded output.
"""

import math
import re
from collections import Counter

from benchlog.analysis.what_ran import PRECISIONS, precision_class


def gemm_flops(first_input, output):
    """2 · elements(output) · K for a matrix product whose first input is [..., K] (shapes as lists)."""
    if not first_input or not output:
        return 0
    return 2 * math.prod(output) * first_input[-1]


def shares(flops_by_precision):
    """{"int8", "bf16", "fp32"[, "other"]}: each precision's share of the GEMM FLOPs, summing to 1; None without any."""
    total = sum(flops_by_precision.values())
    if total <= 0:
        return None
    out = {p: flops_by_precision.get(p, 0) / total for p in PRECISIONS}
    if flops_by_precision.get("other"):
        out["other"] = flops_by_precision["other"] / total
    return out


def ops_list(counter):
    """[{"op", "kernel", "precision", "count", "gemm"[, "provider"]}] from a Counter keyed by (op, kernel,
    precision, gemm, provider), most frequent first."""
    out = []
    for (op, kernel, precision, gemm, provider), n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        out.append({"op": op, "kernel": kernel, "precision": precision, "count": n, "gemm": gemm,
                    **({"provider": provider} if provider else {})})
    return out


def evidence(source, counter, flops, isa=()):
    return {"kernels": {"source": source, "ops": ops_list(counter), "isa": sorted(set(isa))},
            "gemm_share": shares(flops)}


# ---- OpenVINO -------------------------------------------------------------------------------------------------

# Ops that only move or hold data: not listed (they would bury the compute ops).
OV_PLUMBING = {"Const", "Input", "Output", "Parameter", "Result", "Reshape", "Transpose", "Reorder", "Convert",
               "Concatenation", "Gather", "Split", "ShapeOf", "Broadcast", "Squeeze", "Unsqueeze", "StridedSlice"}
OV_GEMM = {"FullyConnected", "MatMul", "Convolution"}
ISA_TOKEN = re.compile(r"(avx10_\d+_512_amx|avx512_core_amx|avx512_amx|amx|avx10_\d+_512|avx512_core_vnni|avx512_core"
                       r"|avx512|avx2_vnni|avx2|sse41|uni)", re.I)


def isa_of(kernel):
    """The ISA a kernel name carries ('brgemm_avx512_amx_i8' -> 'avx512_amx'), or None."""
    found = ISA_TOKEN.search(kernel or "")
    return found.group(1).lower() if found else None


KERNEL_PRECISION = re.compile(r"_(f32|bf16|f16|i8|u8|I8|i32)$")


def kernel_precision(kernel, runtime_precision):
    """The precision of an op: its runtimePrecision where the kernel's name agrees (or names none); where they differ,
    both, as 'weights/kernel' (a weights-only INT8 FullyConnected reports u8, its weights, and runs
    brgemm_avx512_f32, named after its f32 input: whether it quantized the activations on the fly the names do not
    say, so its GEMM FLOPs count as neither INT8 nor fp32)."""
    found = KERNEL_PRECISION.search(kernel or "")
    if not found or runtime_precision is None:
        return runtime_precision or (found.group(1) if found else None)
    named = found.group(1)
    return runtime_precision if precision_class(named) == precision_class(runtime_precision) else \
        f"{runtime_precision}/{named}"


def openvino(ops):
    """Evidence from a runtime model's ops; each op offers rt_info (name -> value with .astype(str)), its input
    shapes and its output shape, as openvino's Node does. An MHA Subgraph (one that fused a MatMul and a Softmax)
    counts its two batched products."""
    counter, flops, isa = Counter(), Counter(), set()
    for op in ops:
        info = op.get_rt_info()
        text = {k: info[k].astype(str) for k in ("layerType", "primitiveType", "runtimePrecision", "originalLayersNames")
                if k in info}
        layer, kernel = text.get("layerType"), text.get("primitiveType")
        precision = kernel_precision(kernel, text.get("runtimePrecision"))
        if layer is None or layer in OV_PLUMBING:
            continue
        shapes = [_static(op.get_input_partial_shape(i)) for i in range(op.get_input_size())]
        out = _static(op.get_output_partial_shape(0))
        names = text.get("originalLayersNames", "")
        attention = layer == "Subgraph" and "MatMul" in names and "Softmax" in names and len(shapes) >= 2 \
            and shapes[0] and shapes[1]
        counter[(layer, kernel, precision, layer in OV_GEMM or bool(attention), None)] += 1
        if layer in OV_GEMM:
            flops[precision_class(precision)] += gemm_flops(shapes[0] if shapes else None, out)
        elif attention:
            # Q [B, S, heads, d] and K [B, heads, d, S_k]: QK^T and the product with V, 2 · B·S·heads·d·S_k each
            flops[precision_class(precision)] += 4 * math.prod(shapes[0]) * shapes[1][-1]
        else:
            continue
        if isa_of(kernel):
            isa.add(isa_of(kernel))
    return evidence("OpenVINO runtime model after an inference (layerType, primitiveType, runtimePrecision)",
                    counter, flops, isa)


def _static(partial_shape):
    """A list of ints for a static partial shape, None for a dynamic one."""
    try:
        return [int(d) for d in partial_shape.to_shape()]
    except Exception:
        return None


# ---- ONNX Runtime ---------------------------------------------------------------------------------------------

ORT_INT8_GEMM = {"MatMulInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "QGemm", "QLinearMatMul",
                 "QAttention", "QOrderedMatMul", "DynamicQuantizeLSTM"}
ORT_GEMM = {"MatMul", "FusedMatMul", "Gemm", "Attention", "MultiHeadAttention", *ORT_INT8_GEMM}
ORT_ATTENTION = {"Attention", "QAttention", "MultiHeadAttention"}
ORT_PLUMBING = {"Shape", "Gather", "Unsqueeze", "Squeeze", "Reshape", "Transpose", "Concat", "Slice", "Cast", "Range",
                "Expand", "Identity", "Flatten", "Equal", "And", "Where", "GreaterOrEqual", "ConstantOfShape"}


def onnxruntime(events):
    """Evidence from an ORT profile's events (the JSON list): each executed node's op type, provider and the
    precision of its first input (the integer GEMMs are INT8 whatever their inputs' type)."""
    counter, flops = Counter(), Counter()
    for e in events:
        if e.get("cat") != "Node" or not str(e.get("name", "")).endswith("_kernel_time"):
            continue
        args = e.get("args") or {}
        op, provider = args.get("op_name"), args.get("provider")
        inputs = [next(iter(d.items())) for d in args.get("input_type_shape") or [] if d]
        outputs = [next(iter(d.values())) for d in args.get("output_type_shape") or [] if d]
        kind = "int8" if op in ORT_INT8_GEMM else precision_class(inputs[0][0]) if inputs else "other"
        if op not in ORT_PLUMBING:
            counter[(op, None, kind, op in ORT_GEMM, provider)] += 1
        if op in ORT_GEMM and inputs and outputs:
            first, out = inputs[0][1], outputs[0]
            if op in ORT_ATTENTION and len(first) == 3:
                # QKV projection in the op's precision; QK^T and · V in float: ORT's QAttention quantizes the input
                # and the weights of the projection only
                b, s, h = first
                flops[kind] += 2 * b * s * h * 3 * h
                flops["fp32"] += 4 * b * s * s * h
            else:
                flops[kind] += gemm_flops(first, out)
    return evidence("ONNX Runtime profile of an inference (op type, provider, input types and shapes)", counter,
                    flops)


# ---- PyTorch --------------------------------------------------------------------------------------------------

TORCH_GEMM = {"aten::addmm", "aten::mm", "aten::bmm", "aten::baddbmm", "aten::_int_mm", "aten::_weight_int8pack_mm",
              "aten::_scaled_mm", "mkldnn::_linear_pointwise"}


MKL_CALL = re.compile(r"([A-Z][A-Z0-9_]*)\(")


def _onednn_type(descriptors):
    """The first memory descriptor's data type: 'src:bf16::blocked:ab::f0 ...' (primitives) or 'src_s8::blocked...'
    (the gemm API) -> 'bf16' / 's8'."""
    if not descriptors.strip():
        return None
    head = descriptors.split()[0].split(":")
    if "_" in head[0]:
        return head[0].split("_", 1)[1]
    return head[1] if len(head) > 1 and head[1] else None


def pytorch(gemm_events, verbose_lines):
    """Evidence from the profiler's events as (name, dtypes, shapes) and the oneDNN / MKL verbose lines of the same
    inference. GEMM FLOPs from the leaf matrix products' shapes (addmm's are [bias, A, B])."""
    counter, flops, isa = Counter(), Counter(), set()
    for name, dtypes, shapes in gemm_events:
        if name not in TORCH_GEMM:
            continue
        a_index = 1 if name in ("aten::addmm", "aten::baddbmm") else 0
        a = shapes[a_index] if len(shapes) > a_index else None
        b = shapes[a_index + 1] if len(shapes) > a_index + 1 else None
        dtype = dtypes[a_index] if len(dtypes) > a_index else None
        kind = precision_class(dtype)
        counter[(name, None, dtype, True, None)] += 1
        if a and b:
            flops[kind] += 2 * math.prod(a) * b[-1]
    for line in verbose_lines:
        parts = line.strip().split(",")
        if parts[0] == "onednn_verbose" and "exec" in parts and len(parts) > parts.index("exec") + 5:
            i = parts.index("exec")
            primitive, impl = parts[i + 2], parts[i + 3]
            counter[(f"oneDNN {primitive}", impl or None, _onednn_type(parts[i + 5]),
                     primitive in ("matmul", "gemm_api", "inner_product"), None)] += 1
            if isa_of(impl):
                isa.add(isa_of(impl))
        elif line.startswith("MKL_VERBOSE "):
            words = line.split()
            call = MKL_CALL.match(words[1]) if len(words) > 1 else None
            if call:  # a call: SGEMM(T,N,768,...); the version line may start "Intel(R) MKL 2020.0"
                routine = call.group(1)
                counter[("MKL", routine, {"S": "f32", "D": "f64"}.get(routine[:1]), "GEMM" in routine, None)] += 1
            elif "AVX-512" in line or "AVX512" in line:  # the version line names the code path MKL chose
                isa.add("mkl:avx512")
            elif "AVX2" in line:
                isa.add("mkl:avx2")
    return evidence("PyTorch profiler (GEMM ops, input dtypes and shapes) and oneDNN / MKL verbose", counter, flops,
                    isa)
