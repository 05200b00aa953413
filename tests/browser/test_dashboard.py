"""The members' dashboard in a real browser, with two people: an owner signs in, creates
sessions, filters them (and the filtered view survives a reload, from its URL), shares one with
a reviewer who finds it under "Shared with me" in their own browser, revokes it; invites a user
and changes their role, is refused disabling the last owner; the reviewer creates an API token,
which works, and revokes it, after which it does not."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.room import TIMEOUT_MS, shot
from tests.support.accounts import PASSWORD, add_users
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser


def signed_in_page(
    browser: Browser, server: ServerProcess, email: str
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.url + "/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Go to the lobby").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    return context, page


def create(page: Page, title: str) -> str:
    """Creates a blank session from the dashboard; answers its candidate link."""
    page.get_by_placeholder("e.g. Backend pairing — Alex").fill(title)
    page.get_by_test_id("create-session").click()
    links = page.get_by_test_id("created-links")
    expect(links).to_contain_text("Links for")
    return links.get_by_label("Candidate link", exact=True).input_value()


def row(page: Page, title: str) -> object:
    return page.get_by_test_id("sessions").locator("li", has_text=title)


def test_owner_and_reviewer_walk_the_dashboard_users_and_tokens(
    server: ServerProcess, browser: Browser
) -> None:
    add_users(server, [("olga@example.com", "owner"), ("rita@example.com", "reviewer")])
    owner_ctx, owner = signed_in_page(browser, server, "olga@example.com")
    reviewer_ctx, reviewer = signed_in_page(browser, server, "rita@example.com")
    try:
        expect(owner.get_by_test_id("signed-in-as")).to_have_text("olga · owner")
        alpha_link = create(owner, "Alpha pairing")
        create(owner, "Beta pairing")
        token = parse_qs(urlparse(alpha_link).query)["token"][0]
        named = httpx.post(
            f"{server.url}/api/sessions/{urlparse(alpha_link).path.rsplit('/', 1)[1]}/name",
            json={"name": "Alice Martin"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert named.status_code == 200, named.text
        owner.reload()
        sessions = owner.get_by_test_id("sessions")
        expect(sessions.locator("> li")).to_have_count(2)
        expect(owner.get_by_test_id("session-count")).to_have_text("2 sessions")

        # End Beta from its row, then filter: ended ones only, and the view is its URL.
        beta = sessions.locator("> li", has_text="Beta pairing")
        beta.get_by_role("button", name="End Beta pairing").click()
        beta.get_by_role("button", name="End now").click()
        expect(beta).to_have_attribute("data-state", "ended")
        owner.get_by_label("State").select_option("ended")
        expect(sessions.locator("> li")).to_have_count(1)
        expect(sessions).to_contain_text("Beta pairing")
        assert parse_qs(urlparse(owner.url).query) == {"state": ["ended"]}
        owner.reload()
        expect(owner.get_by_label("State")).to_have_value("ended")
        expect(sessions.locator("> li")).to_have_count(1)
        expect(sessions).to_contain_text("Beta pairing")
        owner.get_by_label("State").select_option("")
        owner.get_by_label("Candidate", exact=True).fill("ALICE")
        expect(sessions.locator("> li")).to_have_count(1)
        expect(sessions.get_by_test_id("candidate-name")).to_have_text("Alice Martin")
        assert parse_qs(urlparse(owner.url).query) == {"candidate": ["ALICE"]}
        shot(owner, "dashboard-0-filtered")

        # Share Alpha with the reviewer, who finds it in their own browser.
        alpha = sessions.locator("> li", has_text="Alpha pairing")
        alpha.get_by_role("button", name="Share Alpha pairing").click()
        dialog = owner.get_by_role("dialog", name="Share Alpha pairing")
        dialog.get_by_label("Share with e-mail").fill("rita@example.com")
        dialog.get_by_role("button", name="Share", exact=True).click()
        expect(dialog.get_by_test_id("share-rita@example.com")).to_contain_text("reviewer")
        shot(owner, "dashboard-1-shared")
        reviewer.reload()
        expect(reviewer.get_by_test_id("signed-in-as")).to_have_text("rita · reviewer")
        expect(reviewer.get_by_role("tab")).to_have_count(2)  # no "All" for a reviewer
        expect(reviewer.get_by_test_id("create-session")).to_have_count(0)
        reviewer.get_by_role("tab", name="Shared with me").click()
        shared = reviewer.get_by_test_id("sessions").locator("> li")
        expect(shared).to_have_count(1)
        expect(shared).to_contain_text("Alpha pairing")
        expect(shared).to_contain_text("shared with you")
        expect(
            shared.get_by_role("link", name="Rejoin Alpha pairing as interviewer")
        ).to_have_count(0)
        shot(reviewer, "dashboard-2-shared-with-me")

        dialog.get_by_role("button", name="Stop sharing with rita@example.com").click()
        expect(dialog).to_contain_text("Not shared with anyone.")
        reviewer.reload()  # the tab is in the URL: the reload stays on "Shared with me"
        expect(reviewer.get_by_role("tab", name="Shared with me")).to_have_attribute(
            "aria-selected", "true"
        )
        expect(reviewer.get_by_text("No sessions match.")).to_be_visible()
        expect(reviewer.get_by_test_id("sessions").locator("> li")).to_have_count(0)

        # Users: invite one (the link is shown once), change their role; the last owner stays.
        owner.get_by_role("link", name="Users").click()
        owner.get_by_label("Invite e-mail").fill("newbie@example.com")
        owner.get_by_label("Invite role").select_option("reviewer")
        owner.get_by_role("button", name="Invite").click()
        invite = owner.get_by_test_id("invite-link")
        expect(invite).to_contain_text("Send this link to newbie@example.com")
        assert "/signin#invite=" in invite.get_by_label("Invite link", exact=True).input_value()
        newbie = owner.get_by_test_id("user-newbie@example.com")
        newbie.get_by_label("Role of newbie@example.com").select_option("interviewer")
        expect(owner.get_by_test_id("user-newbie@example.com").get_by_label(
            "Role of newbie@example.com")).to_have_value("interviewer")  # fmt: skip
        olga = owner.get_by_test_id("user-olga@example.com")
        olga.get_by_role("button", name="Disable olga@example.com").click()
        expect(olga.get_by_role("alert")).to_have_text(
            "Refused: the organisation must keep an enabled owner"
        )
        shot(owner, "dashboard-3-users")
        listed = {u["email"]: u["role"] for u in _users(server, owner_ctx)}
        assert listed == {
            "olga@example.com": "owner",
            "rita@example.com": "reviewer",
            "newbie@example.com": "interviewer",
        }

        # Tokens: the reviewer makes one, it works, they revoke it, it no longer does.
        reviewer.get_by_role("link", name="API tokens").click()
        reviewer.get_by_label("Token name").fill("ci")
        reviewer.get_by_role("button", name="Create token").click()
        secret = reviewer.get_by_test_id("token-secret").inner_text()
        assert secret.startswith("pbt_")
        bearer = {"Authorization": f"Bearer {secret}"}
        works = httpx.get(f"{server.url}/api/sessions", headers=bearer, timeout=30)
        assert works.status_code == 200, works.text
        shot(reviewer, "dashboard-4-token")
        reviewer.get_by_role("button", name="Revoke ci").click()
        expect(reviewer.get_by_test_id("token-ci")).to_have_attribute("data-revoked", "true")
        dead = httpx.get(f"{server.url}/api/sessions", headers=bearer, timeout=30)
        assert (dead.status_code, dead.json()["detail"]) == (403, "this API token was revoked")
    finally:
        owner_ctx.close()
        reviewer_ctx.close()


def _users(server: ServerProcess, context: BrowserContext) -> list[dict[str, str]]:
    """The users as the owner's own browser session sees them (its cookie, through the API)."""
    cookie = next(c for c in context.cookies() if c["name"] == "pairboard_session")
    response = httpx.get(
        f"{server.url}/api/users",
        headers={"Cookie": f"pairboard_session={cookie['value']}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    users: list[dict[str, str]] = response.json()
    return users
