"""The audit log on a real server: each audited action leaves exactly one entry saying who, from
where, what and on which resource; owners read it (filters, pages, JSON lines), nobody else
does, and nothing changes or deletes an entry."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from server.audit.model import AuditKind
from server.permissions import AUDIT_REFUSAL
from tests.support.accounts import SignedIn, add_users, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def people(server: ServerProcess) -> dict[str, SignedIn]:
    add_users(server, [("olga@example.com", "owner"), ("ivan@example.com", "interviewer")])
    return {
        "olga": sign_in(server, "olga@example.com"),
        "ivan": sign_in(server, "ivan@example.com"),
    }


def entries(server: ServerProcess, owner: SignedIn, **params: Any) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/api/audit", params=params, headers=owner.headers())
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["entries"]
    return found


def only(server: ServerProcess, owner: SignedIn, kind: AuditKind, resource: str) -> dict[str, Any]:
    [entry] = entries(server, owner, kind=kind.value, resource=resource)
    return entry


def member(signed: SignedIn, email: str) -> dict[str, Any]:
    return {"kind": "member", "id": signed.user_id, "email": email, "role": signed.role}


def test_each_action_on_a_session_is_one_entry_with_who_where_and_no_candidate_data(
    server: ServerProcess, people: dict[str, SignedIn]
) -> None:
    olga, ivan = people["olga"], people["ivan"]
    url = server.url
    title = "Interview with Jane Candidate"
    made = httpx.post(f"{url}/api/sessions", json={"title": title}, headers=ivan.headers())
    sid = made.json()["id"]
    tokens = made.json()["tokens"]
    created = only(server, olga, AuditKind.SESSION_CREATED, sid)
    assert (created["actor"], created["ip"], created["details"]) == (
        member(ivan, "ivan@example.com"),
        "127.0.0.1",
        {"scenario": None, "mode": "code"},
    )
    named = httpx.post(f"{url}/api/sessions/{sid}/name", json={"name": "Jane Candidate"},
                       headers={"Authorization": f"Bearer {tokens['candidate']}"})  # fmt: skip
    assert named.status_code == 200
    link = httpx.post(f"{url}/api/sessions/{sid}/share",
                      headers={"Authorization": f"Bearer {tokens['interviewer']}"})  # fmt: skip
    granted = only(server, olga, AuditKind.ACCESS_GRANTED, sid)
    assert (granted["actor"], granted["details"]) == (
        {"kind": "link", "id": None, "email": None, "role": "interviewer"},
        {"via": "reviewer_link"},
    )
    httpx.post(f"{url}/api/sessions/{sid}/access", json={"team": True}, headers=ivan.headers())
    httpx.post(f"{url}/api/sessions/{sid}/access", json={"team": False}, headers=ivan.headers())
    revoked = only(server, olga, AuditKind.ACCESS_REVOKED, sid)
    assert (revoked["actor"]["id"], revoked["details"]) == (ivan.user_id, {"team": True})
    assert httpx.post(f"{url}/api/sessions/{sid}/end", headers=ADMIN).status_code == 200
    assert only(server, olga, AuditKind.SESSION_ENDED, sid)["actor"]["kind"] == "admin"
    reviewer = {"Authorization": f"Bearer {link.json()['token']}"}
    assert httpx.get(f"{url}/api/sessions/{sid}/timeline", headers=reviewer).status_code == 200
    viewed = only(server, olga, AuditKind.RECORDING_VIEWED, sid)
    assert viewed["actor"] == {"kind": "link", "id": None, "email": None, "role": "reviewer"}
    exported = httpx.get(f"{url}/api/sessions/{sid}/export", headers=ivan.headers())
    assert exported.status_code == 200
    assert only(server, olga, AuditKind.RECORDING_EXPORTED, sid)["actor"]["id"] == ivan.user_id
    imported = httpx.post(f"{url}/api/recordings?new_id=true", content=exported.content,
                          headers=olga.headers())  # fmt: skip
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["id"]
    assert only(server, olga, AuditKind.RECORDING_IMPORTED, new_id)["details"] == {
        "entries": imported.json()["entries"],
        "new_id": True,
    }
    # Every entry about the session, in every field, is free of what the candidate is.
    about = json.dumps(entries(server, olga, resource=sid))
    assert "Jane" not in about and title not in about
    assert [e["kind"] for e in entries(server, olga, resource=sid)] == [
        "recording.exported",
        "recording.viewed",
        "session.ended",
        "session.access_revoked",
        "session.access_granted",  # the team
        "session.access_granted",  # the reviewer link
        "session.created",
    ]
    assert "Jane" in gzip.decompress(exported.content).decode()  # the recording does hold it


def test_sign_ins_failed_sign_ins_sign_outs_users_and_tokens_are_audited(
    server: ServerProcess, people: dict[str, SignedIn]
) -> None:
    olga, url = people["olga"], server.url
    attempt = {"email": "ivan@example.com", "password": "not the password"}
    wrong = httpx.post(f"{url}/api/auth/sign-in", json=attempt)
    assert wrong.status_code == 403
    [failed] = entries(server, olga, kind="auth.sign_in_failed", actor="ivan@example.com")
    assert (failed["actor"], failed["ip"], failed["details"]) == (
        {"kind": "anonymous", "id": None, "email": "ivan@example.com", "role": None},
        "127.0.0.1",
        {"method": "password", "reason": "wrong e-mail or password"},
    )
    ivan = sign_in(server, "ivan@example.com")
    signed = entries(server, olga, kind="auth.sign_in", resource=ivan.user_id)
    assert signed[0]["details"] == {"method": "password"}
    made = httpx.post(f"{url}/api/tokens", json={"name": "ci", "scopes": ["sessions:read"]},
                      headers=ivan.headers())  # fmt: skip
    token = made.json()
    assert only(server, olga, AuditKind.TOKEN_CREATED, token["id"])["details"] == {
        "scopes": ["sessions:read"],
        "expires_at": token["expires_at"],
    }
    httpx.delete(f"{url}/api/tokens/{token['id']}", headers=ivan.headers())
    assert only(server, olga, AuditKind.TOKEN_REVOKED, token["id"])["actor"]["id"] == ivan.user_id
    out = httpx.post(f"{url}/api/auth/sign-out", headers=ivan.headers())
    assert out.status_code == 200
    assert only(server, olga, AuditKind.SIGN_OUT, ivan.user_id)["actor"]["id"] == ivan.user_id

    added = httpx.post(f"{url}/api/users", json={"email": "rex@example.com", "role": "reviewer"},
                       headers=olga.headers())  # fmt: skip
    rex = added.json()["user"]["id"]
    assert only(server, olga, AuditKind.USER_ADDED, rex)["details"] == {
        "email": "rex@example.com",
        "role": "reviewer",
    }
    httpx.patch(f"{url}/api/users/{rex}", json={"role": "interviewer"}, headers=olga.headers())
    assert only(server, olga, AuditKind.USER_ROLE_CHANGED, rex)["details"] == {
        "email": "rex@example.com",
        "from": "reviewer",
        "to": "interviewer",
    }
    httpx.patch(f"{url}/api/users/{rex}", json={"disabled": True}, headers=olga.headers())
    assert only(server, olga, AuditKind.USER_DISABLED, rex)["actor"]["id"] == olga.user_id
    # The CLI that added the first users is on record too.
    cli = entries(server, olga, kind="user.added", actor="system")
    assert {e["details"]["email"] for e in cli} >= {"olga@example.com", "ivan@example.com"}


def test_owners_page_filter_and_export_the_log_and_nobody_else_reads_it(
    server: ServerProcess, people: dict[str, SignedIn]
) -> None:
    olga, ivan, url = people["olga"], sign_in(server, "ivan@example.com"), server.url
    for _ in range(5):
        httpx.post(f"{url}/api/sessions", json={}, headers=olga.headers())
    everything = entries(server, olga, limit=1000)
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids, reverse=True)  # newest first
    pages: list[int] = []
    before = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"before": before} if before else {})}
        page = httpx.get(f"{url}/api/audit", params=params, headers=olga.headers()).json()
        pages.extend(e["id"] for e in page["entries"])
        before = page["next"]
        if before is None:
            break
    assert pages == ids
    mine = entries(server, olga, kind="session.created", actor=olga.user_id)
    assert len(mine) == 5 and all(e["actor"]["id"] == olga.user_id for e in mine)
    lines = httpx.get(f"{url}/api/audit.jsonl", headers=olga.headers())
    assert lines.headers["content-type"] == "application/jsonl"
    exported = [json.loads(line) for line in lines.text.splitlines()]
    assert [e["id"] for e in exported] == sorted(ids)  # everything, oldest first
    assert exported[-1] == everything[0]

    refused = {
        "interviewer": httpx.get(f"{url}/api/audit", headers=ivan.headers()),
        "admin token": httpx.get(f"{url}/api/audit.jsonl", headers=ADMIN),
        "anonymous": httpx.get(f"{url}/api/audit"),
    }
    assert {k: (r.status_code, r.json()["detail"]) for k, r in refused.items()} == {
        "interviewer": (403, "the organisation's interviewers cannot do this"),
        "admin token": (403, AUDIT_REFUSAL),
        "anonymous": (401, "missing bearer token"),
    }
    bad = httpx.get(f"{url}/api/audit", params={"kind": "made.up"}, headers=olga.headers())
    assert bad.status_code == 422 and "unknown audit kinds ['made.up']" in bad.json()["detail"]
    # Append-only: no route changes or deletes an entry.
    for method in ("PUT", "PATCH", "DELETE"):
        answer = httpx.request(method, f"{url}/api/audit", headers=olga.headers())
        assert answer.status_code == 405, method
