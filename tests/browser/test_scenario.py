"""A scenario session in the browser: the candidate waits until the interviewer presses Start,
then sees the brief and the starter code (journey 3's first steps)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.room import TIMEOUT_MS, answer_name_prompt, open_room, shot, wait_code_contains
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser


def test_candidate_waits_for_start_then_sees_the_brief_and_starter_code(
    server: ServerProcess, browser: Browser
) -> None:
    links = server.create_session(scenario="lru-cache")["links"]
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    candidate = context.new_page()
    candidate.set_default_timeout(TIMEOUT_MS)
    interviewer = open_room(browser, links["interviewer"])
    try:
        candidate.goto(links["candidate"])
        answer_name_prompt(candidate)
        expect(candidate.get_by_test_id("waiting-room")).to_be_visible()
        expect(candidate.get_by_test_id("brief")).to_have_count(0)

        interviewer.get_by_test_id("scenario-start").click()

        expect(candidate.get_by_test_id("waiting-room")).to_have_count(0)
        expect(candidate.get_by_test_id("brief")).to_contain_text(
            "evict the least recently used key first"
        )
        wait_code_contains(candidate, "class LRUCache:")
        expect(candidate.get_by_test_id("connection-state")).to_have_text("live")
        expect(interviewer.get_by_test_id("clock")).to_be_visible()
        shot(candidate, "8-scenario-candidate")
        shot(interviewer, "8-scenario-interviewer")
    finally:
        context.close()
        interviewer.context.close()
