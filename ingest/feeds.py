"""Feed parsing with feedparser: safe against entity expansion, tolerant of wrong encodings.

Broken ("bozo") feeds yield whatever entries can be salvaged, with the reason recorded. A
document that declares entities in a DTD (billion laughs, XXE) is refused as a whole, and a body
that is no feed at all (empty, an HTML page) is reported as "not a feed".
"""

import codecs
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import charset_normalizer
import defusedxml.ElementTree
import feedparser
from defusedxml import DefusedXmlException

from ingest.normalize import html_to_text, struct_to_utc

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"'][^>]*\?>")
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\]\s*)?>", re.DOTALL | re.IGNORECASE)
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_SINGLE_BYTE_LATIN = ("cp125", "latin", "iso8859", "mac_", "cp850", "cp437")
# Labels that real servers use for a wider encoding than they name (as browsers treat them).
_WIDER = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gb18030",
          "gbk": "gb18030", "euc_cn": "gb18030"}  # fmt: skip


@dataclass
class FeedEntry:
    """One feed item, reduced to what the crawler needs."""

    link: str
    title: str = ""
    author: str | None = None
    published: datetime | None = None
    text: str = ""
    guid: str | None = None


@dataclass
class ParsedFeed:
    """The salvageable entries of a feed and what was wrong with it, if anything."""

    title: str = ""
    version: str = ""
    entries: list[FeedEntry] = field(default_factory=list)
    bozo_reason: str | None = None
    notes: list[str] = field(default_factory=list)
    skipped: int = 0
    refused: str | None = None  # why the document as a whole is no usable feed


def _codec(label: str | None) -> str | None:
    """Python's codec name for an encoding label, widened where servers under-declare."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _WIDER.get(name, name)


def decode_document(data: bytes, content_type: str | None) -> tuple[str, str]:
    """Text of an XML document and the codec used: header, declaration, UTF-8, then detection."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    header = _CHARSET.search(content_type or "")
    declared = _XML_DECL.match(data)
    candidates = [
        _codec(header.group(1) if header else None),
        _codec(declared.group(1).decode("ascii") if declared else None),
        "utf-8",
    ]
    for codec in candidates:
        if codec is None:
            continue
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and not best.encoding.startswith(_SINGLE_BYTE_LATIN):
        return str(best), best.encoding
    # Single-byte Latin guesses are unreliable; windows-1252 is by far the most common on the web.
    return data.decode("cp1252", errors="replace"), "cp1252"


def _entity_refusal(data: bytes) -> str | None:
    """Why a document that declares entities in its DTD is refused, or None when it does not.
    Such a document is never parsed: its entities would expand (billion laughs) or read
    files and URLs (XXE), and its items would be stored with unexpanded `&name;` titles."""
    doctype = _DOCTYPE.search(data[:65536])
    if doctype is None:
        return None
    why = None
    try:
        defusedxml.ElementTree.fromstring(data)
    except DefusedXmlException as exc:
        why = type(exc).__name__
    except defusedxml.ElementTree.ParseError:
        pass
    if why is None and _ENTITY_DECL.search(doctype.group(0)):
        why = "ENTITY declaration"
    if why is None:
        return None
    return (
        f"refused: the document declares a DTD with entities ({why}); "
        "entity expansion and external entities are never processed"
    )


def _not_a_feed(data: bytes) -> str:
    """The reason a document feedparser recognises as no feed version is not a feed."""
    if _HTML.search(data[:4096]):
        return "not a feed: an HTML page"
    return "not a feed: no RSS or Atom document"


def _entry_text(entry: Any) -> str:
    """The longest text the entry carries (content:encoded / Atom content, else summary)."""
    texts = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, dict)]
    texts.append(entry.get("summary", ""))
    best = max(texts, key=len)
    return html_to_text(best) if best else ""


def _entry_link(entry: Any) -> str | None:
    """The item's article URL: its link, else a guid that is a URL."""
    link = entry.get("link") or ""
    if link.startswith(("http://", "https://")):
        return str(link)
    guid = entry.get("id") or ""
    return str(guid) if guid.startswith(("http://", "https://")) else None


def _to_entry(entry: Any) -> FeedEntry | None:
    """A FeedEntry from a feedparser entry, or None when it has no article URL."""
    link = _entry_link(entry)
    if link is None:
        return None
    published = struct_to_utc(entry.get("published_parsed") or entry.get("updated_parsed"))
    return FeedEntry(
        link=link,
        title=html_to_text(entry.get("title", "")),
        author=entry.get("author") or None,
        published=published,
        text=_entry_text(entry),
        guid=entry.get("id"),
    )


def parse_feed(data: bytes, *, content_type: str | None = None, url: str = "") -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0 or Atom bytes into entries; never raises for bad input."""
    notes: list[str] = []
    if not data.strip():
        return ParsedFeed(refused="not a feed: the body is empty")
    refused = _entity_refusal(data)
    if refused is not None:
        return ParsedFeed(refused=refused)
    text, codec = decode_document(data, content_type)
    declared = _XML_DECL.match(data)
    label = declared.group(1).decode("ascii") if declared else None
    if label and _codec(label) is not None and codecs.lookup(label).name != codec:
        notes.append(f"declared encoding {label}, decoded as {codec}")
    body = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    parsed = feedparser.parse(
        body.encode("utf-8"),
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": url,
        },
        sanitize_html=False,
    )
    feed = ParsedFeed(
        title=html_to_text(parsed.feed.get("title", "")),
        version=parsed.get("version", ""),
        notes=notes,
    )
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        feed.bozo_reason = f"{type(exc).__name__}: {exc}" if exc else "malformed feed"
    if not feed.version and not parsed.entries:
        feed.refused = _not_a_feed(data)
    for raw in parsed.entries:
        entry = _to_entry(raw)
        if entry is None:
            feed.skipped += 1
        else:
            feed.entries.append(entry)
    return feed
