"""The claim-label set: committed files, texts rebuilt from ../shared, scorer and agreement."""

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from nlp.claims.metrics import METRICS
from nlp.evaluation.claims_agreement import INDEPENDENT_PASS, agreement, kappa, study
from nlp.evaluation.claims_annotate import SheetError, parse_claim, split_of
from nlp.evaluation.claims_candidates import NUMBER_WORDS
from nlp.evaluation.claims_labels import (
    EXTRA_SPLITS,
    LABEL_DIR,
    SPLITS,
    LabeledText,
    attach_texts,
    read_rows,
    score_labels,
)
from nlp.evaluation.claims_texts import ClaimTextError, SourceText, all_texts

UNITS = {"USD", "PERCENT", "BASIS_POINTS", "COUNT", "MULTIPLE", "DAYS", "MONTHS", "YEARS"}
TYPES = {"observation", "forecast", "historical", "threshold_level", "other"}


def test_committed_rows_are_well_formed_and_hold_no_text() -> None:
    rows = read_rows(SPLITS)
    ids = [r["doc_id"] for r in rows]
    assert len(ids) == len(set(ids)) >= 150
    claims = [c for r in rows for c in r["claims"]]
    assert len(claims) >= 1500
    for row in rows:
        assert row["split"] in EXTRA_SPLITS or row["split"] == split_of(row["doc_id"])
        assert set(row) >= {"src", "file", "key", "text_sha", "text_length", "published"}
        for c in row["claims"]:
            assert "text" not in c and "sentence" not in c
            assert c["metric"] in METRICS, c
            assert c["claim_type"] in TYPES and c["direction"] in {"up", "down", "none"}
            assert c["unit"] in UNITS or c["unit"].isupper()
            assert c["sentence_start"] <= c["char_start"] < c["char_end"] <= c["sentence_end"]
            source = c["attributed_to"]
            assert source is None or (sum(ch.isalpha() for ch in source) >= 2 and "$" not in source)
    hashed = [c for r in rows if r["split"] not in EXTRA_SPLITS for c in r["claims"]]
    blind = [r for r in rows if r["split"] == "blind"]
    assert 0.15 <= sum(len(r["claims"]) for r in blind) / len(hashed) <= 0.25


@pytest.mark.shared
def test_texts_rebuild_exactly_and_spans_are_numbers(shared_path: Path) -> None:
    texts = all_texts(shared_path)
    docs = attach_texts(read_rows(SPLITS), texts)
    words = re.compile(NUMBER_WORDS + "|one|a (?:hundred|thousand|million|billion)", re.IGNORECASE)
    for doc in docs:
        for c in doc.claims:
            span = doc.text[c["char_start"] : c["char_end"]]
            assert span.strip() == span and (
                any(ch.isdigit() for ch in span) or words.match(span)
            ), (doc.row["doc_id"], span)


def _doc(
    claims: list[dict[str, Any]], text: str = "BTC fell 5% to $80,000, Glassnode said."
) -> LabeledText:
    row = {"doc_id": "x", "published": "2025-01-02", "claims": claims}
    return LabeledText(row, text)


def _gold(start: int, end: int, **labels: Any) -> dict[str, Any]:
    base = {
        "char_start": start,
        "char_end": end,
        "value": 5,
        "unit": "PERCENT",
        "unit_inferred": False,
        "metric": "price_change",
        "direction": "down",
        "claim_type": "observation",
        "attributed_to": "Glassnode",
        "optional": False,
    }
    return base | labels


def _pred(start: int, end: int, **labels: Any) -> dict[str, Any]:
    base = {
        "start": start,
        "end": end,
        "value": 5,
        "unit": "PERCENT",
        "metric": "price_change",
        "direction": "down",
        "claim_type": "observation",
        "attributed_to": "Glassnode",
    }
    return base | labels


def test_scorer_counts_each_field_apart() -> None:
    gold = [
        _gold(9, 11),
        _gold(15, 22, value=80000, unit="USD", metric="price", direction="down"),
        _gold(0, 3, value=1, unit="COUNT", optional=True),
    ]
    perfect = score_labels([_doc(gold)], [{"claims": [_pred(9, 11), _pred(15, 22, value=80000,
                           unit="USD", metric="price")]}]).as_dict()  # fmt: skip
    assert perfect["detection"]["f1"] == perfect["value_and_unit"]["f1"] == 1.0
    assert perfect["claim_type"]["accuracy"] == perfect["metric"]["accuracy"] == 1.0
    assert perfect["attribution"] | {"n": 2} == {"accuracy": 1.0, "precision": 1.0,
           "recall": 1.0, "n": 2, "predicted": 2, "gold": 2}  # fmt: skip
    wrong = score_labels([_doc(gold)], [{"claims": [
        _pred(9, 11, claim_type="forecast", attributed_to="10"),
        _pred(15, 22, value=80000, unit="COUNT", metric="amount", direction="none"),
        _pred(30, 33),
    ]}]).as_dict()  # fmt: skip
    assert wrong["detection"]["fp"] == 1 and wrong["detection"]["tp"] == 2
    assert wrong["value_and_unit"]["tp"] == 1
    assert wrong["claim_type"]["accuracy"] == 0.5 and wrong["metric"]["accuracy"] == 0.5
    assert wrong["direction"]["accuracy"] == 0.5
    assert wrong["attribution"]["precision"] == 0.5 and wrong["attribution"]["recall"] == 0.5


def test_changed_source_text_is_an_error() -> None:
    text = SourceText("summaries", "https://x", "data/x.csv", "t", "Title\n5%", date(2022, 1, 1))
    row = {"doc_id": text.doc_id, "text_sha": "0" * 12, "text_length": 8, "claims": [],
           "key": "https://x", "file": "data/x.csv"}  # fmt: skip
    with pytest.raises(ClaimTextError, match="no longer match"):
        attach_texts([row], {text.doc_id: text})
    with pytest.raises(ClaimTextError, match="unknown split"):
        read_rows(["train"])


def test_sheet_lines_parse_units_and_reject_unknown_metrics() -> None:
    text = SourceText("rss", "k", "f", "t", "Title\nlongs lost 1.3 billion in the flush", None)
    claim = parse_claim("0 1300000000 $i liquidations d o -", text)
    assert claim["unit"] == "USD" and claim["unit_inferred"] is True
    assert text.text[claim["char_start"] : claim["char_end"]] == "1.3 billion"
    with pytest.raises(SheetError, match="unknown metric"):
        parse_claim("0 1300000000 $ lost_money d o -", text)


def test_kappa_and_agreement_of_identical_and_differing_passes() -> None:
    assert kappa(["a", "b", "a"], ["a", "b", "a"]) == 1.0
    assert kappa(["a", "b", "a", "b"], ["b", "a", "b", "a"]) == -1.0
    text = "BTC fell 5% to $80,000."
    one = {"doc_id": "d", "claims": [_gold(9, 11), _gold(15, 22, metric="price")]}
    two = {"doc_id": "d", "claims": [_gold(9, 11, direction="up")]}
    result = agreement([one], [two], {"d": text})
    assert result.both_claims == 1 and result.agree["detection"] == 0.5
    assert result.agree["direction"] == 0.0 and result.agree["metric"] == 1.0


@pytest.mark.shared
def test_agreement_study_matches_the_documented_kappas(shared_path: Path) -> None:
    result = study({k: t.text for k, t in all_texts(shared_path).items()})
    assert result.both_claims >= 100
    documented = (Path(__file__).resolve().parents[2] / "docs" / "ANNOTATION.md").read_text()
    for name in ("detection", "claim_type", "direction", "metric", "attributed_to"):
        assert f"| {name} | {result.kappa[name]:.3f} |" in documented, name


@pytest.mark.shared
def test_independent_agreement_matches_the_documented_kappas(shared_path: Path) -> None:
    texts = {k: t.text for k, t in all_texts(shared_path).items()}
    result = study(texts, INDEPENDENT_PASS)
    assert result.texts == 40 and result.both_claims >= 150
    documented = (Path(__file__).resolve().parents[2] / "docs" / "ANNOTATION.md").read_text()
    part = documented.split("**Independent agreement**")[1]
    for name in ("detection", "claim_type", "direction", "metric", "attributed_to"):
        assert f"| {name} | {result.kappa[name]:.3f} |" in part, name


def test_label_dir_holds_only_the_split_files_and_the_agreement_pass() -> None:
    names = {p.name for p in LABEL_DIR.glob("*.jsonl")}
    assert names == {f"{split}.jsonl" for split in SPLITS}
    second = [json.loads(line) for line in (LABEL_DIR / "agreement" / "second_pass.jsonl").open()]
    assert {r["split"] for r in second} <= {"dev", "test"}


def test_cli_rejects_an_unknown_split_with_a_clear_message(shared_path: Path) -> None:
    from typer.testing import CliRunner

    import api.cli  # noqa: F401 - registers the command modules
    from api.cli.groups import app

    result = CliRunner().invoke(app, ["eval", "claims-labels", "--split", "train"])
    assert result.exit_code != 0
    assert "unknown split 'train'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.shared
def test_cli_prints_the_agreement_study(shared_path: Path) -> None:
    from typer.testing import CliRunner

    import api.cli  # noqa: F401 - registers the command modules
    from api.cli.groups import app

    result = CliRunner().invoke(app, ["eval", "claims-labels", "--agreement", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["texts"] == 41 and out["both_claims"] >= 100
    assert set(out["kappa"]) >= {"detection", "claim_type", "direction", "metric"}
