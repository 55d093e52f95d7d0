"""Throughput of the embedded model vs. a BERT-base classifier through the plain HF pipeline."""

import multiprocessing as mp
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from nlp.training.data import load_fpb, load_twitter, normalize_text

BASELINE_SENTENCES = 256  # BERT-base is slow on 2 cores; a subset gives a stable rate
REPEATS = 3  # timed passes per model; the median is reported (shared VMs swing ±20 % per run)


def bench_sentences(shared: Path, n: int = 2000) -> list[str]:
    """A fixed mix of real sentences: FPB-50 news sentences and twitter financial news."""
    fpb = [normalize_text(e.text) for e in load_fpb(shared, "50")]
    tweets = [e.text for e in load_twitter(shared, "valid")]
    mixed = [s for pair in zip(fpb, tweets, strict=False) for s in pair]
    return mixed[:n]


def _peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rates(n: int, seconds: list[float]) -> dict[str, Any]:
    """Median and every per-pass rate of `n` sentences timed `len(seconds)` times."""
    rates = sorted(n / s for s in seconds)
    return {"rate": statistics.median(rates), "runs": [round(r, 1) for r in rates]}


def _embedded_worker(texts: list[str], queue: Any, options: tuple[int, int, int]) -> None:
    """Child process: load the shipped model, time it, report rates and peak RSS."""
    from nlp.sentiment.embedded import EmbeddedBackend, default_model_dir

    threads, batch_size, repeats = options
    before = _peak_rss_mb()  # interpreter + imports, before the model is loaded

    backend = EmbeddedBackend(
        default_model_dir(), threads=threads, batch_size=batch_size, max_length=128
    )
    backend.predict(texts[:64])  # warm-up: first-run allocations
    seconds = []
    for _ in range(repeats):  # the raw backend has no result cache: every pass runs the model
        start = time.perf_counter()
        backend.predict(texts)
        seconds.append(time.perf_counter() - start)
    peak = _peak_rss_mb()
    queue.put({"seconds": seconds, "peak_rss_mb": peak, "model_rss_mb": peak - before})


def bench_embedded(
    texts: list[str], *, threads: int, batch_size: int, repeats: int = REPEATS
) -> dict[str, Any]:
    """Run the embedded benchmark in a fresh process: its peak RSS is imports + model + run."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    args = (texts, queue, (threads, batch_size, repeats))
    proc = ctx.Process(target=_embedded_worker, args=args)
    proc.start()
    result: dict[str, Any] = queue.get(timeout=1800)
    proc.join()
    result.update(_rates(len(texts), result.pop("seconds")))
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
    emb = bench_embedded(texts, threads=threads, batch_size=batch_size)
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
        "threads": threads,
        "batch_size": batch_size,
    }
