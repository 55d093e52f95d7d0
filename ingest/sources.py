"""The source registry: built-in feeds, add / list / remove, OPML import and export."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import defusedxml.ElementTree
from defusedxml import DefusedXmlException
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from ingest.errors import SourceError
from ingest.settings import get_ingest_settings
from models.articles import Article
from models.sources import FetchRecord, Source, SourceCategory, SourceKind

C, M, E = SourceCategory.CRYPTO, SourceCategory.MACRO, SourceCategory.EQUITIES


@dataclass(frozen=True)
class BuiltinFeed:
    """A feed that ships with tidings."""

    name: str
    url: str
    category: SourceCategory
    language: str = "en"


BUILTIN_FEEDS: tuple[BuiltinFeed, ...] = (
    BuiltinFeed("CoinDesk", "https://www.coindesk.com/arc/outboundfeeds/rss/", C),
    BuiltinFeed("Cointelegraph", "https://cointelegraph.com/rss", C),
    BuiltinFeed("Decrypt", "https://decrypt.co/feed", C),
    BuiltinFeed("The Block", "https://www.theblock.co/rss.xml", C),
    BuiltinFeed("Bitcoin Magazine", "https://bitcoinmagazine.com/.rss/full/", C),
    BuiltinFeed("CryptoSlate", "https://cryptoslate.com/feed/", C),
    BuiltinFeed("Blockworks", "https://blockworks.co/feed", C),
    BuiltinFeed("Cryptonews", "https://cryptonews.com/news/feed/", C),
    BuiltinFeed("CryptoPotato", "https://cryptopotato.com/feed/", C),
    BuiltinFeed("Bitcoinist", "https://bitcoinist.com/feed/", C),
    BuiltinFeed("NewsBTC", "https://www.newsbtc.com/feed/", C),
    BuiltinFeed("U.Today", "https://u.today/rss", C),
    BuiltinFeed("Bitcoin.com News", "https://news.bitcoin.com/feed/", C),
    BuiltinFeed("DL News", "https://www.dlnews.com/arc/outboundfeeds/rss/", C),
    BuiltinFeed("Crypto Briefing", "https://cryptobriefing.com/feed/", C),
    BuiltinFeed("BeInCrypto", "https://beincrypto.com/feed/", C),
    BuiltinFeed("CoinJournal", "https://coinjournal.net/feed/", C),
    BuiltinFeed("AMBCrypto", "https://ambcrypto.com/feed/", C),
    BuiltinFeed("Ethereum Foundation Blog", "https://blog.ethereum.org/feed.xml", C),
    BuiltinFeed("Fed press releases", "https://www.federalreserve.gov/feeds/press_all.xml", M),
    BuiltinFeed("Fed monetary", "https://www.federalreserve.gov/feeds/press_monetary.xml", M),
    BuiltinFeed("ECB press releases", "https://www.ecb.europa.eu/rss/press.html", M),
    BuiltinFeed("US Treasury press", "https://home.treasury.gov/news/press-releases/feed", M),
    BuiltinFeed("BLS latest numbers", "https://www.bls.gov/feed/bls_latest.rss", M),
    BuiltinFeed("BLS employment situation", "https://www.bls.gov/feed/empsit.rss", M),
    BuiltinFeed("BEA news releases", "https://apps.bea.gov/rss/rss.xml", M),
    BuiltinFeed("Bank of England news", "https://www.bankofengland.co.uk/rss/news", M),
    BuiltinFeed("BIS press releases", "https://www.bis.org/doclist/all_pressrels.rss", M),
    BuiltinFeed("SEC press releases", "https://www.sec.gov/news/pressreleases.rss", M),
    BuiltinFeed("CNBC Economy", "https://www.cnbc.com/id/20910258/device/rss/rss.html", M),
    BuiltinFeed("CNBC Finance", "https://www.cnbc.com/id/10000664/device/rss/rss.html", E),
    BuiltinFeed("MarketWatch", "https://feeds.content.dowjones.io/public/rss/mw_topstories", E),
    BuiltinFeed("Yahoo Finance", "https://finance.yahoo.com/news/rssindex", E),
    BuiltinFeed("Investing.com news", "https://www.investing.com/rss/news.rss", E),
    BuiltinFeed("Seeking Alpha market currents", "https://seekingalpha.com/market_currents.xml", E),
    BuiltinFeed("Nasdaq markets", "https://www.nasdaq.com/feed/rssoutbound?category=Markets", E),
)  # fmt: skip


def ensure_builtin_sources(engine: Engine) -> int:
    """Add the built-in feeds once (first run); later removals by the user are respected."""
    interval = get_ingest_settings().default_poll_interval_s
    with Session(engine) as session:
        if session.exec(select(Source.id).where(col(Source.builtin).is_(True))).first():
            return 0
        existing = set(session.exec(select(Source.url)).all())
        added = 0
        for feed in BUILTIN_FEEDS:
            if feed.url in existing:
                continue
            session.add(Source(name=feed.name, url=feed.url, category=feed.category,
                               language=feed.language, builtin=True,
                               poll_interval_s=interval))  # fmt: skip
            added += 1
        session.commit()
    return added


def _check_feed_url(url: str) -> str:
    """The URL stripped, or SourceError when it is not an absolute http(s) URL."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not an http(s) feed URL: {url!r}")
    return url


def add_source(
    engine: Engine,
    url: str,
    *,
    name: str | None = None,
    category: SourceCategory = SourceCategory.CRYPTO,
    language: str = "en",
) -> Source:
    """Register a feed; re-adding a disabled one enables it again; a live duplicate is an error."""
    url = _check_feed_url(url)
    with Session(engine, expire_on_commit=False) as session:
        found = session.exec(select(Source).where(Source.url == url)).first()
        if found is not None and found.enabled:
            raise SourceError(f"source already registered (id {found.id}): {url}")
        interval = get_ingest_settings().default_poll_interval_s
        source = found or Source(url=url, name="", poll_interval_s=interval)
        source.name = name or source.name or urlsplit(url).hostname or url
        source.category, source.language, source.enabled = category, language, True
        source.next_poll_at = None
        session.add(source)
        session.commit()
        session.refresh(source)
    return source


def list_sources(engine: Engine, *, include_disabled: bool = True) -> list[Source]:
    """All registered sources, by id."""
    query = select(Source).order_by(col(Source.id))
    if not include_disabled:
        query = query.where(col(Source.enabled).is_(True))
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(query).all())


def _find(session: Session, key: str) -> Source:
    """A source by id, URL or exact name; SourceError when there is none."""
    query = select(Source).where((Source.url == key) | (Source.name == key))
    if key.isdigit():
        query = select(Source).where(Source.id == int(key))
    found = session.exec(query).all()
    if len(found) != 1:
        what = "no source" if not found else f"{len(found)} sources"
        raise SourceError(f"{what} match {key!r}; use the id shown by `tidings sources list`")
    return found[0]


def remove_source(engine: Engine, key: str) -> str:
    """Delete a source, or disable it when articles point at it (they are kept)."""
    with Session(engine) as session:
        source = _find(session, key)
        count = session.exec(
            select(func.count()).select_from(Article).where(Article.source_id == source.id)
        ).one()
        if count:
            source.enabled = False
            session.add(source)
            session.commit()
            return f"disabled {source.name!r}: {count} stored articles keep pointing at it"
        for record in source_fetch_records(session, source.id):
            record.source_id = None
            session.add(record)
        session.delete(source)
        session.commit()
        return f"removed {source.name!r}"


def source_fetch_records(session: Session, source_id: int | None) -> list[FetchRecord]:
    """The fetch records of a source (detached from it before deletion)."""
    return list(session.exec(select(FetchRecord).where(FetchRecord.source_id == source_id)))


def _category(value: str | None) -> SourceCategory | None:
    """A category from an OPML attribute or folder title, if it names one."""
    if not value:
        return None
    for part in value.replace(",", "/").split("/"):
        try:
            return SourceCategory(part.strip().lower())
        except ValueError:
            continue
    return None


def import_opml(engine: Engine, path: Path) -> tuple[int, int]:
    """Add every feed outline of an OPML file; returns (added, already present or invalid)."""
    try:
        root = defusedxml.ElementTree.parse(path).getroot()
    except (DefusedXmlException, ET.ParseError, OSError) as exc:
        raise SourceError(f"cannot read OPML {path}: {exc}") from exc
    added = skipped = 0
    for folder, outline in _outlines(root.find("body"), None):
        url = outline.get("xmlUrl") or ""
        category = _category(outline.get("category")) or _category(folder) or C
        try:
            add_source(engine, url, name=outline.get("title") or outline.get("text"),
                       category=category, language=outline.get("language") or "en")  # fmt: skip
            added += 1
        except SourceError:
            skipped += 1
    return added, skipped


def _outlines(node: ET.Element | None, folder: str | None) -> list[tuple[str | None, ET.Element]]:
    """Feed outlines (those with xmlUrl) with the title of their enclosing folder."""
    if node is None:
        return []
    found: list[tuple[str | None, ET.Element]] = []
    for child in node.findall("outline"):
        if child.get("xmlUrl"):
            found.append((folder, child))
        else:
            found.extend(_outlines(child, child.get("text") or child.get("title") or folder))
    return found


def export_opml(engine: Engine) -> str:
    """All enabled feed sources as an OPML 2.0 document."""
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = "tidings sources"
    body = ET.SubElement(opml, "body")
    for source in list_sources(engine, include_disabled=False):
        if source.kind not in (SourceKind.RSS, SourceKind.ATOM):
            continue
        ET.SubElement(body, "outline", type="rss", text=source.name, title=source.name,
                      xmlUrl=source.url, category=source.category.value,
                      language=source.language)  # fmt: skip
    ET.indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(opml, encoding="unicode") + "\n"
