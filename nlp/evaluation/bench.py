"""Throughput of the embedded model vs. a BERT-base classifier through the plain HF pipeline.

Beside the FPB/tweet mix (short sentences), the embedded model is timed on the sentences of real
articles (../shared/data/crypto-news-articles/, 2023 full texts), which are longer and are what
`analyze` feeds it; the CPU's int8-relevant flags are reported, since ONNX Runtime's int8
kernels run much faster with AVX-512 VNNI than with AVX2 alone.
"""

import json
import multiprocessing as mp
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from nlp.training.data import load_fpb, load_twitter, normalize_text

ARTICLES = Path("data") / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
INT8_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni")
BASELINE_SENTENCES = 256  # BERT-base is slow on 2 cores; a subset gives a stable rate
REPEATS = 3  # timed passes per model; the median is reported (shared VMs swing ±20 % per run)


def bench_sentences(shared: Path, n: int = 2000) -> list[str]:
    """A fixed mix of real sentences: FPB-50 news sentences and twitter financial news."""
    fpb = [normalize_text(e.text) for e in load_fpb(shared, "50")]
    tweets = [e.text for e in load_twitter(shared, "valid")]
    mixed = [s for pair in zip(fpb, tweets, strict=False) for s in pair]
    return mixed[:n]


def article_sentences(shared: Path) -> list[str]:
    """Sentences of the distinct 2023 article texts, as the pipeline splits them ([] if absent)."""
    from nlp.sentences import split_sentences

    path = shared / ARTICLES
    if not path.is_file():
        return []
    records = json.loads(path.read_text(encoding="utf-8"))
    texts = dict.fromkeys("\n".join(p.strip() for p in r["paragraphs"]) for r in records)
    return [text[s.start : s.end] for text in texts for s in split_sentences(text)]


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """Which of INT8_FLAGS this CPU has (empty when /proc/cpuinfo cannot be read)."""
    try:
        flags = set(cpuinfo.read_text(encoding="utf-8").split())
    except OSError:
        return []
    return [flag for flag in INT8_FLAGS if flag in flags]


def _peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rates(n: int, seconds: list[float]) -> dict[str, Any]:
    """Median and every per-pass rate of `n` sentences timed `len(seconds)` times."""
    rates = sorted(n / s for s in seconds)
    return {"rate": statistics.median(rates), "runs": [round(r, 1) for r in rates]}


def _time_passes(backend: Any, texts: list[str], repeats: int) -> list[float]:
    """Seconds of each of `repeats` passes of `backend.predict` over `texts`."""
    seconds = []
    for _ in range(repeats):  # the raw backend has no result cache: every pass runs the model
        start = time.perf_counter()
        backend.predict(texts)
        seconds.append(time.perf_counter() - start)
    return seconds


def _embedded_worker(
    sets: tuple[list[str], list[str]], queue: Any, options: tuple[int, int, int]
) -> None:
    """Child process: load the shipped model, time it on both sets, report rates and RSS."""
    from nlp.sentiment.embedded import EmbeddedBackend, default_model_dir

    threads, batch_size, repeats = options
    before = _peak_rss_mb()  # interpreter + imports, before the model is loaded

    backend = EmbeddedBackend(
        default_model_dir(), threads=threads, batch_size=batch_size, max_length=128
    )
    texts, articles = sets
    backend.predict(texts[:64])  # warm-up: first-run allocations
    seconds = _time_passes(backend, texts, repeats)
    article_seconds = _time_passes(backend, articles, repeats) if articles else []
    peak = _peak_rss_mb()
    queue.put({
        "seconds": seconds, "article_seconds": article_seconds,
        "peak_rss_mb": peak, "model_rss_mb": peak - before,
    })  # fmt: skip


def bench_embedded(
    texts: list[str],
    *,
    threads: int,
    batch_size: int,
    repeats: int = REPEATS,
    articles: list[str] | None = None,
) -> dict[str, Any]:
    """Run the embedded benchmark in a fresh process: its peak RSS is imports + model + run.
    With `articles`, those sentences are timed too (`articles` key of the result)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    args = ((texts, articles or []), queue, (threads, batch_size, repeats))
    proc = ctx.Process(target=_embedded_worker, args=args)
    proc.start()
    result: dict[str, Any] = queue.get(timeout=1800)
    proc.join()
    result.update(_rates(len(texts), result.pop("seconds")))
    article_seconds = result.pop("article_seconds")
    if article_seconds:
        result["articles"] = _rates(len(articles or []), article_seconds)
    return result


def bench_bert_base(texts: list[str], *, threads: int, repeats: int = REPEATS) -> dict[str, Any]:
    """Sentences/s of a random-weight BERT-base (FinBERT's shape) via transformers.pipeline."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, pipeline

    from nlp.training.recipe import base_model_dir

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(num_labels=3)).eval()
    tok = AutoTokenizer.from_pretrained(str(base_model_dir()))  # same 30,522 uncased vocab
    clf = pipeline("text-classification", model=model, tokenizer=tok, device=-1)
    clf(texts[:4])
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        clf(texts)
        seconds.append(time.perf_counter() - start)
    return _rates(len(texts), seconds)


def run_bench(shared: Path, *, threads: int = 2, batch_size: int = 32) -> dict[str, Any]:
    """The `tidings bench sentiment --json` object."""
    texts = bench_sentences(shared)
    articles = article_sentences(shared)
    emb = bench_embedded(texts, threads=threads, batch_size=batch_size, articles=articles)
    on_articles = emb.get("articles", {"rate": None, "runs": []})
    base = bench_bert_base(texts[:BASELINE_SENTENCES], threads=threads)
    return {
        "sentences_per_s": round(emb["rate"], 1),
        "baseline_sentences_per_s": round(base["rate"], 1),
        "speedup": round(emb["rate"] / base["rate"], 2),
        "sentences_per_s_runs": emb["runs"],
        "baseline_sentences_per_s_runs": base["runs"],
        "peak_rss_mb": round(emb["peak_rss_mb"], 1),
        "model_rss_mb": round(emb["model_rss_mb"], 1),
        "n_sentences": len(texts),
        "n_baseline_sentences": min(len(texts), BASELINE_SENTENCES),
        "article_sentences_per_s": round(on_articles["rate"], 1) if articles else None,
        "article_sentences_per_s_runs": on_articles["runs"],
        "n_article_sentences": len(articles),
        "cpu_flags": cpu_flags(),
        "threads": threads,
        "batch_size": batch_size,
    }
