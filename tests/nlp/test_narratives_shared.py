"""The shared transformer pass (TIDINGS_NARRATIVES_ENCODER=sentiment): the sentiment graph's
pooled-vector output, the vectors the sentiment stage hands over, and the narrative stage that
uses them instead of encoding again."""

from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from nlp.narratives.assign import (
    SHARED_CLASSIFIER_FILE,
    SHARED_CONFIG,
    NarrativeModel,
    SentenceClassifier,
)
from nlp.narratives.encoder import SentimentEncoder
from nlp.narratives.settings import get_narrative_settings
from nlp.narratives.stage import NarrativeStage, narrative_stage
from nlp.narratives.taxonomy import Taxonomy
from nlp.sentiment.backend import SentimentError
from nlp.sentiment.embedded import (
    EMBEDDING_OUTPUT,
    EmbeddedBackend,
    default_model_dir,
    with_embedding_output,
)
from nlp.sentiment.settings import get_sentiment_settings
from nlp.sentiment.stage import SentimentStage, sentiment_stage
from nlp.stages import AnalysisContext
from nlp.types import Analysis, SentenceResult

SENTENCES = [
    "Bitcoin rose 4% after the SEC approved the first spot ETFs.",
    "Outflows from GBTC continued for a fifth day.",
    "The Fed held rates.",
    "Hackers drained $100 million from a cross-chain bridge on Sunday, the team said in a post "
    "that also promised a full refund to every affected user within two weeks.",
    "Miners sold more coins than they produced in March.",
    "Analysts expect volatility.",
    "Tether's market capitalization reached a record $90 billion, according to CoinGecko.",
    "The weather in Lisbon was mild.",
    "Ether fell.",
]


def backend(*, embeddings: bool) -> EmbeddedBackend:
    return EmbeddedBackend(
        default_model_dir(), threads=1, batch_size=4, max_length=128, embeddings=embeddings
    )


@pytest.fixture(scope="module")
def plain() -> EmbeddedBackend:
    return backend(embeddings=False)


@pytest.fixture(scope="module")
def shared() -> EmbeddedBackend:
    return backend(embeddings=True)


def test_embedding_output_leaves_the_logits_byte_identical(
    plain: EmbeddedBackend, shared: EmbeddedBackend
) -> None:
    logits, vectors = shared.logits_and_embeddings(SENTENCES)
    assert logits.tobytes() == plain.logits(SENTENCES).tobytes()
    assert vectors.shape == (len(SENTENCES), 384)
    assert shared.session.get_outputs()[1].name == EMBEDDING_OUTPUT
    # The vector is the classifier's input: the Gemm head applied to it gives the logits.
    graph = onnx.load(str(default_model_dir() / "model.onnx")).graph
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
    head = vectors @ weights["head.weight"].T + weights["head.bias"]
    np.testing.assert_allclose(head, logits, atol=1e-4)
    assert shared.predict_with_embeddings(SENTENCES)[0] == plain.predict(SENTENCES)


def test_backend_without_the_output_refuses(plain: EmbeddedBackend) -> None:
    with pytest.raises(SentimentError, match="without the embedding output"):
        plain.logits_and_embeddings(SENTENCES[:1])


def tiny_graph(pool_op: str) -> Any:
    """x -> pool_op -> Gemm -> logits."""
    w = helper.make_tensor("w", TensorProto.FLOAT, [3, 4], [0.1] * 12)
    b = helper.make_tensor("b", TensorProto.FLOAT, [3], [0.0] * 3)
    two = helper.make_tensor("two", TensorProto.FLOAT, [1], [2.0])
    nodes = [
        helper.make_node(pool_op, ["x", "two"], ["pooled"]),
        helper.make_node("Gemm", ["pooled", "w", "b"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])],
        [w, b, two],
    )
    return helper.make_model(graph)


def test_graph_edit_adds_one_output_and_refuses_other_heads() -> None:
    edited = with_embedding_output(tiny_graph("Div"))
    assert [o.name for o in edited.graph.output] == ["logits", EMBEDDING_OUTPUT]
    dims = edited.graph.output[1].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ["batch", 4]
    with pytest.raises(SentimentError, match="mean-pooling Div"):
        with_embedding_output(tiny_graph("Mul"))


def context(texts: list[str]) -> AnalysisContext:
    """A context with sentences only (the stages under test read nothing else)."""
    sentences, start = [], 0
    for t in texts:
        sentences.append(SentenceResult(start=start, end=start + len(t), text=t))
        start += len(t) + 1
    return AnalysisContext(
        text=" ".join(texts),
        published_at=None,
        doc=None,  # type: ignore[arg-type]
        sentences=[],
        kb=None,  # type: ignore[arg-type]
        analysis=Analysis(sentences=sentences),
    )


def test_sentiment_stage_hands_over_each_sentences_vector(
    plain: EmbeddedBackend, shared: EmbeddedBackend
) -> None:
    docs = [SENTENCES[:4], [SENTENCES[2], SENTENCES[5], SENTENCES[2]]]  # a repeated sentence
    alone = [context(d) for d in docs]
    both = [context(d) for d in docs]
    SentimentStage(plain).run_batch(alone)
    SentimentStage(plain, vectors=shared).run_batch(both)
    for a, b, texts in zip(alone, both, docs, strict=True):
        assert a.analysis == b.analysis  # same sentiment either way
        assert a.sentence_vectors is None
        assert b.sentence_vectors is not None
        # Same vectors up to float rounding (the batches pad to other widths here).
        np.testing.assert_allclose(
            b.sentence_vectors, shared.logits_and_embeddings(texts)[1], atol=1e-5
        )


class CountingEncoder(SentimentEncoder):
    """The shared encoder, counting the texts it is asked to encode."""

    def __init__(self, inner: EmbeddedBackend) -> None:
        super().__init__(inner)
        self.calls = 0

    def encode(self, texts: Any) -> np.ndarray:
        self.calls += len(texts)
        return super().encode(texts)


def test_narrative_stage_uses_the_vectors_instead_of_a_second_pass(
    plain: EmbeddedBackend, shared: EmbeddedBackend
) -> None:
    encoder = CountingEncoder(shared)
    model = NarrativeModel(Taxonomy.load(), encoder, config=SHARED_CONFIG)
    stage = NarrativeStage(model)
    expected = [model.assign(SENTENCES[:5]), model.assign(SENTENCES[5:])]
    handed, fallback = [context(SENTENCES[:5]), context(SENTENCES[5:])], [context(SENTENCES[:5])]
    SentimentStage(plain, vectors=shared).run_batch(handed)
    encoder.calls = 0
    stage.run_batch(handed)
    assert encoder.calls == 0
    for ctx, per in zip(handed, expected, strict=True):
        found = {(n.id, i) for n in ctx.analysis.narratives for i in n.sentence_indexes}
        assert found == {(a.narrative_id, i) for i, s in enumerate(per) for a in s}
    assert handed[0].analysis.narratives  # the ETF and hack sentences get narratives
    stage.run_batch(fallback)  # no sentiment stage before it: the stage encodes itself
    assert encoder.calls == 5
    assert fallback[0].analysis.narratives == handed[0].analysis.narratives


def test_the_setting_wires_both_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDINGS_NARRATIVES_ENCODER", "sentiment")
    monkeypatch.setenv("TIDINGS_SENTIMENT_CACHE_SIZE", "0")
    get_narrative_settings.cache_clear()
    get_sentiment_settings.cache_clear()
    try:
        senti = sentiment_stage(None)  # type: ignore[arg-type]
        narr = narrative_stage(None)  # type: ignore[arg-type]
    finally:
        get_narrative_settings.cache_clear()
        get_sentiment_settings.cache_clear()
    assert isinstance(narr.model.encoder, SentimentEncoder)
    assert senti.vectors is narr.model.encoder.backend  # one session for both stages
    assert senti.vectors is not senti.backend  # clauses keep the cached backend
    assert narr.model.config == SHARED_CONFIG
    clf = SentenceClassifier.load(SHARED_CLASSIFIER_FILE)
    assert clf is not None and narr.model.classifier is not None
    assert narr.model.classifier.version == clf.version
    assert "-shared-embedded-" in narr.model.version and narr.model.version.endswith(clf.version)
