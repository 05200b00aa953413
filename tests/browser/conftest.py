"""Browser fixtures: Debian's Chromium driven by Playwright, against a real server subprocess.

Chromium is never downloaded (`playwright install` is not used): the tests launch the system
binary (PAIRBOARD_BROWSER, default /usr/bin/chromium) with the flags this machine needs. Without
it, or without a built web client, the tests skip with the reason, unless
PAIRBOARD_REQUIRE_BROWSER=1 (CI), where a missing browser or build is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.room import SCREENSHOTS, Opener, open_room

REPO = Path(__file__).resolve().parents[2]
WEB_INDEX = REPO / "web" / "dist" / "index.html"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("PAIRBOARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (PAIRBOARD_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def chromium_path() -> str:
    path = os.environ.get("PAIRBOARD_BROWSER", "/usr/bin/chromium")
    if not (Path(path).is_file() or shutil.which(path)):
        _unavailable(f"no Chromium at {path}: apt-get install chromium (or set PAIRBOARD_BROWSER)")
    if not WEB_INDEX.is_file():
        _unavailable(f"web client not built ({WEB_INDEX} missing): run `make web`")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Module-scoped on purpose: sync Playwright keeps an event loop running in this thread while
    it is open, and every pytest-asyncio test after it would fail to start its own loop."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed in this environment")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def open_page(browser: object) -> Iterator[Opener]:
    """Opens links as separate people (a context each); every context is closed after the test."""
    pages: list[Any] = []

    def opener(link: str) -> Any:
        page = open_room(browser, link)  # type: ignore[arg-type]
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.context.close()
