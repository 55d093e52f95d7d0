"""Round 3 of narrative assignment: the run (context) pass, keyword-free assignment by the
embedding classifier and per-narrative similarity bars, and the classifier's training."""

from pathlib import Path

import numpy as np
import pytest

from nlp.narratives.assign import (
    ASSIGN_VERSION,
    AssignConfig,
    NarrativeModel,
    SentenceClassifier,
)
from nlp.narratives.encoder import load_encoder
from nlp.narratives.taxonomy import Taxonomy
from nlp.training.narrative_classifier import fit, leave_one_article_out, save

DIM = 384


class FakeEncoder:
    """Deterministic unit vectors; the tests below hand the model their own embeddings."""

    version = "fake-1"

    def encode(self, texts: list[str]) -> np.ndarray:
        rng = np.random.default_rng(len(texts))
        out = rng.normal(size=(len(texts), DIM)).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def fake() -> NarrativeModel:
    return NarrativeModel(Taxonomy.load(), FakeEncoder())  # type: ignore[arg-type]


def chain(links: list[float]) -> np.ndarray:
    """Unit embeddings whose adjacent cosines are `links` (angles in one plane)."""
    angles = np.concatenate([[0.0], np.cumsum(np.arccos(links))])
    emb = np.zeros((len(angles), DIM), dtype=np.float32)
    emb[:, 0], emb[:, 1] = np.cos(angles), np.sin(angles)
    return emb


ETF, REG = "etf-flows", "regulation-enforcement"

# (case, similarity to ETF per sentence, ETF cue per sentence, adjacent cosines, words,
#  expected ETF sentences). Sentence 0 always names the narrative (keyword, similarity 0.6).
CARRY = [
    ("close follower takes it", [0.6, 0.3], [1, 0], [0.7], [20, 20], [0, 1]),
    ("distant long follower does not", [0.6, 0.3], [1, 0], [0.2], [20, 20], [0]),
    ("distant but short follower does", [0.6, 0.3], [1, 0], [0.2], [20, 5], [0, 1]),
    ("below the floor it stops", [0.6, 0.1], [1, 0], [0.9], [20, 20], [0]),
    ("a run carries on", [0.6, 0.3, 0.3, 0.3], [1, 0, 0, 0], [0.7, 0.7, 0.7], [20] * 4,
     [0, 1, 2, 3]),
    ("a break ends the run", [0.6, 0.3, 0.3, 0.3], [1, 0, 0, 0], [0.7, 0.1, 0.7], [20] * 4,
     [0, 1]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "sims", "cues", "links", "words", "expected"), CARRY)
def test_run_pass_carries_along_close_sentences(
    fake: NarrativeModel,
    case: str,
    sims: list[float],
    cues: list[int],
    links: list[float],
    words: list[int],
    expected: list[int],
) -> None:
    j = [n.id for n in fake.narratives].index(ETF)
    n = len(sims)
    sim = np.full((n, len(fake.narratives)), 0.05, dtype=np.float32)
    sim[:, j] = sims
    cue = np.zeros_like(sim, dtype=bool)
    cue[:, j] = np.array(cues, dtype=bool)
    fake.reconfigure(AssignConfig())
    per = fake.decide_document(sim, cue, emb=chain(links), words=np.array(words))
    got = [i for i, assigned in enumerate(per) if any(a.narrative_id == ETF for a in assigned)]
    assert got == expected, case


def test_run_pass_goes_backward_and_fills_only_empty_sentences(fake: NarrativeModel) -> None:
    ids = [n.id for n in fake.narratives]
    e, r = ids.index(ETF), ids.index(REG)
    sim = np.full((3, len(ids)), 0.05, dtype=np.float32)
    sim[:, e] = [0.3, 0.6, 0.3]
    sim[2, r] = 0.6
    cue = np.zeros_like(sim, dtype=bool)
    cue[1, e] = cue[2, r] = True
    fake.reconfigure(AssignConfig(context_min=99))
    per = fake.decide_document(sim, cue, emb=chain([0.8, 0.8]), words=np.array([20, 20, 20]))
    assert [[a.narrative_id for a in s] for s in per] == [[ETF], [ETF], [REG]]
    fake.reconfigure(AssignConfig(context_min=99, carry_into_empty=False))
    per = fake.decide_document(sim, cue, emb=chain([0.8, 0.8]), words=np.array([20, 20, 20]))
    assert [a.narrative_id for a in per[2]] == [REG, ETF]
    fake.reconfigure(AssignConfig(context_min=99, carry_cosine=1.1, carry_short_words=0))
    per = fake.decide_document(sim, cue, emb=chain([0.8, 0.8]), words=np.array([20, 20, 20]))
    assert [[a.narrative_id for a in s] for s in per] == [[], [ETF], [REG]]


@pytest.mark.parametrize(
    ("bars", "sim", "assigned"),
    [
        ({}, 0.5, False),
        ({ETF: 0.45}, 0.5, True),
        ({ETF: 0.55}, 0.5, False),
        ({REG: 0.3}, 0.5, False),
    ],
)
def test_per_narrative_keyword_free_bar(
    fake: NarrativeModel, bars: dict[str, float], sim: float, assigned: bool
) -> None:
    ids = [n.id for n in fake.narratives]
    sims = np.full((1, len(ids)), 0.0, dtype=np.float32)
    sims[0, ids.index(ETF)] = sim
    fake.reconfigure(AssignConfig(free_thresholds=bars))
    per = fake.decide_document(sims, np.zeros_like(sims, dtype=bool))
    assert ([a.narrative_id for a in per[0]] == [ETF]) is assigned


def test_classifier_assigns_without_a_keyword(fake: NarrativeModel) -> None:
    weights = np.zeros((DIM, 1), dtype=np.float32)
    weights[0, 0] = 10.0
    clf = SentenceClassifier((ETF,), weights, np.array([-5.0], dtype=np.float32), "t")
    emb = np.zeros((2, DIM), dtype=np.float32)
    emb[0, 0] = emb[1, 1] = 1.0  # the first points along the ETF weights, the second does not
    ids = [n.id for n in fake.narratives]
    probs = clf.probabilities(emb, ids)
    assert probs[0, ids.index(ETF)] > 0.99 and probs[1, ids.index(ETF)] < 0.01
    assert probs[:, ids.index(REG)].tolist() == [0.0, 0.0]  # no model for it: never proposed
    sims = np.zeros((2, len(ids)), dtype=np.float32)
    fake.reconfigure(AssignConfig(carry_cosine=1.1, carry_short_words=0))
    per = fake.decide_document(sims, np.zeros_like(sims, dtype=bool), emb=emb, probs=probs)
    assert [[a.narrative_id for a in s] for s in per] == [[ETF], []]
    assert per[0][0].score == pytest.approx(float(probs[0, ids.index(ETF)]), abs=1e-4)
    fake.reconfigure(AssignConfig(classifier_threshold=1.1))
    assert fake.decide_document(sims, np.zeros_like(sims, dtype=bool), emb=emb, probs=probs) == [
        [],
        [],
    ]


def test_fit_save_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, DIM)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = [{ETF} if v > 0 else set() for v in x[:, 0]]
    labels[0] = labels[0] | {REG}  # one sentence only: too few for a model
    clf = fit(x, labels, [ETF, REG])
    assert clf.ids == (ETF,)
    probs = clf.probabilities(x, [ETF, REG])
    positive = np.array([ETF in g for g in labels])
    assert probs[positive, 0].mean() > probs[~positive, 0].mean() + 0.3
    save(clf, tmp_path / "c.npz")
    loaded = SentenceClassifier.load(tmp_path / "c.npz")
    assert loaded is not None and len(loaded.version) == 8
    assert np.allclose(loaded.probabilities(x, [ETF, REG]), probs, atol=1e-6)
    assert SentenceClassifier.load(tmp_path / "absent.npz") is None
    save(clf, tmp_path / "again.npz")  # the version names the weights, not the file
    again = SentenceClassifier.load(tmp_path / "again.npz")
    assert again is not None and again.version == loaded.version


def test_gate_is_part_of_the_version() -> None:
    open_ = NarrativeModel(Taxonomy.load(), FakeEncoder())  # type: ignore[arg-type]
    gated = NarrativeModel(Taxonomy.load(), FakeEncoder(), config=AssignConfig(gate=True))  # type: ignore[arg-type]
    assert gated.version == open_.version + "-gated"


def test_leave_one_article_out_never_sees_the_article() -> None:
    """Each article's labels follow a feature only that article has: a model trained on the
    other articles cannot know it, one trained on all can."""
    x = np.zeros((12, DIM), dtype=np.float32)
    article = np.repeat(np.arange(3), 4)
    for k in range(3):
        x[article == k, k] = 1.0
    labels = [{ETF} if a == 0 else set() for a in article]
    labels[4] = labels[5] = labels[8] = {ETF}  # positives elsewhere, so every fold can fit
    held_out = leave_one_article_out(x, labels, article, ids=[ETF])
    seen = fit(x, labels, [ETF]).probabilities(x, [ETF])
    assert held_out[article == 0, 0].max() < seen[article == 0, 0].min()


def test_version_names_round_and_classifier() -> None:
    clf = SentenceClassifier.load()
    assert clf is not None
    model = NarrativeModel(Taxonomy.load(), load_encoder(), classifier=clf)
    assert ASSIGN_VERSION == "3"
    assert model.version.startswith("narratives-3-") and model.version.endswith(clf.version)


@pytest.fixture(scope="module")
def real() -> NarrativeModel:
    return NarrativeModel(Taxonomy.load(), load_encoder(), classifier=SentenceClassifier.load())


# A sentence that names a narrative, and a follower that speaks to it with none of its keywords.
FOLLOWERS = [
    ("The SEC rejected another application for a spot bitcoin ETF on Friday.",
     "It was the third time the proposal had been turned down.", REG),
    ("The Federal Reserve raised interest rates by 25 basis points.",
     "Powell did not rule out another move in July.", "fed-rates"),
    ("Hackers drained $100 million from the bridge in an exploit.",
     "The team said the attacker's address had been identified.", "hacks-exploits"),
]  # fmt: skip


@pytest.mark.parametrize(("first", "follower", "narrative"), FOLLOWERS)
def test_follower_sentences_keep_the_narrative(
    real: NarrativeModel, first: str, follower: str, narrative: str
) -> None:
    per = real.assign([first, follower])
    assert narrative in {a.narrative_id for a in per[1]}, per


def test_unrelated_follower_gets_nothing(real: NarrativeModel) -> None:
    per = real.assign(["Spot bitcoin ETFs saw net inflows of $300 million.",
                       "The weather in Lisbon was mild on Sunday."])  # fmt: skip
    assert per[1] == []
