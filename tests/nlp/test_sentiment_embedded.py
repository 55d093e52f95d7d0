"""The shipped embedded model (nlp/sentiment_model/): real inference, cache, aggregation."""

from pathlib import Path

import pytest

from nlp.sentiment.aggregate import apply_sentiment, clauses, document_sentiment
from nlp.sentiment.backend import CachedBackend, SentimentError, label_of
from nlp.sentiment.embedded import EmbeddedBackend, default_model_dir, load_embedded
from nlp.sentiment.registry import create_backend
from nlp.sentiment.settings import SentimentSettings
from nlp.types import Analysis, ClaimRecord, EntityMention, SentenceResult

POSITIVE = "Operating profit rose 35 % to EUR 12.4 million, and the company raised its outlook."
NEGATIVE = "Net sales fell 30 % and the company reported an operating loss of EUR 5 million."
NEUTRAL = "The annual general meeting will be held in Helsinki on 15 March."
OTHERS = [
    "Bitcoin fell below $99,000, its lowest level in six months.",
    "Net sales increased to EUR 58 million from EUR 51 million a year earlier.",
    "The report covers the period from January to June.",
    "Shares of the lender plunged after it warned of rising defaults.",
]


@pytest.fixture(scope="module")
def backend() -> EmbeddedBackend:
    """The shipped model, loaded once for this module."""
    return load_embedded(default_model_dir(), threads=2, batch_size=32, max_length=128)


def test_obvious_financial_sentences(backend: EmbeddedBackend) -> None:
    labels = [label_of(p) for p in backend.predict([POSITIVE, NEGATIVE, NEUTRAL])]
    assert labels == ["positive", "negative", "neutral"]


def test_probabilities_are_deterministic_and_normalised(backend: EmbeddedBackend) -> None:
    first = backend.predict([POSITIVE, *OTHERS])
    second = backend.predict([POSITIVE, *OTHERS])
    assert first == second
    for probs in first:
        assert list(probs) == ["negative", "neutral", "positive"]
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)


def test_batch_results_equal_single_results(backend: EmbeddedBackend) -> None:
    texts = [POSITIVE, NEGATIVE, NEUTRAL, *OTHERS]
    batched = backend.predict(texts)
    singles = [backend.predict([t])[0] for t in texts]
    for b, s in zip(batched, singles, strict=True):
        assert label_of(b) == label_of(s)
        for key in b:
            assert b[key] == pytest.approx(s[key], abs=2e-6)


def test_backend_is_loaded_once_per_process() -> None:
    a = create_backend(SentimentSettings(sentiment_cache_size=0))
    b = create_backend(SentimentSettings(sentiment_cache_size=0))
    assert a is b
    assert a.version == "embedded-" + (default_model_dir() / "version.txt").read_text().strip()


def test_threads_follow_the_setting_and_do_not_change_results(backend: EmbeddedBackend) -> None:
    one = create_backend(SentimentSettings(sentiment_cache_size=0))
    two = create_backend(SentimentSettings(sentiment_cache_size=0, sentiment_threads=2))
    assert isinstance(one, EmbeddedBackend) and isinstance(two, EmbeddedBackend)
    assert one.session.get_session_options().intra_op_num_threads == 1  # the default
    assert two.session.get_session_options().intra_op_num_threads == 2
    texts = [POSITIVE, NEGATIVE, NEUTRAL, *OTHERS]
    assert one.predict(texts) == two.predict(texts) == backend.predict(texts)


def test_cache_returns_stored_results_and_evicts_oldest(backend: EmbeddedBackend) -> None:
    cached = CachedBackend(backend, size=2)
    first = cached.predict([POSITIVE, NEGATIVE])
    assert (cached.hits, cached.misses) == (0, 2)
    again = cached.predict([NEGATIVE, POSITIVE, POSITIVE])
    assert (cached.hits, cached.misses) == (3, 2)
    assert again == [first[1], first[0], first[0]]
    cached.predict([NEUTRAL])  # evicts NEGATIVE, the least recently used
    cached.predict([NEGATIVE])
    assert (cached.hits, cached.misses) == (3, 4)


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SentimentError, match=r"incomplete \(missing model.onnx"):
        EmbeddedBackend(tmp_path, threads=1, batch_size=4, max_length=64)
    with pytest.raises(SentimentError, match="unknown sentiment backend 'nope'"):
        create_backend(SentimentSettings(sentiment_backend="nope"))


def _analysis(text: str, mentions: list[tuple[str, str, str]]) -> Analysis:
    """One-sentence analysis with the given (surface, entity_id, name) mentions."""
    ents = [
        EntityMention(
            start=text.index(s), end=text.index(s) + len(s), text=s, entity_id=i, name=n, type="X"
        )
        for s, i, n in mentions
    ]
    return Analysis(entities=ents, sentences=[SentenceResult(start=0, end=len(text), text=text)])


def test_entity_sentiment_depends_on_the_target(backend: EmbeddedBackend) -> None:
    text = "Bitcoin surged 9 % to a record high, while Ethereum plunged 15 % after the hack."
    result = apply_sentiment(
        _analysis(
            text, [("Bitcoin", "crypto:btc", "Bitcoin"), ("Ethereum", "crypto:eth", "Ether")]
        ),
        backend,
    )
    scores = {e.entity_id: e.score for e in result.entity_sentiment}
    assert scores["crypto:btc"] > 0.5
    assert scores["crypto:eth"] < -0.3
    assert [e.n for e in result.entity_sentiment] == [1, 1]
    assert result.model_versions["sentiment"] == backend.version


def test_sentences_document_and_forecast_stance(backend: EmbeddedBackend) -> None:
    text = NEGATIVE
    analysis = _analysis(text, [])
    start = text.index("30")
    analysis.claims = [
        ClaimRecord(
            start=start,
            end=start + 2,
            text="30",
            value=30,
            unit="PERCENT",
            metric=None,
            subject=None,
            subject_id=None,
            direction="down",
            claim_type=claim_type,
            time_start=None,
            time_end=None,
            time_text=None,
            attributed_to=None,
            qualifier=None,
            sentence_index=0,
        )
        for claim_type in ("forecast", "observation")
    ]
    apply_sentiment(analysis, backend)
    sent = analysis.sentences[0]
    assert sent.label == "negative"
    assert sent.probs is not None
    assert sent.score == pytest.approx(sent.probs["positive"] - sent.probs["negative"], abs=1e-6)
    assert analysis.document is not None
    assert analysis.document.label == "negative"
    assert analysis.document.mixed is False
    assert [c.stance for c in analysis.claims] == ["bearish", None]


def test_document_flags_mixed_text() -> None:
    rows = [
        SentenceResult(
            start=0, end=1, text="a", probs={"negative": 0.9, "neutral": 0.05, "positive": 0.05}
        ),
        SentenceResult(
            start=2, end=3, text="b", probs={"negative": 0.05, "neutral": 0.1, "positive": 0.85}
        ),
    ]
    doc = document_sentiment(rows)
    assert doc is not None
    assert doc.mixed is True
    assert doc.label == "neutral"
    assert doc.score == pytest.approx(-0.0473, abs=1e-4)


def test_clauses_split_on_contrast_and_merge_short_pieces() -> None:
    text = "Bitcoin, Ether and Solana fell, while gold rose to a record."
    pieces = [text[c.start : c.end] for c in clauses(text)]
    assert pieces == ["Bitcoin, Ether and Solana fell, ", "while gold rose to a record."]


def test_length_sorted_batches_cover_every_index_once_shortest_first() -> None:
    from nlp.sentiment.backend import length_sorted_batches

    lengths = [5, 1, 9, 3, 3, 7, 2]
    got = list(length_sorted_batches(lengths, 3))
    assert [len(b) for b in got] == [3, 3, 1]
    flat = [i for b in got for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    assert list(length_sorted_batches([], 4)) == []
