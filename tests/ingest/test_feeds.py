"""Feed parsing: formats, broken feeds, wrong encodings, entity expansion, real snapshots."""

import time
from datetime import UTC, datetime

import pytest
from fixture_server import FIXTURES, SHARED_FEEDS

from ingest.feeds import decode_document, parse_feed


def load(name: str) -> bytes:
    """A fixture feed with {base} filled in."""
    return (FIXTURES / "feeds" / name).read_bytes().replace(b"{base}", b"http://news.test")


@pytest.mark.parametrize(
    ("name", "version", "titles", "published"),
    [
        (
            "rss20.xml",
            "rss20",
            [
                "Spot bitcoin ETFs log third week of inflows",
                "Ethereum developers set date for network upgrade",
                "Options traders pile into March calls",
            ],
            [
                datetime(2024, 3, 1, 14, 5, tzinfo=UTC),
                datetime(2024, 3, 2, 9, 30, tzinfo=UTC),
                datetime(2024, 3, 3, 11, 0, tzinfo=UTC),
            ],
        ),
        (
            "atom.xml",
            "atom10",
            [
                "Stablecoin supply climbs to two-year high",
                "Mining difficulty reaches record ahead of halving",
            ],
            [datetime(2024, 4, 10, 8, 0, tzinfo=UTC), datetime(2024, 4, 11, 8, 0, tzinfo=UTC)],
        ),
        (
            "rss10.rdf",
            "rss10",
            [
                "Central bank digital currency pilot expands",
                "Regulator proposes custody rules for tokenised funds",
            ],
            [datetime(2024, 5, 6, 10, 0, tzinfo=UTC), datetime(2024, 5, 7, 10, 0, tzinfo=UTC)],
        ),
    ],
)
def test_formats(name: str, version: str, titles: list[str], published: list[datetime]) -> None:
    feed = parse_feed(load(name))
    assert (feed.version, feed.bozo_reason, feed.skipped) == (version, None, 0)
    assert [e.title for e in feed.entries] == titles
    assert [e.published for e in feed.entries] == published


def test_rss20_fields() -> None:
    first, _, third = parse_feed(load("rss20.xml")).entries
    assert first.link == "http://news.test/articles/rss20-1.html?utm_source=rss&utm_medium=feed"
    assert (first.author, first.guid) == ("Maria Lopez", "ecd-1")
    assert first.text == "Spot bitcoin ETFs took in 1.2 billion dollars."
    # content:encoded beats the short description, paragraphs kept
    assert third.text.startswith("Options traders bought record volumes of March call contracts")
    assert third.text.count("\n\n") == 2


def test_malformed_feed_is_salvaged_with_reason() -> None:
    feed = parse_feed(load("malformed.xml"))
    assert [e.link for e in feed.entries] == [
        "http://news.test/nopage/broken-1.html",
        "http://news.test/nopage/broken-2.html",
    ]
    assert feed.entries[0].title == "First salvageable item & an unescaped ampersand"
    assert feed.bozo_reason == "SAXParseException: <unknown>:7:37: not well-formed (invalid token)"


def test_billion_laughs_is_refused_as_a_whole() -> None:
    started = time.monotonic()
    feed = parse_feed(load("billion_laughs.xml"))
    assert time.monotonic() - started < 2.0
    assert feed.refused == (
        "refused: the document declares a DTD with entities (EntitiesForbidden); "
        "entity expansion and external entities are never processed"
    )
    assert feed.entries == []


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title>
<item><title>&xxe;</title><link>http://news.test/a</link></item></channel></rss>"""


def test_external_entity_is_refused() -> None:
    feed = parse_feed(XXE)
    assert feed.refused is not None and "DTD with entities" in feed.refused
    assert feed.entries == []


def test_public_dtd_without_entities_is_a_feed() -> None:
    rss091 = load("rss20.xml").replace(
        b"<rss",
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss',
        1,
    )
    feed = parse_feed(rss091)
    assert feed.refused is None and len(feed.entries) == 3


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not a feed: the body is empty"),
        (b"  \n ", "not a feed: the body is empty"),
        (b"<!doctype html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
         "not a feed: an HTML page"),
        (b'{"items": []}', "not a feed: no RSS or Atom document"),
    ],
)  # fmt: skip
def test_not_a_feed(body: bytes, reason: str) -> None:
    assert parse_feed(body).refused == reason


def test_empty_feed_is_a_feed() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert (feed.refused, feed.entries) == (None, [])


def test_windows_1252_declared_as_utf8() -> None:
    feed = parse_feed(load("cp1252.xml"))
    assert feed.title == "Café Markets"
    assert feed.entries[0].title == "“Risk-on” returns as euro tops €1.10 — analysts cheer"
    assert "naïve" in feed.entries[0].text
    assert feed.notes == ["declared encoding utf-8, decoded as cp1252"]


def test_gb18030_declared_as_gb2312() -> None:
    feed = parse_feed(load("gb18030.xml"))
    assert feed.title == "加密快讯"
    assert feed.entries[0].title == "比特币突破六万美元 銶价上涨"
    assert feed.notes == ["declared encoding gb2312, decoded as gb18030"]


@pytest.mark.parametrize(
    ("data", "content_type", "text", "codec"),
    [
        (b"<?xml version='1.0'?><a>\xc3\xa9</a>", None, "<?xml version='1.0'?><a>é</a>", "utf-8"),
        (b"<a>\xe9</a>", "text/xml; charset=ISO-8859-1", "<a>é</a>", "cp1252"),
        (b"\xef\xbb\xbf<a>x</a>", "text/xml; charset=latin-1", "<a>x</a>", "utf-8"),
        ("<a>€</a>".encode("utf-16"), None, "<a>€</a>", "utf-16"),
    ],
)
def test_decode_document(data: bytes, content_type: str | None, text: str, codec: str) -> None:
    assert decode_document(data, content_type) == (text, codec)


def test_garbage_never_raises() -> None:
    feed = parse_feed(b"\x00\xff not a feed at all <<<")
    assert feed.entries == []
    assert feed.bozo_reason is not None


SNAPSHOTS = [
    ("coindesk.xml", 25, "CoinDesk: Bitcoin, Ethereum, Crypto News and Price Data"),
    ("coingtelegraph-all.xml", 30, "Cointelegraph.com News"),
    ("decrypt.xml", 58, "Decrypt"),
    ("prnews-news-releases-list.xml", 20, "All News Releases"),
    ("theblock.xml", 19, "The Block"),
]


@pytest.mark.shared
@pytest.mark.parametrize(("name", "count", "title"), SNAPSHOTS)
def test_real_snapshots(name: str, count: int, title: str) -> None:
    if not (SHARED_FEEDS / name).is_file():
        pytest.skip(f"../shared feed snapshot {name} is absent")
    feed = parse_feed((SHARED_FEEDS / name).read_bytes())
    assert (feed.title, len(feed.entries), feed.bozo_reason) == (title, count, None)
    assert all(e.link.startswith("https://") and e.published is not None for e in feed.entries)
