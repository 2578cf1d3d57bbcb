"""What really ran: the parsers of each library's evidence (on output recorded from the libraries), the share of
GEMM FLOPs per precision (worked out by hand), the "what ran" reading and the INT8 check, the schema, and a real
tiny run that records them."""

import json
import subprocess
import sys

import pytest

from benchlog.analysis import what_ran as ran_module
from benchlog.analysis.what_ran import int8_check, precision_class, what_ran
from benchlog.bench import kernels
from conftest import ROOT


class Text:
    def __init__(self, value):
        self.value = value

    def astype(self, type_):
        if type_ is not str:  # openvino's OVAny.astype converts to the type asked for; the parser asks for str
            raise TypeError(type_)
        return self.value


class Shape:
    def __init__(self, dims):
        self.dims = dims

    def to_shape(self):
        if self.dims is None:
            raise RuntimeError("dynamic")
        return self.dims


class Node:
    """The parts of an openvino runtime-model node the parser reads."""

    def __init__(self, layer, kernel, precision, inputs=(), output=(), names=""):
        self.info = {"layerType": Text(layer), "primitiveType": Text(kernel), "runtimePrecision": Text(precision)}
        if names is not None:  # None: the node carries no originalLayersNames
            self.info["originalLayersNames"] = Text(names)
        self.inputs, self.output = list(inputs), output

    def get_rt_info(self):
        return self.info

    def get_input_size(self):
        return len(self.inputs)

    def get_input_partial_shape(self, i):
        return Shape(self.inputs[i])

    def get_output_partial_shape(self, i):
        if i != 0:  # the nodes read here have one output
            raise IndexError(i)
        return Shape(self.output)


def test_openvino_counts_kernels_and_gemm_flops_by_hand():
    ops = [
        Node("Const", "unknown_i8", "i8", [], [768, 768]),  # plumbing: not listed
        Node("Reshape", "unknown_bf16", "bf16", [[1, 128, 768]], [1, 128, 12, 64]),
        # FC [1,128,768] x [768,768]: 2 * 128*768 * 768 = 150,994,944 FLOPs each, twice
        Node("FullyConnected", "brgemm_avx512_amx_i8", "i8", [[1, 128, 768], [768, 768]], [1, 128, 768]),
        Node("FullyConnected", "brgemm_avx512_amx_i8", "i8", [[1, 128, 768], [768, 768]], [1, 128, 768]),
        # MHA subgraph in bf16: Q [1,128,12,64], K [1,12,64,128]: 4 * 98,304 * 128 = 50,331,648 FLOPs
        Node("Subgraph", "jit_avx512_bf16", "bf16", [[1, 128, 12, 64], [1, 12, 64, 128], [1, 1, 128, 128]],
             [1, 12, 128, 64], names="layer.0/attention/MatMul,Softmax_1,layer.0/attention/MatMul_1"),
        # an elementwise subgraph: not a GEMM
        Node("Subgraph", "jit_avx512_bf16", "bf16", [[1, 128, 768], [1, 128, 768]], [1, 128, 768], names="Add,Mul"),
        Node("MVN", "jit_avx512_bf16", "bf16", [[1, 128, 768]], [1, 128, 768]),
    ]
    found = kernels.openvino(ops)
    fc, mha = 2 * 150_994_944, 50_331_648
    assert found["gemm_share"] == pytest.approx({"int8": fc / (fc + mha), "bf16": mha / (fc + mha), "fp32": 0.0})
    rows = sorted((o["op"], o["kernel"], o["precision"], o["count"], o["gemm"]) for o in found["kernels"]["ops"])
    assert rows == [("FullyConnected", "brgemm_avx512_amx_i8", "i8", 2, True),
                    ("MVN", "jit_avx512_bf16", "bf16", 1, False),
                    ("Subgraph", "jit_avx512_bf16", "bf16", 1, False),  # the elementwise one
                    ("Subgraph", "jit_avx512_bf16", "bf16", 1, True)]  # the attention; Const, Reshape: not listed
    assert found["kernels"]["isa"] == ["avx512", "avx512_amx"]  # from the GEMM kernels' names


def test_a_kernel_named_after_another_precision_than_its_op_counts_as_neither():
    """A weights-only INT8 FullyConnected: runtimePrecision u8 (its weights), kernel brgemm_avx512_f32 (named after its
    f32 input). Whether it quantized the activations on the fly the names do not say: "u8/f32", GEMM share "other"."""
    fc = Node("FullyConnected", "brgemm_avx512_f32", "u8", [[1, 128, 768], [768, 768]], [1, 128, 768])
    agree = Node("FullyConnected", "brgemm_avx512_amx_I8", "u8", [[1, 128, 768], [768, 768]], [1, 128, 768])
    found = kernels.openvino([fc, agree])
    assert found["gemm_share"] == {"int8": 0.5, "bf16": 0.0, "fp32": 0.0, "other": 0.5}
    assert sorted(o["precision"] for o in found["kernels"]["ops"]) == ["u8", "u8/f32"]
    assert kernels.kernel_precision("jit_avx512_bf16", None) == "bf16"
    assert kernels.kernel_precision("unknown", "f32") == "f32"
    ran = what_ran(found)
    assert [(g["precision"], g["share"]) for g in ran["gemm"]] == [("int8", 0.5), ("other", 0.5)]
    assert ran["gemm"][1]["names"] == ["u8/f32"] and ran["gemm"][1]["kernels"] == ["brgemm_avx512_f32"]
    from benchlog.site.tables import ran_text

    assert ran_text(ran) == "GEMM INT8 50% · u8/f32 50%"


def test_a_dynamic_shape_counts_the_kernel_but_no_flops():
    found = kernels.openvino([Node("FullyConnected", "brgemm_avx512_i8", "u8", [None, [8, 8]], None)])
    assert found["gemm_share"] is None and found["kernels"]["ops"][0]["count"] == 1


PROFILE = [  # the shapes of an ORT profile of the TIL's model (batch 1, sequence 128), one node of each kind
    {"cat": "Session", "name": "model_loading_uri"},
    {"cat": "Node", "name": "q_kernel_time", "args": {
        "op_name": "MatMulIntegerToFloat", "provider": "CPUExecutionProvider",
        "input_type_shape": [{"uint8": [1, 128, 768]}, {"float": []}, {"float": [768]}],
        "output_type_shape": [{"float": [1, 128, 768]}]}},
    {"cat": "Node", "name": "q_fence_before", "args": {"op_name": "MatMulIntegerToFloat"}},  # not a kernel event
    {"cat": "Node", "name": "qk_kernel_time", "args": {
        "op_name": "FusedMatMul", "provider": "CPUExecutionProvider",
        "input_type_shape": [{"float": [1, 12, 128, 64]}, {"float": [1, 12, 64, 128]}],
        "output_type_shape": [{"float": [1, 12, 128, 128]}]}},
    {"cat": "Node", "name": "shape_kernel_time", "args": {
        "op_name": "Shape", "provider": "CPUExecutionProvider", "input_type_shape": [{"float": [1, 128, 768]}],
        "output_type_shape": [{"int64": [3]}]}},
    {"cat": "Node", "name": "ln_kernel_time", "args": {
        "op_name": "SkipLayerNormalization", "provider": "CPUExecutionProvider",
        "input_type_shape": [{"float": [1, 128, 768]}], "output_type_shape": [{"float": [1, 128, 768]}]}},
]


def test_onnxruntime_counts_ops_per_provider_and_gemm_flops_by_hand():
    found = kernels.onnxruntime(PROFILE)
    int8 = 2 * 128 * 768 * 768  # MatMulIntegerToFloat: 150,994,944
    fp32 = 2 * 12 * 128 * 128 * 64  # QK^T: 25,165,824
    assert found["gemm_share"] == pytest.approx({"int8": int8 / (int8 + fp32), "bf16": 0, "fp32": fp32 / (int8 + fp32)})
    ops = {o["op"]: o for o in found["kernels"]["ops"]}
    assert set(ops) == {"MatMulIntegerToFloat", "FusedMatMul", "SkipLayerNormalization"}  # Shape: plumbing
    assert ops["MatMulIntegerToFloat"] == {"op": "MatMulIntegerToFloat", "kernel": None, "precision": "int8",
                                           "count": 1, "gemm": True, "provider": "CPUExecutionProvider"}
    assert ops["SkipLayerNormalization"]["gemm"] is False and ops["SkipLayerNormalization"]["precision"] == "fp32"


def test_a_fused_attention_counts_its_projection_and_both_products():
    event = {"cat": "Node", "name": "a_kernel_time", "args": {
        "op_name": "QAttention", "provider": "CPUExecutionProvider",
        "input_type_shape": [{"float": [1, 128, 768]}, {"int8": [768, 2304]}],
        "output_type_shape": [{"float": [1, 128, 768]}]}}
    found = kernels.onnxruntime([event])
    projection = 2 * 1 * 128 * 768 * 3 * 768  # 452,984,832 in INT8
    products = 4 * 1 * 128 * 128 * 768  # QK^T and · V: 50,331,648 in float (QAttention quantizes the projection)
    total = projection + products
    assert found["gemm_share"] == pytest.approx({"int8": projection / total, "bf16": 0, "fp32": products / total})


VERBOSE = [  # recorded from PyTorch 2.13 (oneDNN v3.12, oneMKL 2024.0) on the AMX Xeon
    "MKL_VERBOSE oneMKL 2024.0 Update 2 Product build 20240605 for Intel(R) 64 architecture Intel(R) Advanced Vector "
    "Extensions 512 (Intel(R) AVX-512) with support for INT8, BF16, FP16 (limited) instructions",
    "MKL_VERBOSE SGEMM(T,N,768,128,768,0x7fff306d2c70,0x7f3b1ca448f8,768,0x55f662621380,768,0x7fff306d2c90,0x5,768) "
    "45.1us CNR:OFF Dyn:1 FastMM:1 TID:0  NThr:2",
    "onednn_verbose,v1,info,oneDNN v3.12.0 (commit 80afa71049cd69a3df32adcccb623b12cd7baa22)",
    "onednn_verbose,v1,primitive,exec,cpu,matmul,brg_matmul:avx10_1_512_amx,undef,src:bf16::blocked:ab::f0 "
    "wei:bf16::blocked:ba::f0 dst:bf16::blocked:ab::f0,attr-scratchpad:user attr-post-ops:sum,,128x768:768x768,0.15",
    "onednn_verbose,v1,primitive,exec,cpu,gemm_api,,undef,src_s8::blocked:ab:f0 wei_s8::blocked:ba:f0 "
    "dst_s32::blocked:ab:f0,,,128x32:32x32,0.0229492",
    "onednn_verbose,v1,primitive,exec,cpu,eltwise,jit:avx10_1_512_amx,forward_training,data:f32::blocked:abc::f0,"
    "attr-scratchpad:user,alg:eltwise_gelu_erf alpha:0 beta:0,1x128x3072,0.183105",
    "some other line a library printed",
]


def test_pytorch_reads_profiler_gemms_and_the_libraries_verbose_lines():
    events = [("aten::addmm", ["c10::BFloat16"] * 3 + ["Scalar", "Scalar"], [[768], [128, 768], [768, 768], [], []]),
              ("aten::bmm", ["float", "float"], [[12, 128, 64], [12, 64, 128]]),
              ("aten::_int_mm", ["signed char", "signed char"], [[128, 32], [32, 32]]),
              ("aten::linear", ["float"] * 3, [[1, 128, 768], [768, 768], [768]])]  # a wrapper: not counted
    found = kernels.pytorch(events, VERBOSE)
    bf16, fp32, int8 = 2 * 128 * 768 * 768, 2 * 12 * 128 * 64 * 128, 2 * 128 * 32 * 32
    total = bf16 + fp32 + int8
    assert found["gemm_share"] == pytest.approx({"int8": int8 / total, "bf16": bf16 / total, "fp32": fp32 / total})
    rows = {(o["op"], o["kernel"]): o for o in found["kernels"]["ops"]}
    assert rows[("oneDNN matmul", "brg_matmul:avx10_1_512_amx")]["precision"] == "bf16"
    assert rows[("oneDNN matmul", "brg_matmul:avx10_1_512_amx")]["gemm"] is True
    assert rows[("oneDNN gemm_api", None)]["precision"] == "s8" and rows[("oneDNN gemm_api", None)]["gemm"] is True
    assert rows[("oneDNN eltwise", "jit:avx10_1_512_amx")]["gemm"] is False
    assert rows[("MKL", "SGEMM")]["precision"] == "f32" and rows[("MKL", "SGEMM")]["gemm"] is True
    assert ("aten::linear", None) not in rows
    assert found["kernels"]["isa"] == ["avx10_1_512_amx", "mkl:avx512"]


@pytest.mark.parametrize("name, kind", [("I8", "int8"), ("u8", "int8"), ("signed char", "int8"), ("s8", "int8"),
                                        ("c10::BFloat16", "bf16"), ("bf16", "bf16"), ("float", "fp32"),
                                        ("f32", "fp32"), ("i32", "other"), (None, "other"), ("f16", "other")])
def test_precision_names(name, kind):
    assert precision_class(name) == kind


def test_what_ran_and_the_int8_check():
    variant = {"gemm_share": {"int8": 0.97, "bf16": 0.0, "fp32": 0.03}, "kernels": {"isa": ["avx512_amx"], "ops": [
        {"op": "FullyConnected", "kernel": "brgemm_avx512_amx_i8", "precision": "i8", "count": 27, "gemm": True},
        {"op": "FullyConnected", "kernel": "brgemm_avx512_amx_I8", "precision": "u8", "count": 11, "gemm": True},
        {"op": "MatMul", "kernel": "brgemm_avx512_f32", "precision": "f32", "count": 6, "gemm": True},
        {"op": "MVN", "kernel": "jit_avx512_bf16", "precision": "bf16", "count": 13, "gemm": False},
        {"op": "Eltwise", "kernel": "jit_avx512_f32", "precision": "f32", "count": 2, "gemm": False}]}}
    got = what_ran(variant)
    assert got == {"gemm": [{"precision": "int8", "share": 0.97,
                             "kernels": ["brgemm_avx512_amx_i8", "brgemm_avx512_amx_I8"]},
                            {"precision": "fp32", "share": 0.03, "kernels": ["brgemm_avx512_f32"]}],
                   "rest": "bf16", "isa": ["avx512_amx"]}
    assert int8_check("amx", got) == ("amx_used", 0.97)
    assert int8_check("vnni", got) == ("int8_used", 0.97)
    assert int8_check("avx2", got) is None and int8_check("amx", None) is None
    no_amx = {**variant, "kernels": {"isa": ["avx512"], "ops": [
        {"op": "FullyConnected", "kernel": "brgemm_avx512_i8", "precision": "i8", "count": 38, "gemm": True}]}}
    assert int8_check("amx", what_ran(no_amx)) == ("amx_not_used", 0.97)
    fell_back = {"gemm_share": {"int8": 0.2, "bf16": 0.0, "fp32": 0.8}, "kernels": None}
    assert int8_check("vnni", what_ran(fell_back)) == ("int8_not_used", 0.2)
    assert what_ran({"id": "old"}) is None  # a file from before format 7 does not say
    # names: ORT gives op names, not kernels
    ort = {"gemm_share": {"int8": 1.0, "bf16": 0.0, "fp32": 0.0}, "kernels": {"ops": [
        {"op": "QAttention", "kernel": None, "precision": "int8", "count": 6, "gemm": True,
         "provider": "CPUExecutionProvider"}]}}
    assert what_ran(ort)["gemm"][0]["kernels"] == ["QAttention"] and what_ran(ort)["isa"] == []
    # ORT names ops, not kernels: nothing says whether AMX ran, so the check says INT8 ran and no more
    assert int8_check("amx", what_ran(ort)) == ("int8_used", 1.0)
    # an elementwise kernel's AMX (PyTorch's oneDNN eltwise) says nothing about the INT8 GEMMs' gemm_api
    torch_int8 = {"gemm_share": {"int8": 0.97, "bf16": 0.0, "fp32": 0.03}, "kernels": {"isa": ["avx10_1_512_amx"],
                  "ops": [{"op": "oneDNN gemm_api", "kernel": None, "precision": "s8", "count": 38, "gemm": True},
                          {"op": "oneDNN eltwise", "kernel": "jit:avx10_1_512_amx", "precision": "f32", "count": 6,
                           "gemm": False}]}}
    assert int8_check("amx", what_ran(torch_int8)) == ("int8_used", 0.97)
    assert ran_module.PRECISIONS == ("int8", "bf16", "fp32")


def test_the_schema_takes_the_evidence_and_refuses_a_bad_share(tmp_path):
    import shutil

    from benchlog.format.load import load_results
    from conftest import DATA

    shutil.copytree(DATA / "results/test-box", tmp_path / "test-box")
    (run,) = [p for p in (tmp_path / "test-box").glob("2*.json")]
    doc = json.loads(run.read_text())
    doc["variants"][0].update(kernels=kernels.onnxruntime(PROFILE)["kernels"],
                              gemm_share={"int8": 0.5, "bf16": 0.0, "fp32": 0.5})
    run.write_text(json.dumps(doc))
    assert load_results(tmp_path).problems == []
    doc["variants"][0]["gemm_share"]["int8"] = 1.5
    run.write_text(json.dumps(doc))
    (problem,) = load_results(tmp_path).problems
    assert str(problem).startswith(f"{run}: variants[0].gemm_share.int8: ")


@pytest.mark.backends
def test_a_tiny_run_records_what_ran(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchlog", "run", "--model", "tiny-distilbert", "--quick",
                           "--no-roof", "--rounds", "1", "--backends", "ort-cpu-int8,ort-cpu-int8-attn,openvino-int8",
                           "--results", str(tmp_path), "--cache", str(tmp_path / "cache"), "--machine-id", "t"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    (path,) = (tmp_path / "t").glob("2*.json")
    got = {v["id"]: v for v in json.loads(path.read_text())["variants"]}
    for vid, v in got.items():
        assert v["status"] == "ok", (vid, v.get("reason"))
        assert v["kernels"]["ops"] and sum(v["gemm_share"][p] for p in ("int8", "bf16", "fp32")) == pytest.approx(1)
    ops = {o["op"] for o in got["ort-cpu-int8-attn"]["kernels"]["ops"]}
    assert "QAttention" in ops and 0.5 < got["ort-cpu-int8-attn"]["gemm_share"]["int8"] < 1
    assert "QAttention" not in {o["op"] for o in got["ort-cpu-int8"]["kernels"]["ops"]}
    assert got["ort-cpu-int8"]["gemm_share"]["fp32"] > 0  # its attention products stay fp32
    assert any(o["op"] == "FullyConnected" for o in got["openvino-int8"]["kernels"]["ops"])
    assert got["openvino-int8"]["gemm_share"]["int8"] > 0.9


def test_the_machine_page_says_what_ran_and_the_advice_checks_it(tmp_path):
    """The efficiency table's "what ran" column shows the file's GEMM shares and kernels; the advice row of an INT8
    variant on an AMX machine says whether its INT8 GEMMs ran on AMX; a variant whose file does not say shows so."""
    import re
    import shutil

    from benchlog.format.load import load_results
    from benchlog.site.pages import Renderer

    shutil.copytree(ROOT / "results/intel-xeon-2vcpu", tmp_path / "intel-xeon-2vcpu")
    for path in (tmp_path / "intel-xeon-2vcpu").glob("2*.json"):
        doc = json.loads(path.read_text())
        if not any(v["id"] == "openvino-int8" and v["status"] == "ok" for v in doc["variants"]):
            path.unlink()  # keep the runs that measured NNCF INT8
            continue
        for v in doc["variants"]:
            v.pop("kernels", None), v.pop("gemm_share", None)
            if v["id"] == "openvino-int8":
                v["kernels"] = {"isa": ["avx512"], "ops": [
                    {"op": "FullyConnected", "kernel": "brgemm_avx512_i8", "precision": "i8", "count": 38,
                     "gemm": True},
                    {"op": "MVN", "kernel": "jit_avx512_f32", "precision": "f32", "count": 13, "gemm": False}]}
                v["gemm_share"] = {"int8": 0.973, "bf16": 0.0, "fp32": 0.027}
        path.write_text(json.dumps(doc))
    results = load_results(tmp_path)
    assert results.problems == []
    machine = results.machines["intel-xeon-2vcpu"]
    assert machine.cpu["flags"]["amx_int8"]
    html = Renderer(results).machine_page(machine)
    def efficiency_rows(vid):  # the efficiency tables' rows (the compact tables have no "what ran" cell)
        rows = re.findall(rf'<tr class="benchlog-status-ok[^"]*" data-variant="{vid}">(.*?)</tr>', html, re.S)
        return [r for r in rows if 'class="benchlog-ran"' in r]

    rows = efficiency_rows("openvino-int8")
    assert rows and all("GEMM INT8 97% · FP32 3%" in r and "brgemm_avx512_i8" in r and "나머지 fp32" in r
                        and "ISA avx512" in r for r in rows)
    others = efficiency_rows("ort-cpu-int8")
    assert others and all("기록 없음" in r for r in others)
    advice = re.findall(r'data-variant="openvino-int8" data-verdict="[^"]*">(.*?)</tr>', html, re.S)
    assert advice and 'data-check="amx_not_used"' in advice[0] and "AMX-INT8이 있는데" in advice[0]


def test_the_committed_runs_say_what_ran_on_their_pages():
    """Every variant of the committed runs that records what ran shows its GEMM shares in its machine page's
    efficiency table, as the file has them; where a run measured NNCF INT8 with the rest in f32 and in bf16, the page
    sets the two side by side and says which it recommends and why."""
    import re

    from benchlog.analysis import efficiency
    from benchlog.format.load import load_results
    from benchlog.site.pages import Renderer

    results = load_results(ROOT / "results")
    renderer = Renderer(results)
    checked = pairs = 0
    for machine_id, machine in results.machines.items():
        html = renderer.machine_page(machine)
        for run in results.runs_of(machine_id):
            section = re.search(rf'id="run-{re.escape(run.id)}"(?:(?!id="run-).)*', html, re.S)  # up to the next run
            for v in run.variants:
                if v["status"] != "ok" or not v.get("gemm_share") or section is None:
                    continue
                top = max(("int8", "bf16", "fp32"), key=lambda p: v["gemm_share"][p])
                row = re.search(rf'data-variant="{v["id"]}">((?:(?!</tr>).)*class="benchlog-ran"(?:(?!</tr>).)*)</tr>',
                                section.group(0), re.S)
                assert row and f"{top.upper()} {v['gemm_share'][top]:.0%}" in row.group(1), (run.id, v["id"])
                checked += 1
            rows = efficiency.run_rows(results, machine, run)
            if efficiency.precision_pair(rows, efficiency.pareto(rows)[1]) and section is not None:
                assert 'class="benchlog-pair"' in section.group(0) and "bf16으로 두면" in section.group(0)
                pairs += 1
    assert checked >= 14 and pairs >= 1  # the 15-variant run of the AMX Xeon, at least


# ---- Each parser's whole output on inputs chosen so that every rule shows (figures worked out by hand) -----------

def test_gemm_flops_and_shares_by_hand():
    assert kernels.gemm_flops([4, 3], [4, 5]) == 2 * 20 * 3  # 2 · elements(output) · K
    assert kernels.gemm_flops(None, [4, 5]) == 0 and kernels.gemm_flops([4, 3], None) == 0  # a shape unknown
    assert kernels.shares({}) is None and kernels.shares({"int8": 0}) is None
    assert kernels.shares({"int8": 1}) == {"int8": 1.0, "bf16": 0.0, "fp32": 0.0}
    assert kernels.shares({"fp32": 1, "other": 3}) == {"int8": 0.0, "bf16": 0.0, "fp32": 0.25, "other": 0.75}
    assert kernels.kernel_precision("unknown", None) is None and kernels.kernel_precision(None, None) is None


def test_openvino_whole_evidence_by_hand():
    """K comes from the first input (here the weights are given [K, N]); an MHA Subgraph counts 4 · B·S·heads·d·S_k
    (S_k from K's last dimension, 32 here against 64 queries), also with no mask input; a Subgraph without
    originalLayersNames or with a dynamic Q is no GEMM, nor is a non-Subgraph op whose fused names mention MatMul and
    Softmax; an op listed without inputs counts, with no FLOPs. Rows: most frequent first, then by name."""
    mha = dict(inputs=[[2, 64, 12, 64], [2, 12, 64, 32]], output=[2, 64, 12, 64], names="MatMul,Softmax,MatMul_1")
    ops = [Node("Subgraph", "jit_avx512_bf16", "bf16", **mha),
           Node("FullyConnected", "brgemm_avx512_amx_i8", "i8", [[2, 64, 768], [768, 3072]], [2, 64, 3072]),
           Node("Subgraph", "jit_avx512_bf16", "bf16", [[2, 64, 768], [2, 64, 768]], [2, 64, 768], names=None),
           Node("Eltwise", "jit_avx512_f32", "f32", [[2, 12, 64, 32], [2, 12, 64, 32]], [2, 12, 64, 32],
                names="MatMul_1,Softmax"),
           Node("Subgraph", "jit_avx512_bf16", "bf16", [None, [2, 12, 64, 32]], [2, 64, 12, 64], names=mha["names"]),
           Node("FullyConnected", "brgemm_avx512_amx_i8", "i8", [], [2, 64, 768]),
           Node("Subgraph", "jit_avx512_bf16", "bf16", **mha)]
    found = kernels.openvino(ops)
    assert found["kernels"] == {
        "source": "OpenVINO runtime model after an inference (layerType, primitiveType, runtimePrecision)",
        "ops": [{"op": "FullyConnected", "kernel": "brgemm_avx512_amx_i8", "precision": "i8", "count": 2, "gemm": True},
                {"op": "Subgraph", "kernel": "jit_avx512_bf16", "precision": "bf16", "count": 2, "gemm": False},
                {"op": "Subgraph", "kernel": "jit_avx512_bf16", "precision": "bf16", "count": 2, "gemm": True},
                {"op": "Eltwise", "kernel": "jit_avx512_f32", "precision": "f32", "count": 1, "gemm": False}],
        "isa": ["avx512", "avx512_amx"]}  # from the GEMMs' kernels only
    fc = 2 * (2 * 64 * 3072) * 768  # 603,979,776 in INT8
    attention = 2 * 4 * (2 * 64 * 12 * 64) * 32  # two subgraphs, 12,582,912 each, in bf16
    assert found["gemm_share"] == pytest.approx({"int8": 0.96, "bf16": 0.04, "fp32": 0.0})
    assert fc / (fc + attention) == pytest.approx(0.96)


def test_onnxruntime_whole_evidence_by_hand():
    """Batch 2 × 64 tokens × hidden 768: QAttention's projection in INT8 and its two products in float, twice; a 3-D
    float MatMul is a plain product, not an attention; a node with no inputs is counted in "other"; plumbing, events
    that are no kernel and events without a name are left out."""
    def node(op, inputs, outputs, provider="CPUExecutionProvider", name="n_kernel_time"):
        args = {"op_name": op, "provider": provider, "output_type_shape": outputs}
        if inputs is not None:
            args["input_type_shape"] = inputs
        return {"cat": "Node", "name": name, "args": args}

    x = [{"float": [2, 64, 768]}]
    events = [node("QAttention", x + [{"int8": [768, 2304]}], [{"float": [2, 64, 768]}]),
              node("DynamicQuantizeMatMul", x + [{"int8": [768, 768]}], [{"float": [2, 64, 768]}]),
              node("DynamicQuantizeMatMul", x + [{"int8": [768, 768]}], [{"float": [2, 64, 768]}]),
              node("QAttention", x + [{"int8": [768, 2304]}], [{"float": [2, 64, 768]}]),
              node("MatMul", x + [{"float": [768, 3072]}], [{"float": [2, 64, 3072]}]),
              node("RandomUniform", None, [{"float": [4]}]),
              node("Reshape", x, [{"float": [2, 64, 12, 64]}]),
              node("MatMul", x, [{"float": [2, 64, 768]}], name="n_fence_before"),
              {"cat": "Node", "args": {"op_name": "MatMul"}}]
    found = kernels.onnxruntime(events)
    cpu = "CPUExecutionProvider"
    assert found["kernels"] == {
        "source": "ONNX Runtime profile of an inference (op type, provider, input types and shapes)",
        "ops": [{"op": "DynamicQuantizeMatMul", "kernel": None, "precision": "int8", "count": 2, "gemm": True,
                 "provider": cpu},
                {"op": "QAttention", "kernel": None, "precision": "int8", "count": 2, "gemm": True, "provider": cpu},
                {"op": "MatMul", "kernel": None, "precision": "fp32", "count": 1, "gemm": True, "provider": cpu},
                {"op": "RandomUniform", "kernel": None, "precision": "other", "count": 1, "gemm": False,
                 "provider": cpu}],
        "isa": []}
    int8 = 2 * (2 * 2 * 64 * 768 * 3 * 768) + 2 * (2 * 2 * 64 * 768 * 768)  # projections, DQMMs: 1,207,959,552
    fp32 = 2 * (4 * 2 * 64 * 64 * 768) + 2 * 2 * 64 * 3072 * 768  # products, MatMul: 654,311,424
    assert (int8, fp32) == (1_207_959_552, 654_311_424)
    assert found["gemm_share"] == pytest.approx({"int8": int8 / (int8 + fp32), "bf16": 0.0,
                                                 "fp32": fp32 / (int8 + fp32)})


def test_pytorch_whole_evidence_by_hand():
    """addmm's and baddbmm's first shape is the bias (here broadcast: [1]); an op whose shapes or dtypes the profiler
    did not record counts, with no FLOPs; a non-GEMM event first does not stop the reading. oneDNN lines count only
    with their memory descriptors (the sixth field after "exec"); an empty implementation is no kernel; MKL's
    routine names its precision (S, D) and whether it is a GEMM."""
    events = [("aten::linear", ["float"] * 3, [[2, 64, 768], [3072, 768], [3072]]),
              ("aten::baddbmm", ["float"] * 3 + ["Scalar", "Scalar"], [[1], [24, 64, 64], [24, 64, 32], [], []]),
              ("aten::addmm", ["c10::BFloat16"] * 3 + ["Scalar", "Scalar"], [[3072], [128, 768], [768, 3072], [], []]),
              ("aten::addmm", ["c10::BFloat16"] * 3 + ["Scalar", "Scalar"], [[3072], [128, 768], [768, 3072], [], []]),
              ("aten::mm", [], []),
              ("aten::bmm", ["float"], [[12, 64, 64]])]
    exec_ = "onednn_verbose,v1,primitive,exec,cpu,"
    lines = [exec_ + "inner_product,brgemm:avx512_core_amx,forward_inference,src:s8::blocked:ab::f0,,,mb128ic768oc768,0.1",
             exec_ + "inner_product,brgemm:avx512_core_amx,forward_inference,src:s8::blocked:ab::f0,,,mb128ic768oc768,0.1",
             exec_ + "matmul,brg_matmul:avx10_1_512_amx,undef,src:bf16::blocked:ab::f0 wei:bf16::blocked:ba::f0",
             exec_ + "matmul,brg_matmul:avx10_1_512_amx,undef",  # cut short: no descriptors
             exec_.rstrip(","),
             exec_ + "eltwise,,forward_inference,data:f32::blocked:abc::f0",
             "MKL_VERBOSE oneMKL 2024.0 Product build 20240605 for Intel(R) 64 architecture Intel(R) AVX-512",
             "MKL_VERBOSE SGEMM(T,N,768,128,768,0x1,0x2,768,0x3,768,0x4,0x5,768) 45.1us CNR:OFF Dyn:1 NThr:2",
             "MKL_VERBOSE SGEMM(T,N,768,128,768,0x1,0x2,768,0x3,768,0x4,0x5,768) 44.8us CNR:OFF Dyn:1 NThr:2",
             "MKL_VERBOSE DGEMM(N,N,2,2,2,0x1,0x2,2,0x3,2,0x4,0x5,2) 1.0us CNR:OFF Dyn:1 NThr:2",
             "MKL_VERBOSE SOMATCOPY(R,T,768,768,0x1,0x2,768,0x3,768) 3.0us CNR:OFF Dyn:1 NThr:2"]
    found = kernels.pytorch(events, lines)

    def row(op, kernel, precision, count, gemm=True):
        return {"op": op, "kernel": kernel, "precision": precision, "count": count, "gemm": gemm}

    assert found["kernels"] == {
        "source": "PyTorch profiler (GEMM ops, input dtypes and shapes) and oneDNN / MKL verbose",
        "ops": [row("MKL", "SGEMM", "f32", 2), row("aten::addmm", None, "c10::BFloat16", 2),
                row("oneDNN inner_product", "brgemm:avx512_core_amx", "s8", 2),
                row("MKL", "DGEMM", "f64", 1), row("MKL", "SOMATCOPY", "f32", 1, gemm=False),
                row("aten::baddbmm", None, "float", 1), row("aten::bmm", None, "float", 1),
                row("aten::mm", None, None, 1), row("oneDNN eltwise", None, "f32", 1, gemm=False),
                row("oneDNN matmul", "brg_matmul:avx10_1_512_amx", "bf16", 1)],
        "isa": ["avx10_1_512_amx", "avx512_core_amx", "mkl:avx512"]}
    bf16 = 2 * (2 * 128 * 768 * 3072)  # 1,207,959,552
    fp32 = 2 * (24 * 64 * 64) * 32  # baddbmm: 6,291,456
    assert bf16 == 192 * fp32
    assert found["gemm_share"] == pytest.approx({"int8": 0.0, "bf16": 192 / 193, "fp32": 1 / 193})


@pytest.mark.parametrize("line, isa", [
    ("MKL_VERBOSE oneMKL 2024.0 for Intel(R) Advanced Vector Extensions 2 (Intel(R) AVX2) enabled processors",
     ["mkl:avx2"]),
    ("MKL_VERBOSE Intel(R) MKL 2020.0 Product build for Intel(R) AVX512 processors", ["mkl:avx512"]),
    ("MKL_VERBOSE oneMKL 2024.0 Product build 20240605 for Intel(R) 64 architecture, SSE4.2", []),
    ("MKL_VERBOSE ", [])])
def test_the_mkl_code_path_from_its_version_line(line, isa):
    assert kernels.pytorch([], [line])["kernels"]["isa"] == isa


@pytest.mark.parametrize("descriptors, kind", [
    ("src:bf16::blocked:ab::f0 wei:bf16::blocked:ba::f0", "bf16"),  # primitives: name:type:...
    ("src:bf16", "bf16"),
    ("src_s8::blocked:ab:f0 wei_s8::blocked:ba:f0", "s8"),  # the gemm API: name_type:...
    ("src_f8_e5m2::blocked:ab:f0", "f8_e5m2"),  # a type with an underscore in its name
    ("src::blocked:ab::f0", None), ("src", None), ("", None), ("   ", None)])
def test_onednn_descriptor_types(descriptors, kind):
    assert kernels._onednn_type(descriptors) == kind


def test_an_mkl_call_without_its_timing_still_counts():
    assert kernels.pytorch([], ["MKL_VERBOSE SGEMM(N,N,1,1,1)"])["kernels"]["ops"] == [
        {"op": "MKL", "kernel": "SGEMM", "precision": "f32", "count": 1, "gemm": True}]


def test_what_ran_names_an_op_where_no_kernel_is_named_and_counts_the_rest_by_ops():
    """ORT names no kernels: a GEMM in another precision (here float16) is named by its op and its type. The rest's
    precision is the one most non-GEMM ops ran in, summed over rows (bf16: 3 + 3 ops against fp32's 5)."""
    variant = {"gemm_share": {"int8": 0.0, "bf16": 0.0, "fp32": 0.5, "other": 0.5}, "kernels": {"ops": [
        {"op": "MatMul", "kernel": None, "precision": "float16", "count": 2, "gemm": True},
        {"op": "FusedMatMul", "kernel": None, "precision": "fp32", "count": 2, "gemm": True},
        {"op": "LayerNormalization", "kernel": None, "precision": "bf16", "count": 3, "gemm": False},
        {"op": "Gelu", "kernel": None, "precision": "fp32", "count": 5, "gemm": False},
        {"op": "Softmax", "kernel": None, "precision": "bf16", "count": 3, "gemm": False}]}}
    assert what_ran(variant) == {"gemm": [{"precision": "fp32", "share": 0.5, "kernels": ["FusedMatMul"]},
                                          {"precision": "other", "share": 0.5, "kernels": ["MatMul"],
                                           "names": ["float16"]}],
                                 "rest": "bf16", "isa": []}


def test_int8_used_from_half_of_the_gemm_flops():
    half = what_ran({"gemm_share": {"int8": 0.5, "bf16": 0.0, "fp32": 0.5}, "kernels": None})
    assert int8_check("vnni", half) == ("int8_used", 0.5)
    assert int8_check("vnni", what_ran({"gemm_share": {"int8": 0.49, "bf16": 0.0, "fp32": 0.51}})) == \
        ("int8_not_used", 0.49)
