"""Single sign-on is audited against the real OpenID provider: a sign-in through it is an
`auth.sign_in` of the user it created (method `oidc`), and an ID token that fails a check is an
`auth.sign_in_failed` saying which check."""

from __future__ import annotations

import httpx

from tests.accounts.oidc_provider import OidcProvider
from tests.accounts.test_oidc_sign_in import sso, through_the_provider
from tests.support.server import ADMIN_TOKEN, ServerProcess

__all__ = ["sso"]  # the module-scoped server signing in through the provider


def owner(server: ServerProcess) -> dict[str, str]:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    new = {"email": "oona@example.com", "role": "owner"}
    made = httpx.post(f"{server.url}/api/users", json=new, headers=admin)
    token = made.json()["invite_link"].split("#invite=")[1]
    body = {"token": token, "password": "oona's long password"}
    signed = httpx.post(f"{server.url}/api/auth/invite", json=body)
    return {
        "Cookie": f"pairboard_session={signed.cookies['pairboard_session']}",
        "X-CSRF-Token": signed.json()["csrf_token"],
    }


def test_sign_ins_through_the_provider_and_refused_id_tokens_are_audited(
    sso: tuple[ServerProcess, OidcProvider],
) -> None:
    server, provider = sso
    browser, callback = through_the_provider(server, "gail@example.com")
    assert browser.get(callback).status_code == 303
    browser, callback = through_the_provider(server, "gail@example.com")
    provider.tamper("nonce")
    try:
        assert browser.get(callback).status_code == 403
    finally:
        provider.tamper(None)
    headers = owner(server)
    audit = f"{server.url}/api/audit"
    [signed] = httpx.get(audit, params={"kind": "auth.sign_in", "actor": "gail@example.com"},
                         headers=headers).json()["entries"]  # fmt: skip
    assert (signed["actor"]["role"], signed["ip"], signed["details"]) == (
        "reviewer",
        "127.0.0.1",
        {"method": "oidc"},
    )
    failed = httpx.get(audit, params={"kind": "auth.sign_in_failed"}, headers=headers)
    assert [e["details"] for e in failed.json()["entries"]] == [
        {
            "method": "oidc",
            "reason": "single sign-on refused: the ID token's nonce is not this sign-in's "
            "(a replayed or swapped token)",
        }
    ]
