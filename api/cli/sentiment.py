"""`tidings train sentiment`, `tidings eval sentiment`, `tidings bench sentiment`."""

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.errors import fail
from api.cli.groups import bench_app, eval_app, train_app
from nlp.errors import NlpError
from nlp.evaluation.gold import find_shared_dir

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "nlp" / "sentiment" / "model"

SharedOption = Annotated[
    Path | None, typer.Option("--shared", help="The shared folder (default: ../shared).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _shared(given: Path | None) -> Path:
    """The shared folder holding data/ and gold/, or exit with a clear message."""
    if given is not None:
        if not (given / "data").is_dir():
            raise fail(f"{given} has no data/ folder", 2)
        return given
    data = find_shared_dir("data")
    if data is None:
        raise fail("../shared/data not found; pass --shared PATH", 2)
    return data.parent


def _report(
    compute: Callable[[], dict[str, Any]], *, as_json: bool, text: Callable[[dict[str, Any]], str]
) -> None:
    """Run an evaluation or bench; print its result as JSON or as text, or the error."""
    try:
        result = compute()
    except NlpError as exc:
        raise fail(str(exc)) from exc
    typer.echo(json.dumps(result, indent=1) if as_json else text(result))


@train_app.command("sentiment")
def train_sentiment(
    *,
    out: Annotated[Path, typer.Option(help="Where to write the model folder.")] = DEFAULT_OUT,
    epochs: Annotated[int, typer.Option(help="Epochs of stage 2 (FPB + market stance).")] = 2,
    mixed_epochs: Annotated[int, typer.Option(help="Epochs of the mixed-corpus stage.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
    soup_seeds: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated seeds: stage 2 once per seed, weights averaged "
            "(default: 13,101,2024, the shipped recipe; 'none': one stage-2 run)."
        ),
    ] = None,
    float_activations: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Export: keep the N activations whose int8 rounding costs most in float "
            "(default: the shipped recipe's).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Use at most N examples per corpus (smoke runs).")
    ] = None,
    shared: SharedOption = None,
) -> None:
    """Fine-tune MiniLM-L6 on the labeled sets, export ONNX int8, write metrics.json beside it."""
    from nlp.training.export import build_artifact
    from nlp.training.recipe import TrainConfig, parse_seeds

    logging.getLogger("nlp.training").setLevel(logging.INFO)
    cfg = TrainConfig(seed=seed, fpb_epochs=epochs, mixed_epochs=mixed_epochs, limit=limit)
    if float_activations is not None:
        cfg.float_activations = float_activations
    if soup_seeds is not None:
        try:
            cfg.soup_seeds = parse_seeds(soup_seeds)
        except ValueError as exc:
            raise fail(f"--soup-seeds: {exc}", 2) from exc
    try:
        metrics = build_artifact(out, shared=_shared(shared), cfg=cfg)
    except NlpError as exc:
        raise fail(str(exc)) from exc
    fpb = metrics["fpb50"]
    typer.echo(
        f"wrote {out}: FPB-50 held-out accuracy {fpb['accuracy']:.3f}, "
        f"macro-F1 {fpb['macro_f1']:.3f}"
    )


@eval_app.command("sentiment")
def eval_sentiment(*, as_json: JsonOption = False, shared: SharedOption = None) -> None:
    """Embedded model vs VADER, Loughran-McDonald and frozen-embedding LR on held-out sets."""
    from nlp.evaluation.sentiment import evaluate, format_table
    from nlp.sentiment.registry import create_backend
    from nlp.sentiment.settings import get_sentiment_settings

    def text(result: dict[str, Any]) -> str:
        split = result["split"]["seed"]
        return f"model {result['model_version']}; FPB-50 held-out split seed {split}\n" + (
            format_table(result)
        )

    _report(
        lambda: evaluate(_shared(shared), create_backend(get_sentiment_settings())),
        as_json=as_json,
        text=text,
    )


@bench_app.command("sentiment")
def bench_sentiment(
    *,
    as_json: JsonOption = False,
    shared: SharedOption = None,
    threads: Annotated[int, typer.Option(help="Inference threads for both models.")] = 2,
) -> None:
    """Sentences/s of the embedded model (FPB/tweets and real article sentences) vs a BERT-base
    classifier via transformers.pipeline, and the CPU flags it ran on."""
    from nlp.evaluation.bench import run_bench

    _report(
        lambda: run_bench(_shared(shared), threads=threads),
        as_json=as_json,
        text=lambda r: (
            f"embedded: {r['sentences_per_s']:.1f} sentences/s "
            f"(peak RSS {r['peak_rss_mb']:.0f} MiB); BERT-base pipeline: "
            f"{r['baseline_sentences_per_s']:.1f} sentences/s; speedup x{r['speedup']:.1f}\n"
            f"embedded on {r['n_article_sentences']} real article sentences: "
            f"{r['article_sentences_per_s'] or 0:.1f} sentences/s; "
            f"CPU flags: {', '.join(r['cpu_flags']) or 'none of avx2/avx512'}"
        ),
    )
