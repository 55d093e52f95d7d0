"""The written market-commentary sentences: schema, balance, errors and no evaluation leaks."""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from nlp.evaluation.sentiment import gold_sentences
from nlp.training.commentary import (
    SOURCE,
    TOPICS,
    load_commentary,
    near_copies,
    read_commentary,
)
from nlp.training.data import SentimentDataError
from tests.conftest import REPO_ROOT


def test_shipped_commentary_is_balanced_and_covers_both_directions() -> None:
    rows = read_commentary()
    assert len(rows) >= 3000
    labels = Counter(r["label"] for r in rows)
    assert min(labels.values()) > 0.2 * len(rows)
    by_topic: dict[str, Counter[str]] = {}
    for row in rows:
        by_topic.setdefault(row["topic"], Counter())[row["label"]] += 1
    market_topics = TOPICS - {"other"}
    assert market_topics <= by_topic.keys()
    for topic in market_topics:  # direction over topic: each topic in both directions
        assert by_topic[topic]["negative"] >= 20, topic
        assert by_topic[topic]["positive"] >= 20, topic
    examples = load_commentary()
    assert len(examples) == len(rows) and {e.source for e in examples} == {SOURCE}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", r"a\.jsonl:2: not valid JSON"),
        ('["a list"]', r"a\.jsonl:2: expected a JSON object"),
        ('{"text": " ", "label": "neutral", "topic": "price"}', r"a\.jsonl:2: 'text' must be"),
        ('{"text": "BTC up", "label": "bullish", "topic": "price"}', r"label 'bullish' is not"),
        ('{"text": "BTC up", "label": "positive", "topic": "memes"}', r"topic 'memes' is not"),
        (
            '{"text": "BTC up", "label": "positive", "topic": "price", "date": "May 1"}',
            r"date 'May 1' is not",
        ),
        (
            '{"text": "Bitcoin  rose 5% today.", "label": "negative", "topic": "price"}',
            r"a\.jsonl:2: duplicate of a\.jsonl:1",
        ),
    ],
)
def test_bad_commentary_line_is_a_clear_error(tmp_path: Path, line: str, message: str) -> None:
    good = {"text": "Bitcoin rose 5% today.", "label": "positive", "topic": "price", "date": None}
    (tmp_path / "a.jsonl").write_text(json.dumps(good) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(SentimentDataError, match=message):
        read_commentary(tmp_path)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SentimentDataError, match="no commentary files"):
        read_commentary(tmp_path)


def test_near_copies_finds_rewordings_only() -> None:
    protected = ["US spot bitcoin ETFs saw a net outflow of $802 million last week.", "Hi there."]
    texts = [
        "Last week US spot bitcoin ETFs saw a net outflow of $802 million.",
        "Spot ether funds took in $40 million on Tuesday.",
        "Hi there.",
    ]
    hits = near_copies(texts, protected)
    assert [(h[0], h[1]) for h in hits] == [(texts[0], protected[0])]
    assert hits[0][2] == 1.0


@pytest.mark.shared
def test_no_commentary_sentence_rewords_an_evaluation_sentence(
    shared_path: Path, tmp_path: Path
) -> None:
    spec = importlib.util.spec_from_file_location(
        "gold_extra_build", REPO_ROOT / "tests" / "gold_extra" / "build.py"
    )
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.build(tmp_path, shared=shared_path)
    protected = [e.text for e in gold_sentences(shared_path) + gold_sentences(tmp_path)]
    assert len(protected) > 100
    assert near_copies([r["text"] for r in read_commentary()], protected) == []
