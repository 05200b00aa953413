"""Webhooks in real browsers, against a real server and a real HTTP receiver on loopback.

The owner signs in and adds a webhook on Settings -> Webhooks (the secret shown once); the
interview ends (a `session.ended` delivery); the interviewer opens the replay's scorecard view
from their link and submits a scorecard; the owner's page shows both deliveries delivered, and
Redeliver sends the scorecard's body once more. The receiver verifies every signature with the
secret the owner's page showed, using the verifier docs/WEBHOOKS.md documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.room import TIMEOUT_MS, shot
from tests.support.accounts import PASSWORD, add_user
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_signing import documented_verifier

# The machine these run on is shared and often loaded: a server may take long to come up.
START_TIMEOUT_S = 120.0

pytestmark = pytest.mark.browser
VERIFY = documented_verifier()
ENV = {
    "PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
    "PAIRBOARD_WEBHOOK_BACKOFF_SECONDS": "0.3",
    "PAIRBOARD_WEBHOOK_POLL_SECONDS": "0.2",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("webhooks-browser")), env=ENV)
    proc.start(timeout=START_TIMEOUT_S)
    add_user(proc, "olga@example.com", "owner")
    yield proc
    proc.stop()


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def sign_in_as_owner(page: Page, server: ServerProcess) -> None:
    page.goto(f"{server.url}/signin")
    page.get_by_label("E-mail").fill("olga@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_have_text("olga (olga@example.com), owner")


def test_an_owner_adds_a_webhook_an_interviewer_submits_a_scorecard_and_the_owner_sees_it_delivered(
    server: ServerProcess, browser: Browser
) -> None:
    owner = new_page(browser)
    interviewer = new_page(browser)
    try:
        with Receiver(statuses=[200]) as receiver:
            sign_in_as_owner(owner, server)
            owner.get_by_role("link", name="Webhooks").click()  # the owner's way there
            owner.wait_for_url(f"{server.url}/settings/webhooks")
            expect(owner.get_by_role("heading", name="Webhooks")).to_be_visible()
            owner.get_by_test_id("webhook-url").fill(receiver.url)
            owner.get_by_test_id("add-webhook").click()
            secret = owner.get_by_test_id("webhook-secret").inner_text()
            assert secret.startswith("whsec_")
            expect(owner.get_by_test_id("webhook")).to_have_count(1)
            shot(owner, "webhooks-added")

            created = server.create_session(title="Webhooks journey", scenario="attention-numpy")
            server.name_candidate(created, "Katherine Johnson")
            sid = created["id"]
            ended = httpx.post(
                f"{server.url}/api/sessions/{sid}/end",
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            )
            assert ended.status_code == 200, ended.text

            token = created["tokens"]["interviewer"]
            interviewer.goto(f"{server.url}/replay/{sid}?token={token}#scorecard")
            expect(interviewer.get_by_role("heading", name="Submit scorecard")).to_be_visible()
            interviewer.locator(
                "[data-testid=submit-level][data-criterion=correctness]"
            ).select_option("3")
            interviewer.locator("[data-testid=submit-level][data-criterion=shapes]").select_option(
                "2"
            )
            interviewer.get_by_test_id("submit-recommendation").select_option("strong_hire")
            interviewer.get_by_test_id("submit-summary").fill(
                "Derived the mask herself; clean tests."
            )
            interviewer.get_by_test_id("submit-scorecard").click()
            expect(interviewer.get_by_test_id("submit-result")).to_have_text(
                "Scorecard submitted, sent to 1 webhook."
            )
            expect(interviewer.get_by_test_id("submitted-scorecard")).to_contain_text(
                "Strong hire by Interviewer (interviewer)"
            )
            shot(interviewer, "webhooks-scorecard-submitted")

            rows = owner.get_by_test_id("delivery")
            expect(rows).to_have_count(2)
            for i in range(2):
                expect(rows.nth(i)).to_have_attribute("data-state", "delivered")
            expect(rows.nth(0).get_by_test_id("delivery-status")).to_have_text(
                "delivered (HTTP 200) after 1 attempt"
            )
            expect(rows.nth(0)).to_contain_text("scorecard.submitted")
            shot(owner, "webhooks-delivered")
            rows.nth(0).get_by_test_id("redeliver").click()
            expect(rows).to_have_count(3)
            expect(rows.nth(0)).to_have_attribute("data-state", "delivered")
            shot(owner, "webhooks-redelivered")
            received = receiver.wait_for(3)
        events = [r.headers["pairboard-event"] for r in received]
        assert events == ["session.ended", "scorecard.submitted", "scorecard.submitted"]
        for r in received:
            assert VERIFY(secret, r.headers["pairboard-signature"], r.body) is True
        card = json.loads(received[1].body)
        assert received[2].body == received[1].body
        assert (card["recommendation"], card["notes_summary"]) == (
            "strong_hire", "Derived the mask herself; clean tests.",
        )  # fmt: skip
        assert [(r["criterion"], r["level"]) for r in card["rubric"]] == [
            ("correctness", 3), ("shapes", 2),
        ]  # fmt: skip
        assert card["session"]["candidate_name"] == "Katherine Johnson"
    finally:
        owner.context.close()
        interviewer.context.close()
