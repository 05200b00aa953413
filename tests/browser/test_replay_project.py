"""The replay player shows the recorded project and notebook at the scrubbed instant.

A multi-file session: two people create files, then one is renamed (deleted and created again,
as the tabs do) and one deleted; scrubbing to before and after shows each instant's tabs and
texts. A notebook session: cells typed and run in a real kernel, then edited, re-run and one
added; scrubbing shows each instant's cells with the outputs and counts recorded by then. The
reviewer's share link in a browser of its own; the recording made by real websocket clients.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from pycrdt import Array, Map, Text

from tests.browser.room import TIMEOUT_MS, shot
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.browser

KERNEL_S = 120.0
PAUSE_S = 1.2  # between the two phases: scrubbing to 0.2 s after the first lands inside it


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def now_ms() -> int:
    return int(time.time() * 1000)


async def relayed(reader: YClient, check: Any, what: str) -> None:
    await wait_until(lambda: check(reader.doc), timeout=20, what=what)


def tree(doc: Any) -> dict[str, str]:
    return {k: str(v) for k, v in doc.get("files", type=Map).items()}


async def record_project(server: ServerProcess, sid: str, tokens: dict[str, str]) -> int:
    """Phase 1: main.py, utils.py and notes.md; then a pause; phase 2: utils.py renamed to
    helpers.py, notes.md deleted. Returns the wall-clock ms between the phases."""
    url = f"{server.ws_url}/ws/{sid}/code?token="
    async with (
        YClient(url + tokens["candidate"]) as cand,
        YClient(url + tokens["interviewer"]) as intv,
    ):
        await asyncio.gather(cand.synced.wait(), intv.synced.wait())
        cand.text.insert(0, "from utils import area\nprint(area(2, 3))\n")
        cand.doc.get("files", type=Map)["utils.py"] = Text("def area(w, h):\n    return w * h\n")
        intv.doc.get("files", type=Map)["notes.md"] = Text("# Plan\n")
        await relayed(intv, lambda d: "utils.py" in tree(d), "utils.py relayed")
        await relayed(cand, lambda d: "notes.md" in tree(d), "notes.md relayed")
        between = now_ms() + 200
        await asyncio.sleep(PAUSE_S)
        files = cand.doc.get("files", type=Map)
        with cand.doc.transaction():
            text = str(files["utils.py"])
            del files["utils.py"]
            files["helpers.py"] = Text(text)
        del files["notes.md"]
        cand.text.insert(0, "# renamed\n")
        await relayed(intv, lambda d: set(tree(d)) == {"helpers.py"}, "rename relayed")
        await relayed(intv, lambda d: str(d.get("source", type=Text)).startswith("#"), "edit")
        return between


def run_cell(server: ServerProcess, sid: str, token: str, cell: str) -> None:
    r = httpx.post(
        f"{server.url}/api/sessions/{sid}/notebook/runs",
        json={"cells": [cell]},
        headers=auth(token),
        timeout=30,
    )
    assert r.status_code == 202, r.text
    (run_id,) = r.json()["run_ids"]
    deadline = time.monotonic() + KERNEL_S
    while True:
        run = httpx.get(f"{server.url}/api/sessions/{sid}/runs/{run_id}", headers=auth(token))
        if run.json()["status"] not in ("running", "queued"):
            assert run.json()["status"] == "ok", run.text
            return
        assert time.monotonic() < deadline, "cell still running"
        time.sleep(0.1)


async def record_notebook(server: ServerProcess, sid: str, tokens: dict[str, str]) -> int:
    """Phase 1: cell c1 typed and run (prints first); a pause; phase 2: c1 edited and run
    again (prints second), a Markdown cell added. Returns the ms between the phases."""
    url = f"{server.ws_url}/ws/{sid}/notebook?token="
    async with (
        YClient(url + tokens["candidate"]) as cand,
        YClient(url + tokens["interviewer"]) as intv,
    ):
        await asyncio.gather(cand.synced.wait(), intv.synced.wait())
        cells = cand.doc.get("cells", type=Array)
        await wait_until(lambda: len(cells) == 1, what="seeded cell")
        cells[0]["source"].insert(0, "print('first')")

        def source_is(text: str) -> Any:
            return lambda d: str(d.get("cells", type=Array)[0]["source"]) == text

        await relayed(intv, source_is("print('first')"), "the cell relayed")
        await asyncio.to_thread(run_cell, server, sid, tokens["candidate"], "c1")
        between = now_ms() + 200
        await asyncio.sleep(PAUSE_S)
        source = cells[0]["source"]
        del source[len("print('") : len("print('first")]
        source.insert(len("print('"), "second")
        await relayed(intv, source_is("print('second')"), "the edit relayed")
        await asyncio.to_thread(run_cell, server, sid, tokens["candidate"], "c1")
        cells.append(
            Map({"id": "note", "cell_type": "markdown", "source": Text("Done."), "metadata": Map()})
        )
        await relayed(intv, lambda d: len(d.get("cells", type=Array)) == 2, "new cell relayed")
        return between


def reviewer_page(browser: Browser, server: ServerProcess, sid: str, token: str) -> Page:
    shared = httpx.post(f"{server.url}/api/sessions/{sid}/share", headers=auth(token))
    assert shared.status_code == 200, shared.text
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(shared.json()["link"])
    expect(page.get_by_test_id("replay-state")).to_have_text("paused")
    return page


def seek(page: Page, at: int) -> None:
    page.get_by_test_id("replay-scrubber").fill(str(at))
    expect(page.get_by_test_id("replay-state")).to_have_attribute("data-t", str(at))


def offset(server: ServerProcess, sid: str, token: str, wall_ms: int) -> int:
    """A wall-clock instant as the player's ms since the session's creation."""
    timeline = httpx.get(f"{server.url}/api/sessions/{sid}/timeline", headers=auth(token)).json()
    return wall_ms - int(timeline["created_at_ms"])


def editor_text(page: Page) -> str:
    text: str = page.evaluate(
        "Array.from(document.querySelectorAll('.replay-editor .cm-line'))"
        ".map(l => l.textContent).join('\\n')"
    )
    return text


def expect_editor(page: Page, text: str) -> None:
    page.wait_for_function(
        "t => Array.from(document.querySelectorAll('.replay-editor .cm-line'))"
        ".map(l => l.textContent).join('\\n') === t",
        arg=text,
    )


def test_scrubbing_a_multi_file_session_shows_each_instants_files_in_tabs(
    server: ServerProcess, browser: Browser
) -> None:
    created = server.create_session(title="Replayed project")
    sid, tokens = created["id"], created["tokens"]
    with ThreadPoolExecutor(1) as pool:
        between = pool.submit(asyncio.run, record_project(server, sid, tokens)).result()
    page = reviewer_page(browser, server, sid, tokens["interviewer"])
    try:
        tabs = page.get_by_test_id("file-tab")
        seek(page, offset(server, sid, tokens["interviewer"], between))
        expect(tabs).to_have_text(["main.py", "notes.md", "utils.py"])
        expect_editor(page, "from utils import area\nprint(area(2, 3))\n")
        tabs.filter(has_text="utils.py").click()
        expect_editor(page, "def area(w, h):\n    return w * h\n")
        shot(page, "replay-project-before-rename")

        # The end: utils.py is helpers.py now, notes.md is gone; the open tab closed with it.
        duration = int(page.get_by_test_id("replay-scrubber").get_attribute("max") or 0)
        seek(page, duration)
        expect(tabs).to_have_text(["main.py", "helpers.py"])
        expect(page.locator(".file-tab.active")).to_have_text("main.py")
        expect_editor(page, "# renamed\nfrom utils import area\nprint(area(2, 3))\n")
        tabs.filter(has_text="helpers.py").click()
        expect_editor(page, "def area(w, h):\n    return w * h\n")
        shot(page, "replay-project-after-rename")

        # Back before the rename: the tabs and texts of that instant again.
        seek(page, offset(server, sid, tokens["interviewer"], between))
        expect(tabs).to_have_text(["main.py", "notes.md", "utils.py"])
        tabs.filter(has_text="notes.md").click()
        expect_editor(page, "# Plan\n")
    finally:
        page.context.close()


def test_scrubbing_a_notebook_session_shows_each_instants_cells_and_outputs(
    server: ServerProcess, browser: Browser
) -> None:
    created = server.create_session(title="Replayed notebook", mode="notebook")
    sid, tokens = created["id"], created["tokens"]
    seeded = httpx.put(
        f"{server.url}/api/sessions/{sid}/notebook",
        json={
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "id": "c1",
                    "cell_type": "code",
                    "source": "",
                    "metadata": {},
                    "outputs": [],
                    "execution_count": None,
                }
            ],
        },
        headers=auth(tokens["interviewer"]),
        timeout=60,
    )
    assert seeded.status_code == 200, seeded.text
    with ThreadPoolExecutor(1) as pool:
        between = pool.submit(asyncio.run, record_notebook(server, sid, tokens)).result()
    page = reviewer_page(browser, server, sid, tokens["interviewer"])
    try:
        cells = page.get_by_test_id("replay-cell")
        c1 = page.locator('[data-testid=replay-cell][data-cell-id="c1"]')
        seek(page, offset(server, sid, tokens["interviewer"], between))
        expect(cells).to_have_count(1)
        expect(c1.get_by_test_id("cell-source")).to_have_text("print('first')")
        expect(c1.get_by_test_id("cell-outputs")).to_have_text("first")
        expect(c1.locator(".cell-prompt")).to_have_text("[1]")
        shot(page, "replay-notebook-first-run")

        duration = int(page.get_by_test_id("replay-scrubber").get_attribute("max") or 0)
        seek(page, duration)
        expect(cells).to_have_count(2)
        expect(c1.get_by_test_id("cell-source")).to_have_text("print('second')")
        expect(c1.get_by_test_id("cell-outputs")).to_have_text("second")
        expect(c1.locator(".cell-prompt")).to_have_text("[2]")
        expect(cells.nth(1).get_by_test_id("cell-rendered")).to_have_text("Done.")
        # A notebook session with no project files shows no file tabs.
        expect(page.get_by_test_id("replay-files")).to_have_count(0)
        shot(page, "replay-notebook-end")

        # Back to the start, before the interviewer seeded the notebook: no cells at all.
        seek(page, 0)
        expect(cells).to_have_count(0)
        expect(page.get_by_test_id("replay-notebook")).to_contain_text("No cells yet")
    finally:
        page.context.close()
