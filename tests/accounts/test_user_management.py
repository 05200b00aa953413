"""The owner's user management over HTTP: invite, change a role, disable (effective at once)."""

from __future__ import annotations

import httpx

from tests.support.accounts import add_user, sign_in
from tests.support.server import ServerProcess


def test_an_owner_invites_promotes_and_disables_and_keeps_the_organisation_owned(
    server: ServerProcess,
) -> None:
    add_user(server, "wes@example.com", "owner")
    wes = sign_in(server, "wes@example.com")
    api = f"{server.url}/api/users"
    made = httpx.post(
        api, json={"email": "Xena@Example.com", "role": "reviewer"}, headers=wes.headers()
    )
    assert made.status_code == 201, made.text
    xena = made.json()["user"]
    assert (xena["email"], xena["role"]) == ("xena@example.com", "reviewer")
    token = made.json()["invite_link"].split("#invite=")[1]
    redeemed = httpx.post(
        f"{server.url}/api/auth/invite", json={"token": token, "password": "xena's own password"}
    )
    assert redeemed.status_code == 200
    again = httpx.post(api, json={"email": "xena@example.com", "role": "owner"},
                       headers=wes.headers())  # fmt: skip
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "a user with e-mail xena@example.com already exists",
    )

    x = sign_in(server, "xena@example.com", "xena's own password")
    create = httpx.post(f"{server.url}/api/sessions", json={}, headers=x.headers())
    assert create.json()["detail"] == "the organisation's reviewers cannot do this"
    promoted = httpx.patch(f"{api}/{xena['id']}", json={"role": "interviewer"},
                           headers=wes.headers())  # fmt: skip
    assert promoted.json()["role"] == "interviewer"
    assert httpx.post(f"{server.url}/api/sessions", json={}, headers=x.headers()).status_code == 201

    disabled = httpx.patch(f"{api}/{xena['id']}", json={"disabled": True}, headers=wes.headers())
    assert disabled.json()["disabled"] is True
    gone = httpx.get(f"{server.url}/api/me", headers=x.headers())
    assert (gone.status_code, gone.json()["detail"]) == (
        401,
        "signed out or expired: sign in again",
    )

    # wes is this server's only enabled owner: demoting him is refused.
    last = httpx.patch(f"{api}/{wes.user_id}", json={"role": "interviewer"}, headers=wes.headers())
    assert (last.status_code, last.json()["detail"]) == (
        409,
        "the organisation must keep an enabled owner",
    )
