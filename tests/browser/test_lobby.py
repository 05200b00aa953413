"""The lobby journey (admin token once, create a session, open its links) and refused links."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, WebSocket, expect

from tests.browser.room import TIMEOUT_MS, open_room, shot
from tests.support.server import ADMIN_TOKEN, ServerProcess

pytestmark = pytest.mark.browser


def test_lobby_keeps_the_admin_token_and_creates_a_session_whose_links_work(
    server: ServerProcess, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        lobby = context.new_page()
        lobby.set_default_timeout(TIMEOUT_MS)
        lobby.goto(server.url + "/")
        lobby.get_by_label("Admin token").fill(ADMIN_TOKEN)
        lobby.get_by_role("button", name="Save").click()
        # The scenario library filters by kind; blank pad stays available.
        lobby.get_by_label("Kind").select_option("crisis")
        kinds = lobby.locator(".scenarios li .muted").all_inner_texts()
        assert kinds and all(k.startswith("crisis ·") for k in kinds)
        lobby.get_by_label("Blank pad").check()
        lobby.get_by_placeholder("e.g. Backend pairing — Alex").fill("Lobby-made session")
        lobby.get_by_test_id("create-session").click()
        links = lobby.get_by_test_id("created-links")
        expect(links).to_be_visible()
        candidate_link = links.get_by_label("Candidate link", exact=True).input_value()
        assert candidate_link.startswith(f"http://127.0.0.1:{server.port}/s/")

        lobby.reload()  # the token was kept: the lobby lists sessions without asking again
        expect(lobby.get_by_label("Admin token")).to_have_count(0)
        expect(lobby.locator(".sessions")).to_contain_text("Lobby-made session")
        shot(lobby, "0-lobby")

        candidate = open_room(browser, candidate_link)
        expect(candidate.get_by_test_id("my-role")).to_have_text("Candidate · candidate")
        expect(candidate.locator(".title")).to_have_text("Lobby-made session")
        candidate.context.close()
    finally:
        context.close()


def test_a_link_with_a_forged_token_says_it_is_not_valid(
    server: ServerProcess, browser: Browser
) -> None:
    session = server.create_session(title="Forged")["id"]
    context = browser.new_context()
    try:
        page = context.new_page()
        sockets: list[WebSocket] = []
        received: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws))
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda _frame: received.append(ws.url)),
        )
        page.goto(f"{server.url}/s/{session}?token=forged.token")
        expect(page.get_by_test_id("room-error")).to_contain_text("This link is not valid (403")
        shot(page, "0-forged-link")
        # The page tries the code and console sockets before the link check answers
        # (web/src/room/early.ts); the server refuses their handshakes: not one frame of a
        # document reaches the page, and the room opens no other doc.
        base = f"{server.ws_url}/ws/{session}"
        assert sorted(ws.url for ws in sockets) == [
            f"{base}/code?token=forged.token",
            f"{base}/console?token=forged.token",
        ]
        for ws in sockets:
            if not ws.is_closed():
                ws.wait_for_event("close")
        assert received == []
    finally:
        context.close()


def test_a_blank_notebook_made_in_the_lobby_opens_as_a_notebook_for_the_candidate(
    server: ServerProcess, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        lobby = context.new_page()
        lobby.set_default_timeout(TIMEOUT_MS)
        lobby.goto(server.url + "/")
        lobby.get_by_label("Admin token").fill(ADMIN_TOKEN)
        lobby.get_by_role("button", name="Save").click()
        lobby.get_by_label("Blank notebook").check()
        lobby.get_by_placeholder("e.g. Backend pairing — Alex").fill("Lobby notebook")
        lobby.get_by_test_id("create-session").click()
        links = lobby.get_by_test_id("created-links")
        candidate_link = links.get_by_label("Candidate link", exact=True).input_value()
        candidate = open_room(browser, candidate_link)
        expect(candidate.get_by_test_id("notebook")).to_be_visible()
        candidate.get_by_test_id("add-code-cell").click()
        expect(candidate.get_by_test_id("cell")).to_have_count(1)
        candidate.context.close()
    finally:
        context.close()
