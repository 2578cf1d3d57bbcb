"""FLOP counts, the roof estimate, the advice rules and the Pareto front: pure functions with known answers."""

import pytest

from bench.backends import VARIANTS, hardware
from report import advice, flops, roof
from report.strings import UI

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
    assert roof.estimate_peak(amx, 2)["int8"]["rate_gops"] == pytest.approx(4096 * 2 * 2.0)
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
    assert rows["openvino-bf16"]["verdict"] == "as-expected"  # skipped is what it should do there


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
    for vid, variant in VARIANTS.items():
        if vid != "pytorch-fp32":
            assert vid in rules, vid
    for flags in (COLAB, I5_8265U, EPYC_AVX2, XEON_AMX, EPYC_AVX512):  # every reason has its Korean words
        for expected in advice.expectations(flags).values():
            for key in expected.reasons if expected else ():
                assert UI["adv"]["reasons"][key]
        hw = hardware(variant, I5_8265U)
        if variant.precision in ("bf16", "int8"):
            assert hw["native"] is False and "no " in hw["detail"]
            assert hardware(variant, XEON_AMX)["native"] is True
        else:
            assert hw is None or variant.precision == "int8-weights"


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
