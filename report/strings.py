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
    "advice_noisy": "다른 작업을 닫고 다시 실행하거나 --rounds를 늘리세요",
    "advice_quick": "--quick 없이 실행한 전체 측정이 더 나은 근거입니다",
    "advice_incomplete": "끝까지 다시 실행하세요",
    # Run labels
    "threads": "{n} 스레드",
    "weights": {"random": "무작위 가중치", "pretrained": "학습된 가중치"},
    "workload": "{model} · batch {batch} · 시퀀스 {seq}",
    "processes": "프로세스 {n}개: {low}–{high}",
    # Statistics
    "stat": {"p50": "중앙값", "mean": "평균", "reported": "통계 미기재"},
    # Charts
    "latency_title": "추론 1회 지연 시간, {what} (낮을수록 좋음)",
    "median_band": "중앙값과 p10–p90",
    "speedup_title": "같은 머신의 PyTorch FP32 대비 속도 향상 (높을수록 좋음)",
    "size_title": "디스크 용량, 변형에 필요한 모든 파일",
    "fidelity_title": "속도와 정확도 (왼쪽 아래가 좋음)",
    "history_title": "기록: 실행별 중앙값, p10–p90 음영 (빈 표식: quick 또는 noisy 실행)",
    "axis_ms": "ms",
    "axis_speedup": "× PyTorch FP32",
    "axis_mib": "MiB",
    "axis_error": "PyTorch FP32 대비 절대 오차",
    "axis_latency": "지연 시간, ms",
    "hover_latency": "지연 시간 {value} ({stat})",
    "hover_band": "p10–p90 {low}–{high} ms",
    "hover_rounds": "{spread} ms (프로세스별 중앙값)",
    "hover_speedup": "이 실행의 PyTorch FP32 대비 ×{value}",
    "hover_size": "용량 {value}",
    "hover_error": "절대 오차 {error} · argmax {argmax}",
    "measured": "측정값",
    "quick_run": "quick 실행",
    "incomplete_run": "중단된 실행",
    "gap_size": "{reported}: 실제 용량 아님",
    "gap": {"size_mib": "실제 용량 없음", "latency_ms": "측정값 없음", "speedup": "이 실행에 PyTorch FP32 없음"},
    # Noise reasons
    "reason_round_sem": "라운드 중앙값의 표준오차가 {value:.1%} (한도 {limit:.0%})",
    "reason_other_cpu_share": "다른 프로세스가 CPU의 {value:.0%} 사용 (한도 {limit:.0%})",
    "reason_steal_share": "하이퍼바이저가 CPU의 {value:.0%}를 가져감 (한도 {limit:.0%})",
    # Export
    "caption_transcribed": "빗금 막대는 전사(transcribed) 수치: {sources}",
    "caption_quick": "quick 실행: 변형마다 15회 측정",
    "caption_noisy": "noisy: 측정 중 머신이 조용하지 않았음",
    "no_chart": "이 선택에는 그릴 수치가 없습니다.",
    "not_a_size": "보고된 값, 실제 용량 아님",
    # Tables
    "col": {"series": "머신 · 실행", "variant": "변형", "precision": "정밀도", "status": "상태",
            "latency": "지연 시간 (ms)", "p90": "p90 (ms)", "speedup": "속도 향상 ×", "size": "용량 (MiB)",
            "error": "절대 오차", "argmax": "Argmax", "cosine": "코사인", "rss": "최대 RSS (MiB)",
            "providers": "실제 실행된 provider"},
    "error_max": "최댓값",
    "error_reported": "보고된 값",
    "notes_count": "{label}: 메모 {n}개",
    "spread_title": "프로세스별 중앙값",
    "quick_badge_title": "quick 실행: 15회 측정",
    "missing_title": "측정하지 않았거나 출처에 없음",
    "yes": "지원", "no": "미지원", "unknown": "알 수 없음",
    # Navigation: sections MkDocs names after their folders
    "nav": {"Results": "결과", "Machines": "머신", "Blog": "블로그"},
}


def ui(key, **values):
    """The text for `key`, filled with `values`."""
    return UI[key].format(**values) if values else UI[key]
