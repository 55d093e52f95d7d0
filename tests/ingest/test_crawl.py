"""End-to-end crawls against the local server: stored articles, dedupe, health, re-runs."""

import gzip
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from fixture_server import SHARED_FEEDS, FixtureServer
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ingest.poll import SourceStats
from ingest.service import due_sources, run_once
from ingest.settings import IngestSettings
from ingest.sources import add_source
from models.articles import Article, DedupeKind, PublishedFrom, TextSource
from models.sources import FetchRecord, Source


def add(engine: Engine, server: FixtureServer, path: str) -> int:
    """Register a feed on the fixture server; its name is the path."""
    source = add_source(engine, server.base + path, name=path)
    assert source.id is not None
    return source.id


def articles(engine: Engine) -> dict[str, Article]:
    """Every stored article by URL."""
    with Session(engine) as session:
        return {a.url: a for a in session.exec(select(Article))}


def counts(stats: SourceStats) -> tuple[str, int, int, int, int, int]:
    """The figures of the final per-source table."""
    return (stats.status, stats.fetched, stats.new, stats.duplicates, stats.known, stats.failed)


FEEDS = ["/feeds/rss20.xml", "/feeds/atom.xml", "/feeds/rss10.rdf", "/feeds/malformed.xml",
         "/feeds/billion_laughs.xml", "/feeds/cp1252.xml", "/feeds/gb18030.xml",
         "/feeds/robots-site.xml"]  # fmt: skip
BROKEN = ["/error500.xml", "/missing.xml", "/slow.xml", "/loop/a", "/oversized.xml", "/bomb.xml"]


def test_crawl_stores_every_feed_and_isolates_failures(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    for path in FEEDS + BROKEN:
        add(engine, server, path)
    stats = {s.name: s for s in run_once(engine, settings=settings)}
    assert {name: counts(s) for name, s in stats.items()} == {
        "/feeds/rss20.xml": ("ok", 3, 3, 0, 0, 0),
        "/feeds/atom.xml": ("ok", 2, 2, 0, 0, 0),
        "/feeds/rss10.rdf": ("ok", 2, 2, 0, 0, 0),
        "/feeds/malformed.xml": ("ok", 2, 2, 0, 0, 0),
        "/feeds/billion_laughs.xml": ("failed", 0, 0, 0, 0, 0),
        "/feeds/cp1252.xml": ("ok", 1, 1, 0, 0, 0),
        "/feeds/gb18030.xml": ("ok", 1, 1, 0, 0, 0),
        "/feeds/robots-site.xml": ("ok", 2, 2, 0, 0, 0),
        "/error500.xml": ("failed", 0, 0, 0, 0, 0),
        "/missing.xml": ("failed", 0, 0, 0, 0, 0),
        "/slow.xml": ("failed", 0, 0, 0, 0, 0),
        "/loop/a": ("failed", 0, 0, 0, 0, 0),
        "/oversized.xml": ("failed", 0, 0, 0, 0, 0),
        "/bomb.xml": ("failed", 0, 0, 0, 0, 0),
    }
    assert stats["/error500.xml"].error == "HTTP 500"
    assert stats["/missing.xml"].error == "HTTP 404"
    assert stats["/slow.xml"].error == "transient: timeout (ReadTimeout)"
    assert stats["/bomb.xml"].error == "decompressed body larger than 2000000 bytes"
    assert stats["/feeds/malformed.xml"].notes == [
        "bozo: SAXParseException: <unknown>:7:37: not well-formed (invalid token)"
    ]
    assert "declares a DTD with entities" in (stats["/feeds/billion_laughs.xml"].error or "")
    assert len(articles(engine)) == 13
    # robots.txt: the disallowed page was never requested, its feed text was kept
    assert server.hits["/robots-site/private/secret.html"] == 0
    assert server.hits["/robots.txt"] == 1


def test_html_page_and_empty_body_are_not_feeds(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    html = b"<!DOCTYPE html><html><head><title>News</title></head><body><p>Hi</p></body></html>"
    server.routes["/home.xml"] = lambda _h: (200, {"Content-Type": "text/html"}, html)
    server.routes["/empty.xml"] = lambda _h: (200, {"Content-Type": "application/rss+xml"}, b"")
    add(engine, server, "/home.xml")
    add(engine, server, "/empty.xml")
    stats = {s.name: s for s in run_once(engine, settings=settings)}
    assert counts(stats["/home.xml"]) == ("failed", 0, 0, 0, 0, 0)
    assert stats["/home.xml"].error == "not a feed: an HTML page"
    assert stats["/empty.xml"].error == "not a feed: the body is empty"
    with Session(engine) as session:
        errors = {s.name: s.last_error for s in session.exec(select(Source))}
    assert errors["/home.xml"] == "not a feed: an HTML page"
    assert articles(engine) == {}


def test_article_fields(server: FixtureServer, engine: Engine, settings: IngestSettings) -> None:
    source_id = add(engine, server, "/feeds/rss20.xml")
    run_once(engine, settings=settings)
    stored = articles(engine)
    b = server.base
    assert sorted(stored) == [f"{b}/articles/rss20-{i}.html" for i in (1, 2, 3)]
    first = stored[f"{b}/articles/rss20-1.html"]
    assert first.original_url == f"{b}/articles/rss20-1.html?utm_source=rss&utm_medium=feed"
    assert (first.title, first.author, first.language) == (
        "Spot bitcoin ETFs log third week of inflows", "Maria Lopez", "en")  # fmt: skip
    assert first.published_at is not None
    assert first.published_at.replace(tzinfo=UTC) == datetime(2024, 3, 1, 14, 5, tzinfo=UTC)
    assert (first.published_from, first.text_source) == (PublishedFrom.FEED, TextSource.PAGE)
    assert first.text.startswith("Spot bitcoin ETFs log third week of inflows\nSpot bitcoin")
    assert "Trading volumes across the group averaged 2.9 billion dollars" in first.text
    for boilerplate in ("cookies", "Related stories", "newsletter", "All rights reserved"):
        assert boilerplate not in first.text
    assert (first.source_id, first.duplicate_of, first.extraction_note) == (source_id, None, None)
    paywalled = stored[f"{b}/articles/rss20-3.html"]
    assert paywalled.text_source == TextSource.FEED
    assert paywalled.extraction_note == (
        "page teaser (paywall marker 'subscribe to continue reading'); feed text"
    )
    assert paywalled.text.startswith("Options traders bought record volumes of March call")


def test_every_article_keeps_its_fetch(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    for path in ("/feeds/rss20.xml", "/feeds/malformed.xml", "/feeds/robots-site.xml"):
        add(engine, server, path)
    run_once(engine, settings=settings)
    with Session(engine) as session:
        rows = session.exec(select(Article, FetchRecord).join(FetchRecord)).all()
        assert len(rows) == 7
        for article, record in rows:
            link = article.original_url or article.url
            if record.purpose == "page":
                assert record.url == link
                assert (
                    gzip.decompress(record.body_gz or b"") == server.static(urlsplit(link).path)[2]
                )
            else:  # robots-disallowed page: the feed fetch is its record
                assert (record.purpose, article.url) == (
                    "feed", f"{server.base}/robots-site/private/secret.html")  # fmt: skip
        broken = session.exec(select(Article).where(col(Article.url).contains("broken-1"))).one()
        assert broken.extraction_note == (
            "page fetch failed: HTTP 404; page: no extractable text; feed text"
        )
        feed = session.exec(
            select(FetchRecord).where(FetchRecord.url == f"{server.base}/feeds/rss20.xml")
        ).one()
        assert gzip.decompress(feed.body_gz or b"") == server.fixture("feeds/rss20.xml")
        assert (feed.status, feed.purpose, feed.size_bytes) == (
            200, "feed", len(server.fixture("feeds/rss20.xml")))  # fmt: skip


def test_rerun_creates_no_duplicate_rows(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    for path in ("/feeds/rss20.xml", "/feeds/atom.xml"):
        add(engine, server, path)
    run_once(engine, settings=settings)
    assert due_sources(engine) == []
    again = run_once(engine, settings=settings, force=True)
    assert [counts(s) for s in again] == [("ok", 3, 0, 0, 3, 0), ("ok", 2, 0, 0, 2, 0)]
    assert len(articles(engine)) == 5
    assert server.hits["/articles/rss20-1.html"] == 1


def test_etag_gives_not_modified(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    source_id = add(engine, server, "/etag.xml")
    assert counts(run_once(engine, settings=settings)[0]) == ("ok", 3, 3, 0, 0, 0)
    second = run_once(engine, settings=settings, force=True)[0]
    assert (second.status, second.http_status, second.new) == ("not_modified", 304, 0)
    with Session(engine) as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert (source.etag, source.last_status, source.consecutive_failures) == ('"v1"', 304, 0)
        statuses = session.exec(
            select(FetchRecord.status)
            .where(FetchRecord.purpose == "feed")
            .order_by(col(FetchRecord.id))
        ).all()
    assert statuses == [200, 304]


def test_rate_limited_feed_succeeds_after_retry_after(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    add(engine, server, "/ratelimited.xml")
    assert counts(run_once(engine, settings=settings)[0]) == ("ok", 2, 2, 0, 0, 0)
    assert server.hits["/ratelimited.xml"] == 2


def test_failing_source_backs_off(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    source_id = add(engine, server, "/error500.xml")
    for expected_failures, factor in ((1, 2), (2, 4)):
        before = datetime.now(UTC)
        run_once(engine, settings=settings, force=True)
        with Session(engine) as session:
            source = session.get(Source, source_id)
            assert source is not None and source.next_poll_at is not None
            assert (source.consecutive_failures, source.last_status, source.last_error) == (
                expected_failures, 500, "HTTP 500")  # fmt: skip
            wait = source.next_poll_at.replace(tzinfo=UTC) - before
            assert timedelta(seconds=900 * factor) <= wait < timedelta(seconds=900 * factor + 30)


def test_same_story_from_two_outlets_is_a_near_duplicate(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    a = add(engine, server, "/feeds/outlet-a.xml")
    b = add(engine, server, "/feeds/outlet-b.xml")
    assert counts(run_once(engine, settings=settings, source_ids=[a])[0]) == ("ok", 1, 1, 0, 0, 0)
    assert counts(run_once(engine, settings=settings, source_ids=[b])[0]) == ("ok", 1, 0, 1, 0, 0)
    stored = articles(engine)
    original = stored[f"{server.base}/outlet-a/fed-holds-rates.html"]
    copy = stored[f"{server.base}/outlet-b/2024/fed-rates-unchanged.html"]
    assert (copy.duplicate_of, copy.duplicate_kind) == (original.id, DedupeKind.NEAR)
    assert copy.title == "Fed keeps rates on hold and projects three cuts"


def test_near_dedupe_can_be_switched_off(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    off = settings.model_copy(update={"near_dup_enabled": False})
    a = add(engine, server, "/feeds/outlet-a.xml")
    b = add(engine, server, "/feeds/outlet-b.xml")
    run_once(engine, settings=off, source_ids=[a])
    assert counts(run_once(engine, settings=off, source_ids=[b])[0]) == ("ok", 1, 1, 0, 0, 0)
    assert [a.duplicate_of for a in articles(engine).values()] == [None, None]


def test_exact_copy_under_another_url_is_a_hash_duplicate(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    first = add(engine, server, "/feeds/rss20.xml")
    mirror = add(engine, server, "/feeds/mirror.xml")
    run_once(engine, settings=settings, source_ids=[first])
    assert counts(run_once(engine, settings=settings, source_ids=[mirror])[0]) == (
        "ok", 1, 0, 1, 0, 0)  # fmt: skip
    stored = articles(engine)
    copy = stored[f"{server.base}/articles/rss20-2.html?edition=eu"]
    original = stored[f"{server.base}/articles/rss20-2.html"]
    assert (copy.duplicate_of, copy.duplicate_kind) == (original.id, DedupeKind.HASH)


def test_crawler_refuses_loopback_without_the_setting(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    add(engine, server, "/feeds/rss20.xml")
    strict = settings.model_copy(update={"allow_private_addresses": False})
    stats = run_once(engine, settings=strict)[0]
    assert stats.status == "failed"
    assert stats.error is not None and "non-public address 127.0.0.1; refused" in stats.error
    assert sum(server.hits.values()) == 0
    assert articles(engine) == {}


@pytest.mark.shared
def test_real_feed_snapshots(
    server: FixtureServer, engine: Engine, settings: IngestSettings
) -> None:
    if not SHARED_FEEDS.is_dir():
        pytest.skip("../shared/data/crypto-rss-feeds is absent")
    names = ["coindesk.xml", "coingtelegraph-all.xml", "decrypt.xml",
             "prnews-news-releases-list.xml", "theblock.xml"]  # fmt: skip
    for name in names:
        add(engine, server, f"/shared/{name}")
    # Article pages are on the real internet, which tests must not touch: feed text only.
    offline = settings.model_copy(update={"fetch_pages": False})
    stats = run_once(engine, settings=offline)
    assert [counts(s) for s in stats] == [
        ("ok", 25, 25, 0, 0, 0),
        ("ok", 30, 30, 0, 0, 0),
        ("ok", 58, 56, 2, 0, 0),  # two videos share one description
        ("ok", 20, 18, 2, 0, 0),  # two releases re-issued under new URLs
        ("ok", 19, 19, 0, 0, 0),
    ]
    stored = articles(engine)
    assert len(stored) == 152
    assert all("utm_" not in url for url in stored)
    assert {a.published_from for a in stored.values()} == {PublishedFrom.FEED}
    assert {a.extraction_note for a in stored.values()} == {
        "page fetching off; page: no extractable text; feed text"
    }
