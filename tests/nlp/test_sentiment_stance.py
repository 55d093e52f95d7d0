"""Our crypto market-stance labels: committed without text, rebuilt and checked from ../shared."""

import json
from collections import Counter
from pathlib import Path

import pytest

from nlp.training.data import LABELS, SentimentDataError, text_key
from nlp.training.pool import training_pool
from nlp.training.stance import (
    EVAL_URLS,
    LABEL_DIR,
    load_stance,
    news_units,
    plain,
    read_labels,
    units,
)
from tests.conftest import REPO_ROOT

LABEL_KEYS = {"uid", "src", "key", "field", "start", "end", "sha", "label"}


def test_label_files_hold_labels_and_offsets_only() -> None:
    rows = read_labels()
    assert len(rows) > 9000
    assert Counter(r["src"] for r in rows.values()).keys() == {"cryptonews2023", "summaries", "rss"}
    for uid, row in rows.items():
        assert set(row) == LABEL_KEYS
        assert row["uid"] == uid
        assert row["label"] in LABELS
        assert 0 <= row["start"] < row["end"]
    labels = Counter(r["label"] for r in rows.values())
    assert min(labels.values()) > 0.2 * len(rows)  # no class is a token minority


def test_gold_extra_articles_are_never_labeled_for_training() -> None:
    """Sentiment is scored on the dev and blind articles; dev2 and blind2 were annotated for
    claims and entities only (their sentences are in the labels)."""
    urls = set()
    for path in sorted((REPO_ROOT / "tests" / "gold_extra").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if gold["split"] in {"dev", "blind"}:
            urls.add(gold["source_record"]["url"])
    assert urls == set(EVAL_URLS)
    assert not {r["key"] for r in read_labels().values()} & urls


def test_bad_label_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text(
        '{"uid": "a", "sha": "b", "label": "bullish"}\n', encoding="utf-8"
    )
    with pytest.raises(SentimentDataError, match=r"x\.jsonl:1: bad label 'bullish'"):
        read_labels(tmp_path)
    assert read_labels(tmp_path / "empty") == {}
    (tmp_path / "x.jsonl").write_text('{"uid": "a", "label": "neutral"}\n{', encoding="utf-8")
    with pytest.raises(SentimentDataError, match=r"x\.jsonl:1: a label needs uid, sha and label"):
        read_labels(tmp_path)
    (tmp_path / "x.jsonl").write_text('{"uid": "a", "sha": "b", "label": "neutral"}\n{', "utf-8")
    with pytest.raises(SentimentDataError, match=r"x\.jsonl:2: not valid JSON"):
        read_labels(tmp_path)


def test_plain_strips_feed_html() -> None:
    assert plain("<p>Bitcoin &amp; ether <b>fell</b>\n 5%.</p>") == "Bitcoin & ether fell 5%."


@pytest.mark.shared
def test_every_label_rebuilds_its_sentence_from_shared(shared_path: Path) -> None:
    rows = load_stance(shared_path)
    assert len(rows) == len(read_labels())
    assert {e.source for e in rows} == {"crypto_stance"}
    pool = units(shared_path)
    sample = [pool[uid] for uid in list(read_labels())[:50]]
    assert all(unit.text.strip() and len(unit.text.split()) >= 3 for unit in sample)
    assert not {u.key for u in news_units(shared_path)} & EVAL_URLS


@pytest.mark.shared
def test_changed_source_text_is_detected(shared_path: Path, tmp_path: Path) -> None:
    first = (LABEL_DIR / "rss.jsonl").read_text(encoding="utf-8").splitlines()[0]
    row = json.loads(first)
    row["sha"] = "000000000000"
    (tmp_path / "rss.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(SentimentDataError, match="no longer matches"):
        load_stance(shared_path, tmp_path)


@pytest.mark.shared
def test_stance_pool_keeps_heldout_fpb_out(shared_path: Path) -> None:
    pools = training_pool(shared_path)
    assert len(pools["crypto_stance"]) > 9000
    keys = [text_key(e.text) for e in pools["crypto_stance"]]
    assert len(keys) == len(set(keys))


@pytest.mark.shared
def test_unknown_training_corpus_is_a_clear_error(shared_path: Path, tmp_path: Path) -> None:
    from nlp.training.recipe import TrainConfig, train

    with pytest.raises(SentimentDataError, match="unknown training corpus tweets_2019"):
        train(tmp_path, shared=shared_path, cfg=TrainConfig(fpb_sources=["tweets_2019"], limit=2))
