"""`tidings bench sentiment` plumbing: the real shipped model timed in a child process.

Only the shape of the result is checked here; the speed itself is measured by the benchmark
(`tidings bench sentiment`, docs/BENCHMARKS.md), never asserted by a test."""

from nlp.evaluation.bench import _rates, bench_embedded


def test_rates_report_the_median_pass() -> None:
    out = _rates(100, [2.0, 0.5, 1.0])
    assert out == {"rate": 100.0, "runs": [50.0, 100.0, 200.0]}


def test_embedded_bench_times_every_pass_of_the_real_model() -> None:
    texts = [f"Bitcoin rose {i}% after ETF inflows of ${i * 10} million." for i in range(40)]
    result = bench_embedded(texts, threads=1, batch_size=8, repeats=2)
    assert len(result["runs"]) == 2 and result["runs"] == sorted(result["runs"])
    assert result["runs"][0] <= result["rate"] <= result["runs"][1]
    # peak RSS only grows; a small run may stay under the import-time peak, so model RSS >= 0
    assert 0 <= result["model_rss_mb"] < result["peak_rss_mb"]
    assert result["peak_rss_mb"] > 50  # interpreter + tidings imports + ONNX Runtime session
