"""`tidings bench sentiment` plumbing: the real shipped model timed in a child process.

Only the shape of the result is checked here; the speed itself is measured by the benchmark
(`tidings bench sentiment`, docs/BENCHMARKS.md), never asserted by a test."""

from pathlib import Path

import pytest

from nlp.evaluation.bench import _rates, article_sentences, bench_embedded, cpu_flags
from tests.conftest import shared_dir


def test_rates_report_the_median_pass() -> None:
    out = _rates(100, [2.0, 0.5, 1.0])
    assert out == {"rate": 100.0, "runs": [50.0, 100.0, 200.0]}


def test_embedded_bench_times_every_pass_of_the_real_model() -> None:
    texts = [f"Bitcoin rose {i}% after ETF inflows of ${i * 10} million." for i in range(40)]
    longer = [f"{t} Analysts said the move followed weeks of outflows." for t in texts[:10]]
    result = bench_embedded(texts, threads=1, batch_size=8, repeats=2, articles=longer)
    assert len(result["runs"]) == 2 and result["runs"] == sorted(result["runs"])
    assert len(result["articles"]["runs"]) == 2 and result["articles"]["rate"] > 0
    assert result["runs"][0] <= result["rate"] <= result["runs"][1]
    # peak RSS only grows; a small run may stay under the import-time peak, so model RSS >= 0
    assert 0 <= result["model_rss_mb"] < result["peak_rss_mb"]
    assert result["peak_rss_mb"] > 50  # interpreter + tidings imports + ONNX Runtime session


def test_cpu_flags_reads_the_int8_relevant_flags(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags : fpu sse avx avx2 fma avx512f avx512_vnni\n")
    assert cpu_flags(info) == ["avx2", "avx512f", "avx512_vnni"]
    info.write_text("flags : fpu sse avx avx2 fma\n")
    assert cpu_flags(info) == ["avx2"]
    assert cpu_flags(tmp_path / "missing") == []


@pytest.mark.shared
def test_article_sentences_are_the_pipeline_sentences_of_the_2023_texts() -> None:
    sentences = article_sentences(shared_dir())
    assert len(sentences) > 1000  # 72 distinct texts, about 20 sentences each
    assert all(s == s.strip() and s for s in sentences)
    assert article_sentences(Path("/nonexistent")) == []
