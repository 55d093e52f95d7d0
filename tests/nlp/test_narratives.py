"""Narratives: taxonomy files, sentence assignment, the analyze field, discovery, evaluation."""

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from nlp.evaluation.narrative_recovery import score_recovery
from nlp.evaluation.narratives import GOLD_DIR, load_narrative_gold, score_assignment
from nlp.narratives.assign import NarrativeModel, SentenceClassifier, keyword_pattern
from nlp.narratives.encoder import load_encoder
from nlp.narratives.taxonomy import NarrativeError, Taxonomy, append_user_narrative, load_file
from nlp.pipeline import Analyzer
from nlp.sentences import split_sentences

USER_YAML = """\
version: 1
narratives:
  - id: election-crypto
    name: Crypto in the US election
    description: Candidates' promises and policies on crypto.
    seeds:
      - The presidential candidate promised to protect bitcoin self-custody.
    keywords: [presidential, candidate*, campaign*]
  - id: etf-flows
    name: ETF flows (my version)
    description: Replaces the built-in one.
    seeds: [Spot bitcoin ETFs saw inflows.]
    keywords: [etf]
"""


@pytest.fixture(scope="module")
def model() -> NarrativeModel:
    return NarrativeModel(Taxonomy.load(), load_encoder(), classifier=SentenceClassifier.load())


def test_builtin_taxonomy_has_the_issue_narratives() -> None:
    taxonomy = Taxonomy.load()
    ids = {n.id for n in taxonomy.narratives}
    assert len(ids) >= 25
    assert {"etf-flows", "holder-selling", "liquidations-leverage", "fed-rates", "liquidity",
            "tariffs-trade", "government-shutdown", "hacks-exploits", "platform-collapse",
            "regulation-enforcement", "treasury-companies", "ai-tech", "stablecoins",
            "privacy-coins", "miners-hashrate", "halving-cycle", "altcoin-season", "defi",
            "memecoins", "cbdc", "institutional-adoption", "macro-data", "dollar-strength",
            "gold", "risk-off"} <= ids  # fmt: skip
    for n in taxonomy.narratives:
        assert n.name and n.description and n.seeds and n.keywords and n.kind == "built-in"


def test_user_file_adds_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(USER_YAML, encoding="utf-8")
    base = Taxonomy.load()
    taxonomy = Taxonomy.load(path)
    assert len(taxonomy.narratives) == len(base.narratives) + 1
    mine = taxonomy.get("election-crypto")
    assert mine is not None and mine.kind == "user" and mine.keywords[1] == "candidate*"
    replaced = taxonomy.get("etf-flows")
    assert replaced is not None and replaced.name == "ETF flows (my version)"
    assert taxonomy.version != base.version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("narratives: [\n  {id: a, name: A, seeds: [x]\n", "not valid YAML"),
        ("- just a list\n", "expected a mapping with a 'narratives:' list"),
        ("narratives:\n  - id: ok\n    name: OK\n    seeds: [x]\n  - id: Bad Id\n    name: B\n"
         "    seeds: [x]\n", ":5: narrative #2: id 'Bad Id'"),
        ("narratives:\n  - id: a\n    name: A\n", ":2: narrative #1: 'seeds' must be"),
        ("narratives:\n  - id: a\n    name: A\n    seeds: [x]\n    colour: red\n",
         "unknown key(s) colour"),
        ("narratives:\n  - {id: a, name: A, seeds: [x]}\n  - {id: a, name: B, seeds: [y]}\n",
         ":3: narrative #2: duplicate id 'a'"),
    ],
)  # fmt: skip
def test_bad_user_file_names_file_line_and_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NarrativeError) as info:
        Taxonomy.load(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_missing_user_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NarrativeError, match="cannot read narratives file"):
        Taxonomy.load(tmp_path / "nope.yaml")


def test_append_user_narrative_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "user.yaml"
    first = Taxonomy.load().narratives[0]
    append_user_narrative(path, first)
    append_user_narrative(path, first)  # same id: replaced, not duplicated
    loaded = load_file(path)
    assert [n.id for n in loaded] == [first.id] and loaded[0].seeds == first.seeds


def test_keyword_patterns() -> None:
    pattern = keyword_pattern(["etf", "inflow*", "rate cut*", "exchange-traded"])
    assert pattern is not None
    for text in ("the ETF", "net inflows", "two rate  cuts", "an exchange-traded fund"):
        assert pattern.search(text), text
    for text in ("Spot ETFs", "betfair", "a rate cutter", "no flows"):
        assert not pattern.search(text) or text == "a rate cutter", text


CASES = [
    ("US spot bitcoin ETFs recorded $400 million of net outflows on Tuesday, led by IBIT.",
     "etf-flows"),
    ("Over $1 billion in leveraged long positions were liquidated as bitcoin slid.",
     "liquidations-leverage"),
    ("Traders cut their bets on a Federal Reserve rate cut in December after Powell spoke.",
     "fed-rates"),
    ("Hackers drained $120 million from the lending protocol in an exploit on Monday.",
     "hacks-exploits"),
    ("The SEC sued the exchange for offering unregistered securities.", "regulation-enforcement"),
    ("Bitcoin's hashrate hit a record as miners added new ASIC machines.", "miners-hashrate"),
    ("Tether's USDT supply rose above $120 billion.", "stablecoins"),
    ("The ECB said the digital euro pilot will start next year.", "cbdc"),
    ("US CPI inflation came in at 3.1%, cooler than expected.", "macro-data"),
    ("Gold hit a record high above $4,000 an ounce as investors sought a safe haven.", "gold"),
    ("The memecoin PEPE jumped 40% in a day.", "memecoins"),
    ("MicroStrategy bought another 10,000 bitcoin for its treasury.", "treasury-companies"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "narrative"), CASES)
def test_sentence_assigned_to_its_narrative(
    model: NarrativeModel, sentence: str, narrative: str
) -> None:
    assigned = model.assign([sentence])[0]
    assert assigned and assigned[0].narrative_id == narrative, assigned
    assert 0 < assigned[0].score <= 1


def test_sentences_without_a_cue_get_nothing(model: NarrativeModel) -> None:
    sentences = ["He declined to comment.", "The weather in Lisbon was mild on Sunday."]
    assert model.assign(sentences) == [[], []]


def test_documents_do_not_leak_context(model: NarrativeModel) -> None:
    etf = "Spot bitcoin ETFs saw net inflows of $200 million, the fifth day in a row."
    doc = [etf] * 5
    other = ["Grayscale said it was pleased with the outcome."]
    together = model.assign_documents([doc, other])
    assert together[1] == model.assign(other[0:1]) == model.assign_documents([other])[0]


def test_encoder_encodes_a_repeated_sentence_once(model: NarrativeModel) -> None:
    etf = "Spot bitcoin ETFs saw net inflows of $200 million."
    fed = "Traders now see a lower chance of a Fed rate cut in December."
    encoder = model.encoder
    runs: list[int] = []
    session = encoder.session

    class Counting:
        def run(self, names: list[str], feed: dict[str, np.ndarray]) -> list[np.ndarray]:
            runs.append(len(feed["input_ids"]))
            return list(session.run(names, feed))

    alone = encoder.encode([etf, fed])
    encoder.session = Counting()
    try:
        repeated = encoder.encode([etf, fed, etf, etf.replace(" ", "  ") + " ", fed])
    finally:
        encoder.session = session
    assert sum(runs) == 2  # two distinct model inputs (the spaced copy normalizes to etf)
    np.testing.assert_allclose(repeated, alone[[0, 1, 0, 0, 1]], atol=1e-6)


def test_encoder_threads_and_batch_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.narratives.settings import get_narrative_settings
    from nlp.narratives.stage import narrative_stage

    monkeypatch.setenv("TIDINGS_NARRATIVE_THREADS", "2")
    monkeypatch.setenv("TIDINGS_NARRATIVE_BATCH_SIZE", "8")
    get_narrative_settings.cache_clear()
    try:
        encoder = narrative_stage(None).model.encoder  # type: ignore[arg-type]
        monkeypatch.delenv("TIDINGS_NARRATIVE_THREADS")
        monkeypatch.delenv("TIDINGS_NARRATIVE_BATCH_SIZE")
        get_narrative_settings.cache_clear()
        default = narrative_stage(None).model.encoder  # type: ignore[arg-type]
    finally:
        get_narrative_settings.cache_clear()
    assert encoder.batch_size == 8
    assert encoder.session.get_session_options().intra_op_num_threads == 2
    assert default.batch_size == 32
    assert default.session.get_session_options().intra_op_num_threads == 1


def test_analyze_json_carries_narratives() -> None:
    text = (
        "Spot bitcoin ETFs recorded net outflows of $500 million, led by BlackRock's IBIT.\n"
        "The weather was mild.\n"
        "Traders now see a lower chance of a Fed rate cut in December."
    )
    out = Analyzer().analyze(text, date(2025, 11, 5)).to_json_dict()
    by_id = {n["id"]: n for n in out["narratives"]}
    assert set(by_id) >= {"etf-flows", "fed-rates"}
    assert by_id["etf-flows"]["sentence_indexes"] == [0]
    assert by_id["fed-rates"]["sentence_indexes"] == [2]
    assert set(by_id["etf-flows"]) == {"id", "name", "score", "sentence_indexes"}
    assert by_id["etf-flows"]["name"] == "Spot ETF flows"
    assert out["model_versions"]["narratives"].startswith("narratives-")


def test_score_assignment_and_recovery_by_overlap() -> None:
    pred = {
        "sentences": [{"start": 0, "end": 10}, {"start": 11, "end": 20}, {"start": 21, "end": 30}],
        "narratives": [
            {"id": "a", "sentence_indexes": [0, 1]},
            {"id": "b", "sentence_indexes": [2]},
        ],
    }
    gold = [
        {"char_start": 0, "char_end": 10, "narratives": ["a"]},
        {"char_start": 11, "char_end": 20, "narratives": ["b"]},
        {"char_start": 21, "char_end": 30, "narratives": ["b"]},
    ]
    counts = score_assignment(gold, pred)
    assert (counts.tp, counts.fp, counts.fn) == (2, 1, 1)
    shared_gold = {
        "sentences_sentiment": [{"index": i, "char_start": g["char_start"],
                                 "char_end": g["char_end"]} for i, g in enumerate(gold)],
        "narratives": [{"name": "x", "sentence_indexes": [0, 1]},
                       {"name": "y", "sentence_indexes": [2]}],
    }  # fmt: skip
    recovery = score_recovery(shared_gold, pred)
    assert recovery.n == 1 and recovery.value == 1.0


def test_gold_files_hold_offsets_and_ids_only() -> None:
    ids = {n.id for n in Taxonomy.load().narratives}
    files = sorted(GOLD_DIR.glob("*.json"))
    assert len(files) >= 12
    splits = set()
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        splits.add(gold["split"])
        for s in gold["sentences"]:
            assert set(s) == {"index", "char_start", "char_end", "narratives"}
            assert set(s["narratives"]) <= ids
    assert splits == {"dev", "dev2", "blind2", "blind3"}


@pytest.mark.shared
def test_gold_rebuilds_from_shared_with_the_same_sentences(shared_path: Path) -> None:
    docs = load_narrative_gold(shared_path)
    assert len(docs) >= 12
    for doc in docs:
        spans = [(s.start, s.end) for s in split_sentences(doc.text)]
        assert spans == [(s["char_start"], s["char_end"]) for s in doc.sentences], doc.name


@pytest.mark.shared
def test_discovery_on_real_unassigned_sentences(shared_path: Path, model: NarrativeModel) -> None:
    """Sentences of real 2023 articles that fit no narrative cluster into labelled candidates."""
    from nlp.narratives.discover import discover

    records = json.loads(
        (shared_path / "data/crypto-news-articles/cryptonews_com_2023_fulltext.json").read_text(
            encoding="utf-8"
        )
    )
    sentences: list[str] = []
    articles: list[int] = []
    seen: set[str] = set()
    for i, record in enumerate(records[:60]):
        text = "\n".join(record["paragraphs"])
        if text in seen:
            continue
        seen.add(text)
        spans = [text[s.start : s.end] for s in split_sentences(text)]
        for sentence, assigned in zip(spans, model.assign(spans), strict=True):
            if not assigned:
                sentences.append(sentence)
                articles.append(i)
    candidates = discover(sentences, articles, model.encoder)
    assert candidates, f"no candidate from {len(sentences)} sentences"
    for c in candidates:
        members = [sentences[i].lower() for i in c.members]
        assert c.size == len(members) >= 4 and c.articles >= 2
        assert c.keywords and all(any(k.split()[0] in m for m in members) for k in c.keywords)
        assert set(c.seeds) <= {sentences[i] for i in c.members}
        assert c.id.startswith("candidate:")
        narrative = c.to_narrative()
        assert narrative.kind == "user" and narrative.seeds == c.seeds
