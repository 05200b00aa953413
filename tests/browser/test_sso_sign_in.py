"""Single sign-on in a real browser: Pairboard's sign-in page -> the real OpenID provider's login
page (`oidc-provider`, tests/oidc) -> back to Pairboard, signed in with an HttpOnly cookie the
page's script cannot read; signing out from the page revokes it on the server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from server.accounts.service import COOKIE
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, start_provider
from tests.browser.room import TIMEOUT_MS, shot
from tests.support.server import ServerProcess, free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("sso-browser")
    port = free_port()
    callback = f"http://127.0.0.1:{port}/api/auth/oidc/callback"
    for provider in start_provider(callback, data / "oidc-provider.log"):
        server = ServerProcess(
            data,
            port=port,
            env={
                "PAIRBOARD_OIDC_ISSUER": provider.issuer,
                "PAIRBOARD_OIDC_CLIENT_ID": CLIENT_ID,
                "PAIRBOARD_OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "PAIRBOARD_OIDC_DEFAULT_ROLE": "interviewer",
            },
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()


def test_a_browser_signs_in_through_the_identity_provider_and_out_again(
    sso_server: ServerProcess, browser: Browser
) -> None:
    server = sso_server
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{server.url}/signin")
        page.get_by_role("link", name="Sign in with your organisation's account").click()
        page.wait_for_url("**/interaction/**")  # the provider's own login page
        page.locator("input[name=email]").fill("gina@example.com")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{server.url}/")  # back in Pairboard's lobby
        cookies = {c["name"]: c for c in context.cookies(server.url)}
        assert cookies[COOKIE]["httpOnly"] is True and cookies[COOKIE]["sameSite"] == "Lax"
        assert page.evaluate("document.cookie").find(COOKIE) == -1  # script cannot read it
        page.goto(f"{server.url}/signin")
        signed = page.get_by_test_id("signed-in-as")
        expect(signed).to_have_text("gina (gina@example.com), interviewer")
        shot(page, "sso-signed-in")
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in to Pairboard")).to_be_visible()
        status = page.evaluate("fetch('/api/me').then(r => r.status)")
        assert status == 401
        # Revoked on the server, not just forgotten by the browser: the old value is worthless.
        old = httpx.get(f"{server.url}/api/me", cookies={COOKIE: cookies[COOKIE]["value"]})
        assert (old.status_code, old.json()["detail"]) == (
            401,
            "signed out or expired: sign in again",
        )
    finally:
        context.close()
