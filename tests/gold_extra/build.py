"""Rebuild our extra gold articles (offsets and values only in the repo) from ../shared.

The fourteen files here annotate real cryptonews.com articles in the gold format of
../shared/docs/EVALUATION.md, without the article text (it is not ours to commit). This script
reads each record from ../shared/data, rebuilds the text (paragraphs joined with newlines) and
the surface strings from the offsets, and writes OUT/gold/*.json and OUT/samples/*.txt, ready for
`tidings eval --gold-dir OUT/gold --samples-dir OUT/samples`. `split` says whether a file was a
development file (its misses were studied), a blind one, `dev2`: a second development set
annotated for the claim rules, or `blind2`: four articles annotated in session 9 and scored once,
held out of the claim rules after the blind set's claim misses were studied. The sentences of
dev2 and blind2 are in the sentiment model's market-stance training labels (so their sentence
scores say nothing); the blind set stays blind for sentiment.

`tests/gold_entities/` holds entity-only gold files in the same format (splits `ent-dev`,
`ent-blind` and `ent-blind2`); build them with `--folder tests/gold_entities`.

    python tests/gold_extra/build.py OUT [--shared ../shared] [--split dev|dev2|blind|blind2]
        [--folder tests/gold_entities]
"""

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parents[2] / "shared"


def article_text(shared: Path, record: dict[str, Any]) -> str:
    """The article text the offsets index: the record's paragraphs joined with newlines."""
    records = json.loads((shared / record["file"]).read_text(encoding="utf-8"))
    found = records[record["record_index"]]
    if found.get("url") != record["url"]:
        raise ValueError(f"record {record['record_index']} is not {record['url']}")
    return "\n".join(found["paragraphs"])


def restore(gold: dict[str, Any], text: str) -> dict[str, Any]:
    """The gold file with surface, value_text and sentence strings filled in from `text`."""
    if len(text) != gold["text_length_chars"]:
        raise ValueError(f"{gold['doc']}: text length {len(text)} != {gold['text_length_chars']}")
    for entity in gold["entities"]:
        entity["surface"] = text[entity["char_start"] : entity["char_end"]]
    sentences = gold["sentences_sentiment"]
    for sentence in sentences:
        sentence["sentence"] = text[sentence["char_start"] : sentence["char_end"]]
    for claim in gold["claims"]:
        claim["value_text"] = text[claim["char_start"] : claim["char_end"]]
        claim["sentence"] = sentences[claim["sentence_index"]]["sentence"]
    return gold


def build(out: Path, *, shared: Path, split: str | None = None, folder: Path = HERE) -> list[str]:
    """Write the rebuilt gold files and texts under `out`; returns the doc names written.

    `folder` holds the offset-only gold files (this folder, or `tests/gold_entities`)."""
    (out / "gold").mkdir(parents=True, exist_ok=True)
    (out / "samples").mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(folder.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if split and gold.get("split") != split:
            continue
        text = article_text(shared, gold["source_record"])
        (out / "samples" / gold["doc"]).write_text(text, encoding="utf-8")
        restored = json.dumps(restore(gold, text), indent=1, ensure_ascii=False)
        (out / "gold" / path.name).write_text(restored, encoding="utf-8")
        written.append(gold["doc"])
    return written


def main() -> None:
    """Command line: build OUT from ../shared."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument(
        "--split", choices=["dev", "dev2", "blind", "blind2", "ent-dev", "ent-blind", "ent-blind2"]
    )
    parser.add_argument("--folder", type=Path, default=HERE, help="gold folder (default: here)")
    args = parser.parse_args()
    names = build(args.out, shared=args.shared, split=args.split, folder=args.folder)
    print(f"{len(names)} articles written to {args.out}")


if __name__ == "__main__":
    main()
