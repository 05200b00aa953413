"""The replay player: open a reviewer's share link, seek, play at 8x, end on the final text."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from pycrdt import Map

from tests.browser.room import TIMEOUT_MS, shot
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.browser

# A whole Excalidraw element, as the board binding stores one.
RECTANGLE = {
    "id": "r1", "type": "rectangle", "x": 40, "y": 40, "width": 160, "height": 90, "angle": 0,
    "strokeColor": "#1e1e1e", "backgroundColor": "#a5d8ff", "fillStyle": "solid",
    "strokeWidth": 2, "strokeStyle": "solid", "roughness": 1, "opacity": 100, "groupIds": [],
    "frameId": None, "roundness": None, "seed": 1, "version": 1, "versionNonce": 1,
    "isDeleted": False, "boundElements": None, "updated": 1, "link": None, "locked": False,
    "index": "a0",
}  # fmt: skip
LINES = [
    "def area(w, h):\n",
    "    # width times height\n",
    "    return w * h\n",
    "print(area(2, 3))\n",
]


async def record_session(server: ServerProcess, sid: str, tokens: dict[str, str]) -> str:
    """Two people type a few lines a few hundred ms apart and draw one shape; the final text."""
    url = f"{server.ws_url}/ws/{sid}"
    async with (
        YClient(f"{url}/code?token={tokens['interviewer']}") as a,
        YClient(f"{url}/code?token={tokens['candidate']}") as b,
        YClient(f"{url}/board?token={tokens['candidate']}") as board,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait(), board.synced.wait())
        for i, line in enumerate(LINES):
            writer, reader = (a, b) if i % 2 else (b, a)
            writer.text.insert(len(writer.text), line)
            expected = "".join(LINES[: i + 1])
            await wait_until(lambda r=reader, e=expected: str(r.text) == e, what="line relayed")
            # Spread the edits over time, so the recording has a middle to seek to.
            await asyncio.sleep(0.4)
        board.doc.get("elements", type=Map)["r1"] = RECTANGLE
        b.text.insert(0, "# final\n")
        await wait_until(lambda: str(a.text).startswith("# final"), what="last edit relayed")
        return str(a.text)


def editor_text(page: Page) -> str:
    text: str = page.evaluate(
        "Array.from(document.querySelectorAll('.replay-editor .cm-line'))"
        ".map(l => l.textContent).join('\\n')"
    )
    return text


def test_player_seeks_then_plays_at_8x_to_the_final_text(
    server: ServerProcess, browser: Browser
) -> None:
    created = server.create_session(title="Replayed interview")
    sid, tokens = created["id"], created["tokens"]
    # Sync Playwright owns this thread's event loop: the Python clients get a thread of their own.
    with ThreadPoolExecutor(1) as pool:
        final = pool.submit(asyncio.run, record_session(server, sid, tokens)).result()
    shared = httpx.post(
        f"{server.url}/api/sessions/{sid}/share",
        headers={"Authorization": f"Bearer {tokens['interviewer']}"},
    )
    assert shared.status_code == 200, shared.text
    link, reviewer = shared.json()["link"], shared.json()["token"]

    context = browser.new_context(viewport={"width": 1400, "height": 860})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(link)
        state = page.get_by_test_id("replay-state")
        expect(state).to_have_text("paused")
        expect(page.get_by_test_id("replay-person")).to_have_count(2)
        assert editor_text(page) == ""

        # Seek to the middle: the editor shows exactly what the server says was there then.
        duration = int(page.get_by_test_id("replay-scrubber").get_attribute("max") or 0)
        middle = (duration // 2) // 100 * 100
        page.get_by_test_id("replay-scrubber").fill(str(middle))
        expect(state).to_have_attribute("data-t", str(middle))
        at_middle = httpx.get(
            f"{server.url}/api/sessions/{sid}/state",
            params={"at": middle},
            headers={"Authorization": f"Bearer {reviewer}"},
        ).json()["code"]["source"]
        page.wait_for_function(
            "t => Array.from(document.querySelectorAll('.replay-editor .cm-line'))"
            ".map(l => l.textContent).join('\\n') === t",
            arg=at_middle,
        )
        assert 0 < len(at_middle) < len(final)

        page.get_by_test_id("replay-speed").select_option("8")
        # At 8x the rest lasts ~0.1 s, which can pass between two polls: record the transitions.
        page.evaluate(
            """() => { window.__playing = [];
                const el = document.querySelector('[data-testid=replay-state]');
                new MutationObserver(() => window.__playing.push(el.dataset.playing))
                    .observe(el, { attributes: true, attributeFilter: ['data-playing'] }); }"""
        )
        page.get_by_test_id("replay-play").click()
        expect(state).to_have_text("ended")
        assert page.evaluate("window.__playing") == ["true", "false"]
        assert editor_text(page) == final
        shot(page, "replay-ended")
    finally:
        context.close()
