"""Helpers that drive a session room the way a person does, plus sync barriers.

Barriers never sleep: they poll a condition in the page with a deadline (Playwright's
`wait_for_function` / `expect`). The awareness barrier proves the server has processed everything
a page sent before it: the server handles one connection's frames in order, so once another page
sees this page's awareness probe, every earlier frame of that socket has been handled.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
TIMEOUT_MS = 20_000
_probes = itertools.count(1)

Opener = Callable[[str], Page]
"""What the `open_page` fixture (conftest.py) gives: opens a link as a separate person."""


def answer_name_prompt(page: Page, name: str = "Candidate") -> None:
    """A candidate's first open asks their name; answers it (other roles are never asked)."""
    first = page.locator(
        "[data-testid=name-prompt], [data-testid=connection-state], "
        "[data-testid=waiting-room], [data-testid=link-problem]"
    ).first
    first.wait_for()
    if page.get_by_test_id("name-prompt").count():
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Join the interview").click()
        expect(page.get_by_test_id("name-prompt")).to_have_count(0)


def open_room(
    browser: Browser, link: str, *, width: int = 1400, height: int = 860, name: str = "Candidate"
) -> Page:
    """Opens a link in a fresh context (own storage: a separate person), answers the name
    prompt if it is a candidate's first open, and waits until live."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(link)
    answer_name_prompt(page, name)
    expect(page.get_by_test_id("connection-state")).to_have_text("live", timeout=TIMEOUT_MS)
    return page


def code_text(page: Page) -> str:
    text: str = page.evaluate("window.pairboard.sync.link('code').doc.getText('source').toString()")
    return text


def wait_code_contains(page: Page, needle: str) -> None:
    page.wait_for_function(
        "n => window.pairboard.sync.link('code').doc.getText('source').toString().includes(n)",
        arg=needle,
    )


def editor(page: Page) -> Any:
    return page.locator(".left .cm-content")


def type_in_editor(page: Page, text: str) -> None:
    """Clicks at the end of the shared editor and types like a person (one key at a time)."""
    editor(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def awareness_barrier(sender: Page, receiver: Page, doc: str = "code") -> None:
    """Returns once `receiver` has seen a fresh awareness probe from `sender` on `doc`."""
    probe = next(_probes)
    # Record probes as they arrive: a state can be replaced before a poll would see it.
    receiver.evaluate(
        """(doc) => {
            window.__probes = window.__probes || [];
            const a = window.pairboard.sync.link(doc).provider.awareness;
            if (a.__probeWatch) return;
            a.__probeWatch = true;
            a.on('change', () => a.getStates().forEach(s => {
                if (s && s.probe) window.__probes.push(s.probe);
            }));
        }""",
        doc,
    )
    sender.evaluate(
        """([doc, probe]) => {
            window.pairboard.sync.link(doc).provider.awareness.setLocalStateField('probe', probe);
        }""",
        [doc, probe],
    )
    receiver.wait_for_function("p => (window.__probes || []).includes(p)", arg=probe)


def board_elements(page: Page) -> list[dict[str, Any]]:
    """The non-deleted elements of this page's Excalidraw scene."""
    els: list[dict[str, Any]] = page.evaluate(
        "window.pairboard.excalidraw ? window.pairboard.excalidraw.getSceneElements()"
        ".map(e => ({id: e.id, type: e.type, x: e.x, y: e.y, width: e.width, height: e.height,"
        " version: e.version})) : []"
    )
    return els


def wait_board_ready(page: Page) -> None:
    page.wait_for_function("!!(window.pairboard && window.pairboard.excalidraw)")
    page.locator(".board canvas.interactive").wait_for()


def draw(page: Page, tool_key: str, dx: int, dy: int, w: int, h: int) -> None:
    """Selects a tool by its keyboard shortcut and drags on the board canvas."""
    canvas = page.locator(".board canvas.interactive")
    box = canvas.bounding_box()
    assert box is not None
    canvas.click(position={"x": 10, "y": box["height"] - 10})  # focus the board
    page.keyboard.press("Escape")
    page.keyboard.press(tool_key)
    x0, y0 = box["x"] + dx, box["y"] + dy
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + w / 2, y0 + h / 2, steps=4)
    page.mouse.move(x0 + w, y0 + h, steps=4)
    page.mouse.up()
    page.keyboard.press("Escape")


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
