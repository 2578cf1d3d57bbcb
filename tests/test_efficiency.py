"""FLOP counts, the roof estimate, the advice rules and the Pareto front: pure functions with known answers."""

import pytest

from benchlog.bench.backends import VARIANTS, hardware
from benchlog.analysis import advice, efficiency, flops, roof, workloads
from benchlog.site.strings import UI

MULTILINGUAL = {"layers": 6, "hidden": 768, "heads": 12, "ffn": 3072, "vocab": 119547, "labels": 2,
                "head_hidden": 768}


def test_one_layer_by_hand():
    # batch 1, sequence 4, hidden 2, ffn 8, counted term by term from the module's formula:
    # projections 4 x 2*4*2*2 = 128; scores 2*4*4*2 = 64; values 64; feed-forward 2 x 2*4*2*8 = 256.
    assert flops.layer_flops(1, 4, 2, 8) == 128 + 64 + 64 + 256 == 512
    assert flops.layer_flops(3, 4, 2, 8) == 3 * 512  # linear in the batch


def test_distilbert_multilingual_at_128():
    per_layer = 128 * (8 * 768 * 768 + 4 * 128 * 768 + 4 * 768 * 3072)
    head = 2 * 768 * 768 + 2 * 768 * 2
    assert flops.inference_flops(MULTILINGUAL, 1, 128) == 6 * per_layer + head == 11_174_808_576
    # The attention terms grow with the square of the sequence: doubling it more than doubles the count.
    assert flops.inference_flops(MULTILINGUAL, 1, 256) > 2 * flops.inference_flops(MULTILINGUAL, 1, 128)


def test_embedding_model_has_no_head_and_missing_dims_give_none():
    minilm = {"layers": 6, "hidden": 384, "heads": 12, "ffn": 1536}
    assert flops.inference_flops(minilm, 1, 128) == 6 * flops.layer_flops(1, 128, 384, 1536)
    assert flops.inference_flops({}, 1, 128) is None
    assert flops.inference_flops(None, 1, 128) is None
    assert flops.achieved_gops(MULTILINGUAL, 1, 128, 0) is None
    assert flops.achieved_gops(MULTILINGUAL, 1, 128, 11.174808576) == pytest.approx(1000.0)


def test_peak_estimate_per_isa():
    epyc = {"vendor": "AuthenticAMD", "freq_mhz": 2600, "logical_cores": 2,
            "flags": {"avx2": True, "fma": True, "avx512f": True, "avx512_vnni": True, "avx512_bf16": True}}
    est = roof.estimate_peak(epyc, 2)
    assert est["fp32"]["rate_gops"] == pytest.approx(32 * 2 * 2.6)
    assert est["bf16"]["rate_gops"] == pytest.approx(64 * 2 * 2.6)
    assert est["int8"]["rate_gops"] == pytest.approx(128 * 2 * 2.6)
    assert "estimate" in est["fp32"]["basis"]
    amx = {"vendor": "GenuineIntel", "freq_mhz": 2000, "logical_cores": 2,
           "flags": {"avx512f": True, "avx512_vnni": True, "amx_int8": True, "amx_bf16": True}}
    assert roof.estimate_peak(amx, 2)["int8"]["rate_gops"] == pytest.approx(2048 * 2 * 2.0)  # 1,024 multiply-adds per cycle
    i5 = {"vendor": "GenuineIntel", "freq_mhz": 1600, "max_freq_mhz": 3900, "logical_cores": 8,
          "flags": {"avx2": True, "fma": True, "avx512f": False}}
    est = roof.estimate_peak(i5, 4)
    assert est["fp32"]["rate_gops"] == pytest.approx(32 * 4 * 3.9)
    assert est["int8"]["rate_gops"] < 2 * est["fp32"]["rate_gops"]  # no VNNI
    assert roof.estimate_peak({"flags": {}}, 2) == {}  # no clock: no estimate


def test_best_gemm_takes_the_best_library_at_the_same_threads():
    docs = [{"threads": 2, "gemm": [
        {"library": "torch", "precision": "int8", "size": 2048, "rate_gops": 962.0},
        {"library": "openvino", "precision": "int8", "size": 1024, "rate_gops": 1400.0},
        {"library": "torch", "precision": "fp32", "size": 2048, "rate_gops": 166.0}]},
        {"threads": 4, "gemm": [{"library": "torch", "precision": "fp32", "size": 2048, "rate_gops": 999.0}]}]
    best = roof.best_gemm(docs, 2)
    assert best["int8"]["library"] == "openvino" and best["fp32"]["rate_gops"] == 166.0
    assert "bf16" not in best
    assert roof.roof_precision("int8-weights") == "fp32"


# Canned fingerprints: the TIL's two machines, an AVX2-only EPYC, an AMX Xeon, and the AVX-512 EPYC.
COLAB = {}  # the TIL's lscpu excerpt stops before its flags: unknown
I5_8265U = {"avx2": True, "fma": True, "avx512f": False, "avx512_vnni": False, "avx_vnni": False,
            "avx512_bf16": False, "amx_tile": False, "amx_int8": False, "amx_bf16": False}
EPYC_AVX2 = dict(I5_8265U)
XEON_AMX = {**I5_8265U, "avx512f": True, "avx512_vnni": True, "avx512_bf16": True, "amx_tile": True,
            "amx_int8": True, "amx_bf16": True}
EPYC_AVX512 = {**I5_8265U, "avx512f": True, "avx512_vnni": True, "avx512_bf16": True}


def test_levels_from_flags():
    assert advice.level(COLAB) == ("unknown", "unknown")
    assert advice.level({"avx2": None}) == ("unknown", "unknown")
    assert advice.level(I5_8265U) == ("avx2", "none")
    assert advice.level(EPYC_AVX512) == ("vnni", "avx512")
    assert advice.level(XEON_AMX) == ("amx", "amx")


def test_advice_for_the_i5_laptop_says_no_vnni_and_no_bf16():
    e = advice.expectations(I5_8265U)
    assert e["ort-cpu-int8"].reasons == ("int8_avx2",)
    assert "포화" in UI["adv"]["reasons"]["int8_avx2"] and "VNNI가 없어" in UI["adv"]["reasons"]["int8_avx2"]
    assert e["openvino-bf16"].runs is False  # OpenVINO does not emulate bf16: expected skipped
    assert e["pytorch-bf16"].high <= 1.0  # emulated bf16 is slower than FP32
    rows = {r["variant"]: r for r in advice.table(I5_8265U, {}, {})}
    assert rows["openvino-int8"]["verdict"] == "not-measured"
    # Nothing measured is never "as expected" (the i5's page said 예상대로 with no run of it); skipped is.
    assert rows["openvino-bf16"]["verdict"] == "not-measured"
    skipped = {r["variant"]: r for r in advice.table(I5_8265U, {}, {"openvino-bf16": "skipped"})}
    assert skipped["openvino-bf16"]["verdict"] == "as-expected"


def test_advice_for_the_amx_xeon_checks_measured_against_bands():
    measured = {"openvino-int8": 10.2, "ort-cpu-int8": 3.56, "openvino-bf16": 3.5, "pytorch-bf16": 1.5,
                "ort-cpu-fp32": 1.13}
    statuses = {v: "ok" for v in measured}
    rows = {r["variant"]: r for r in advice.table(XEON_AMX, measured, statuses)}
    assert rows["openvino-int8"]["verdict"] == "as-expected" and rows["openvino-int8"]["reasons"] == ("int8_amx",)
    assert rows["ort-cpu-fp32"]["verdict"] == "as-expected"
    slow = {r["variant"]: r for r in advice.table(XEON_AMX, {"openvino-int8": 2.0}, {"openvino-int8": "ok"})}
    assert slow["openvino-int8"]["verdict"] == "below"
    fast = {r["variant"]: r for r in advice.table(EPYC_AVX2, {"ort-cpu-int8": 4.0}, {"ort-cpu-int8": "ok"})}
    assert fast["ort-cpu-int8"]["verdict"] == "above"


def test_advice_for_unknown_flags_reads_the_measured_int8():
    rows = advice.table(COLAB, {"ort-cpu-int8": 2.08}, {"ort-cpu-int8": "ok"})
    assert {r["verdict"] for r in rows if r["variant"] == "ort-cpu-int8"} == {"unknown"}
    assert advice.int8_hint(COLAB, {"ort-cpu-int8": 2.08}) == {"ratio": 2.08, "fits": ["avx2"]}
    assert advice.int8_hint(EPYC_AVX512, {"ort-cpu-int8": 2.08}) is None  # flags known: no guessing


def test_every_new_variant_has_a_rule_and_a_hardware_reading():
    rules = advice.expectations(EPYC_AVX512)
    checked = []
    for vid, variant in VARIANTS.items():
        if vid != "pytorch-fp32":
            assert vid in rules, vid
        hw = hardware(variant, I5_8265U)  # an AVX2-only CPU: no bf16 and no INT8 dot-product instructions
        if variant.precision in ("bf16", "int8"):
            assert hw["native"] is False and "no " in hw["detail"], vid
            assert hardware(variant, XEON_AMX)["native"] is True, vid
            checked.append(vid)
        else:
            assert hw is None or variant.precision == "int8-weights", vid
    # Every variant was checked, not only the last (the loop used to sit after it): all INT8 and bf16 ones.
    assert sorted(checked) == sorted(v for v, var in VARIANTS.items() if var.precision in ("bf16", "int8"))
    assert len(checked) >= 8
    for flags in (COLAB, I5_8265U, EPYC_AVX2, XEON_AMX, EPYC_AVX512):  # every reason has its Korean words
        for expected in advice.expectations(flags).values():
            for key in expected.reasons if expected else ():
                assert UI["adv"]["reasons"][key]


def test_pareto_front_and_recommendation():
    points = [("pytorch-fp32", 90.0, 1.0), ("openvino-fp32", 60.0, 1.0), ("openvino-bf16", 30.0, 0.9999),
              ("ort-cpu-int8", 22.0, 0.987), ("openvino-int8", 16.0, 0.985), ("ort-cpu-int8-u8", 25.0, 0.95)]
    front = advice.pareto_front(points)
    assert front == ["openvino-fp32", "openvino-bf16", "ort-cpu-int8", "openvino-int8"]
    assert advice.recommend(points) == "openvino-bf16"  # fastest holding cosine >= 0.99
    assert advice.recommend(points, floor=0.98) == "openvino-int8"
    assert advice.recommend(points, floor=1.01) is None


def test_a_variant_without_a_reference_in_its_run_is_not_called_failed():
    rows = {r["variant"]: r for r in advice.table(EPYC_AVX512, {}, {"ort-cpu-int8": "ok"})}
    assert rows["ort-cpu-int8"]["verdict"] == "no-reference"
    rows = {r["variant"]: r for r in advice.table(EPYC_AVX512, {}, {"ort-cpu-int8": "failed"})}
    assert rows["ort-cpu-int8"]["verdict"] == "failed"


# --- report/efficiency.py on a run built by hand: every expected figure is worked out in the comments -------------

def _variant(vid, p50=None, precision="fp32", status="ok", cosine=None, noise=None):
    v = {"id": vid, "label": vid.upper(), "precision": precision, "status": status}
    if status == "ok":
        v["latency_ms"] = {"p50": p50}
        v["fidelity"] = {"cosine": cosine, "cosine_min": cosine}
    if noise:
        v["noise"] = noise
    return v


def _run(variants, started="2026-12-01T00:00:00Z", complete=True, quick=False, kind="measured", seq=128):
    from benchlog.format.model import Run
    doc = {"machine_id": "box", "started_at": started, "complete": complete, "source": {"kind": kind},
           "workload": {"batch_size": 1, "seq_len": seq, "threads": 2, "quick": quick},
           "model": {"name": "m", "dims": MULTILINGUAL}, "variants": variants}
    return Run(f"{started}-{len(variants)}", doc, None)


def machine_runs(results, machine):
    """{workload: run} the advice reads for `machine`: the run that speaks for each workload."""
    return dict(workloads.machine_workloads(results).get(machine.id, []))


def _machine(flags):
    from benchlog.format.model import Machine
    return Machine("box", {"label": "Box", "cpu": {"vendor": "GenuineIntel", "freq_mhz": 2000, "logical_cores": 2,
                                                  "flags": flags}}, None)


# 11,174,808,576 FLOPs per inference at batch 1, sequence 128 (test_distilbert_multilingual_at_128): in 111.748 ms
# that is 100 GOP/s, in a quarter of the time 400 GOP/s.
REF_MS = 111.74808576


def test_run_rows_rate_roof_peak_and_speedup_by_hand():
    from benchlog.format.model import Results, Run
    results = Results()
    results.roofs = [Run("roof-a", {"machine_id": "box", "threads": 2, "gemm": [
                         {"precision": "fp32", "rate_gops": 100.0}, {"precision": "fp32", "rate_gops": 125.0},
                         {"precision": "int8", "rate_gops": 160.0}]}, None),
                     Run("roof-b", {"machine_id": "box", "threads": 1, "gemm": [  # another thread count: ignored
                         {"precision": "fp32", "rate_gops": 999.0}]}, None)]
    machine = _machine({"avx2": True, "fma": True})
    run = _run([_variant("pytorch-fp32", REF_MS, cosine=1.0), _variant("ort-cpu-int8", REF_MS / 4, "int8"),
                _variant("openvino-int8-wo", REF_MS / 2, "int8-weights"), _variant("openvino-bf16", status="skipped")])
    rows = {r["variant_id"]: r for r in efficiency.run_rows(results, machine, run)}
    ref, int8, wo, skipped = (rows[k] for k in ("pytorch-fp32", "ort-cpu-int8", "openvino-int8-wo", "openvino-bf16"))
    assert ref["gops"] == pytest.approx(100.0) and int8["gops"] == pytest.approx(400.0)
    assert ref["speedup"] == pytest.approx(1.0) and int8["speedup"] == pytest.approx(4.0)  # reference over variant
    assert wo["speedup"] == pytest.approx(2.0)
    # % of the best GEMM at 2 threads: fp32 125 (not 100, not the 1-thread 999), int8 160; weight-only INT8 computes
    # in fp32, so it is measured against the fp32 roof.
    assert ref["roof_pct"] == pytest.approx(80.0) and int8["roof_pct"] == pytest.approx(250.0)
    assert wo["roof_precision"] == "fp32" and wo["roof_pct"] == pytest.approx(200 / 125 * 100)
    # Estimated peak: AVX2 + FMA = 32 ops/cycle/core x 2 cores x 2.0 GHz = 128 GOP/s fp32; INT8 without VNNI
    # 32 * 4 // 3 = 42 ops/cycle -> 168 GOP/s.
    assert ref["peak_pct"] == pytest.approx(100 / 128 * 100) and int8["peak_pct"] == pytest.approx(400 / 168 * 100)
    # A roof measured above the estimate leaves the estimate out: it says nothing.
    results.roofs[0].doc["gemm"].append({"precision": "int8", "rate_gops": 170.0})
    rows = {r["variant_id"]: r for r in efficiency.run_rows(results, machine, run)}
    assert rows["ort-cpu-int8"]["peak"] is None and rows["ort-cpu-int8"]["peak_pct"] is None
    assert rows["pytorch-fp32"]["peak_pct"] == pytest.approx(100 / 128 * 100)
    assert skipped["gops"] is None and skipped["speedup"] is None and skipped["roof_pct"] is None
    assert ref["label"] == "PYTORCH-FP32" and ref["cosine"] == 1.0


def test_advice_reads_speedups_the_right_way_up():
    machine = _machine({"avx2": True, "fma": True, "avx512f": False, "avx512_vnni": False, "avx_vnni": False,
                        "avx512_bf16": False, "amx_int8": False, "amx_bf16": False})
    run = _run([_variant("pytorch-fp32", REF_MS), _variant("ort-cpu-int8", REF_MS / 1.3, "int8")])
    out = efficiency.advice_rows(machine, run)
    row = next(r for r in out["rows"] if r["variant"] == "ort-cpu-int8")
    assert row["measured"] == pytest.approx(1.3) and row["status"] == "ok"
    low, high = row["expected"]
    assert low <= 1.3 <= high and row["verdict"] == "as-expected"  # AVX2 INT8 ~4/3x FP32: 1.3 fits the band
    assert out["levels"] == ("avx2", "none")
    empty = efficiency.advice_rows(machine, None)
    assert all(r["measured"] is None and r["status"] is None for r in empty["rows"])


def test_pareto_over_rows_uses_latency_and_cosine_of_the_variants_that_ran():
    rows = [{"variant_id": "a", "status": "ok", "latency_ms": 10.0, "cosine": 0.999},
            {"variant_id": "b", "status": "ok", "latency_ms": 5.0, "cosine": 0.98},
            {"variant_id": "c", "status": "ok", "latency_ms": 12.0, "cosine": 0.995},  # slower and worse than a
            {"variant_id": "d", "status": "failed", "latency_ms": 1.0, "cosine": 1.0},  # did not run
            {"variant_id": "e", "status": "ok", "latency_ms": 2.0, "cosine": None}]  # no fidelity
    front, recommended = efficiency.pareto(rows)
    assert front == ["a", "b"] and recommended == "a"
    assert efficiency.pareto(rows, floor=0.97) == (["a", "b"], "b")


def test_the_advice_reads_the_run_that_speaks_for_each_workload():
    ok = [_variant("pytorch-fp32", REF_MS), _variant("ort-cpu-int8", REF_MS / 4, "int8")]
    three = ok + [_variant("openvino-int8", REF_MS / 5, "int8")]
    # Three equal rounds give each speed-up a point interval, so a run without load is quiet (not unknown).
    three = [dict(v, round_p50_ms=[v["latency_ms"]["p50"]] * 3) for v in three]
    ok = three[:2]
    busy = {"other_cpu_share": 0.5}
    runs = {
        "no-reference": _run([_variant("ort-cpu-int8", 1.0, "int8")] * 1, "2026-12-09T00:00:00Z"),
        "transcribed": _run(three, "2026-12-08T00:00:00Z", kind="transcribed"),
        "incomplete": _run(three, "2026-12-07T00:00:00Z", complete=False),
        "quick": _run(three, "2026-12-06T00:00:00Z", quick=True),
        "two": _run(ok, "2026-12-05T00:00:00Z"),
        "three-noisy": _run([dict(v, noise=busy) for v in three], "2026-12-04T00:00:00Z"),
        "three-quiet-old": _run(three, "2026-12-02T00:00:00Z"),
        "three-quiet-new": _run(three, "2026-12-03T00:00:00Z"),
        "other-workload": _run(ok, "2026-12-10T00:00:00Z", seq=64),
    }

    class Results:
        @property
        def runs(self):
            return list(runs.values())

    best = machine_runs(Results(), _machine({}))
    assert best[("m", 1, 128)] is runs["three-quiet-new"] and best[("m", 1, 64)] is runs["other-workload"]
    del runs["three-quiet-new"], runs["three-quiet-old"]
    assert machine_runs(Results(), _machine({}))[("m", 1, 128)] is runs["three-noisy"]  # most variants
    del runs["three-noisy"]
    assert machine_runs(Results(), _machine({}))[("m", 1, 128)] is runs["two"]
    del runs["two"]
    assert machine_runs(Results(), _machine({}))[("m", 1, 128)] is runs["quick"]
    del runs["quick"]
    assert machine_runs(Results(), _machine({}))[("m", 1, 128)] is runs["incomplete"]
    del runs["incomplete"]
    assert machine_runs(Results(), _machine({}))[("m", 1, 128)] is runs["transcribed"]


def test_dims_of_distilbert_and_bert_configs_and_their_flops_by_hand():
    from types import SimpleNamespace

    from benchlog.bench.models import dims_of
    distil = SimpleNamespace(model_type="distilbert", n_layers=6, dim=768, n_heads=12, hidden_dim=3072,
                             vocab_size=119547, num_labels=2)
    assert dims_of(distil, "classification") == MULTILINGUAL
    bert = SimpleNamespace(model_type="bert", num_hidden_layers=12, hidden_size=768, num_attention_heads=12,
                           intermediate_size=3072, vocab_size=30522, num_labels=3)
    dims = dims_of(bert, "classification")
    assert dims == {"layers": 12, "hidden": 768, "heads": 12, "ffn": 3072, "vocab": 30522, "labels": 3,
                    "head_hidden": 768}  # BERT's pooler (768 x 768) feeds its classifier
    # bert-base at batch 2, sequence 64: 12 layers of 2*64*(8*768^2 + 4*64*768 + 4*768*3072), pooler 2*2*768*768,
    # classifier 2*2*768*3.
    layer = 2 * 64 * (8 * 768 * 768 + 4 * 64 * 768 + 4 * 768 * 3072)
    assert flops.inference_flops(dims, 2, 64) == 12 * layer + 2 * 2 * 768 * 768 + 2 * 2 * 768 * 3
    minilm = SimpleNamespace(model_type="bert", num_hidden_layers=6, hidden_size=384, num_attention_heads=12,
                             intermediate_size=1536, vocab_size=30522, num_labels=2)
    embedding = dims_of(minilm, "embedding")
    assert embedding["labels"] is None and embedding["head_hidden"] is None
    assert flops.inference_flops(embedding, 1, 128) == 6 * flops.layer_flops(1, 128, 384, 1536)


# The rules restated as a table (one row per variant, one column per CPU level): a change to a band must be made
# on purpose in both places.
RULES = {  # variant: (AVX2 only, VNNI + AVX512-BF16, AMX)
    "openvino-int8": ((1.5, 3.5), (3, 7), (5, 15)),
    "openvino-int8-ac": ((1.2, 3.5), (2, 7), (3, 15)),
    "ort-cpu-int8": ((1.3, 2.5), (2.5, 5.5), (2.5, 6)),
    "ort-cpu-int8-fused": ((1.3, 2.8), (2.5, 6), (2.5, 7)),
    "ort-cpu-int8-attn": ((1.3, 3), (2.5, 7), (2.5, 8)),
    "ort-cpu-int8-u8": ((1.2, 2.5), (1.5, 5), (1.5, 5)),
    "pytorch-int8": ((1.0, 2.5), (1.2, 4), (1.2, 4)),
    "openvino-bf16": (None, (1.5, 3.5), (2.5, 8)),
    "openvino-int8-bf16": (None, (3, 7), (5, 15)),  # the INT8 band; skipped without bf16
    "pytorch-bf16": ((0.3, 1.0), (1.2, 2.5), (1.2, 3)),
}


@pytest.mark.parametrize("flags, column, int8, bf16", [(I5_8265U, 0, "int8_avx2", "bf16_none"),
                                                       (EPYC_AVX512, 1, "int8_vnni", "bf16_avx512"),
                                                       (XEON_AMX, 2, "int8_amx", "bf16_amx")])
def test_every_expectation_for_three_cpus(flags, column, int8, bf16):
    got = advice.expectations(flags)
    for vid, bands in RULES.items():
        e = got[vid]
        if bands[column] is None:  # OpenVINO does not emulate bf16: expected to be skipped
            assert (e.runs, e.reasons) == (False, ("bf16_none", "ov_no_emulation")), vid
            continue
        assert (e.variant, (e.low, e.high), e.runs) == (vid, bands[column], True), vid
        extra = {"ort-cpu-int8-u8": ("u8_per_tensor",), "openvino-int8-ac": ("accuracy_control",),
                 "ort-cpu-int8-attn": ("fused_attention",), "openvino-int8-bf16": (bf16,),
                 "pytorch-bf16": ("torch_emulates",) if column == 0 else ()}.get(vid, ())
        first = int8 if vid == "openvino-int8-bf16" or "bf16" not in vid else bf16
        assert e.reasons == (first, *extra), vid
    for vid in ("ort-cpu-fp32", "ort-openvino-fp32", "openvino-fp32"):
        assert (got[vid].low, got[vid].high, got[vid].reasons) == (1.0, 2.0, ("graph_fp32",))
    assert (got["openvino-int8-wo"].low, got["openvino-int8-wo"].high) == (1.0, 4.0)
    assert got["openvino-int8-wo"].reasons == ("weights_only",)
    unknown = advice.expectations({})
    assert all(unknown[vid] is None for vid in RULES) and unknown["openvino-fp32"] is not None


@pytest.mark.parametrize("ratio, status, verdict", [
    (1.5, "ok", "as-expected"), (3.5, "ok", "as-expected"),  # both ends of the band are inside it
    (1.49, "ok", "below"), (3.51, "ok", "above"), (None, "ok", "no-reference"), (None, "failed", "failed"),
    (2.0, "skipped", "failed"), (None, None, "not-measured")])
def test_verdict_at_the_band_edges(ratio, status, verdict):
    assert advice.verdict(advice.Expectation("v", 1.5, 3.5, ()), ratio, status) == verdict


def test_verdicts_where_the_variant_should_not_run_or_the_cpu_is_unknown():
    skip = advice.Expectation("openvino-bf16", 0, 0, (), runs=False)
    assert advice.verdict(skip, None, "skipped") == "as-expected"
    assert advice.verdict(skip, None, None) == "not-measured"  # never "as expected" with nothing measured
    assert advice.verdict(skip, 1.2, "ok") == "surprise" and advice.verdict(None, 2.0, "ok") == "unknown"


def test_table_rows_and_the_int8_hint_for_an_unknown_cpu():
    rows = {r["variant"]: r for r in advice.table(I5_8265U, {"ort-cpu-int8": 2.0}, {"ort-cpu-int8": "ok",
                                                                                   "openvino-bf16": "skipped"})}
    assert rows["ort-cpu-int8"] == {"variant": "ort-cpu-int8", "expected": (1.3, 2.5), "measured": 2.0,
                                    "status": "ok", "verdict": "as-expected", "reasons": ("int8_avx2",)}
    assert rows["openvino-bf16"]["expected"] is None and rows["openvino-bf16"]["verdict"] == "as-expected"
    unmeasured = {r["variant"]: r for r in advice.table(I5_8265U, {}, {})}
    assert unmeasured["openvino-bf16"]["verdict"] == "not-measured"
    assert rows["openvino-int8"]["verdict"] == "not-measured" and rows["openvino-int8"]["measured"] is None
    # Flags unknown: a measured ORT INT8 of 2.6 fits both the VNNI (2.5-5.5) and AMX (2.5-6) bands, not AVX2's.
    assert advice.int8_hint({}, {"ort-cpu-int8": 2.6}) == {"ratio": 2.6, "fits": ["amx", "vnni"]}
    assert advice.int8_hint({}, {"ort-cpu-int8": 1.3}) == {"ratio": 1.3, "fits": ["avx2"]}  # an edge is inside
    assert advice.int8_hint({}, {"ort-cpu-int8": 9.0}) is None and advice.int8_hint({}, {}) is None


def test_the_pareto_front_keeps_ties_and_drops_the_dominated():
    points = [("a", 10.0, 0.99), ("b", 10.0, 0.99), ("c", 10.0, 0.98), ("d", 12.0, 0.99)]
    assert advice.pareto_front(points) == ["a", "b"]  # a tie dominates neither; c and d lose on one side
    assert advice.recommend([("a", 10.0, 0.99), ("b", 9.0, 0.989)]) == "a"  # the floor is inclusive
    assert advice.recommend([("a", 10.0, None), ("b", 9.0, 0.5)]) is None


@pytest.mark.parametrize("flags, vendor, table", [
    ({}, "GenuineIntel", {"fp32": (16, "AVX without FMA"), "bf16": (16, "no bf16 instructions: converted to fp32"),
                          "int8": (21, "no VNNI: vpmaddubsw + vpmaddwd (~4/3x fp32)")}),
    ({"avx2": True}, "GenuineIntel", {"fp32": (16, "AVX without FMA")}),  # AVX2 without FMA: no FMA rate
    ({"avx2": True, "fma": True, "avx_vnni": True}, "GenuineIntel",
     {"fp32": (32, "AVX2 + FMA, two FMA units"), "int8": (128, "AVX-VNNI (4x fp32)")}),
    ({"avx512f": True, "avx512_vnni": True, "avx512_bf16": True}, "AuthenticAMD",
     {"fp32": (32, "AVX-512 on 256-bit FMA datapaths (AMD)"), "bf16": (64, "AVX512_BF16 (2x fp32)"),
      "int8": (128, "AVX512-VNNI (4x fp32)")}),
    ({"avx512f": True, "avx512_vnni": True, "amx_int8": True, "amx_bf16": True}, "GenuineIntel",
     {"fp32": (64, "AVX-512, two FMA units"), "bf16": (1024, "AMX-BF16 tiles"), "int8": (2048, "AMX-INT8 tiles")}),
    (None, None, {"fp32": (16, "AVX without FMA")}),
])
def test_ops_per_cycle_for_each_isa(flags, vendor, table):
    got = roof.ops_per_cycle(flags, vendor)
    assert set(got) == {"fp32", "bf16", "int8"}
    for precision, expected in table.items():
        assert got[precision] == expected, precision


def test_the_estimate_spells_out_its_basis_and_uses_at_most_the_logical_cores():
    cpu = {"vendor": "GenuineIntel", "freq_mhz": 2000, "max_freq_mhz": None, "logical_cores": 2,
           "flags": {"avx2": True, "fma": True}}
    est = roof.estimate_peak(cpu, 8)  # 8 threads asked, 2 cores there: 2 cores count
    assert est["fp32"] == {"rate_gops": 32 * 2 * 2.0, "per_cycle": 32, "cores": 2, "ghz": 2.0,
                           "why": "AVX2 + FMA, two FMA units",
                           "basis": "estimate: 32 ops/cycle/core (AVX2 + FMA, two FMA units) x 2 cores x 2.00 GHz; "
                                    "assumes each vCPU has its own vector units"}
    assert roof.estimate_peak({**cpu, "logical_cores": None}, 3)["fp32"]["cores"] == 3
    assert roof.roof_precision("bf16") == "bf16" and roof.roof_precision("int8") == "int8"
    assert roof.roof_precision("fp32") == "fp32" and roof.roof_precision("fp16") == "fp32"


def test_best_gemm_ignores_other_thread_counts_and_files_without_gemm():
    docs = [{"threads": 2}, {"threads": 2, "gemm": [{"precision": "fp32", "rate_gops": 100.0},
                                                      {"precision": "fp32", "rate_gops": 90.0}]},
            {"threads": 2, "gemm": [{"precision": "fp32", "rate_gops": 100.0, "library": "later, equal"}]}]
    best = roof.best_gemm(docs, 2)
    assert best == {"fp32": {"precision": "fp32", "rate_gops": 100.0}}  # an equal rate does not replace the first
    assert roof.best_gemm(docs, 1) == {}


def test_flops_need_every_dimension_and_count_a_head_without_a_hidden_layer():
    assert flops.inference_flops({"layers": 6, "hidden": 768}, 1, 128) is None  # no ffn
    assert flops.inference_flops({"layers": 6, "ffn": 3072}, 1, 128) is None  # no hidden
    assert flops.inference_flops(MULTILINGUAL, None, 128) is None and flops.inference_flops(MULTILINGUAL, 1, 0) is None
    plain_head = {"layers": 1, "hidden": 4, "ffn": 8, "labels": 3}  # a classifier straight on the hidden state
    assert flops.inference_flops(plain_head, 2, 2) == flops.layer_flops(2, 2, 4, 8) + 2 * 2 * 4 * 3
    # 11,174,808,576 operations in one second: 11.174808576 GOP/s, exactly.
    assert flops.achieved_gops(MULTILINGUAL, 1, 128, 1000.0) == pytest.approx(11.174808576, rel=1e-12)
    assert flops.achieved_gops(MULTILINGUAL, 1, 128, -5.0) is None
    assert flops.achieved_gops({}, 1, 128, 5.0) is None


def test_a_whole_efficiency_row_and_what_changes_it():
    from benchlog.format.model import Results
    machine = _machine({"avx2": True, "fma": True})
    ref = dict(_variant("pytorch-fp32", REF_MS, cosine=1.0), reason=None, hardware={"native": True},
               fidelity={"cosine": 1.0, "cosine_min": 0.99, "argmax_agree": 9, "argmax_total": 10, "flips": [1]})
    v = dict(_variant("v", REF_MS / 2, "int8"), compute_precision="bf16")  # the file says what really ran
    failed = dict(_variant("w", status="failed"), latency_ms={"p50": 1.0}, reason="it broke")
    rows = efficiency.run_rows(Results(), machine, _run([ref, v, failed]))
    peak = roof.estimate_peak(machine.cpu, 2)
    assert rows[0] == {
        "variant_id": "pytorch-fp32", "label": "PYTORCH-FP32", "precision": "fp32", "roof_precision": "fp32",
        "status": "ok", "reason": None, "hardware": {"native": True}, "latency_ms": REF_MS, "speedup": 1.0,
        "speedup_ci95": None, "gops": pytest.approx(100.0), "roof": None, "roof_pct": None,
        "shape_roof": None, "shape_roof_pct": None, "peak": peak["fp32"], "peak_pct": pytest.approx(100 / 128 * 100), "cosine": 1.0, "cosine_min": 0.99,
        "argmax_agree": 9, "argmax_total": 10, "flips": [1], "ran": None}  # the file does not say what ran
    assert rows[1]["roof_precision"] == "bf16" and rows[1]["peak"] == peak["bf16"]
    assert rows[2]["gops"] is None and rows[2]["reason"] == "it broke" and rows[2]["label"] == "W"
    no_label = efficiency.run_rows(Results(), machine, _run([{k: x for k, x in ref.items() if k != "label"}]))
    assert no_label[0]["label"] == "pytorch-fp32"
    transcribed = efficiency.run_rows(Results(), machine, _run([ref], kind="transcribed"))
    assert transcribed[0]["peak"] is None and transcribed[0]["peak_pct"] is None  # no estimate for a copied table
    no_threads = _run([ref])
    no_threads.doc["workload"]["threads"] = None
    assert efficiency.run_rows(Results(), machine, no_threads)[0]["peak"] is None
    out = efficiency.advice_rows(machine, _run([ref]))
    assert set(out) == {"rows", "hint", "levels"} and out["hint"] is None


def test_equal_evidence_keeps_the_first_run_and_other_machines_are_not_read():
    first, second = _run([_variant("pytorch-fp32", REF_MS)]), _run([_variant("pytorch-fp32", REF_MS)])

    other = _run([_variant("pytorch-fp32", REF_MS), _variant("ort-cpu-int8", REF_MS / 4, "int8")])
    other.doc["machine_id"] = "elsewhere"

    class Results:
        runs = [first, other, second]

    assert machine_runs(Results(), _machine({}))[("m", 1, 128)] is first


def test_edges_of_the_rules_named_one_by_one():
    assert advice.level({"avx2": True, "avx_vnni": True}) == ("vnni", "none")  # AVX-VNNI without AVX-512
    got = advice.expectations(I5_8265U)
    assert [got[v].variant for v in ("ort-cpu-fp32", "openvino-int8-wo", "openvino-bf16")] == \
        ["ort-cpu-fp32", "openvino-int8-wo", "openvino-bf16"]
    assert (got["openvino-bf16"].low, got["openvino-bf16"].high) == (0, 0)
    # 2.5 is the top of the AVX2 band and the bottom of the VNNI and AMX ones: it fits all three.
    assert advice.int8_hint({}, {"ort-cpu-int8": 2.5}) == {"ratio": 2.5, "fits": ["amx", "vnni", "avx2"]}
    assert flops.achieved_gops(MULTILINGUAL, 1, 128, 0.5) == pytest.approx(11.174808576 / 0.5e-3)  # GOP / s
    cpu = {"vendor": "GenuineIntel", "freq_mhz": 2006, "logical_cores": 1, "flags": {}}
    assert "x 2.01 GHz" in roof.estimate_peak(cpu, 1)["fp32"]["basis"]
    docs = [{"threads": 1, "gemm": [{"precision": "fp32", "rate_gops": 5.0}]},
            {"threads": 2, "gemm": [{"precision": "fp32", "rate_gops": 7.0}]}]
    assert roof.best_gemm(docs, 2)["fp32"]["rate_gops"] == 7.0  # a file at other threads first is skipped


def test_the_interval_and_the_hint_reach_the_efficiency_rows():
    from benchlog.format.model import Results
    v = dict(_variant("ort-cpu-int8", REF_MS / 2.6, "int8"),
             speedup={"value": 2.6, "ci95": [2.5, 2.7], "reference": "pytorch-fp32"})
    run = _run([_variant("pytorch-fp32", REF_MS), v])
    rows = efficiency.run_rows(Results(), _machine({}), run)
    assert rows[1]["speedup"] == 2.6 and rows[1]["speedup_ci95"] == [2.5, 2.7]
    assert efficiency.advice_rows(_machine({}), run)["hint"] == {"ratio": 2.6, "fits": ["amx", "vnni"]}


def test_an_estimate_below_the_measured_roof_is_not_shown():
    from benchlog.analysis import roof
    measured = {"rate_gops": 900.0}
    assert roof.credible_estimate({"rate_gops": 800.0}, measured) is None  # says nothing: the roof beats it
    assert roof.credible_estimate({"rate_gops": 900.0}, measured) == {"rate_gops": 900.0}
    assert roof.credible_estimate({"rate_gops": 1000.0}, None) == {"rate_gops": 1000.0}  # nothing measured yet
    assert roof.credible_estimate(None, measured) is None


def test_the_roof_at_the_workloads_gemm_shapes_by_hand():
    """Per layer the model runs four H x H projections and the H x F, F x H pair, M = batch x sequence rows. The roof
    at those shapes is a library's rate over all of them, each as often as a layer runs it; a library that did not
    time every shape is no candidate; the best time of a shape over the roof files counts."""
    from benchlog.format.model import Results, Run

    a, b, c = (128, 768, 768), (128, 768, 3072), (128, 3072, 768)
    assert roof.gemm_shapes(MULTILINGUAL, 2, 64) == [(a, 4), (b, 1), (c, 1)]
    assert roof.gemm_shapes({"hidden": 8, "ffn": 8}, 1, 4) == [((4, 8, 8), 6)]  # H = F: one shape, six times
    assert roof.gemm_shapes({}, 1, 128) == [] and roof.gemm_shapes(MULTILINGUAL, None, 128) == []
    ops = {a: 150_994_944, b: 603_979_776, c: 603_979_776}  # 2·M·K·N

    def timed(library, shape, ms, threads=2):  # the entry of a shape timed at `ms`
        return {"library": library, "precision": "int8", "shape": list(shape), "rate_gops": ops[shape] / ms / 1e6}

    first = {"machine_id": "box", "threads": 2, "gemm": [
        timed("onnxruntime", a, 0.1), timed("onnxruntime", b, 0.2), timed("onnxruntime", c, 0.2),  # 0.8 ms a layer
        timed("torch", a, 0.05), timed("torch", b, 0.4), timed("torch", c, 0.4),  # 1.0 ms: slower, though a is faster
        timed("openvino", a, 0.01), timed("openvino", b, 0.01),  # c never timed: no candidate
        {"library": "torch", "precision": "int8", "size": 512, "rate_gops": 9999.0}]}  # square: not a shape
    layer_ops = 4 * ops[a] + ops[b] + ops[c]  # 1,811,939,328
    shapes = roof.gemm_shapes(MULTILINGUAL, 1, 128)
    other_threads = {"machine_id": "box", "threads": 1, "gemm": [timed("torch", s, 0.001) for s in (a, b, c)]}
    got = roof.best_at_shapes([other_threads, first], 2, shapes)  # a file at another thread count is passed over
    assert got == {"int8": {"rate_gops": pytest.approx(layer_ops / 0.8e-3 / 1e9, rel=1e-12),
                            "library": "onnxruntime"}}
    assert roof.best_at_shapes([first], 1, shapes) == {}  # another thread count
    tie = {"machine_id": "box", "threads": 2,
           "gemm": [timed(lib, s, 0.1) for lib in ("b-lib", "a-lib") for s in (a, b, c)]}
    assert roof.best_at_shapes([tie], 2, shapes)["int8"]["library"] == "a-lib"  # a tie: the first by name
    assert roof.best_gemm([first], 2)["int8"]["rate_gops"] == 9999.0  # the square roof ignores the shapes
    second = {"machine_id": "box", "threads": 2, "gemm": [timed("onnxruntime", b, 0.1), timed("onnxruntime", a, 0.3)]}
    got = roof.best_at_shapes([first, second], 2, shapes)  # b's best time is the second file's; a's the first's
    assert got["int8"]["rate_gops"] == pytest.approx(layer_ops / 0.7e-3 / 1e9, rel=1e-12)

    results = Results()
    results.roofs = [Run("roof-a", first, None), Run("roof-b", second, None)]
    run = _run([_variant("pytorch-fp32", REF_MS), _variant("ort-cpu-int8", REF_MS / 4, "int8")])
    rows = {r["variant_id"]: r for r in efficiency.run_rows(results, _machine({"avx2": True, "fma": True}), run)}
    int8 = rows["ort-cpu-int8"]
    assert int8["gops"] == pytest.approx(400.0) and int8["shape_roof"]["library"] == "onnxruntime"
    assert int8["shape_roof_pct"] == pytest.approx(400.0 / (layer_ops / 0.7e-3 / 1e9) * 100)
    assert rows["pytorch-fp32"]["shape_roof"] is None and rows["pytorch-fp32"]["shape_roof_pct"] is None  # no fp32


def test_the_committed_amx_xeon_page_shows_the_roof_at_the_workloads_shapes():
    """The AMX Xeon's roof file times the GEMMs of its runs' workloads: its efficiency tables give each variant's %
    of the roof at those shapes as computed from the files, and the roof table lists the rate per workload."""
    import re

    from benchlog.format.load import load_results
    from benchlog.site.pages import Renderer

    from conftest import ROOT

    results = load_results(ROOT / "results")
    machine = results.machines["intel-xeon-2vcpu"]
    html = Renderer(results).machine_page(machine)
    run = max((r for r in results.runs_of(machine.id) if len(r.variants) >= 15
               and r.doc["model"]["name"] == "distilbert-base-multilingual-cased"), key=lambda r: r.id)
    rows = {r["variant_id"]: r for r in efficiency.run_rows(results, machine, run)}
    best = rows["openvino-int8-bf16"]
    assert best["shape_roof"]["library"] == "onnxruntime" and 40 < best["shape_roof_pct"] < 100
    assert best["shape_roof_pct"] > best["roof_pct"]  # the thin GEMMs' roof is lower than the square one
    section = re.search(rf'id="run-{re.escape(run.id)}"(?:(?!id="run-).)*', html, re.S).group(0)
    (row,) = [r for r in re.findall(r'data-variant="openvino-int8-bf16">(.*?)</tr>', section, re.S)
              if 'class="benchlog-ran"' in r]  # the efficiency table's row
    assert (f"형상 상한 대비 {best['shape_roof_pct']:.0f}% "
            f"({best['shape_roof']['rate_gops']:,.0f}, onnxruntime)") in row
    assert f"1×128, H 768/F 3072: {best['shape_roof']['rate_gops']:,.0f} (onnxruntime)" in html  # the roof table
