"""Normalization: canonical URLs, plain text from HTML, UTC dates and language."""

import re
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import courlan
import lxml.html
import py3langid
from lxml.etree import ParserError

_WS = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}
)
_DOUBLED_SCHEME = re.compile(r".(https?://)", re.IGNORECASE)
# Terminal escape sequences (CSI such as ESC[31m, OSC titles, two-byte escapes), then the C0/C1
# control characters other than tab and line breaks.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or case noise in the host.

    Repairs a doubled prefix such as `https://a.comhttps://a.com/x` (seen in real archives).
    """
    url = url.strip()
    doubled = list(_DOUBLED_SCHEME.finditer(url))
    if doubled:
        url = url[doubled[-1].start(1) :]
    try:
        normalized = courlan.normalize_url(url)
    except (ValueError, AttributeError):
        normalized = url
    parts = urlsplit(normalized)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def strip_controls(text: str) -> tuple[str, int]:
    """The text without terminal escape sequences and control characters (tab and line breaks
    kept), and how many were removed; `ESC[31m` must not become a "$31m" claim."""
    without, escapes = _ESCAPES.subn("", text)
    without, controls = _CONTROLS.subn("", without)
    return without, escapes + controls


def clean_text(text: str) -> str:
    """Drop control characters; collapse runs of spaces and blank lines; strip each line."""
    text, _removed = strip_controls(text)
    lines = [_WS.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (feed summaries, content:encoded), paragraphs kept."""
    if "<" not in html:
        return clean_text(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return clean_text(re.sub(r"<[^>]+>", " ", html))
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n\n" + (element.tail or "")
    return clean_text(root.text_content())


def struct_to_utc(value: time.struct_time | None) -> datetime | None:
    """A feedparser date (a struct_time already in UTC) as an aware datetime."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def to_utc(value: datetime) -> datetime:
    """An aware UTC datetime; naive values are taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_iso_date(value: str) -> datetime | None:
    """A UTC datetime from an ISO 8601 string (date or date-time), or None when unreadable."""
    value = value.strip()
    if not value:
        return None
    try:
        return to_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def detect_language(text: str, *, fallback: str | None = None) -> str | None:
    """ISO 639-1 language of `text` (py3langid), or `fallback` when the text is too short."""
    sample = text[:3000]
    if len(sample.split()) < 5:
        return fallback
    language, _score = py3langid.classify(sample)
    return str(language)


_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Latin-1 / windows-1252 (e.g. `â€“` for `–`)."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text
