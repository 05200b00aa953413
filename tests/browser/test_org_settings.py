"""The organisation's settings and the candidate notice in real browsers, as people use them:
an owner signs in, finds a validation error in the settings page, fixes it and saves the
notice and retention; an interviewer who is not an owner is told so; a candidate's link shows
the notice (rendered Markdown, the privacy link) and nothing of the room until "I understand,
continue", then the name prompt, then the room; the interviewer's room hears of the
acknowledgement; the lobby says when the ended session's recording will be deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from server.org.model import DAY_MS
from tests.browser.room import TIMEOUT_MS, answer_name_prompt, open_room, shot
from tests.support.accounts import PASSWORD, add_users
from tests.support.server import ADMIN_TOKEN, ServerProcess

pytestmark = pytest.mark.browser

NOTICE = "**This interview is recorded.**\n\nYour code, drawings and runs are kept for 30 days."
PRIVACY = "https://example.com/privacy"


@pytest.fixture(scope="module")
def org_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("org-browser"))
    server.start()
    add_users(server, [("olga@example.com", "owner"), ("ivan@example.com", "interviewer")])
    yield server
    server.stop()


def signed_in_page(browser: Browser, server: ServerProcess, email: str) -> Page:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server.url}/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(email)
    return page


def test_an_owner_sets_the_notice_and_a_candidate_reads_it_before_joining(
    org_server: ServerProcess, browser: Browser
) -> None:
    server = org_server
    pages: list[Page] = []
    try:
        owner = signed_in_page(browser, server, "olga@example.com")
        pages.append(owner)
        owner.get_by_test_id("settings-link").click()
        owner.wait_for_url(f"{server.url}/settings")
        expect(owner.get_by_test_id("settings-who")).to_contain_text("owner")
        owner.get_by_test_id("notice-enabled").check()
        owner.get_by_test_id("notice-text-input").fill(NOTICE)
        owner.get_by_test_id("privacy-url-input").fill("http://example.com/privacy")
        owner.get_by_test_id("recording-days-input").fill("30")
        owner.get_by_test_id("signal-days-input").fill("45")
        owner.get_by_test_id("save-settings").click()
        expect(owner.get_by_test_id("error-privacy_policy_url")).to_have_text(
            "the privacy-policy link must be an https:// address"
        )
        expect(owner.get_by_test_id("error-signal_retention_days")).to_have_text(
            "integrity signals cannot be kept longer than the recording they belong to"
        )
        shot(owner, "org-settings-invalid")
        owner.get_by_test_id("privacy-url-input").fill(PRIVACY)
        owner.get_by_test_id("signal-days-input").fill("7")
        owner.get_by_test_id("save-settings").click()
        expect(owner.get_by_test_id("settings-saved")).to_have_text(
            "Saved. Candidates now see notice version 1."
        )
        expect(owner.get_by_test_id("error-privacy_policy_url")).to_have_count(0)
        shot(owner, "org-settings-saved")
        saved = httpx.get(f"{server.url}/api/org/settings",
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()  # fmt: skip
        assert saved["settings"] == {
            "notice_enabled": True,
            "notice_text": NOTICE,
            "privacy_policy_url": PRIVACY,
            "recording_retention_days": 30,
            "signal_retention_days": 7,
        }

        member = signed_in_page(browser, server, "ivan@example.com")
        pages.append(member)
        member.goto(f"{server.url}/settings")
        expect(member.get_by_test_id("settings-not-owner")).to_contain_text(
            "Only the organisation's owners can change these settings."
        )
        expect(member.get_by_test_id("save-settings")).to_have_count(0)
        expect(member.get_by_test_id("notice-text-input")).to_be_disabled()
        shot(member, "org-settings-not-owner")

        created = server.create_session(title="Notice interview")
        interviewer = open_room(browser, created["links"]["interviewer"])
        pages.append(interviewer)

        candidate_context = browser.new_context(viewport={"width": 1100, "height": 860})
        candidate = candidate_context.new_page()
        pages.append(candidate)
        candidate.set_default_timeout(TIMEOUT_MS)
        candidate.goto(created["links"]["candidate"])
        notice = candidate.get_by_test_id("candidate-notice")
        expect(notice).to_be_visible()
        expect(candidate.get_by_test_id("notice-text").locator("strong")).to_have_text(
            "This interview is recorded."
        )
        expect(candidate.get_by_test_id("privacy-link")).to_have_attribute("href", PRIVACY)
        # Nothing of the room: no documents opened, no name asked yet.
        expect(candidate.get_by_test_id("connection-state")).to_have_count(0)
        expect(candidate.get_by_test_id("name-prompt")).to_have_count(0)
        assert candidate.evaluate("window.pairboard === undefined") is True
        shot(candidate, "org-candidate-notice")

        candidate.get_by_role("button", name="I understand, continue").click()
        expect(candidate.get_by_test_id("name-prompt")).to_be_visible()
        shot(candidate, "org-candidate-name-after-notice")
        answer_name_prompt(candidate, "Jane")
        expect(candidate.get_by_test_id("connection-state")).to_have_text("live")
        shot(candidate, "org-candidate-joined")
        expect(interviewer.get_by_test_id("notices")).to_contain_text(
            "The candidate acknowledged the recording notice (version 1)."
        )
        shot(interviewer, "org-interviewer-sees-acknowledgement")

        ended = httpx.post(f"{server.url}/api/sessions/{created['id']}/end",
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()  # fmt: skip
        # A signed-in owner's / is the dashboard: the admin's session is under "All".
        owner.goto(f"{server.url}/?tab=all")
        row = owner.get_by_test_id(f"session-{created['id']}")
        expected: Any = owner.evaluate(
            "ms => new Date(ms).toLocaleDateString(undefined, "
            "{year: 'numeric', month: 'long', day: 'numeric'})",
            ended["ended_at"] + 30 * DAY_MS,
        )
        expect(row.get_by_test_id("deletes-at")).to_have_text(f"deleted on {expected}")
        shot(owner, "org-lobby-deleted-on")
    finally:
        for page in pages:
            page.context.close()
