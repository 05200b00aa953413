"""The members' dashboard in a real browser, with two people: an owner signs in, creates
sessions, filters them (and the filtered view survives a reload, from its URL), shares one with
a reviewer who finds it under "Shared with me" in their own browser, revokes it; invites a user
and changes their role, is refused disabling the last owner; the reviewer creates an API token,
which works, and revokes it, after which it does not. Then the reviewer's replay journey: an
interviewer shares an ended session with a reviewer, who opens Replay from their dashboard with
their own sign-in (no link token), scrubs and sees the code; a reviewer it is not shared with,
and a browser that is not signed in, get a page that says so instead of a player."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.room import TIMEOUT_MS, shot
from tests.browser.test_replay import editor_text
from tests.support.accounts import PASSWORD, add_users, sign_in
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

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


def create(page: Page, title: str, role: str = "Candidate") -> str:
    """Creates a blank session from the dashboard; answers its link for `role`."""
    page.get_by_placeholder("e.g. Backend pairing — Alex").fill(title)
    page.get_by_test_id("create-session").click()
    links = page.get_by_test_id("created-links")
    expect(links).to_contain_text("Links for")
    return links.get_by_label(f"{role} link", exact=True).input_value()


def row(page: Page, title: str) -> Locator:
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


LINES = ["def total(xs):\n", "    return sum(xs)\n", "print(total([1, 2, 3]))\n"]


async def type_lines(server: ServerProcess, sid: str, token: str) -> str:
    """The interviewer types a line every few hundred ms (a recording with a middle to scrub
    to), kept once a second reader of the room sees it; the final text."""
    url = f"{server.ws_url}/ws/{sid}/code?token={token}"
    async with YClient(url) as writer, YClient(url) as reader:
        await asyncio.gather(writer.synced.wait(), reader.synced.wait())
        for i, line in enumerate(LINES):
            writer.text.insert(len(writer.text), line)
            expected = "".join(LINES[: i + 1])

            def kept(text: str = expected) -> bool:
                return str(reader.text) == text

            await wait_until(kept, what="line kept")
            await asyncio.sleep(0.4)
        return str(reader.text)


def test_a_reviewer_opens_a_shared_recording_from_the_dashboard_with_their_sign_in(
    server: ServerProcess, browser: Browser
) -> None:
    add_users(
        server,
        [("ivan@example.com", "interviewer"), ("remy@example.com", "reviewer"),
         ("vick@example.com", "reviewer")],
    )  # fmt: skip
    ivan_ctx, ivan = signed_in_page(browser, server, "ivan@example.com")
    remy_ctx, remy = signed_in_page(browser, server, "remy@example.com")
    vick_ctx, vick = signed_in_page(browser, server, "vick@example.com")
    anon_ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        link = create(ivan, "Gamma pairing", role="Interviewer")
        sid = urlparse(link).path.rsplit("/", 1)[1]
        token = parse_qs(urlparse(link).query)["token"][0]
        # Sync Playwright owns this thread's event loop: the Python clients get a thread.
        with ThreadPoolExecutor(1) as pool:
            final = pool.submit(asyncio.run, type_lines(server, sid, token)).result()
        ivan.reload()
        gamma = row(ivan, "Gamma pairing")
        gamma.get_by_role("button", name="End Gamma pairing").click()
        gamma.get_by_role("button", name="End now").click()
        expect(gamma).to_have_attribute("data-state", "ended")
        gamma.get_by_role("button", name="Share Gamma pairing").click()
        dialog = ivan.get_by_role("dialog", name="Share Gamma pairing")
        dialog.get_by_label("Share with e-mail").fill("remy@example.com")
        dialog.get_by_role("button", name="Share", exact=True).click()
        expect(dialog.get_by_test_id("share-remy@example.com")).to_contain_text("reviewer")

        # The reviewer finds it on their dashboard and opens Replay: no token in the address.
        remy.reload()
        remy.get_by_role("tab", name="Shared with me").click()
        shared = row(remy, "Gamma pairing")
        replay_link = shared.get_by_role("link", name="Replay of Gamma pairing")
        assert replay_link.get_attribute("href") == f"{server.url}/replay/{sid}"
        shot(remy, "dashboard-5-reviewer-replay-row")
        with remy_ctx.expect_page() as opened:
            replay_link.click()
        player = opened.value
        player.set_default_timeout(TIMEOUT_MS)
        state = player.get_by_test_id("replay-state")
        expect(state).to_have_text("paused")
        assert urlparse(player.url).query == ""
        expect(player.get_by_test_id("replay-notes")).to_have_count(1)  # the hiring team's view

        # Scrub to between the second line and the third: the code the server says was there
        # then, asked with the same member's sign-in.
        remy_cookie = sign_in(server, "remy@example.com").headers(csrf=False)
        log = httpx.get(
            f"{server.url}/api/sessions/{sid}/log", params={"doc": "code"},
            headers=remy_cookie, timeout=30,
        ).json()  # fmt: skip
        times = [e["t"] for e in log["entries"] if e["kind"] == "update"][-len(LINES) :]
        middle = (times[1] + times[2]) // 2
        scrubber = player.get_by_test_id("replay-scrubber")
        duration = int(scrubber.get_attribute("max") or 0)
        scrubber.fill(str(middle))
        expect(state).to_have_attribute("data-t", str(middle))
        at_middle = httpx.get(
            f"{server.url}/api/sessions/{sid}/state",
            params={"at": middle},
            headers=remy_cookie,
            timeout=30,
        ).json()["code"]["source"]
        assert at_middle == "".join(LINES[:2])
        player.wait_for_function(
            "t => Array.from(document.querySelectorAll('.replay-editor .cm-line'))"
            ".map(l => l.textContent).join('\\n') === t",
            arg=at_middle,
        )
        assert 0 < len(at_middle) < len(final)
        scrubber.fill(str(duration))
        expect(state).to_have_text("ended")
        player.wait_for_function(
            "t => Array.from(document.querySelectorAll('.replay-editor .cm-line'))"
            ".map(l => l.textContent).join('\\n') === t",
            arg=final,
        )
        assert editor_text(player) == final == "".join(LINES)
        # A comment is a state-changing request: the page sends the sign-in's CSRF token.
        player.get_by_test_id("replay-comment-text").fill("sorted it in one line")
        player.get_by_test_id("replay-comment-add").click()
        seconds = duration // 1000  # the player is at the end: the comment is pinned there
        expect(player.get_by_test_id("replay-comment")).to_have_text(
            f"{seconds // 60:02d}:{seconds % 60:02d} remy: sorted it in one line"
        )
        shot(player, "dashboard-6-reviewer-replay")

        # Someone it is not shared with, and a browser nobody signed in to: a page that says so.
        vick.goto(f"{server.url}/replay/{sid}")
        refused = vick.get_by_test_id("replay-refused")
        expect(refused).to_have_attribute("data-status", "403")
        expect(refused.get_by_role("heading")).to_have_text(
            "You do not have access to this recording"
        )
        expect(refused.get_by_role("alert")).to_have_text(
            "The server says: this session is neither yours nor shared with you."
        )
        shot(vick, "dashboard-7-replay-not-shared")
        anon = anon_ctx.new_page()
        anon.set_default_timeout(TIMEOUT_MS)
        anon.goto(f"{server.url}/replay/{sid}")
        expect(anon.get_by_test_id("replay-refused")).to_have_attribute("data-status", "401")
        expect(anon.get_by_role("link", name="Sign in")).to_have_attribute("href", "/signin")
    finally:
        for context in (ivan_ctx, remy_ctx, vick_ctx, anon_ctx):
            context.close()
