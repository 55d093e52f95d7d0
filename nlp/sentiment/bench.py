"""Throughput of the embedded model vs. a BERT-base classifier through the plain HF pipeline."""

import multiprocessing as mp
import resource
import time
from pathlib import Path
from typing import Any

from nlp.sentiment.data import load_fpb, load_twitter, normalize_text

BASELINE_SENTENCES = 256  # BERT-base is slow on 2 cores; a subset gives a stable rate


def bench_sentences(shared: Path, n: int = 2000) -> list[str]:
    """A fixed mix of real sentences: FPB-50 news sentences and twitter financial news."""
    fpb = [normalize_text(e.text) for e in load_fpb(shared, "50")]
    tweets = [e.text for e in load_twitter(shared, "valid")]
    mixed = [s for pair in zip(fpb, tweets, strict=False) for s in pair]
    return mixed[:n]


def _peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _embedded_worker(texts: list[str], queue: Any, options: tuple[int, int]) -> None:
    """Child process: load the shipped model, time it, report rate and peak RSS."""
    from nlp.sentiment.embedded import EmbeddedBackend, default_model_dir

    threads, batch_size = options
    before = _peak_rss_mb()  # interpreter + imports, before the model is loaded

    backend = EmbeddedBackend(
        default_model_dir(), threads=threads, batch_size=batch_size, max_length=128
    )
    backend.predict(texts[:64])  # warm-up: first-run allocations
    start = time.perf_counter()
    backend.predict(texts)
    seconds = time.perf_counter() - start
    peak = _peak_rss_mb()
    queue.put({"seconds": seconds, "peak_rss_mb": peak, "model_rss_mb": peak - before})


def bench_embedded(texts: list[str], *, threads: int, batch_size: int) -> dict[str, float]:
    """Run the embedded benchmark in a fresh process: its peak RSS is imports + model + run."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_embedded_worker, args=(texts, queue, (threads, batch_size)))
    proc.start()
    result: dict[str, float] = queue.get(timeout=1800)
    proc.join()
    result["sentences_per_s"] = len(texts) / result["seconds"]
    return result


def bench_bert_base(texts: list[str], *, threads: int) -> float:
    """Sentences/s of a random-weight BERT-base (FinBERT's shape) via transformers.pipeline."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, pipeline

    from nlp.sentiment.train import base_model_dir

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(num_labels=3)).eval()
    tok = AutoTokenizer.from_pretrained(str(base_model_dir()))  # same 30,522 uncased vocab
    clf = pipeline("text-classification", model=model, tokenizer=tok, device=-1)
    clf(texts[:4])
    start = time.perf_counter()
    clf(texts)
    return len(texts) / (time.perf_counter() - start)


def run_bench(shared: Path, *, threads: int = 2, batch_size: int = 32) -> dict[str, Any]:
    """The `tidings bench sentiment --json` object."""
    texts = bench_sentences(shared)
    emb = bench_embedded(texts, threads=threads, batch_size=batch_size)
    base_rate = bench_bert_base(texts[:BASELINE_SENTENCES], threads=threads)
    return {
        "sentences_per_s": round(emb["sentences_per_s"], 1),
        "baseline_sentences_per_s": round(base_rate, 1),
        "speedup": round(emb["sentences_per_s"] / base_rate, 2),
        "peak_rss_mb": round(emb["peak_rss_mb"], 1),
        "model_rss_mb": round(emb["model_rss_mb"], 1),
        "n_sentences": len(texts),
        "n_baseline_sentences": min(len(texts), BASELINE_SENTENCES),
        "threads": threads,
        "batch_size": batch_size,
    }
