"""`tidings eval`: score the analysis pipeline on the gold articles and print the metrics."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.errors import fail
from api.cli.groups import eval_app
from nlp.errors import NlpError
from nlp.evaluation.gold import Evaluation, evaluate, find_shared_dir, load_gold_dir
from nlp.evaluation.narratives import NarrativeEvaluation, assignment_rows, evaluate_narratives
from nlp.evaluation.scoring import Report, metric_rows

console = Console()


def _resolve(given: Path | None, name: str, option: str) -> Path:
    """The folder given on the command line, else ../shared/<name>; exits with a clear message."""
    folder = given or find_shared_dir(name)
    if folder is None or not folder.is_dir():
        where = given or f"../shared/{name}"
        raise fail(f"gold data folder {where} not found; pass {option} DIR")
    return folder


def _print_table(result: Evaluation, narratives: NarrativeEvaluation | None = None) -> None:
    """The pooled metrics table, then one line per file."""
    table = Table(title=f"tidings eval: {result.pooled.files} gold file(s)")
    for column in ("area", "metric", "value", "detail"):
        table.add_column(column, justify="right" if column == "value" else "left")
    extra = assignment_rows(narratives) if narratives else []
    for area, metric, value, detail in [*metric_rows(result.pooled), *extra]:
        table.add_row(area, metric, f"{value:.3f}", detail)
    console.print(table)
    for path, report in result.per_file:
        console.print(_file_line(path, report))
    versions = ", ".join(f"{k}={v}" for k, v in result.model_versions.items())
    console.print(f"[dim]model versions: {versions}[/dim]")


def _file_line(path: Path, report: Report) -> str:
    """A one-line summary of one gold file's scores."""
    e, c = report.entities, report.claims
    return (
        f"{path.name}: entities det F1 {e.detection.f1:.3f} linked F1 {e.linked.f1:.3f}; "
        f"claims det F1 {c.detection.f1:.3f} value F1 {c.value_and_unit.f1:.3f}; "
        f"sentences acc {report.sentences.accuracy:.3f}"
    )


@eval_app.callback(invoke_without_command=True)
def eval_gold(
    ctx: typer.Context,
    *,
    gold_dir: Annotated[
        Path | None, typer.Option(help="Folder of gold *.json files (default ../shared/gold).")
    ] = None,
    samples_dir: Annotated[
        Path | None,
        typer.Option(help="Folder of the gold articles' texts (default ../shared/samples)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score entities, claims and sentiment on every gold file (EVALUATION.md metrics)."""
    if ctx.invoked_subcommand is not None:
        return
    golds = _resolve(gold_dir, "gold", "--gold-dir")
    samples = _resolve(samples_dir, "samples", "--samples-dir")
    try:
        docs = load_gold_dir(golds, samples)
        from nlp.pipeline import Analyzer  # lazy: spaCy only when evaluating

        analyzer = Analyzer()
        result = evaluate(analyzer, docs)
        narratives = evaluate_narratives(analyzer, find_shared_dir("data"))
    except NlpError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        payload = {
            "pooled": result.pooled.as_dict(),
            "files": {path.name: report.as_dict() for path, report in result.per_file},
            "model_versions": result.model_versions,
            "narrative_recovery": {
                "recovery": result.pooled.narratives.value,
                "n": result.pooled.narratives.n,
            },
        }
        if narratives is not None:
            payload["narrative_assignment"] = narratives.as_dict()
        typer.echo(json.dumps(payload, indent=1, ensure_ascii=False))
        return
    _print_table(result, narratives)
