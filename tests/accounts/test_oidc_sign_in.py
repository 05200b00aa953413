"""Single sign-on end to end over HTTP against a real OpenID provider (`oidc-provider`).

The browser's part is played by an HTTP client following the redirects and filling in the
provider's login form: Pairboard's start -> the provider's authorization endpoint -> its login
page -> back to Pairboard's callback, which exchanges the code (PKCE) and verifies the ID token
with authlib. Each refusal is checked with its exact message: a replayed `state`, a bad
signature, a wrong audience, an expired token, a wrong nonce, a disallowed e-mail domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.accounts.service import COOKIE
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, start_provider
from tests.support.server import ServerProcess, free_port


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, OidcProvider]]:
    data = tmp_path_factory.mktemp("sso")
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
                "PAIRBOARD_OIDC_ALLOWED_DOMAINS": "example.com",
            },
        )
        server.start()
        try:
            yield server, provider
        finally:
            provider.tamper(None)
            server.stop()


def through_the_provider(server: ServerProcess, email: str) -> tuple[httpx.Client, str]:
    """Start a sign-in and log in at the provider; returns the browser and the callback URL
    the provider sent it back to (not followed yet)."""
    browser = httpx.Client(timeout=30)
    callback = f"{server.url}/api/auth/oidc/callback"

    def follow(response: httpx.Response) -> httpx.Response | str:
        while response.status_code in (302, 303):
            location = str(response.url.join(response.headers["location"]))
            if location.startswith(callback):
                return location
            response = browser.get(location)
        return response

    start = browser.get(f"{server.url}/api/auth/oidc/start")
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    assert "code_challenge_method=S256" in authorize, authorize
    assert "nonce=" in authorize and "state=" in authorize, authorize
    form = follow(start)
    assert isinstance(form, httpx.Response) and "<form" in form.text, form
    action = re.search(r'action="([^"]+)"', form.text)
    assert action is not None
    back = follow(browser.post(str(form.url.join(action.group(1))), data={"email": email}))
    assert isinstance(back, str), f"the provider never sent the browser back: {back.text[:500]}"
    return browser, back


def refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]


def test_a_first_sign_in_creates_a_reviewer_and_sets_a_secure_cookie(
    sso: tuple[ServerProcess, OidcProvider],
) -> None:
    server, _ = sso
    browser, callback = through_the_provider(server, "dana@example.com")
    landed = browser.get(callback)
    assert landed.status_code == 303 and landed.headers["location"] == "/"
    cookie = landed.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= attributes
    assert "secure" not in attributes  # plain http on loopback; https public URLs get Secure
    me = httpx.get(f"{server.url}/api/me", cookies={COOKIE: landed.cookies[COOKIE]})
    assert me.status_code == 200, me.text
    user = me.json()["user"]
    assert (user["email"], user["role"], user["name"]) == ("dana@example.com", "reviewer", "dana")
    # The same person again is the same user, and gets a new cookie value (rotation).
    again, callback2 = through_the_provider(server, "dana@example.com")
    second = again.get(callback2)
    assert second.cookies[COOKIE] != landed.cookies[COOKIE]
    me2 = httpx.get(f"{server.url}/api/me", cookies={COOKIE: second.cookies[COOKIE]})
    assert me2.json()["user"]["id"] == user["id"]


def test_a_replayed_state_is_refused(sso: tuple[ServerProcess, OidcProvider]) -> None:
    server, _ = sso
    browser, callback = through_the_provider(server, "erin@example.com")
    assert browser.get(callback).status_code == 303
    replayed = browser.get(callback)
    assert refusal(replayed) == (
        403,
        "unknown or already used sign-in state: start the sign-in again",
    )


def test_a_disallowed_email_domain_is_refused(sso: tuple[ServerProcess, OidcProvider]) -> None:
    server, _ = sso
    browser, callback = through_the_provider(server, "mallory@elsewhere.test")
    assert refusal(browser.get(callback)) == (
        403,
        "e-mail domain 'elsewhere.test' may not sign in here",
    )


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("signature", "the ID token's signature does not verify with the issuer's published keys"),
        ("audience", "the ID token was issued to another client (its aud is not our client id)"),
        ("expired", "the ID token has expired"),
        ("nonce", "the ID token's nonce is not this sign-in's (a replayed or swapped token)"),
        ("issuer", "the ID token comes from another issuer"),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused_saying_which(
    sso: tuple[ServerProcess, OidcProvider], mode: str, message: str
) -> None:
    server, provider = sso
    browser, callback = through_the_provider(server, "frank@example.com")
    provider.tamper(mode)
    try:
        answer = browser.get(callback)
    finally:
        provider.tamper(None)
    assert refusal(answer) == (403, f"single sign-on refused: {message}")
    assert COOKIE not in answer.cookies


def test_an_unreachable_identity_provider_is_a_clear_502(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path,
        env={
            "PAIRBOARD_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}",
            "PAIRBOARD_OIDC_CLIENT_ID": CLIENT_ID,
        },
    )
    server.start()
    try:
        answer = httpx.get(f"{server.url}/api/auth/oidc/start")
        status, detail = refusal(answer)
        assert status == 502
        assert detail.startswith("the identity provider's discovery document: ")
    finally:
        server.stop()
