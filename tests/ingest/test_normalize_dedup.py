"""Canonical URLs, text cleaning, language, mojibake repair; content hash and MinHash."""

import pytest

from ingest.dedup import NearDupIndex, body_of, content_hash, minhash_of
from ingest.extract import PageContent, choose_text, is_teaser
from ingest.normalize import canonical_url, detect_language, html_to_text, repair_mojibake


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://Example.com/a?utm_source=x&id=3#top", "https://example.com/a?id=3"),
        ("https://example.com:443/news/?fbclid=abc", "https://example.com/news/"),
        ("http://example.com", "http://example.com/"),
        (
            "https://cryptonews.comhttps://cryptonews.com/news/x.htm",
            "https://cryptonews.com/news/x.htm",
        ),
        ("https://site.example/p?b=2&a=1", "https://site.example/p?a=1&b=2"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_html_to_text_keeps_paragraphs() -> None:
    html = "<p>One &amp; two</p><script>alert(1)</script><p>Three<br>four</p>"
    assert html_to_text(html) == "One & two\n\nThree\n\nfour"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The central bank left interest rates unchanged and signalled patience on cuts.", "en"),
        ("La banque centrale a laissé ses taux inchangés et signalé de la patience.", "fr"),
        ("Die Zentralbank hat die Zinsen unverändert gelassen und Geduld signalisiert.", "de"),
        ("too short", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        (
            "Record High \u00e2\u0080\u0093 What\u00e2\u0080\u0099s Next",
            "Record High – What’s Next",
        ),
        ("Record High â€“ Whatâ€™s Next", "Record High – What’s Next"),
        ("Café and naïve stay as they are", "Café and naïve stay as they are"),
    ],
)
def test_repair_mojibake(text: str, repaired: str) -> None:
    assert repair_mojibake(text) == repaired


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("Title", "Some  text.\n\nMore") == content_hash("title", "some text more")
    assert content_hash("Title", "Some text") != content_hash("Title", "Other text")


STORY = " ".join(f"word{i} sentence{i % 7} market{i % 5}" for i in range(60))


def test_near_duplicate_index() -> None:
    index = NearDupIndex(threshold=0.8, num_perm=128)
    original = minhash_of(STORY, num_perm=128, min_words=30)
    assert original is not None
    index.add(1, original)
    edited = minhash_of(STORY.replace("word59", "changed"), num_perm=128, min_words=30)
    other = minhash_of(STORY[::-1], num_perm=128, min_words=30)
    assert edited is not None and other is not None
    assert index.find(edited) == 1
    assert index.find(other) is None
    assert minhash_of("only a few words", num_perm=128, min_words=30) is None


def test_body_of_drops_a_leading_headline() -> None:
    assert body_of("Fed holds", "Fed holds\nThe Fed held rates.") == "The Fed held rates."
    assert body_of("Other", "Fed holds\nThe Fed held rates.") == "Fed holds\nThe Fed held rates."


def test_choose_text() -> None:
    long_page = PageContent(text="x" * 500)
    assert choose_text(long_page, "feed", min_chars=300).from_page is True
    teaser = PageContent(text="Subscribe to continue reading.")
    chosen = choose_text(teaser, "a longer feed text " * 3, min_chars=300)
    note = "page teaser (paywall marker 'subscribe to continue reading'); feed text"
    assert (chosen.from_page, chosen.note) == (False, note)
    assert is_teaser("short", min_chars=300) == "page text only 5 chars"
