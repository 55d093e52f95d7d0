"""Crypto market-stance sentences: our own labels on real crypto news from ../shared/data.

FPB and the finance tweets teach company-news sentiment; the articles tidings reads are market
commentary, where an ETF outflow, a liquidation or a surge in a funding rate is bad news for the
market even if no word in the sentence is negative. The tidings team labeled sentences of the
crypto news in ../shared/data with the sentence conventions of the gold annotation (see
docs/EVALUATION.md, "Market-stance labels"). The project commits only the labels (source, record
key, field, code-point offsets, a text hash and the label), never the text: `load_stance` rebuilds
every sentence from ../shared and checks its hash.

Units come from three sources, enumerated deterministically by `units`:
- `cryptonews2023`: the distinct articles of cryptonews_com_2023_fulltext.json (paragraphs joined
  with newlines, split with the gold sentence rules), minus the dev and blind articles of
  tests/gold_extra;
- `summaries`: titles and summary sentences of crypto_news_plus_2021-2022_summaries.csv;
- `rss`: titles and plain-text summaries of the crypto feed snapshots in crypto-rss-feeds/.
"""

import csv
import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlp.sentences import split_sentences
from nlp.training.data import LABELS, Example, SentimentDataError, data_dir, read_jsonl

LABEL_DIR = Path(__file__).resolve().parent / "labels" / "stance"
NEWS_FILE = "crypto-news-articles/cryptonews_com_2023_fulltext.json"
SUMMARY_FILE = "crypto-news-articles/crypto_news_plus_2021-2022_summaries.csv"
RSS_FILES = ("coindesk.xml", "coingtelegraph-all.xml", "decrypt.xml", "theblock.xml")
# The dev and blind articles of tests/gold_extra (sentiment is scored on them): never trained on.
EVAL_URLS = frozenset(
    {
        "https://cryptonews.com/news/investors-continue-buying-bitcoin-latest-fund-flows-report-shows-heres-why-btc-could-dominate-institutional-crypto-demand.htm",
        "https://cryptonews.com/news/bitcoin-long-liquidations-hit-150m-3-days-as-btc-price-slumps-towards-key-resistance-level.htm",
        "https://cryptonews.com/news/what-latest-us-inflation-numbers-mean-for-bitcoin-btc-price.htm",
        "https://cryptonews.com/news/as-bitcoin-sits-comfortably-atop-30k-on-chain-metrics-suggest-further-upside-for-the-btc-price.htm",
        "https://cryptonews.com/news/michael-saylors-30m-bitcoin-acquisition-catapults-his-crypto-wealth-into-billions-heres-latest.htm",
        "https://cryptonews.com/news/heres-how-fridays-us-jobs-report-could-impact-bitcoin-btc-price.htm",
    }
)
_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Unit:
    """One labelable sentence: where it comes from and its text."""

    src: str
    key: str
    field: str
    start: int
    end: int
    text: str

    @property
    def sha(self) -> str:
        """Short hash of the text, stored with the label to detect a changed source."""
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:12]

    @property
    def uid(self) -> str:
        """Stable id of the unit."""
        raw = f"{self.src}|{self.key}|{self.field}|{self.start}|{self.end}"
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _sentences(src: str, key: str, field: str, *, text: str) -> Iterator[Unit]:
    """The units of one text field: its gold-rule sentences of three words or more."""
    for span in split_sentences(text):
        sentence = text[span.start : span.end]
        if len(sentence.split()) >= 3:
            yield Unit(src, key, field, span.start, span.end, sentence)


def plain(text: str) -> str:
    """HTML fragment to one line of plain text (tags dropped, entities decoded)."""
    return _WS.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()


def news_units(shared: Path) -> Iterator[Unit]:
    """Sentences of the distinct cryptonews.com 2023 articles, evaluation articles excluded."""
    path = data_dir(shared) / NEWS_FILE
    if not path.is_file():
        raise SentimentDataError(f"missing {path}")
    seen: set[str] = set()
    for record in json.loads(path.read_text(encoding="utf-8")):
        url = str(record.get("url") or "")
        if not url or url in EVAL_URLS or url in seen:
            continue
        seen.add(url)
        yield from _sentences("cryptonews2023", url, "body", text="\n".join(record["paragraphs"]))


def summary_units(shared: Path) -> Iterator[Unit]:
    """Titles and summary sentences of the 2021-2022 summaries, one item per URL."""
    path = data_dir(shared) / SUMMARY_FILE
    if not path.is_file():
        raise SentimentDataError(f"missing {path}")
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            url = (row.get("url") or "").strip()
            if not url or url in seen:
                continue
            seen.add(url)
            yield from _sentences("summaries", url, "title", text=row.get("title") or "")
            yield from _sentences("summaries", url, "text", text=row.get("text") or "")


def rss_units(shared: Path) -> Iterator[Unit]:
    """Titles and plain-text summaries of the crypto feed snapshots."""
    import feedparser

    for name in RSS_FILES:
        path = data_dir(shared) / "crypto-rss-feeds" / name
        if not path.is_file():
            raise SentimentDataError(f"missing {path}")
        for entry in feedparser.parse(path.read_bytes()).entries:
            key = str(entry.get("link") or entry.get("id") or "")
            if not key:
                continue
            yield from _sentences("rss", key, "title", text=plain(entry.get("title") or ""))
            yield from _sentences("rss", key, "summary", text=plain(entry.get("summary") or ""))


def units(shared: Path) -> dict[str, Unit]:
    """Every labelable unit by uid, in a fixed order."""
    out: dict[str, Unit] = {}
    for source in (news_units, summary_units, rss_units):
        for unit in source(shared):
            out.setdefault(unit.uid, unit)
    return out


def read_labels(label_dir: Path = LABEL_DIR) -> dict[str, dict[str, str]]:
    """The committed labels by uid (later files win on a repeated uid)."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(label_dir.glob("*.jsonl")):
        for where, row in read_jsonl(path):
            if not isinstance(row, dict) or not row.get("uid") or not row.get("sha"):
                raise SentimentDataError(f"{where}: a label needs uid, sha and label")
            if row.get("label") not in LABELS:
                raise SentimentDataError(f"{where}: bad label {row.get('label')!r}")
            out[row["uid"]] = row
    return out


def load_stance(shared: Path, label_dir: Path = LABEL_DIR) -> list[Example]:
    """The labeled market-stance sentences, rebuilt from ../shared; a changed text is an error."""
    labels = read_labels(label_dir)
    if not labels:
        return []
    pool = units(shared)
    out: list[Example] = []
    for uid, row in labels.items():
        unit = pool.get(uid)
        if unit is None or unit.sha != row["sha"]:
            raise SentimentDataError(
                f"stance label {uid} ({row.get('src')} {row.get('key')}) no longer matches "
                "../shared/data; the source file changed"
            )
        out.append(Example(unit.text, row["label"], "crypto_stance"))
    return out
