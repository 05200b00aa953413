"""The interview journey in real browsers, with no API call and no admin token for anything an
interviewer does: the candidate names themself, pastes and switches away (the interviewer sees
it), the interviewer ends the interview (everyone in the room sees it), shares and opens the
replay after the end; the candidate's notices are rendered and announced; the lobby keeps every
session's links after its tab closed; links that do not work say why and what to do next.

Three browser contexts (three people), a real server, real kernels; screenshots of each state
go to artifacts/screenshots/journey-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from kernels.settings import KernelSettings
from tests.browser.room import (
    TIMEOUT_MS,
    answer_name_prompt,
    code_text,
    editor,
    open_room,
    shot,
    type_in_editor,
    wait_code_contains,
)
from tests.support.server import ADMIN_TOKEN, ServerProcess

pytestmark = pytest.mark.browser
LIBRARY = Path(__file__).resolve().parent / "journey_library"
PASTED = "".join(f"value_{i} = {i}\n" for i in range(40)) + "total = 0"  # 41 lines


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("journey-browser")),
        env={"PAIRBOARD_SCENARIOS_DIR": str(LIBRARY), "PAIRBOARD_KERNEL_PRELOAD_CODE": ""},
    )
    proc.start()
    yield proc
    proc.stop()


def new_page(browser: Browser, **context: Any) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 860}, **context).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def paste(page: Page, text: str) -> None:
    """What Ctrl+V does in the editor: headless Chromium has no system clipboard, so the paste
    event a real Ctrl+V fires is dispatched with the text (CodeMirror inserts it as it would)."""
    page.locator(".left .cm-content").evaluate(
        """(el, text) => {
            el.focus();
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                cancelable: true}));
        }""",
        text,
    )


def signals(server: ServerProcess, sid: str, token: str) -> list[tuple[str, dict[str, Any]]]:
    log = httpx.get(
        f"{server.url}/api/sessions/{sid}/log",
        params={"doc": "signals"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return [(e["author"], e["value"]) for e in log["entries"]]


def test_name_signals_end_and_replay_walked_by_interviewer_candidate_and_observer(
    browser: Browser, server: ServerProcess
) -> None:
    created = server.create_session(title="Journey: end to replay")
    sid, links = created["id"], created["links"]
    interviewer = open_room(browser, links["interviewer"])
    candidate = new_page(browser)
    observer = open_room(browser, links["observer"])
    try:
        # First open: the candidate says their name; everyone sees it.
        candidate.goto(links["candidate"])
        expect(candidate.get_by_test_id("name-prompt")).to_be_visible()
        shot(candidate, "journey-1-name-prompt")
        candidate.get_by_label("Your name").fill("Ada Lovelace")
        candidate.get_by_role("button", name="Join the interview").click()
        expect(candidate.get_by_test_id("connection-state")).to_have_text("live")
        expect(candidate.get_by_test_id("my-role")).to_have_text("Ada Lovelace · candidate")
        expect(interviewer.get_by_test_id("participants")).to_contain_text("Ada Lovelace")
        if (KernelSettings().env_dir / "bin" / "python").exists():
            type_in_editor(candidate, '\nprint("ran by Ada")\n')
            candidate.get_by_test_id("run").click()
            run = interviewer.locator(".run").last
            expect(run.locator(".run-author")).to_contain_text("Ada Lovelace", timeout=60_000)
            expect(run).to_contain_text("ran by Ada", timeout=60_000)

        # Integrity signals: a 41-line paste and a tab switch, seen live by the interviewer.
        integrity = interviewer.get_by_test_id("integrity")
        expect(integrity).to_have_text("no pastes or focus changes")
        paste(candidate, PASTED)
        wait_code_contains(interviewer, "value_39 = 39")
        expect(integrity).to_have_text("1 paste (41 lines)")
        candidate.evaluate("window.dispatchEvent(new Event('blur'))")
        expect(integrity).to_contain_text("1 focus loss")
        expect(integrity).to_contain_text("away now")
        shot(interviewer, "journey-2-integrity-away")
        candidate.evaluate("window.dispatchEvent(new Event('focus'))")
        expect(integrity).not_to_contain_text("away now")
        assert signals(server, sid, created["tokens"]["interviewer"]) == [
            ("Ada Lovelace", {"kind": "paste", "size": len(PASTED), "lines": 41}),
            ("Ada Lovelace", {"kind": "blur"}),
            ("Ada Lovelace", {"kind": "focus"}),
        ]  # the size, never the pasted text a second time

        # End, with confirmation; everyone in the room sees it.
        interviewer.get_by_role("button", name="End interview").click()
        dialog = interviewer.get_by_role("alertdialog")
        expect(dialog).to_contain_text("End the interview for everyone?")
        shot(interviewer, "journey-3-end-confirm")
        dialog.get_by_role("button", name="Cancel").click()
        expect(interviewer.get_by_role("alertdialog")).to_have_count(0)
        expect(candidate.get_by_test_id("ended-banner")).to_have_count(0)  # cancel ends nothing
        interviewer.get_by_role("button", name="End interview").click()
        interviewer.get_by_role("alertdialog").get_by_role("button", name="End now").click()
        for page in (candidate, observer, interviewer):
            expect(page.get_by_test_id("ended-banner")).to_contain_text(
                "The interview has ended (ended by Interviewer)."
            )
            expect(page.get_by_test_id("connection-state")).to_have_text("ended")
        expect(candidate.get_by_test_id("ended-banner")).to_contain_text("You can close this tab.")
        expect(candidate.get_by_test_id("readonly-state")).to_have_text(
            "read-only: the interview has ended"
        )
        expect(candidate.get_by_test_id("run")).to_be_disabled()
        expect(candidate.get_by_test_id("run-blocked")).to_have_text(
            "Run is off: the interview has ended"
        )
        expect(editor(candidate)).to_have_attribute("contenteditable", "false")
        before = code_text(candidate)
        editor(candidate).click()
        candidate.keyboard.type("typed after the end")
        assert code_text(candidate) == before
        expect(interviewer.get_by_role("button", name="End interview")).to_have_count(0)
        shot(candidate, "journey-4-ended-candidate")

        # The interviewer shares and opens the replay after the end, from their own link.
        interviewer.get_by_test_id("share-replay").click()
        reviewer_link = interviewer.get_by_label("Reviewer link", exact=True).input_value()
        assert reviewer_link.startswith(f"{server.url}/replay/{sid}?token=")
        shot(interviewer, "journey-5-ended-interviewer-shared")
        with interviewer.context.expect_page() as opened:
            interviewer.get_by_test_id("open-replay").click()
        replay = opened.value
        expect(replay.get_by_test_id("replay-state")).to_have_text("paused", timeout=TIMEOUT_MS)
        expect(replay.get_by_test_id("replay-notes")).to_have_count(1)  # the private parts too
        shot(replay, "journey-6-replay-after-end")

        # Coming back later: the interviewer's room link leads to the replay, the candidate's
        # says the interview is over.
        interviewer.reload()
        expect(interviewer.get_by_test_id("ended-page")).to_contain_text(
            "Journey: end to replay has ended"
        )
        expect(interviewer.get_by_test_id("open-replay")).to_be_visible()
        candidate.reload()
        expect(candidate.get_by_test_id("link-problem")).to_contain_text("This interview has ended")
        expect(candidate.get_by_test_id("next-step")).to_contain_text("You can close this tab.")
        shot(candidate, "journey-7-candidate-link-after-end")
    finally:
        for page in (interviewer, candidate, observer):
            page.context.close()


def test_candidate_notices_are_rendered_announced_and_ctrl_enter_says_why_run_is_off(
    browser: Browser, server: ServerProcess
) -> None:
    created = server.create_session(scenario="journey-drill", title="Journey: notices")
    interviewer = open_room(browser, created["links"]["interviewer"])
    candidate = new_page(browser)
    try:
        candidate.goto(created["links"]["candidate"])
        answer_name_prompt(candidate, "Grace")
        expect(candidate.get_by_test_id("waiting-room")).to_be_visible()
        interviewer.get_by_test_id("scenario-start").click()
        expect(candidate.get_by_test_id("connection-state")).to_have_text("live")

        # Landmarks and names that say what a repeated button acts on; no glyph in a name.
        expect(interviewer.get_by_role("main")).to_have_count(1)
        expect(interviewer.get_by_role("complementary")).to_have_count(1)
        expect(interviewer.get_by_role("button", name="Run", exact=True)).to_be_visible()
        panel = interviewer.get_by_test_id("scenario-panel")
        reveal = panel.get_by_role(
            "button", name="Reveal hint: Multiply by `2` and **return** it", exact=True
        )
        fire = panel.get_by_role("button", name="Fire now: Reveal part two", exact=True)

        reveal.click()
        notices = candidate.get_by_test_id("notices")
        expect(notices).to_have_attribute("aria-live", "polite")
        hint = notices.get_by_test_id("notice-hint")
        expect(hint).to_contain_text("Multiply by 2 and return it")
        expect(hint.locator("code")).to_have_text("2")  # rendered, no raw backticks
        expect(hint.locator("strong", has_text="return")).to_be_visible()
        fire.click()
        section = notices.get_by_test_id("notice-reveal")
        expect(section).to_contain_text("New in the brief: Part two")
        expect(section.locator("li")).to_have_count(2)
        shot(candidate, "journey-8-notices")
        candidate.get_by_role("button", name="Dismiss notice: Hint", exact=True).click()
        expect(notices.get_by_test_id("notice-hint")).to_have_count(0)

        # Ctrl/Cmd-Enter while Run is disabled says why, in the announced status line.
        interviewer.get_by_test_id("disable-run").click()  # checked once the server applied it
        expect(interviewer.get_by_test_id("disable-run")).to_be_checked()
        expect(candidate.get_by_test_id("run-blocked")).to_have_text(
            "Run is off: the interviewer has disabled Run"
        )
        editor(candidate).click()
        candidate.keyboard.press("Control+Enter")
        announcement = candidate.get_by_test_id("announcement")
        expect(announcement).to_have_text("Run is not available: the interviewer has disabled Run.")
        expect(announcement).to_have_attribute("role", "status")
        assert candidate.evaluate("window.pairboard.sync.link('console').doc"
                                  ".getArray('runs').length") == 0  # fmt: skip
        shot(candidate, "journey-9-run-disabled-said")
    finally:
        interviewer.context.close()
        candidate.context.close()


def test_the_lobby_keeps_links_after_its_tab_closed_and_ends_and_replays_sessions(
    browser: Browser, server: ServerProcess
) -> None:
    clipboard = {"permissions": ["clipboard-read", "clipboard-write"]}
    lobby = new_page(browser, **clipboard)
    try:
        lobby.goto(server.url + "/")
        lobby.get_by_label("Admin token").fill(ADMIN_TOKEN)
        lobby.get_by_role("button", name="Save").click()
        lobby.get_by_label("Blank pad").check()
        title = lobby.get_by_placeholder("e.g. Backend pairing — Alex")
        title.fill("Lobby first")
        lobby.get_by_test_id("create-session").click()
        created = lobby.get_by_test_id("created-links")
        expect(created).to_contain_text("Links for")
        created.get_by_role("button", name="Copy Candidate link").click()
        expect(created.get_by_role("button", name="Copy Candidate link")).to_have_text("copied")
        title.fill("Lobby second")
        lobby.get_by_test_id("create-session").click()
        expect(created.get_by_role("button", name="Copy Candidate link")).to_have_text("copy")
    finally:
        lobby.context.close()

    # The tab is gone; a new one (same browser storage is not needed: the token is typed again).
    lobby = new_page(browser, **clipboard)
    try:
        lobby.goto(server.url + "/")
        lobby.get_by_label("Admin token").fill(ADMIN_TOKEN)
        lobby.get_by_role("button", name="Save").click()
        first = lobby.locator("[data-testid^=session-]", has_text="Lobby first")
        second = lobby.locator("[data-testid^=session-]", has_text="Lobby second")
        expect(first).to_contain_text("live")
        expect(first.get_by_test_id("candidate-name")).to_have_text("not named yet")
        first.get_by_text("Links").click()
        candidate_link = first.get_by_label(
            "Candidate link for Lobby first", exact=True
        ).input_value()
        rejoin = first.get_by_role("link", name="Rejoin Lobby first as interviewer")
        interviewer_link = rejoin.get_attribute("href") or ""
        shot(lobby, "journey-10-lobby-sessions")

        candidate = open_room(browser, candidate_link, name="Grace Hopper")
        interviewer = open_room(browser, interviewer_link)
        expect(interviewer.get_by_test_id("participants")).to_contain_text("Grace Hopper")
        candidate.context.close()
        interviewer.context.close()
        lobby.get_by_role("button", name="refresh").click()
        expect(first.get_by_test_id("candidate-name")).to_have_text("Grace Hopper")

        second.get_by_role("button", name="End Lobby second").click()
        second.get_by_role("alertdialog").get_by_role("button", name="End now").click()
        expect(second).to_have_attribute("data-state", "ended")
        expect(second).to_contain_text("Ended")
        expect(second.get_by_role("link", name="Rejoin Lobby second as interviewer")).to_have_count(
            0
        )
        with lobby.context.expect_page() as opened:
            second.get_by_role("link", name="Replay of Lobby second").click()
        expect(opened.value.get_by_test_id("replay-state")).to_have_text("paused")
        shot(lobby, "journey-11-lobby-ended")
    finally:
        lobby.context.close()


def test_links_and_pages_that_do_not_work_say_what_happened_and_what_to_do(
    browser: Browser, server: ServerProcess
) -> None:
    sid = server.create_session(title="Journey: errors")["id"]
    page = new_page(browser)
    try:
        response = page.goto(f"{server.url}/s/{sid}/notes")
        assert response is not None and response.status == 404
        expect(page.get_by_test_id("not-found")).to_contain_text("Page not found")
        expect(page.get_by_role("link", name="go to the lobby")).to_have_attribute("href", "/")
        shot(page, "journey-12-not-found")

        page.goto(f"{server.url}/s/{sid}")
        expect(page.get_by_test_id("link-problem")).to_contain_text("This link is incomplete")
        page.goto(f"{server.url}/s/{sid}?token=forged.token")
        expect(page.get_by_test_id("link-problem")).to_contain_text("This link does not work")
        expect(page.get_by_test_id("next-step")).to_contain_text(
            "ask the interviewer for a new one"
        )
        shot(page, "journey-13-bad-link")
    finally:
        page.context.close()
