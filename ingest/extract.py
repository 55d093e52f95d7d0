"""Full-text extraction from article pages (trafilatura) with a fallback to the feed's text."""

from dataclasses import dataclass
from datetime import datetime

import trafilatura

from ingest.normalize import clean_text, parse_iso_date

_DATE_PARAMS = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
# Phrases a paywall or registration wall leaves in place of the article.
PAYWALL_MARKERS = (
    "subscribe to continue reading",
    "subscribe to read",
    "to continue reading",
    "this article is for subscribers",
    "already a subscriber",
    "sign in to read",
    "create a free account to continue",
)


@dataclass
class PageContent:
    """What trafilatura found on one page."""

    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None


@dataclass
class ChosenText:
    """The text an article keeps, where it came from and why."""

    text: str
    from_page: bool
    note: str | None = None


def extract_page(html: str | bytes, url: str) -> PageContent | None:
    """Main text and metadata of an HTML page, or None when nothing usable is found."""
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError, AttributeError) as exc:  # odd markup inside the extractor
        del exc
        return None
    if doc is None or isinstance(doc, dict):
        return None
    text = clean_text(doc.text or "")
    if not text:
        return None
    return PageContent(
        text=text,
        title=doc.title or None,
        author=doc.author or None,
        published=parse_iso_date(doc.date) if doc.date else None,
        language=doc.language or None,
    )


def is_teaser(text: str, *, min_chars: int) -> str | None:
    """Why a page text looks like a paywall teaser rather than the article, or None."""
    lowered = text.lower()
    for marker in PAYWALL_MARKERS:
        if marker in lowered and len(text) < min_chars * 4:
            return f"paywall marker {marker!r}"
    if len(text) < min_chars:
        return f"page text only {len(text)} chars"
    return None


def choose_text(page: PageContent | None, feed_text: str, *, min_chars: int) -> ChosenText:
    """Pick the page text unless it is missing or a teaser and the feed offers more."""
    if page is None:
        return ChosenText(feed_text, from_page=False, note="page: no extractable text; feed text")
    teaser = is_teaser(page.text, min_chars=min_chars)
    if teaser and len(feed_text) > len(page.text):
        return ChosenText(feed_text, from_page=False, note=f"page teaser ({teaser}); feed text")
    if teaser and not feed_text:
        return ChosenText(page.text, from_page=True, note=f"page teaser ({teaser}); no feed text")
    return ChosenText(page.text, from_page=True)
