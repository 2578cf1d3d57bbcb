"""Every word the generated pages, charts and exports say, in one place (Korean; technical terms as Korean posts
write them: PyTorch FP32, ONNX Runtime, INT8, p50, MiB). Templates see this dict as `ui`."""

UI = {
    # How much to trust a run
    "transcribed_from": "전사 ({source}에서 옮긴 값)",
    "complete": "완료",
    "incomplete": "중단됨",
    "full": "전체 측정",
    "quick": "quick",
    "quiet": "조용함",
    "noisy": "noisy",
    "noise_unknown": "노이즈 기록 없음",
    "advice_noisy": "다른 작업을 닫고 다시 실행하거나 --budget을 늘리세요",
    "advice_quick": "--quick 없이 실행한 전체 측정이 더 나은 근거입니다",
    "advice_incomplete": "끝까지 다시 실행하세요",
    # Run labels
    "threads": "{n} 스레드",
    "seq": "시퀀스 {n}",
    "variants_all": "변형 {n}개",
    "variants_some": "변형 {total}개 중 {n}개 측정",
    "weights": {"random": "무작위 가중치", "pretrained": "학습된 가중치"},
    "workload": "{model} · batch {batch} · 시퀀스 {seq}",
    "processes": "프로세스 {n}개: {low}–{high}",
    # Statistics
    "stat": {"p50": "중앙값", "mean": "평균", "reported": "통계 미기재"},
    # Charts
    "latency_title": "추론 1회 지연 시간, {what} (낮을수록 좋음)",
    "median_band": "중앙값과 p10–p90",
    "latency_title_mixed": "추론 1회 지연 시간 (통계는 범례에, 낮을수록 좋음)",
    "speedup_title": "같은 실행의 PyTorch FP32 대비 속도 향상 (높을수록 좋음)",
    "size_title": "디스크 용량, 변형에 필요한 모든 파일",
    "fidelity_title": "속도와 충실도 (오른쪽 아래가 좋음)",
    "fidelity_not_drawn": "코사인이나 속도 향상이 없어 그리지 않음: {names}",
    "history_title": "기록: 실행별 중앙값, p10–p90 음영 (빈 표식: quick 또는 noisy 실행)",
    "history_hidden": "<sub>범례의 흐린 변형을 누르면 그 변형도 그립니다</sub>",
    "pareto_title": "속도와 충실도: 파레토 전선과 추천 변형 (오른쪽 아래가 좋음)",
    "pareto_front": "파레토 전선",
    "variants": "변형",
    "recommended": "추천",
    "floor_label": "충실도 하한: 코사인 {floor} (이 선보다 아래)",
    "axis_cosine": "PyTorch FP32와의 코사인 거리, 1 − 코사인 (로그, 낮을수록 좋음)",
    "hover_cosine": "코사인 평균 {mean} · 최저 {worst}",
    "sweep_seq_title": "시퀀스 길이에 따른 지연 시간 (중앙값)",
    "sweep_batch_title": "batch 크기에 따른 처리량",
    "sweep_threads_title": "스레드 수에 따른 속도 향상 (가장 적은 스레드 대비)",
    "sweep_axis": {"seq_len": "시퀀스 길이", "batch_size": "batch", "threads": "스레드"},
    "axis_throughput": "추론/초",
    "axis_thread_speedup": "× (가장 적은 스레드)",
    "axis_ms": "ms",
    "axis_speedup": "× PyTorch FP32",
    "axis_mib": "MiB",
    "hover_latency": "지연 시간 {value} ({stat})",
    "hover_band": "p10–p90 {low}–{high} ms",
    "hover_rounds": "{spread} ms (프로세스별 중앙값)",
    "hover_speedup": "이 실행의 PyTorch FP32 대비 ×{value}",
    "hover_size": "용량 {value}",
    "measured": "측정값",
    "quick_run": "quick 실행",
    "incomplete_run": "중단된 실행",
    "gap_size": "{reported}: 실제 용량 아님",
    "gap": {"size_mib": "실제 용량 없음", "latency_ms": "측정값 없음", "speedup": "이 실행에 PyTorch FP32 없음"},
    # Noise reasons
    "reason_half_width": "95% 구간이 ±{value:.1%}로 넓음 (한도 ±{limit:.0%})",
    "no_interval": "구간 없음",
    "interval_title": "95% 구간: 라운드(프로세스)를 다시 뽑는 부트스트랩 (report/intervals.py)",
    "hover_interval": "95% 구간 {low}–{high}",
    "reason_other_cpu_share": "다른 프로세스가 CPU의 {value:.0%} 사용 (한도 {limit:.0%})",
    "reason_steal_share": "하이퍼바이저가 CPU의 {value:.0%}를 가져감 (한도 {limit:.0%})",
    # Export
    "caption_transcribed": "빗금 막대는 전사(transcribed) 수치: {sources}",
    "caption_quick": "quick 실행: 변형마다 3개 프로세스 × 10회 측정",
    "caption_noisy": "noisy: 측정 중 머신이 조용하지 않았음",
    "no_chart": "이 선택에는 그릴 수치가 없습니다.",
    "no_runs": "아직 측정한 실행이 없습니다.",
    "answers_more": "머신 {n}대 더 (위는 TIL의 머신과 가장 최근에 측정한 머신):",
    "overview": "결과 개요",
    "no_posts": "아직 글이 없습니다.",
    "adv_link": "이 머신의 조언 표 (사이트)",
    "roof_link": "이 머신의 GEMM 상한 표 (사이트)",
    "all_posts": "글 {n}개 더: 블로그",
    "answers_note": "워크로드를 따로 적지 않은 것은 TIL의 워크로드({workload})입니다.",
    "not_a_size": "보고된 값, 실제 용량 아님",
    # Tables
    "col": {"series": "머신 · 실행", "variant": "변형", "precision": "정밀도", "status": "상태",
            "latency": "지연 시간 (ms)", "p90": "p90 (ms)", "speedup": "속도 향상 ×", "size": "용량 (MiB)",
            "error": "절대 오차", "argmax": "Argmax", "cosine": "코사인", "rss": "최대 RSS (MiB)",
            "providers": "실제 실행된 provider", "p50_ci": "p50 ms (95% 구간)", "fidelity": "충실도"},
    "cosine_short": "코사인",
    "reference": "기준",
    "error_short": "오차",
    "status": {"failed": "실패", "skipped": "건너뜀", "ok": "성공"},
    "details_on": "메모, provider, 분포와 효율은 머신 페이지에:",
    "error_max": "최댓값",
    "error_reported": "보고된 값",
    "notes_count": "{label}: 메모 {n}개",
    "spread_title": "프로세스별 중앙값",
    "quick_badge_title": "quick 실행: 15회 측정",
    "missing_title": "측정하지 않았거나 출처에 없음",
    "yes": "지원", "no": "미지원", "unknown": "알 수 없음",
    # Efficiency against the roof (machine pages)
    "eff": {"variant": "변형", "hardware": "하드웨어", "latency": "지연 (ms)", "speedup": "× PyTorch FP32",
            "gops": "달성 GOP/s", "roof_pct": "측정 상한 대비", "peak_pct": "추정 피크 대비",
            "cosine": "코사인 (평균)", "argmax": "Argmax", "native": "네이티브", "emulated": "에뮬레이션",
            "fp32_everywhere": "FP32: 모든 CPU", "has": "{flag} 있음", "without_vnni": "VNNI 없이",
            "no_bf16": "bf16 명령이 없어 FP32로 변환해 계산", "no_vnni": "VNNI가 없어 AVX2/AVX-512 INT8 명령으로 계산 "
                                                                     "(느리고 U8은 포화 가능)",
            "dynamic_int8": "INT8 가중치, 활성값은 실행 중 INT8로 양자화", "worst": "최저", "flips": "뒤바뀐 입력의 마진 (기준→변형)",
            "of_roof": "{precision} 상한 {rate} ({library})", "of_peak": "추정 {rate}",
            "of_shape_roof": "형상 상한 대비 {pct}% ({rate}, {library})",
            "workload_roof": "형상 상한 (배치×시퀀스, H/F)",
            "workload_roof_row": "{batch}×{seq}, H {hidden}/F {ffn}: {rate} ({library})",
            "recommended_title": "코사인 {floor} 이상 중 가장 빠른 변형", "front": "파레토",
            "pair_lead": "같은 NNCF INT8 모델에서 양자화되지 않은 층을", "pair_f32": "f32로 두면",
            "pair_bf16": "bf16으로 두면", "cosine_word": "코사인",
            "pair_picked": "추천은 {label}: 코사인 {floor} 이상인 변형 중 가장 빠릅니다.",
            "pair_neither": "둘 다 추천이 아닙니다: 코사인 {floor} 이상 중 더 빠른 변형이 있거나, 둘 다 기준 미달입니다.",
            "ran": "실제로 실행된 것", "gemm": "GEMM", "rest": "나머지 {precision}", "not_recorded": "기록 없음",
            "ran_title": "라이브러리가 한 번의 추론에서 실행한 연산과 커널 (라이브러리 자신의 이름). GEMM 비율은 모델 "
                         "행렬곱 연산량 중 그 정밀도로 실행된 몫",
            "front_title": "속도와 충실도 둘 다에서 이 변형을 이기는 변형이 없음",
            "threads": "스레드", "precision": "정밀도", "measured_roof": "측정한 GEMM 상한 (roof, G연산/s)",
            "estimated_peak": "ISA로 추정한 피크 (G연산/s, 추정치)",
            "estimate_basis": "추정치: 코어당 사이클당 {per_cycle}연산 ({why}) × 코어 {cores}개 × {ghz} GHz; "
                              "vCPU마다 자기 벡터 유닛이 있다고 가정",
            "above_estimate": "추정치를 보이지 않음: 측정한 상한이 ISA로 추정한 피크보다 높습니다. 부하 중 클럭이 기록된 "
                              "클럭보다 높거나(터보) 연산 유닛을 적게 셌다는 뜻이라, 이 추정은 아무것도 말해 주지 않습니다.",
            "footnote": "연산량: {flops}. 해석식으로 센 행렬곱 연산(곱셈-덧셈 = 2)이며, 패딩을 포함한 시퀀스 전체를 "
                        "셉니다. 상한(roof)은 benchlog roof가 이 머신과 스레드 수에서 잰 가장 빠른 정사각 GEMM(모든 "
                        "라이브러리 중 최고)입니다. weight-only INT8은 런타임이 활성값을 즉석에서 양자화했다고 기록되면 INT8 "
                        "상한과, 아니면 FP32 상한과 비교합니다. "
                        "100%를 넘으면 그 모델의 커널이 정사각 GEMM보다 빠르다는 뜻입니다. "
                        "배치 1에서 모델의 행렬곱은 M(배치 × 시퀀스)이 작은 납작한 GEMM이라 어느 라이브러리도 정사각 "
                        "속도를 내지 못합니다. 그래서 benchlog roof는 이 워크로드의 GEMM 형상(층마다 H×H 4개, H×F, "
                        "F×H)도 하나씩 재고, 그 형상에서 가장 빠른 라이브러리의 속도를 \"형상 상한\"으로 함께 "
                        "보입니다: 모델의 행렬곱이 이 머신에서 낼 수 있는 속도이고, 그 차이가 실제로 남은 여지입니다."},
    "no_roof": "이 머신·스레드 수의 GEMM 상한이 아직 없습니다: 이 머신에서 benchlog roof를 실행하고 "
               "results/에 커밋하세요.",
    "flops_per_inference": "{gops:,.2f} G연산/추론 (batch {batch}, 시퀀스 {seq})",
    "no_dims": "이 실행은 모델 구조(dims)를 기록하지 않아 연산량을 셀 수 없습니다 (format 4 이전 파일).",
    "adv": {"variant": "변형", "expected": "예상 (× PyTorch FP32)", "measured": "측정", "verdict": "판정",
            "reason": "이유", "skip_expected": "건너뜀 예상", "hint": "플래그를 모를 때의 단서",
            "no_flags": "이 머신의 ISA 플래그를 모릅니다",
            "verdicts": {"as-expected": "예상대로", "above": "예상보다 빠름", "below": "예상보다 느림",
                         "not-measured": "측정 안 됨", "failed": "실패", "unknown": "판단 불가", "no-reference": "기준 없음",
                         "surprise": "의외"},
            "checks": {"int8_not_used": "INT8 하드웨어가 있는데 GEMM 연산량의 {share:.0%}만 INT8로 실행됨",
                       "amx_not_used": "AMX-INT8이 있는데 INT8 커널 이름에 AMX가 없음 (VNNI/AVX-512로 실행)",
                       "amx_used": "INT8 GEMM {share:.0%}를 AMX 커널로 실행함",
                       "int8_used": "INT8 GEMM {share:.0%}를 INT8 커널로 실행함"},
            "expected_range": "예상 {low:g}–{high:g}×",
            "hint_fits": "ORT INT8이 {ratio:.2f}×: {levels} CPU의 예상 범위에 맞습니다",
            "levels": {"amx": "AMX", "vnni": "VNNI가 있는", "avx2": "VNNI가 없는 (AVX2)"},
            "reasons": {
                "graph_fp32": "PyTorch와 같은 FP32 FMA 연산: 이득은 연산자 융합과 프레임워크 오버헤드 감소뿐",
                "weights_only": "INT8 가중치는 읽는 바이트가 4배 적고, INT8이 빠른 CPU에서는 OpenVINO가 활성값도 "
                                "실행 중에 양자화",
                "int8_amx": "AMX-INT8 타일이 INT8 행렬곱을 하드웨어로 수행: 정적 INT8이 FP32를 크게 앞섬",
                "int8_vnni": "VNNI(vpdpbusd)가 명령 하나로 레인마다 INT8 곱셈-덧셈 4개: INT8 GEMM이 FP32의 약 4배",
                "int8_avx2": "VNNI가 없어 INT8 GEMM이 AVX2(vpmaddubsw + vpmaddwd)로 실행: FP32의 약 1.3배이고, "
                             "U8 활성값은 16비트 중간값에서 포화될 수 있음",
                "u8_per_tensor": "텐서당 스케일 하나인 U8 가중치는 충실도도 잃음 (TIL의 argmax 7/10)",
                "accuracy_control": "accuracy control이 충실도를 가장 많이 잃는 층을 FP32로 되돌림",
                "fused_attention": "어텐션이 QAttention 하나로 융합: Q·K·V 투영을 INT8 행렬곱 하나로 계산하고 "
                                   "양자화 단계가 줄어듦 (어텐션 곱 자체는 float)",
                "bf16_amx": "AMX-BF16 타일: bf16 GEMM이 FP32를 크게 앞섬 (가수 8비트)",
                "bf16_avx512": "AVX512-BF16(vdpbf16ps)이 FP32 속도의 2배, 옮기는 바이트는 절반",
                "bf16_none": "bf16 명령(avx512_bf16, amx_bf16)이 없음",
                "ov_no_emulation": "OpenVINO는 bf16을 에뮬레이션하지 않아 f32로 컴파일하고, 이 변형은 건너뜀",
                "torch_emulates": "PyTorch는 bf16을 에뮬레이션(FP32로 변환해 계산)하므로 FP32보다 느림",
            }},
    # Navigation: sections MkDocs names after their folders
    "nav": {"Results": "결과", "Machines": "머신", "Blog": "블로그"},
}


# The memos benchlog's own harness writes into result files (bench/), in Korean on the pages: (pattern, Korean).
# A memo no pattern knows (another tool's, a person's) is shown as written. Run files keep what the harness wrote.
MEMOS = [
    (r"no pretrained weights for '(?P<model>[^']+)' on disk(?: or from the hub| \(no hub is reachable\))?: measuring "
     r"the exact architecture with RANDOM weights; latency and size are the real model's, fidelity compares against "
     r"the same random weights",
     "'{model}'의 학습된 가중치가 디스크에도 hub에도 없어, 같은 구조를 무작위 가중치로 측정했습니다. 지연 시간과 용량은 "
     "실제 모델과 같고, 충실도는 같은 무작위 가중치끼리 비교합니다."),
    (r"tokenizer: (?P<name>.+?) \(its own\)", "토크나이저: {name} (모델 자신의 것)"),
    (r"tokenizer: (?P<name>.+?) \(the model's own tokenizer is not on disk\)",
     "토크나이저: {name} (모델 자신의 토크나이저가 디스크에 없어 대신 씀)"),
    (r"parameters held as (?P<dtypes>[\w, ]+); torch threads (?P<n>\d+)", "파라미터 자료형 {dtypes}, torch 스레드 {n}개"),
    (r"registered providers: (?P<names>.+)", "등록된 provider: {names}"),
    (r"nodes executed per provider in a profiled inference: (?P<counts>.+)",
     "프로파일한 추론 한 번에서 provider별로 실행된 노드 수: {counts}"),
    (r"first inference timed with profiling on", "첫 추론은 프로파일링을 켠 채로 잼 (측정에서 빠짐)"),
    (r"the profile recorded no executed node: which provider ran is unknown",
     "프로파일에 실행된 노드가 없어 어느 provider가 실행했는지 모름"),
    (r"(?P<wanted>\S+) executed no node: this variant really ran on (?P<ran>.+)",
     "{wanted}는 노드를 하나도 실행하지 않았습니다: 이 변형은 실제로 {ran}에서 실행됨"),
    (r"static input shape \[(?P<batch>\d+), (?P<seq>\d+)\]", "정적 입력 모양 [{batch}, {seq}]"),
    (r"compiled (?P<settings>INFERENCE_PRECISION_HINT=[^,]+, INFERENCE_NUM_THREADS=\d+), real-valued weights stored "
     r"as (?P<real>[\w, ]+?)(?:; integer weight tensors as (?P<ints>[\w, ]+?))?(?:; (?P<fq>\d+) FakeQuantize ops"
     r" \(INT8 activations\))?",
     "컴파일 설정 {settings}; 실수 가중치 저장 형식 {real}{ints_text}{fq_text}"),
    (r"torch\.autocast\('cpu', dtype=torch\.bfloat16\); oneDNN bf16 support: (?P<yes>\w+)",
     "torch.autocast('cpu', dtype=torch.bfloat16); oneDNN의 bf16 지원: {yes}"),
    (r"torchao (?P<version>\S+): (?P<n>\d+) Linear layers quantized; their weights are now (?P<kind>\w+)",
     "torchao {version}: Linear 층 {n}개를 양자화, 가중치는 이제 {kind}"),
    (r"ORT transformer optimizer fused: (?P<fused>.+?) \(attention was not fused: the exported pattern is not one it "
     r"recognises\); then quantize_dynamic (?P<how>.+)",
     "ORT transformer optimizer가 융합한 연산: {fused} (어텐션은 융합되지 않음: 내보낸 패턴을 optimizer가 알아보지 "
     "못함); 그다음 quantize_dynamic {how}"),
    (r"NNCF (?P<version>\S+) compress_weights (?P<mode>\S+) \(weights only\)",
     "NNCF {version} compress_weights {mode} (가중치만)"),
    (r"NNCF (?P<version>\S+) post-training quantization, (?P<n>\d+) calibration sentences \((?P<file>[^,]+), "
     r"(?P<tokens>\d+) tokens\)",
     "NNCF {version} 학습 후 양자화, 보정 문장 {n}개 ({file}, 토큰 {tokens}개)"),
    (r"NNCF (?P<version>\S+) accuracy control: mean cosine (?P<cos>[\d.]+) vs f32 on the (?P<n>\d+) calibration "
     r"sentences \(floor (?P<floor>[\d.]+)\), (?P<kept>\d+) FakeQuantize ops kept",
     "NNCF {version} accuracy control: 보정 문장 {n}개에서 f32 대비 평균 코사인 {cos} (하한 {floor}), "
     "FakeQuantize 연산 {kept}개 유지"),
    (r"DYNAMIC_QUANTIZATION_GROUP_SIZE=(?P<group>\d+): OpenVINO quantizes activations on the fly, so the matrix "
     r"products run in INT8 \(measured against the INT8 roof\)",
     "DYNAMIC_QUANTIZATION_GROUP_SIZE={group}: OpenVINO가 활성값을 실행 중에 양자화하므로 행렬곱은 INT8로 실행됨 "
     "(INT8 상한과 비교)"),
    (r"DYNAMIC_QUANTIZATION_GROUP_SIZE=(?P<group>\d+): OpenVINO may quantize activations on the fly and run the "
     r"matrix products in INT8 \(the kernels recorded say whether it did\)",
     "DYNAMIC_QUANTIZATION_GROUP_SIZE={group}: OpenVINO가 활성값을 실행 중에 양자화해 행렬곱을 INT8로 할 수 있음 "
     "(실제로 했는지는 기록된 커널이 말해 줌)"),
    (r"the kernels show the matrix products ran (?P<ran>\w+) \((?P<share>\d+%) of GEMM FLOPs\), not (?P<claimed>\w+) "
     r"as the settings suggested",
     "커널을 보면 행렬곱은 {ran}로 실행됨 (GEMM 연산량의 {share}): 설정이 시사한 {claimed}가 아님"),
    (r"what ran could not be read: (?P<error>.+)", "실행된 커널을 읽지 못함: {error}"),
    (r"no dynamic quantization: weights are decompressed and the arithmetic is f32",
     "동적 양자화 없음: 가중치를 풀어 f32로 계산"),
    (r"round (?P<round>\d+) (?P<status>\w+): (?P<reason>.+)", "라운드 {round} {status}: {reason}"),
    (r"square GEMMs of sizes (?P<sizes>[\d, ]+), median of >= (?P<calls>\d+) calls and >= (?P<secs>[\d.]+) s each; "
     r"one process per library",
     "정사각 GEMM (크기 {sizes}), 크기마다 {calls}회 이상·{secs}초 이상 호출의 중앙값; 라이브러리마다 프로세스 하나"),
    (r"read off this machine by benchlog", "benchlog가 이 머신에서 읽음"),
]


def memo(text):
    """A memo in Korean where benchlog wrote it (MEMOS), else as written."""
    import re

    for pattern, korean in MEMOS:
        m = re.fullmatch(pattern, text)
        if m:
            parts = {k: v for k, v in m.groupdict().items() if v is not None}
            parts["ints_text"] = f"; 정수 가중치 텐서 {parts['ints']}" if parts.get("ints") else ""
            parts["fq_text"] = f"; FakeQuantize 연산 {parts['fq']}개 (활성값 INT8)" if parts.get("fq") else ""
            return korean.format_map(_Missing(parts))
    return text


class _Missing(dict):
    def __missing__(self, key):
        return ""


def ui(key, **values):
    """The text for `key`, filled with `values`."""
    return UI[key].format(**values) if values else UI[key]
