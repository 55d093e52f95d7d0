"""What the bench scripts share: the 2023 archive's texts, and each script replacing its own
section of docs/BENCHMARKS.md."""

import json
import re
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "BENCHMARKS.md"
ARCHIVE = (
    REPO.parent / "shared" / "data" / "crypto-news-articles" / "cryptonews_com_2023_fulltext.json"
)


def archive_texts(limit: int | None = None) -> list[tuple[str, date]]:
    """(text, publication date) of each distinct text of the 2023 archive, in first-seen order
    (paragraphs joined by newlines, as `tidings import` stores them); the first `limit`."""
    records = json.loads(ARCHIVE.read_text(encoding="utf-8"))
    seen: dict[str, date] = {}
    for r in records:
        text = "\n".join(p.strip() for p in r["paragraphs"])
        seen.setdefault(text, date.fromisoformat(r["date"][:10]))
    return list(seen.items())[:limit]


def write_section(heading: str, section: str, doc: Path = DOC) -> None:
    """Replace (or append) the `## heading` section of `doc`, keeping every other section."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
