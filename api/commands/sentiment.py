"""`tidings train sentiment`, `tidings eval sentiment`, `tidings bench sentiment`."""

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.groups import bench_app, eval_app, train_app
from nlp.errors import NlpError
from nlp.gold import find_shared_dir

err_console = Console(stderr=True)
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "nlp" / "sentiment_model"

SharedOption = Annotated[
    Path | None, typer.Option("--shared", help="The shared folder (default: ../shared).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _shared(given: Path | None) -> Path:
    """The shared folder holding data/ and gold/, or exit with a clear message."""
    if given is not None:
        if not (given / "data").is_dir():
            err_console.print(f"[red]error:[/red] {given} has no data/ folder")
            raise typer.Exit(2)
        return given
    data = find_shared_dir("data")
    if data is None:
        err_console.print("[red]error:[/red] ../shared/data not found; pass --shared PATH")
        raise typer.Exit(2)
    return data.parent


def _wrote(out: Path, metrics: dict, who: str) -> None:
    """The one-line summary of a training run: where it wrote and its FPB-50 held-out scores."""
    fpb = metrics["fpb50"]
    typer.echo(
        f"wrote {out}: {who}FPB-50 held-out accuracy {fpb['accuracy']:.3f}, "
        f"macro-F1 {fpb['macro_f1']:.3f}"
    )


@train_app.command("sentiment")
def train_sentiment(  # noqa: PLR0913 - one parameter per CLI flag
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
    mlm_epochs: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Stage 0: epochs of masked-LM pretraining on the stage-1 texts before "
            "fine-tuning (default: the shipped recipe's; 0 skips it).",
        ),
    ] = None,
    teacher_probs: Annotated[
        Path | None,
        typer.Option(
            help="Knowledge distillation: a teacher's probs.json (`tidings train teacher`); "
            "the labels of FPB, the tweets and the headlines are mixed with it."
        ),
    ] = None,
    kd_alpha: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Weight of the teacher's distribution in the targets."),
    ] = 0.5,
    limit: Annotated[
        int | None, typer.Option(help="Use at most N examples per corpus (smoke runs).")
    ] = None,
    shared: SharedOption = None,
) -> None:
    """Fine-tune MiniLM-L6 on the labeled sets, export ONNX int8, write metrics.json beside it."""
    from nlp.sentiment.export import build_artifact
    from nlp.sentiment.train import TrainConfig, parse_seeds

    logging.getLogger("nlp.sentiment").setLevel(logging.INFO)
    cfg = TrainConfig(seed=seed, fpb_epochs=epochs, mixed_epochs=mixed_epochs, limit=limit)
    if float_activations is not None:
        cfg.float_activations = float_activations
    if mlm_epochs is not None:
        cfg.mlm_epochs = mlm_epochs
    if teacher_probs is not None:
        from nlp.sentiment.teacher import load_teacher_probs

        try:  # checked before hours of training
            load_teacher_probs(teacher_probs)
        except NlpError as exc:
            err_console.print(f"[red]error:[/red] --teacher-probs: {exc}")
            raise typer.Exit(2) from exc
        cfg.teacher_probs, cfg.kd_alpha = str(teacher_probs), kd_alpha
    if soup_seeds is not None:
        try:
            cfg.soup_seeds = parse_seeds(soup_seeds)
        except ValueError as exc:
            err_console.print(f"[red]error:[/red] --soup-seeds: {exc}")
            raise typer.Exit(2) from exc
    try:
        metrics = build_artifact(out, shared=_shared(shared), cfg=cfg)
    except NlpError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    _wrote(out, metrics, "")


@train_app.command("teacher")
def train_teacher_cmd(
    *,
    base: Annotated[
        str, typer.Option(help="A Hugging Face encoder: hub name or local folder (offline here).")
    ],
    out: Annotated[Path, typer.Option(help="Where to write model.pt, probs.json, metrics.json.")],
    epochs: Annotated[int, typer.Option(min=1, help="Epochs over FPB-50 train.")] = 2,
    lr: Annotated[float, typer.Option(help="Peak learning rate of the encoder.")] = 3e-5,
    limit: Annotated[
        int | None, typer.Option(help="Use at most N examples per corpus (smoke runs).")
    ] = None,
    shared: SharedOption = None,
) -> None:
    """Fine-tune a larger encoder on FPB-50 train as a distillation teacher; write its
    probabilities for the student's corpora (see --teacher-probs of `train sentiment`)."""
    from nlp.sentiment.teacher import TeacherConfig, train_teacher

    logging.getLogger("nlp.sentiment").setLevel(logging.INFO)
    cfg = TeacherConfig(epochs=epochs, lr=lr, limit=limit)
    try:
        metrics = train_teacher(base, out, shared=_shared(shared), cfg=cfg)
    except NlpError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    _wrote(out, metrics, "teacher ")


@eval_app.command("sentiment")
def eval_sentiment(*, as_json: JsonOption = False, shared: SharedOption = None) -> None:
    """Embedded model vs VADER, Loughran-McDonald and frozen-embedding LR on held-out sets."""
    from nlp.sentiment.base import create_backend
    from nlp.sentiment.eval import evaluate, format_table
    from nlp.sentiment.settings import get_sentiment_settings

    try:
        result = evaluate(_shared(shared), create_backend(get_sentiment_settings()))
    except NlpError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    typer.echo(
        f"model {result['model_version']}; FPB-50 held-out split seed {result['split']['seed']}"
    )
    typer.echo(format_table(result))


@bench_app.command("sentiment")
def bench_sentiment(
    *,
    as_json: JsonOption = False,
    shared: SharedOption = None,
    threads: Annotated[int, typer.Option(help="Inference threads for both models.")] = 2,
) -> None:
    """Sentences/s of the embedded model vs a BERT-base classifier via transformers.pipeline."""
    from nlp.sentiment.bench import run_bench

    try:
        result = run_bench(_shared(shared), threads=threads)
    except NlpError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    typer.echo(
        f"embedded: {result['sentences_per_s']:.1f} sentences/s "
        f"(peak RSS {result['peak_rss_mb']:.0f} MiB); BERT-base pipeline: "
        f"{result['baseline_sentences_per_s']:.1f} sentences/s; speedup x{result['speedup']:.1f}"
    )
