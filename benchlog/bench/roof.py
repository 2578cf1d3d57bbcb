"""`benchlog roof`: the best GEMM rate this machine reaches per precision, through every installed library.

One library's GEMM is no roof: an NNCF INT8 model can outrun PyTorch's INT8 GEMM. So the roof of a precision is
the best of large square GEMMs (several sizes) through PyTorch, ONNX Runtime and OpenVINO, each in its own process,
at the thread count the runs use. The file also carries a peak estimated from the ISA, cores and clock
(analysis/roof.py), labelled as an estimate.

A square GEMM is a kind roof: at batch 1 the model's products are thin (M = batch x sequence rows, 128 by default),
and no library reaches its square rate on them. So the roof also times the GEMMs of the workloads this machine's
runs measured, shape by shape (`shape`: [M, K, N], from analysis/roof.gemm_shapes): how fast the model's own
products can run here, the part of the roof a variant can hope to reach.
"""

import json
import sys
import time
from pathlib import Path

from benchlog.bench import child

SIZES = (512, 1024, 2048)
MIN_SECONDS = 0.4  # time each GEMM for at least this long (and at least MIN_REPEATS times); report the median
MIN_REPEATS = 5
LIBRARIES = ("torch", "onnxruntime", "openvino")


def timed(call):
    """Median seconds of `call()`, after one warm-up, over >= MIN_REPEATS calls and >= MIN_SECONDS."""
    import statistics

    call()
    samples, started = [], time.perf_counter()
    while len(samples) < MIN_REPEATS or time.perf_counter() - started < MIN_SECONDS:
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
        if len(samples) >= 200:
            break
    return statistics.median(samples), len(samples)


def problems(sizes, shapes):
    """(m, k, n, what the entry records) for each square size and each [M, K, N] shape."""
    return [(n, n, n, {"size": n}) for n in sizes] + [(m, k, n, {"shape": [m, k, n]}) for m, k, n in shapes]


def entry(library, precision, where, m, k, n, seconds, repeats, **extra):
    return {"library": library, "precision": precision, **where, "rate_gops": 2 * m * k * n / seconds / 1e9,
            "median_ms": seconds * 1e3, "repeats": repeats, **extra}


def gemm_torch(threads, flags, sizes=SIZES, shapes=()):
    import torch

    torch.set_num_threads(threads)
    out = []
    bf16_native = bool(flags.get("avx512_bf16") or flags.get("amx_bf16"))
    for m, k, n, where in problems(sizes, shapes):
        a, b = torch.randn(m, k), torch.randn(k, n)
        with torch.inference_mode():
            out.append(entry("torch", "fp32", where, m, k, n, *timed(lambda: torch.mm(a, b))))
            a16, b16 = a.bfloat16(), b.bfloat16()
            out.append(entry("torch", "bf16", where, m, k, n, *timed(lambda: torch.mm(a16, b16)),
                             emulated=not bf16_native))
            a8 = torch.randint(-128, 127, (m, k), dtype=torch.int8)
            b8 = torch.randint(-128, 127, (k, n), dtype=torch.int8)
            out.append(entry("torch", "int8", where, m, k, n, *timed(lambda: torch._int_mm(a8, b8)),
                             note="torch._int_mm (int8 x int8 -> int32)"))
    return out


def gemm_onnxruntime(threads, flags, sizes=SIZES, shapes=()):
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    out = []
    rng = np.random.default_rng(0)
    for m, k, n, where in problems(sizes, shapes):
        for precision, op, a_type, w in (
                ("fp32", "MatMul", TensorProto.FLOAT, rng.standard_normal((k, n)).astype(np.float32)),
                ("int8", "MatMulInteger", TensorProto.UINT8, rng.integers(-128, 127, (k, n)).astype(np.int8))):
            out_type = TensorProto.FLOAT if precision == "fp32" else TensorProto.INT32
            graph = helper.make_graph([helper.make_node(op, ["a", "w"], ["y"])], "gemm",
                                      [helper.make_tensor_value_info("a", a_type, [m, k])],
                                      [helper.make_tensor_value_info("y", out_type, [m, n])],
                                      [numpy_helper.from_array(w, "w")])
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
            session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
            a = (rng.standard_normal((m, k)).astype(np.float32) if precision == "fp32"
                 else rng.integers(0, 255, (m, k)).astype(np.uint8))
            out.append(entry("onnxruntime", precision, where, m, k, n, *timed(lambda: session.run(None, {"a": a})),
                             note=f"{op} on the CPU EP" + (" (u8 x s8 -> int32)" if precision == "int8" else "")))
    return out


def gemm_openvino(threads, flags, sizes=SIZES, shapes=()):
    import numpy as np
    import openvino as ov
    import openvino.opset13 as ops

    core = ov.Core()
    out = []
    rng = np.random.default_rng(0)
    for m, k, n, where in problems(sizes, shapes):
        a = rng.standard_normal((m, k)).astype(np.float32)
        w = rng.standard_normal((k, n)).astype(np.float32)
        for precision in ("fp32", "bf16", "int8"):
            param = ops.parameter([m, k], np.float32, name="a")
            weights = ops.constant(w)
            if precision == "int8":
                # FakeQuantize on both inputs: OpenVINO's low-precision transformations run the MatMul in u8 x i8.
                lo, hi = float(np.abs(a).max()), float(np.abs(w).max())
                x = ops.fake_quantize(ops.relu(param), 0.0, lo, 0.0, lo, 256)
                weights = ops.fake_quantize(weights, -hi, hi, -hi, hi, 255)
            else:
                x = param
            model = ov.Model([ops.matmul(x, weights, False, False)], [param], "gemm")
            hint = "bf16" if precision == "bf16" else "f32"
            compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": hint,
                                                         "INFERENCE_NUM_THREADS": threads,
                                                         "PERFORMANCE_HINT": "LATENCY"})
            got = compiled.get_property("INFERENCE_PRECISION_HINT").to_string()
            if precision == "bf16" and got != "bf16":
                continue  # OpenVINO does not emulate bf16: nothing to measure on this CPU
            request = compiled.create_infer_request()
            note = ("MatMul between FakeQuantize (u8 activations, i8 weights)" if precision == "int8"
                    else f"MatMul, INFERENCE_PRECISION_HINT={got}")
            out.append(entry("openvino", precision, where, m, k, n, *timed(lambda: request.infer({"a": a})),
                             note=note))
    return out


MEASURE = {"torch": gemm_torch, "onnxruntime": gemm_onnxruntime, "openvino": gemm_openvino}

def run(options, out=sys.stdout):
    """Measure the roof of this machine at `options.threads` and write results/<machine-id>/roof-<time>.json."""
    import importlib.util

    from benchlog.format.errors import UserError
    from benchlog.analysis.roof import estimate_peak

    from . import runner, store
    from .machine import collect_machine_info

    machine = collect_machine_info(options.machine_id)
    machine_dir = store.place_machine(options.results, machine, explicit=options.machine_id is not None,
                                      warn=lambda text: print(f"benchlog: {text}", file=sys.stderr))
    threads = runner.default_threads(machine, options.threads)
    sizes = options.sizes or list(SIZES)
    shapes = workload_shapes(options.results, machine_dir.name, threads)
    flags = machine["cpu"].get("flags") or {}
    doc = {"format_version": machine["format_version"], "kind": "roof", "machine_id": machine_dir.name,
           "cpu_model": machine["cpu"]["model"], "started_at": runner.utc_now(), "threads": threads,
           "software": runner.software_versions(), "gemm": [], "skipped": [],
           "estimate": {p: {k: e[k] for k in ("rate_gops", "basis")}
                        for p, e in estimate_peak(machine["cpu"], threads).items()},
           "notes": [f"square GEMMs of sizes {', '.join(map(str, sizes))}, median of >= {MIN_REPEATS} calls and "
                     f">= {MIN_SECONDS} s each; one process per library"]
                    + ([f"and the GEMMs of the workloads measured here at {threads} threads, [M, K, N]: "
                        + ", ".join("x".join(map(str, s)) for s in shapes)] if shapes else [])}
    for library in LIBRARIES:
        if importlib.util.find_spec(library) is None:
            doc["skipped"].append(f"{library}: not installed")
            continue
        print(f"benchlog roof: {library} ...", file=sys.stderr, flush=True)
        try:
            doc["gemm"].extend(child.run("benchlog.bench.roof", [library, threads, json.dumps(flags),
                                                                 json.dumps(sizes), json.dumps(shapes)]))
        except child.ChildFailed as exc:
            doc["skipped"].append(f"{library}: {exc}")
    if not doc["gemm"]:
        raise UserError("benchlog roof: no library could run a GEMM (" + "; ".join(doc["skipped"]) + ")")
    stem = f"roof-{store.stamp_of(doc)}"
    runner.check_doc(machine_dir / f"{stem}.json", doc, "roof")
    path = store.claim_named(machine_dir, stem, doc)  # never overwrites an earlier roof
    print_roof(doc, path, out)
    return path


MAX_WORKLOADS = 6  # the newest distinct workloads whose GEMM shapes a roof times (3 shapes each)
MAX_ELEMENTS = 1 << 26  # a shape's three matrices together (256 MiB in fp32): a larger one is not timed


def workload_shapes(results_dir, machine_id, threads):
    """[[M, K, N], ...]: the distinct GEMM shapes (analysis/roof.gemm_shapes) of the newest MAX_WORKLOADS workloads
    this machine's run files measured at `threads`, read through the format's checks (a file that fails them is
    passed over; `benchlog validate` names it); a shape whose matrices exceed MAX_ELEMENTS is left out."""
    from benchlog.analysis.roof import workloads_at
    from benchlog.format.load import load_results

    runs = sorted(load_results(results_dir).runs_of(machine_id), key=lambda r: r.doc["started_at"], reverse=True)
    shapes = []
    for found in list(workloads_at(runs, threads).values())[:MAX_WORKLOADS]:
        shapes += [list(s) for s, _count in found
                   if list(s) not in shapes and s[0] * s[1] + s[1] * s[2] + s[0] * s[2] <= MAX_ELEMENTS]
    return shapes


def measure_missing(run_paths, results, out=sys.stderr):
    """After `benchlog run`: measure the roof of each machine and thread count the runs used that has none yet."""
    import argparse

    wanted = set()
    for path in run_paths:
        doc = json.loads(Path(path).read_text())
        wanted.add((Path(path).parent.name, doc["workload"]["threads"]))
    for machine_id, threads in sorted(wanted):
        if threads in existing_threads(Path(results) / machine_id):
            continue
        print(f"benchlog: measuring this machine's GEMM roof at {threads} threads (once per machine and thread "
              "count; `benchlog roof` measures it again)", file=out, flush=True)
        run(argparse.Namespace(threads=threads, results=results, machine_id=machine_id, sizes=None), out=out)


def existing_threads(machine_dir):
    """Thread counts of the roof files already in a machine folder (unreadable ones count as missing)."""
    found = set()
    for path in Path(machine_dir).glob("roof-*.json"):
        try:
            found.add(json.loads(path.read_text())["threads"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def print_roof(doc, path, out):
    from benchlog.analysis.roof import best_gemm

    best = best_gemm([doc], doc["threads"])
    print(f"GEMM roof at {doc['threads']} threads (best of {', '.join(sorted({g['library'] for g in doc['gemm']}))}):",
          file=out)
    for precision in ("fp32", "bf16", "int8"):
        b, e = best.get(precision), doc["estimate"].get(precision)
        measured = f"{b['rate_gops']:,.0f} G{'OP' if precision == 'int8' else 'FLOP'}/s ({b['library']}, " \
                   f"{b['size']}³)" if b else "not measured"
        estimate = f"; estimated peak {e['rate_gops']:,.0f}" if e else ""
        print(f"  {precision}: {measured}{estimate}", file=out)
    shapes = list(dict.fromkeys(tuple(g["shape"]) for g in doc["gemm"] if g.get("shape")))
    if shapes:
        print("at the GEMM shapes of the workloads measured here (M x K x N; best library):", file=out)
    for shape in shapes:
        rates = {}
        for g in doc["gemm"]:
            if tuple(g.get("shape") or ()) == shape and g["rate_gops"] > rates.get(g["precision"], (0,))[0]:
                rates[g["precision"]] = (g["rate_gops"], g["library"])
        print(f"  {'x'.join(map(str, shape))}: " + ", ".join(
            f"{p} {rates[p][0]:,.0f} ({rates[p][1]})" for p in ("fp32", "bf16", "int8") if p in rates), file=out)
    for line in doc["skipped"]:
        print(f"  skipped {line}", file=out)
    print(f"wrote {path}", file=out)


if __name__ == "__main__":  # one library in its own process: python -m benchlog.bench.roof LIBRARY THREADS FLAGS SIZES SHAPES
    library, threads, flags = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    child.send(result=MEASURE[library](threads, flags, json.loads(sys.argv[4]), json.loads(sys.argv[5])))
