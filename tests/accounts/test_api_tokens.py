"""Personal API tokens over HTTP: shown once, stored hashed, scoped, revocable, bounded."""

from __future__ import annotations

import sqlite3

import httpx

from tests.support.accounts import add_user, sign_in
from tests.support.server import ServerProcess


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_acts_within_its_scopes_and_dies_when_revoked(
    server: ServerProcess,
) -> None:
    add_user(server, "tess@example.com", "interviewer")
    tess = sign_in(server, "tess@example.com")
    made = httpx.post(
        f"{server.url}/api/tokens",
        json={"name": "ats sync", "scopes": ["sessions:read"], "expires_in_days": 30},
        headers=tess.headers(),
    )
    assert made.status_code == 201, made.text
    secret, token_id = made.json()["token"], made.json()["id"]
    assert secret.startswith(f"pbt_{token_id}_")
    listed = httpx.get(f"{server.url}/api/tokens", headers=tess.headers()).json()
    assert [t["id"] for t in listed] == [token_id] and "token" not in listed[0]
    db = sqlite3.connect(server.data_dir / "pairboard.sqlite3")
    stored = db.execute("SELECT token_hash FROM api_tokens WHERE id=?", (token_id,)).fetchone()
    db.close()
    assert stored is not None and secret not in stored[0] and len(stored[0]) == 64

    me = httpx.get(f"{server.url}/api/me", headers=bearer(secret))
    assert me.json() == {"user": me.json()["user"], "csrf_token": None}
    assert me.json()["user"]["email"] == "tess@example.com"
    assert httpx.get(f"{server.url}/api/sessions", headers=bearer(secret)).status_code == 200
    write = httpx.post(f"{server.url}/api/sessions", json={}, headers=bearer(secret))
    assert (write.status_code, write.json()["detail"]) == (
        403,
        "this API token's scopes (sessions:read) do not allow session.create",
    )
    mint = httpx.post(
        f"{server.url}/api/tokens", json={"name": "x", "scopes": ["sessions:read"]},
        headers=bearer(secret),
    )  # fmt: skip
    assert mint.json()["detail"] == (
        "this API token's scopes (sessions:read) do not allow token.manage"
    )

    revoked = httpx.delete(f"{server.url}/api/tokens/{token_id}", headers=tess.headers())
    assert revoked.json() == {"id": token_id, "revoked": True}
    dead = httpx.get(f"{server.url}/api/sessions", headers=bearer(secret))
    assert (dead.status_code, dead.json()["detail"]) == (403, "this API token was revoked")
    forged = httpx.get(f"{server.url}/api/sessions", headers=bearer(secret[:-4] + "AAAA"))
    assert (forged.status_code, forged.json()["detail"]) == (403, "unknown API token")


def test_token_requests_outside_the_limits_are_refused(server: ServerProcess) -> None:
    add_user(server, "uma@example.com", "reviewer")
    uma = sign_in(server, "uma@example.com")
    cases = [
        ({"name": "t", "scopes": ["root"]}, "scopes must be some of "
         "['audit:read', 'org:settings', 'privacy', 'sessions:read', 'sessions:write', "
         "'users:manage']"),
        ({"name": "t", "scopes": ["sessions:read"], "expires_in_days": 366},
         "a token lasts 1 to 365 days"),
        ({"name": "", "scopes": ["sessions:read"]}, "a token's name has 1 to 64 characters"),
    ]  # fmt: skip
    for body, message in cases:
        answer = httpx.post(f"{server.url}/api/tokens", json=body, headers=uma.headers())
        assert (answer.status_code, answer.json()["detail"]) == (422, message)
