"""Offline editing: the candidate keeps typing while the server is down; nothing is lost.

In its own module because it stops and restarts the module's server.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.room import (
    TIMEOUT_MS,
    code_text,
    editor,
    open_room,
    shot,
    type_in_editor,
    wait_code_contains,
)
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser


def test_offline_edits_reach_the_interviewer_after_the_server_restarts(
    server: ServerProcess, browser: Browser
) -> None:
    links = server.create_session(title="Offline")["links"]
    interviewer = open_room(browser, links["interviewer"])
    candidate = open_room(browser, links["candidate"])
    try:
        type_in_editor(candidate, "online = 1\n")
        wait_code_contains(interviewer, "online = 1\n")

        server.stop()
        expect(candidate.get_by_test_id("connection-state")).to_contain_text("reconnecting")
        type_in_editor(candidate, "offline = 2")
        expect(editor(candidate)).to_contain_text("offline = 2")
        assert code_text(interviewer) == "online = 1\n"

        server.start()
        wait_code_contains(interviewer, "offline = 2")
        expect(candidate.get_by_test_id("connection-state")).to_have_text(
            "live", timeout=TIMEOUT_MS
        )
        assert code_text(interviewer) == "online = 1\noffline = 2"
        assert code_text(candidate) == "online = 1\noffline = 2"
        # After the restart each sees the other again in the participants list.
        expect(candidate.get_by_test_id("participants")).to_contain_text("Interviewer")
        expect(interviewer.get_by_test_id("participants")).to_contain_text("Candidate")
        shot(interviewer, "6-offline-interviewer")
        shot(candidate, "6-offline-candidate")
    finally:
        interviewer.context.close()
        candidate.context.close()


def test_a_page_whose_token_is_refused_stops_retrying_and_says_why(
    server: ServerProcess, browser: Browser
) -> None:
    created = server.create_session(title="Ended")
    candidate = open_room(browser, created["links"]["candidate"])
    try:
        ended = httpx.post(
            f"{server.url}/api/sessions/{created['id']}/end",
            headers={"Authorization": f"Bearer {created['tokens']['interviewer']}"},
            timeout=10,
        )
        assert ended.status_code == 200, ended.text
        # The open page hears of the end at once (console.session) and says so.
        expect(candidate.get_by_test_id("ended-banner")).to_contain_text("The interview has ended")
        server.stop()  # drop the open sockets: the page must reconnect, and be refused
        server.start()
        expect(candidate.get_by_test_id("connection-state")).to_have_text(
            "ended", timeout=TIMEOUT_MS
        )
        candidate.wait_for_function(
            "[...window.pairboard.sync.links.values()].every(l => l.state === 'refused')"
        )
        assert (
            candidate.evaluate("[...window.pairboard.sync.links.values()].map(l => l.error)")
            == ["session has ended"] * 3
        )
        # Every doc gave up (no more handshakes), instead of retrying forever.
        assert candidate.evaluate(
            "[...window.pairboard.sync.links.values()].every(l => !l.provider.shouldConnect)"
        )
        shot(candidate, "6b-refused-candidate")
    finally:
        candidate.context.close()
