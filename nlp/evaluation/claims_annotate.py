"""Turn an annotator's compact label sheet into the claim-label JSONL files.

The annotator reads a text marked by `claims_candidates` (every number as `[k:span]`) and writes,
per text, a line `@DOC_ID` and one line per number that is a claim (a number left out is not a
claim):

    k VALUE UNIT METRIC DIR TYPE SOURCE [opt]

- UNIT: `$` (USD), `%` (PERCENT), `bp` (BASIS_POINTS), `#` (COUNT), `x` (MULTIPLE), `d` / `mo` /
  `y` (DAYS / MONTHS / YEARS), or a ticker / ISO code (`BTC`, `EUR`); a trailing `i` on `$` or a
  ticker (`$i`, `SOLi`) marks a unit the text does not write (`unit_inferred`);
- DIR: `u` / `d` / `n` (up / down / none); TYPE: `o` observation, `f` forecast, `h` historical,
  `t` threshold_level, `x` other;
- SOURCE: `-` for none (the writer's own figure), else the name with `_` for spaces;
- `opt`: a borderline item that the scorer counts neither way.
A `k=START:END` in place of `k` gives the span as offsets relative to candidate k's start (for a
number the candidate regex cut wrongly). Output: one JSON object per text (see
`nlp/evaluation/claims_labels.py`), split by a hash of the doc id.

    python -m nlp.evaluation.claims_annotate SHEET [SHEET ...] --out-dir DIR [--annotator NAME]

writes DIR/dev.jsonl, DIR/test.jsonl and DIR/blind.jsonl (each text in its fixed split), or with
`--split NAME` one file DIR/NAME.jsonl holding every text (a later round's named set).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from nlp.claims.metrics import METRICS
from nlp.evaluation.claims_candidates import candidates
from nlp.evaluation.claims_labels import EXTRA_SPLITS
from nlp.evaluation.claims_texts import SourceText, all_texts
from nlp.sentences import split_sentences

UNITS = {"$": "USD", "%": "PERCENT", "bp": "BASIS_POINTS", "#": "COUNT", "x": "MULTIPLE",
         "d": "DAYS", "mo": "MONTHS", "y": "YEARS"}  # fmt: skip
DIRECTIONS = {"u": "up", "d": "down", "n": "none"}
TYPES = {"o": "observation", "f": "forecast", "h": "historical", "t": "threshold_level",
         "x": "other"}  # fmt: skip


class SheetError(ValueError):
    """A label line that cannot be read."""


def split_of(doc_id: str) -> str:
    """The fixed split of a text: blind for a fifth of the doc ids, test for a fifth, else dev."""
    bucket = int(hashlib.sha1(f"claims-split|{doc_id}".encode()).hexdigest(), 16) % 10
    return "blind" if bucket < 2 else "test" if bucket < 4 else "dev"


def parse_unit(code: str) -> tuple[str, bool]:
    """A sheet unit code to (unit, inferred)."""
    inferred = code.endswith("i") and (code[:-1] == "$" or code[:-1].isupper())
    base = code[:-1] if inferred else code
    unit = UNITS.get(base, base)
    if not unit or not (unit in UNITS.values() or unit.isupper()):
        raise SheetError(f"unknown unit {code!r}")
    return unit, inferred


def parse_claim(line: str, doc: SourceText) -> dict[str, Any]:
    """One sheet line of `doc` to a claim row."""
    parts = line.split()
    if len(parts) < 7:
        raise SheetError(f"{doc.doc_id}: too few fields: {line!r}")
    ref = parts[0]
    flags = set(parts[7:])
    if ref.startswith("~") and ref.endswith("~"):
        wanted = ref.strip("~").replace("_", " ")
        start = doc.text.find(wanted)
        if start < 0:
            raise SheetError(f"{doc.doc_id}: {wanted!r} is not in the text")
        return _claim(doc, (start, start + len(wanted)), parts[1:], flags=flags)
    index, _, shift = ref.partition("=")
    cand = candidates(doc.text)[int(index)]
    start, end = cand.start, cand.end
    if shift:
        lo, hi = (int(v) for v in shift.split(":"))
        start, end = cand.start + lo, cand.start + hi
    return _claim(doc, (start, end), parts[1:], flags=flags)


def _claim(
    doc: SourceText, span: tuple[int, int], fields: list[str], *, flags: set[str]
) -> dict[str, Any]:
    """The claim row of the span doc.text[start:end] with the sheet's label fields."""
    start, end = span
    value, unit_code, metric, direction, kind, source = fields[:6]
    while end > start and doc.text[end - 1] in " -":
        end -= 1
    unit, inferred = parse_unit(unit_code)
    if metric not in METRICS:
        raise SheetError(f"{doc.doc_id}: unknown metric {metric!r}")
    if direction not in DIRECTIONS or kind not in TYPES:
        raise SheetError(f"{doc.doc_id}: bad direction or type: {' '.join(fields)!r}")
    sentence = next(s for s in split_sentences(doc.text) if s.start <= start < s.end)
    return {
        "char_start": start, "char_end": end,
        "sentence_start": sentence.start, "sentence_end": sentence.end,
        "value": float(value) if "." in value or "e" in value else int(value),
        "unit": unit, "unit_inferred": inferred, "metric": metric,
        "direction": DIRECTIONS[direction], "claim_type": TYPES[kind],
        "attributed_to": None if source == "-" else source.replace("_", " "),
        "optional": "opt" in flags,
    }  # fmt: skip


def read_sheet(path: Path, texts: dict[str, SourceText]) -> dict[str, list[dict[str, Any]]]:
    """A sheet's claims by doc id (a text with no claim lines has an empty list)."""
    out: dict[str, list[dict[str, Any]]] = {}
    current: SourceText | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#!")[0].strip()
        if not line:
            continue
        if line.startswith("@"):
            current = texts[line[1:]]
            out[current.doc_id] = []
            continue
        if current is None:
            raise SheetError(f"{path}:{n}: a claim before any @DOC_ID")
        try:
            out[current.doc_id].append(parse_claim(line, current))
        except (SheetError, ValueError, IndexError) as exc:
            raise SheetError(f"{path}:{n}: {exc}") from None
    return out


def doc_row(
    doc: SourceText, claims: list[dict[str, Any]], annotator: str, *, split: str | None = None
) -> dict[str, Any]:
    """The JSONL row of one annotated text (`split`: a named split instead of the hashed one)."""
    return {
        "doc_id": doc.doc_id, "split": split or split_of(doc.doc_id), "src": doc.src,
        "file": doc.file, "key": doc.key,
        "published": doc.published.isoformat() if doc.published else None,
        "text_sha": doc.sha, "text_length": len(doc.text), "annotator": annotator,
        "claims": sorted(claims, key=lambda c: (c["char_start"], c["char_end"])),
    }  # fmt: skip


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rows as JSON lines."""
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    """Convert sheets to the split JSONL files (rows in sheet order; a later sheet wins)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sheets", nargs="+", type=Path)
    parser.add_argument("--out-dir", type=Path)
    parser.add_argument("--out", type=Path, help="one file with every row (agreement passes)")
    parser.add_argument("--annotator", default="a1")
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument(
        "--split", choices=EXTRA_SPLITS, help="put every text in this split (a later round's set)"
    )
    args = parser.parse_args()
    texts = all_texts(args.shared)
    rows: dict[str, dict[str, Any]] = {}
    for sheet in args.sheets:
        for doc_id, claims in read_sheet(sheet, texts).items():
            rows[doc_id] = doc_row(texts[doc_id], claims, args.annotator, split=args.split)
    if args.out is not None:
        _write(args.out, list(rows.values()))
        return
    if args.out_dir is None:
        parser.error("give --out-dir or --out")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for split in (args.split,) if args.split else ("dev", "test", "blind"):
        chosen = [r for r in rows.values() if r["split"] == split]
        _write(args.out_dir / f"{split}.jsonl", chosen)
        n = sum(len(r["claims"]) for r in chosen)
        print(f"{split}: {len(chosen)} texts, {n} claims")


if __name__ == "__main__":
    main()
