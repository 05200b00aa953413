"""Password and invite sign-in over HTTP: refusals, rotation on sign-in, revocation on sign-out.

Users are added with the real CLI (`pairboard users add`, password on stdin, or `--invite`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from server.accounts.service import COOKIE
from tests.support.accounts import PASSWORD, add_user, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess


def me(server: ServerProcess, cookie: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/me", cookies={COOKIE: cookie})


def test_a_wrong_password_and_an_unknown_email_get_the_same_refusal(server: ServerProcess) -> None:
    add_user(server, "pat@example.com", "interviewer")
    for email, password in (("pat@example.com", "wrong password!"), ("nobody@example.com", "x")):
        answer = httpx.post(
            f"{server.url}/api/auth/sign-in", json={"email": email, "password": password}
        )
        assert (answer.status_code, answer.json()["detail"]) == (403, "wrong e-mail or password")
        assert COOKIE not in answer.cookies


def test_signing_in_again_rotates_the_cookie_and_signing_out_revokes_it(
    server: ServerProcess,
) -> None:
    add_user(server, "quinn@example.com", "owner")
    first = sign_in(server, "quinn@example.com")
    # The browser signs in again, sending its previous cookie: that one is revoked.
    again = httpx.post(
        f"{server.url}/api/auth/sign-in",
        json={"email": "quinn@example.com", "password": PASSWORD},
        cookies={COOKIE: first.cookie},
    )
    second = again.cookies[COOKIE]
    assert second != first.cookie and again.json()["csrf_token"] != first.csrf
    assert me(server, first.cookie).status_code == 401
    assert me(server, second).json()["user"]["role"] == "owner"
    out = httpx.post(
        f"{server.url}/api/auth/sign-out",
        cookies={COOKIE: second},
        headers={"X-CSRF-Token": again.json()["csrf_token"]},
    )
    assert out.status_code == 200
    gone = me(server, second)
    assert (gone.status_code, gone.json()["detail"]) == (
        401,
        "signed out or expired: sign in again",
    )


def test_an_invite_link_sets_a_password_once(server: ServerProcess) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "users", "add", "rae@example.com",
         "--role", "reviewer", "--invite", "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    token = done.stdout.split("#invite=")[1].strip()
    redeem = {"token": token, "password": "a brand new password"}
    first = httpx.post(f"{server.url}/api/auth/invite", json=redeem)
    assert first.status_code == 200, first.text
    assert me(server, first.cookies[COOKIE]).json()["user"]["email"] == "rae@example.com"
    second = httpx.post(f"{server.url}/api/auth/invite", json=redeem)
    assert (second.status_code, second.json()["detail"]) == (
        403,
        "this invite is unknown, used already or expired",
    )
    assert sign_in(server, "rae@example.com", "a brand new password").role == "reviewer"


def test_the_admin_token_has_no_account(server: ServerProcess) -> None:
    answer = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert (answer.status_code, answer.json()["detail"]) == (403, "the admin token has no account")


def test_password_guessing_is_slowed_to_the_limit_per_email(server: ServerProcess) -> None:
    add_user(server, "vic@example.com", "reviewer")
    url = f"{server.url}/api/auth/sign-in"
    wrong = {"email": "vic@example.com", "password": "guess number n"}
    answers = [httpx.post(url, json=wrong, timeout=30).status_code for _ in range(10)]
    assert answers == [403] * 10  # the default sign_in_attempts_per_minute
    limited = httpx.post(url, json={**wrong, "email": "VIC@example.com"}, timeout=30)
    assert (limited.status_code, limited.json()["detail"]) == (
        429,
        "more than 10 sign-in attempts a minute for this e-mail: wait a minute",
    )
    # Another e-mail is not slowed by vic's.
    other = httpx.post(url, json={**wrong, "email": "nobody@example.com"}, timeout=30)
    assert other.status_code == 403


def test_behind_https_the_cookie_is_secure(tmp_path: Path) -> None:
    """A public https:// URL (a TLS proxy in front) marks the cookie Secure."""
    server = ServerProcess(tmp_path, env={"PAIRBOARD_PUBLIC_URL": "https://pairboard.example.com"})
    server.start()
    try:
        add_user(server, "yan@example.com", "reviewer")
        answer = httpx.post(
            f"{server.url}/api/auth/sign-in",
            json={"email": "yan@example.com", "password": PASSWORD},
        )
        attributes = {a.strip().lower() for a in answer.headers["set-cookie"].split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/", "secure"} <= attributes
    finally:
        server.stop()
