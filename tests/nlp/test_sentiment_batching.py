"""The sentiment stage over many documents: two model calls per batch, no text scored twice, and
the same results as one document at a time (the real pipeline and the shipped model)."""

from collections.abc import Iterator, Sequence
from datetime import date

import pytest

from nlp.pipeline import Analyzer
from nlp.sentiment.aggregate import targeted_texts
from nlp.sentiment.backend import Probs, SentimentBackend
from nlp.sentiment.stage import SentimentStage

TEXTS = [
    "Bitcoin surged 9% to a record high, while Ethereum plunged 15% after the hack.\n"
    "Solana rose 3% on Monday.",
    "Ethereum fell 4% as traders sold, but Bitcoin held above $60,000.\n"
    "Analysts expect Bitcoin to reach $100,000 by the end of the year.",
    "Bitcoin rose 5% to a record high.",
]


class CountingBackend:
    """The real backend, recording the texts of every call."""

    def __init__(self, inner: SentimentBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self.calls: list[list[str]] = []

    def predict(self, texts: Sequence[str]) -> list[Probs]:
        """Record, then score with the wrapped backend."""
        self.calls.append(list(texts))
        return self.inner.predict(texts)


@pytest.fixture
def counting(analyzer: Analyzer) -> Iterator[CountingBackend]:
    """The session analyzer with its sentiment backend wrapped for the test's duration."""
    stage = next(s for s in analyzer.stages if isinstance(s, SentimentStage))
    original = stage.backend
    stage.backend = CountingBackend(original)
    try:
        yield stage.backend  # type: ignore[misc]
    finally:
        stage.backend = original


def test_a_batch_costs_two_calls_and_scores_no_text_twice(
    analyzer: Analyzer, counting: CountingBackend
) -> None:
    items = [(t, date(2024, 3, 1)) for t in TEXTS]
    analyses = list(analyzer.pipe(items, batch_size=8))
    sentences = {s.text for a in analyses for s in a.sentences}
    assert len(counting.calls) == 2
    first, second = counting.calls
    assert sorted(first) == sorted(sentences) and len(first) == len(set(first))
    assert second and len(second) == len(set(second))
    assert not set(second) & sentences  # clauses equal to a sentence reuse its result
    assert set(second) == {t for a in analyses for t in targeted_texts(a)}


def test_a_single_entity_sentence_with_one_clause_needs_no_second_call(
    analyzer: Analyzer, counting: CountingBackend
) -> None:
    analysis = analyzer.analyze(TEXTS[2])
    assert [e.entity_id for e in analysis.entity_sentiment] == ["crypto:btc"]
    assert counting.calls == [[TEXTS[2]]]
    assert analysis.entity_sentiment[0].score == pytest.approx(analysis.sentences[0].score, 1e-4)


def test_batched_results_equal_one_document_at_a_time(analyzer: Analyzer) -> None:
    items = [(t, date(2024, 3, 1)) for t in TEXTS]
    batched = [a.to_json_dict() for a in analyzer.pipe(items, batch_size=8)]
    single = [analyzer.analyze(t, d).to_json_dict() for t, d in items]
    for b, s in zip(batched, single, strict=True):
        assert b["entity_sentiment"] == s["entity_sentiment"]
        assert [c["stance"] for c in b["claims"]] == [c["stance"] for c in s["claims"]]
        assert [x["label"] for x in b["sentences"]] == [x["label"] for x in s["sentences"]]
    by_id = {e["entity_id"]: e["score"] for e in batched[0]["entity_sentiment"]}
    assert by_id["crypto:btc"] > 0.3 > -0.3 > by_id["crypto:eth"]  # the target still matters
