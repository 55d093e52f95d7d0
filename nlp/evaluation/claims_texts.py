"""The texts of the claim-label set, rebuilt from ../shared/data (never committed).

A text is identified by its source (`cryptonews2023`, `summaries`, `rss`) and its key (the URL):
- `cryptonews2023`: an article of cryptonews_com_2023_fulltext.json, its paragraphs joined with
  newlines (as tests/gold_extra/build.py does);
- `summaries`: an item of crypto_news_plus_2021-2022_summaries.csv, its title, a newline, its text;
- `rss`: an item of the crypto-rss-feeds snapshots, its plain title, a newline, its plain summary.
Offsets in the labels index these strings; each label file row carries a hash of its text so a
changed source is an error, not a silent misalignment.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from nlp.errors import NlpError
from nlp.training.stance import NEWS_FILE, SUMMARY_FILE, plain

RSS_FEEDS = (
    "coindesk.xml",
    "coingtelegraph-all.xml",
    "decrypt.xml",
    "theblock.xml",
    "prnews-news-releases-list.xml",
)
SOURCES = ("cryptonews2023", "summaries", "rss")


class ClaimTextError(NlpError):
    """A source text of the claim labels is missing or changed."""


@dataclass(frozen=True)
class SourceText:
    """One text of the claim-label pool."""

    src: str
    key: str
    file: str
    title: str
    text: str
    published: date | None

    @property
    def doc_id(self) -> str:
        """Stable id of the text: a hash of its source and key."""
        return hashlib.sha1(f"{self.src}|{self.key}".encode()).hexdigest()[:12]

    @property
    def sha(self) -> str:
        """Short hash of the text, stored with the labels."""
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:12]


def _data(shared: Path) -> Path:
    """../shared/data (or the folder itself when given it)."""
    return shared / "data" if (shared / "data").is_dir() else shared


def news_texts(shared: Path) -> Iterator[SourceText]:
    """The distinct 2023 cryptonews.com articles (first record of each URL)."""
    path = _data(shared) / NEWS_FILE
    if not path.is_file():
        raise ClaimTextError(f"missing {path}")
    seen: set[str] = set()
    for record in json.loads(path.read_text(encoding="utf-8")):
        url = str(record.get("url") or "")
        if url and url not in seen:
            seen.add(url)
            day = datetime.fromisoformat(str(record["date"])).date()
            text = "\n".join(record["paragraphs"])
            yield SourceText(
                "cryptonews2023",
                url,
                f"data/{NEWS_FILE}",
                str(record.get("title") or ""),
                text,
                day,
            )


def _summary_day(raw: str) -> date | None:
    """'5-7-2022 04:24' (day-month-year) to a date."""
    try:
        return datetime.strptime(raw.strip(), "%d-%m-%Y %H:%M").date()
    except ValueError:
        return None


def summary_texts(shared: Path) -> Iterator[SourceText]:
    """The 2021-2022 summaries, one per URL: title, newline, summary text."""
    path = _data(shared) / SUMMARY_FILE
    if not path.is_file():
        raise ClaimTextError(f"missing {path}")
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            url = (row.get("url") or "").strip()
            if url and url not in seen:
                seen.add(url)
                title = (row.get("title") or "").strip()
                text = f"{title}\n{(row.get('text') or '').strip()}"
                day = _summary_day(row.get("date") or "")
                yield SourceText("summaries", url, f"data/{SUMMARY_FILE}", title, text, day)


def rss_texts(shared: Path) -> Iterator[SourceText]:
    """Items of the feed snapshots: plain title, newline, plain summary."""
    import feedparser

    for name in RSS_FEEDS:
        path = _data(shared) / "crypto-rss-feeds" / name
        if not path.is_file():
            raise ClaimTextError(f"missing {path}")
        for entry in feedparser.parse(path.read_bytes()).entries:
            key = str(entry.get("link") or entry.get("id") or "")
            if not key:
                continue
            title = plain(entry.get("title") or "")
            try:
                day: date | None = parsedate_to_datetime(str(entry.get("published"))).date()
            except (TypeError, ValueError):
                day = None
            text = f"{title}\n{plain(entry.get('summary') or '')}"
            yield SourceText("rss", key, f"data/crypto-rss-feeds/{name}", title, text, day)


def all_texts(shared: Path) -> dict[str, SourceText]:
    """Every text of the pool by doc id."""
    out: dict[str, SourceText] = {}
    for reader in (news_texts, summary_texts, rss_texts):
        for text in reader(shared):
            out.setdefault(text.doc_id, text)
    return out
