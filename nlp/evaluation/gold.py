"""Gold files on disk: find them, pair each with its article text, run the Analyzer, score."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.errors import NlpError
from nlp.evaluation.scoring import Report, pool, score

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer


class GoldError(NlpError):
    """A gold folder or file is missing or unreadable."""


@dataclass(frozen=True)
class GoldDoc:
    """One gold annotation with the article text it refers to."""

    path: Path
    gold: dict[str, Any]
    text: str
    published_at: date | None


def find_shared_dir(name: str, *, start: Path | None = None) -> Path | None:
    """../shared/<name> seen from the working directory or the repository, if it exists."""
    repo = Path(__file__).resolve().parents[2]
    for base in (start or Path.cwd(), repo):
        for folder in (base, *base.parents):
            candidate = folder.parent / "shared" / name
            if candidate.is_dir():
                return candidate
            if (folder / "shared" / name).is_dir():
                return folder / "shared" / name
    return None


def _published(gold: dict[str, Any]) -> date | None:
    """The gold file's assumed publication date, if it has a valid one."""
    try:
        return date.fromisoformat(str(gold.get("assumed_publication_date"))[:10])
    except ValueError:
        return None


def load_gold_dir(gold_dir: Path, samples_dir: Path) -> list[GoldDoc]:
    """Every *.json gold file in `gold_dir`, with its text from `samples_dir`, by file name."""
    if not gold_dir.is_dir():
        raise GoldError(f"gold folder {gold_dir} does not exist (use --gold-dir)")
    docs: list[GoldDoc] = []
    for path in sorted(gold_dir.glob("*.json")):
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GoldError(f"{path}: cannot read gold file: {exc}") from None
        name = gold.get("doc") or gold.get("source_path") or f"{path.stem}.txt"
        sample = samples_dir / Path(str(name)).name
        try:
            text = sample.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldError(f"{path}: cannot read its article {sample}: {exc}") from None
        docs.append(GoldDoc(path, gold, text, _published(gold)))
    if not docs:
        raise GoldError(f"no gold files (*.json) in {gold_dir}")
    return docs


@dataclass(frozen=True)
class Evaluation:
    """Pooled scores plus each file's own."""

    pooled: Report
    per_file: list[tuple[Path, Report]]
    model_versions: dict[str, str]


def evaluate(analyzer: Analyzer, docs: list[GoldDoc]) -> Evaluation:
    """Analyze every gold article and score it against its gold file."""
    analyses = analyzer.pipe((d.text, d.published_at) for d in docs)
    per_file = [
        (doc.path, score(doc.gold, analysis.to_json_dict()))
        for doc, analysis in zip(docs, analyses, strict=True)
    ]
    return Evaluation(pool(r for _, r in per_file), per_file, analyzer.model_versions)
