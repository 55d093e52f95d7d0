"""Shared pieces of the browser tests: Debian's Chromium driven by Playwright, a tab that records
every problem the page meets, and screenshots kept as test artifacts (gitignored)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


def need_chromium() -> None:
    """Skip, saying how to get it, when Debian's Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium is not at /usr/bin/chromium: browser tests skipped "
            "(install it with `sudo apt-get install -y chromium`)"
        )


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@contextmanager
def watched_tab(browser: Any, base: str) -> Iterator[Any]:
    """A tab whose `problems` list records console errors, page errors, failed requests, 4xx/5xx
    answers and any request leaving `base` (the dashboard must fetch nothing from outside)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(f"console: {m.text}"))
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    tab.on("response", lambda r: r.status < 400 or tab.problems.append(f"{r.status}: {r.url}"))
    tab.on("requestfailed", lambda r: tab.problems.append(f"failed: {r.url}"))
    tab.on("request", lambda r: r.url.startswith(base) or tab.problems.append(f"outside: {r.url}"))
    yield tab
    context.close()


def shot(page: Any, name: str) -> None:
    """Keep a full-page screenshot as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
