"""The room's layout in a real browser: split panes that keep their sizes across a reload, a
collapsible interviewer panel, nothing clipped from 1024 px up, long lines that scroll sideways.

Each test opens its own session as the interviewer (the widest page: three columns) and saves a
screenshot of the state it proves to artifacts/screenshots/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.room import TIMEOUT_MS, open_room, shot, type_in_editor, wait_code_contains
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

LONG_LINE = "x = [" + ", ".join(str(i) for i in range(120)) + "]"


def box(page: Page, test_id: str) -> dict[str, Any]:
    b = page.get_by_test_id(test_id).bounding_box()
    assert b is not None, test_id
    return dict(b)


def interviewer_page(browser: Browser, server: ServerProcess, width: int, height: int) -> Page:
    link = server.create_session(title="Layout")["links"]["interviewer"]
    return open_room(browser, link, width=width, height=height)


def test_at_1024_px_nothing_is_clipped_and_a_long_line_scrolls_sideways(
    server: ServerProcess, browser: Browser
) -> None:
    page = interviewer_page(browser, server, 1024, 768)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") == 1024
        board, side = box(page, "board-pane"), box(page, "side-pane")
        assert side["x"] + side["width"] <= 1024
        assert board["width"] >= 240

        type_in_editor(page, LONG_LINE)
        wait_code_contains(page, LONG_LINE)
        scroller = page.locator(".left .cm-scroller")
        widths = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] > widths[1], widths  # the line overflows the scroller, not the page
        assert page.evaluate("document.documentElement.scrollWidth") == 1024
        # The caret sits at the end of the long line; the line numbers stay in view beside it.
        gutter = page.locator(".left .cm-gutters").bounding_box()
        pane = box(page, "editor-pane")
        assert gutter is not None and gutter["x"] >= pane["x"] - 1
        assert gutter["x"] + gutter["width"] <= pane["x"] + 60
        assert scroller.evaluate("e => e.scrollLeft") > 0
        shot(page, "layout-1024-long-line")
    finally:
        page.context.close()


def test_at_1440x900_the_editor_and_console_get_most_of_the_height(
    server: ServerProcess, browser: Browser
) -> None:
    page = interviewer_page(browser, server, 1440, 900)
    try:
        editor, console = box(page, "editor-pane"), box(page, "console-pane")
        assert editor["height"] >= 420, editor
        assert console["height"] >= 250, console
        assert page.evaluate("document.documentElement.scrollWidth") == 1440
        shot(page, "layout-1440x900")
    finally:
        page.context.close()


def drag(page: Page, separator_label: str, dx: int, dy: int) -> None:
    handle = page.get_by_role("separator", name=separator_label)
    b = handle.bounding_box()
    assert b is not None
    x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=3)
    page.mouse.move(x + dx, y + dy, steps=3)
    page.mouse.up()


def test_resized_panes_and_a_collapsed_panel_are_kept_after_a_reload(
    server: ServerProcess, browser: Browser
) -> None:
    page = interviewer_page(browser, server, 1280, 800)
    try:
        before_work = box(page, "editor-pane")
        drag(page, "Resize code and whiteboard", 120, 0)
        drag(page, "Resize editor and console", 0, -100)
        after_editor = box(page, "editor-pane")
        assert abs(after_editor["width"] - (before_work["width"] + 120)) <= 3, after_editor
        assert abs(after_editor["height"] - (before_work["height"] - 100)) <= 3, after_editor

        page.get_by_test_id("panel-toggle").click()
        expect(page.get_by_test_id("side-pane")).to_have_attribute("data-collapsed", "true")
        collapsed_board = box(page, "board-pane")

        page.reload()
        expect(page.get_by_test_id("connection-state")).to_have_text("live", timeout=TIMEOUT_MS)
        expect(page.get_by_test_id("side-pane")).to_have_attribute("data-collapsed", "true")
        expect(page.get_by_role("complementary", name="Interviewer panel (private)")).to_be_hidden()
        reloaded_editor, reloaded_board = box(page, "editor-pane"), box(page, "board-pane")
        assert abs(reloaded_editor["height"] - after_editor["height"]) <= 2
        assert abs(reloaded_board["width"] - collapsed_board["width"]) <= 2
        shot(page, "layout-resized-reloaded")

        page.get_by_test_id("panel-toggle").click()
        expect(page.get_by_test_id("side-pane")).to_have_attribute("data-collapsed", "false")
        expect(
            page.get_by_role("complementary", name="Interviewer panel (private)")
        ).to_be_visible()
    finally:
        page.context.close()
