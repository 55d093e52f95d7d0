"""`tidings eval claims-labels` (claim decisions scored on the annotated claim set, rules-only
and learned side by side) and `tidings train claims` (the learned decision layer)."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.errors import fail
from api.cli.groups import eval_app, train_app
from nlp.errors import NlpError
from nlp.evaluation.gold import find_shared_dir

console = Console()


def _shared(given: Path | None) -> Path:
    """The shared folder (its data/ holds the source texts); exits with a clear message."""
    data = find_shared_dir("data") if given is None else given / "data"
    if data is None or not data.is_dir():
        raise fail("../shared/data not found; pass --shared DIR (the folder that holds data/)")
    return data.parent


@eval_app.command("claims-labels")
def eval_claims_labels(
    *,
    split: Annotated[
        list[str] | None,
        typer.Option(
            "--split",
            help="dev, test (default: both, scored apart), train2 (more training labels). "
            "blind and blind-b are scored once each, with the configuration frozen.",
        ),
    ] = None,
    agreement: Annotated[
        bool, typer.Option("--agreement", help="Print the annotators' agreement study instead.")
    ] = False,
    independent: Annotated[
        bool,
        typer.Option(
            "--independent",
            help="With --agreement: the independent second annotator's pass (round 2), not the "
            "first annotator's own second pass.",
        ),
    ] = False,
    shared: Annotated[
        Path | None, typer.Option("--shared", help="The shared folder (default: ../shared).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score claim detection, values, type, direction, metric and source on the claim labels."""
    from nlp.evaluation.claims_labels import (
        SCORED_BY_DEFAULT,
        label_rows,
        load_labels,
        rules_only,
        score_by_source,
    )

    folder = _shared(shared)
    try:
        if agreement:
            _print_agreement(folder, as_json=as_json, independent=independent)
            return
        labelled = {name: load_labels(folder, [name]) for name in split or SCORED_BY_DEFAULT}
        from nlp.pipeline import Analyzer  # lazy: spaCy only when evaluating

        analyzer = Analyzer()
        reports = {}
        for name, docs in labelled.items():
            analyses = list(analyzer.pipe((d.text, d.published) for d in docs))
            learned = [a.to_json_dict() for a in analyses]
            rules = [
                rules_only(p, [c.explanation for c in a.claims])
                for p, a in zip(learned, analyses, strict=True)
            ]
            scores = score_by_source(docs, learned)
            reports[name] = scores["all"].as_dict() | {
                "by_source": {src: part.as_dict() for src, part in scores.items() if src != "all"},
                "rules_only": score_by_source(docs, rules)["all"].as_dict(),
            }
    except NlpError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        payload = {"splits": reports, "model_versions": analyzer.model_versions}
        typer.echo(json.dumps(payload, indent=1, ensure_ascii=False))
        return
    for name, report in reports.items():
        table = Table(title=f"claim labels, {name}: {report['texts']} texts")
        for column in ("metric", "rules only", "learned", "detail"):
            table.add_column(column, justify="left" if column in {"metric", "detail"} else "right")
        baseline = label_rows(report["rules_only"])
        for (metric, value, detail), (_, before, _) in zip(
            label_rows(report), baseline, strict=True
        ):
            table.add_row(metric, f"{before:.3f}", f"{value:.3f}", detail)
        console.print(table)
        for src, part in report["by_source"].items():
            console.print(
                f"{name} / {src} ({part['texts']} texts): detection F1 "
                f"{part['detection']['f1']:.3f}, value+unit F1 {part['value_and_unit']['f1']:.3f}, "
                f"type {part['claim_type']['accuracy']:.3f}, direction "
                f"{part['direction']['accuracy']:.3f}, metric {part['metric']['accuracy']:.3f}, "
                f"source precision {part['attribution']['precision']:.3f}"
            )
    versions = ", ".join(f"{k}={v}" for k, v in analyzer.model_versions.items())
    console.print(f"[dim]model versions: {versions}[/dim]")


def _print_agreement(folder: Path, *, as_json: bool, independent: bool = False) -> None:
    """The agreement study of a second label pass against the first labels."""
    from nlp.evaluation.claims_agreement import INDEPENDENT_PASS, SECOND_PASS, study
    from nlp.evaluation.claims_texts import all_texts

    texts = {doc_id: t.text for doc_id, t in all_texts(folder).items()}
    result = study(texts, INDEPENDENT_PASS if independent else SECOND_PASS).as_dict()
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    table = Table(title=f"agreement: {result['texts']} texts, {result['both_claims']} claims")
    for column in ("field", "kappa", "agreement"):
        table.add_column(column)
    for name, value in result["agreement"].items():
        table.add_row(name, f"{result['kappa'][name]:.3f}" if name in result["kappa"] else "",
                      f"{value:.3f}")  # fmt: skip
    console.print(table)


@train_app.command("claims")
def train_claims(
    *,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the model folder (default: the shipped nlp/claims/model)."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Use the first N texts of each split (smoke runs).")
    ] = None,
    shared: Annotated[
        Path | None, typer.Option("--shared", help="The shared folder (default: ../shared).")
    ] = None,
    recipe: Annotated[
        str,
        typer.Option(
            help="tuned: fine-tuned MiniLM (claims-decider-3, shipped); lr: decider-2's logistic "
            "regressions."
        ),
    ] = "tuned",
    cv: Annotated[
        int | None,
        typer.Option(
            min=2,
            help="Grouped K-fold cross-validation of rules, lr and tuned instead of training "
            "(writes nothing; the fine-tuned folds take minutes each).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Train the claim decision layer (type, direction, metric) on the claim labels' training
    splits (dev, test, train2), or compare the recipes by cross-validation (--cv)."""
    from nlp.claims.learned import MODEL_DIR
    from nlp.training.claims_decider import train_decider

    if recipe not in ("tuned", "lr"):
        raise fail(f"unknown recipe {recipe!r} (choose tuned or lr)")
    try:
        if cv is not None:
            from nlp.training.claims_cv import cross_validate
            from nlp.training.claims_decider import (
                claim_encoder,
                collect,
                rules_analyzer,
                training_docs,
            )

            docs = training_docs(_shared(shared), limit=limit)
            examples = collect(docs, rules_analyzer(), claim_encoder())
            result = cross_validate(examples, k=cv)
        else:
            result = train_decider(_shared(shared), out or MODEL_DIR, limit=limit, recipe=recipe)
    except NlpError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    if cv is not None:
        console.print(f"{cv}-fold grouped CV: {result['claims']} claims, {result['texts']} texts")
        for name, row in result["accuracy"].items():
            console.print(f"{name}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()))
        return
    console.print(f"wrote {result['version']} to {result['out']} ({result['examples']} examples)")
    for split, labels in result["accuracy"].items():
        for name, part in labels.items():
            console.print(
                f"{split} {name}: rules {part['rules']:.3f}, learned {part['learned']:.3f} "
                f"(n={part['n']})"
            )
