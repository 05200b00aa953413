"""The organisation's settings and the candidate notice over REST, on SQLite and on PostgreSQL:
owners save (audited, before and after), every member reads, nobody else does; bad input is a
422 naming the field; a session's candidate cannot name themself or run before acknowledging
the notice in force, and the acknowledgement is kept, audited and in the recording."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from server.org.model import notice_hash
from server.permissions import NOTICE_REFUSAL
from tests.org.conftest import ADMIN, NOTICE_MAX_BYTES, Org

PRIVACY = "https://example.com/privacy"


def link(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_session(org: Org) -> tuple[str, dict[str, str]]:
    made = httpx.post(f"{org.url}/api/sessions", json={"title": "t"}, headers=ADMIN)
    assert made.status_code == 201, made.text
    return made.json()["id"], made.json()["tokens"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_an_owners_change_is_read_by_every_member_and_audited_with_before_and_after(
    org: Org,
) -> None:
    before = org.settings(notice_text="Old text.")["settings"]
    saved = org.settings(
        notice_enabled=True,
        notice_text="**Recorded.**",
        privacy_policy_url=PRIVACY,
        recording_retention_days=90,
        signal_retention_days=30,
    )
    expected = {
        "notice_enabled": True,
        "notice_text": "**Recorded.**",
        "privacy_policy_url": PRIVACY,
        "recording_retention_days": 90,
        "signal_retention_days": 30,
    }
    assert saved["settings"] == expected
    assert saved["notice_hash"] == notice_hash("**Recorded.**", PRIVACY)
    assert saved["limits"] == {"notice_max_bytes": NOTICE_MAX_BYTES}
    for who in (org.interviewer, org.reviewer):
        read = httpx.get(f"{org.url}/api/org/settings", headers=who.headers())
        assert (read.status_code, read.json()) == (200, saved)
    [entry] = org.audit(kind="settings.changed", limit=1)
    assert (entry["actor"]["id"], entry["actor"]["role"], entry["resource"]) == (
        org.owner.user_id,
        "owner",
        "org",
    )
    assert entry["details"] == {
        "changed": sorted(expected),
        "before": {
            "notice_enabled": before["notice_enabled"],
            "privacy_policy_url": before["privacy_policy_url"],
            "recording_retention_days": before["recording_retention_days"],
            "signal_retention_days": before["signal_retention_days"],
            "notice_sha256": sha("Old text."),
            "notice_bytes": 9,
        },
        "after": {
            "notice_enabled": True,
            "privacy_policy_url": PRIVACY,
            "recording_retention_days": 90,
            "signal_retention_days": 30,
            "notice_sha256": sha("**Recorded.**"),
            "notice_bytes": 13,
        },
        "notice_version": saved["notice_version"],
    }
    again = org.settings(**expected)  # nothing changed: no entry, the same notice version
    assert again["notice_version"] == saved["notice_version"]
    assert org.audit(kind="settings.changed", limit=1) == [entry]


def test_only_owners_and_the_admin_token_change_settings_and_links_read_nothing(org: Org) -> None:
    body = {"notice_enabled": False, "notice_text": "x"}
    refused = org.put(org.interviewer, **body)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "the organisation's interviewers cannot do this",
    )
    assert org.put(ADMIN, **body).status_code == 200
    [entry] = org.audit(kind="settings.changed", limit=1)
    assert entry["actor"]["kind"] == "admin"
    anonymous = httpx.get(f"{org.url}/api/org/settings")
    assert (anonymous.status_code, anonymous.json()["detail"]) == (401, "missing bearer token")
    _, tokens = new_session(org)
    candidate = httpx.get(f"{org.url}/api/org/settings", headers=link(tokens["candidate"]))
    assert (candidate.status_code, candidate.json()["detail"]) == (
        403,
        "the candidate role cannot do this",
    )


def test_a_token_with_the_org_settings_scope_manages_them_and_a_read_token_does_not(
    org: Org,
) -> None:
    def token(scopes: list[str]) -> dict[str, str]:
        made = httpx.post(f"{org.url}/api/tokens", json={"name": "ci", "scopes": scopes},
                          headers=org.owner.headers())  # fmt: skip
        assert made.status_code == 201, made.text
        return link(made.json()["token"])

    scoped = token(["org:settings"])
    assert org.put(scoped, notice_text="From CI.").status_code == 200
    read = httpx.get(f"{org.url}/api/org/settings", headers=scoped)
    assert read.json()["settings"]["notice_text"] == "From CI."
    other = httpx.get(f"{org.url}/api/org/settings", headers=token(["sessions:read"]))
    assert (other.status_code, other.json()["detail"]) == (
        403,
        "this API token's scopes (sessions:read) do not allow org.settings.read",
    )


def detail_of(response: httpx.Response) -> list[tuple[list[Any], str]]:
    assert response.status_code == 422, response.text
    return [(e["loc"], e["msg"]) for e in response.json()["detail"]]


def test_bad_settings_are_a_422_naming_the_field_and_change_nothing(org: Org) -> None:
    kept = org.settings(notice_text="Kept.")
    too_long = "x" * (NOTICE_MAX_BYTES + 1)
    assert detail_of(org.put(org.owner, notice_text=too_long)) == [
        (["body", "notice_text"],
         f"Value error, the notice is {NOTICE_MAX_BYTES + 1} bytes, over the limit of "
         f"{NOTICE_MAX_BYTES} bytes"),
    ]  # fmt: skip
    assert detail_of(org.put(org.owner, privacy_policy_url="http://example.com/p")) == [
        (["body", "privacy_policy_url"],
         "Value error, the privacy-policy link must be an https:// address"),
    ]  # fmt: skip
    assert detail_of(org.put(org.owner, recording_retention_days=5, signal_retention_days=6)) == [
        (["body"], "Value error, integrity signals cannot be kept longer than the recording "
                   "they belong to (6 > 5 days)"),
    ]  # fmt: skip
    assert detail_of(org.put(org.owner, recording_retention_days=0))[0][0] == [
        "body",
        "recording_retention_days",
    ]
    assert detail_of(org.put(org.owner, recording_retention_days="ten"))[0][0] == [
        "body",
        "recording_retention_days",
    ]
    assert detail_of(org.put(org.owner, notice_colour="red"))[0][0] == ["body", "notice_colour"]
    as_json = {**org.owner.headers(), "Content-Type": "application/json"}
    raw = b'{"notice_text": "\\ud800"}'
    surrogate = httpx.put(f"{org.url}/api/org/settings", content=raw, headers=as_json)
    assert detail_of(surrogate)[0][0] == ["body", "notice_text"]
    bad_json = httpx.put(f"{org.url}/api/org/settings", content=b"{", headers=as_json)
    assert bad_json.status_code == 422
    read = httpx.get(f"{org.url}/api/org/settings", headers=org.owner.headers())
    assert read.json() == kept


def test_a_candidate_acknowledges_the_notice_before_naming_themself_or_running(org: Org) -> None:
    saved = org.settings(notice_enabled=True, notice_text="We record.", privacy_policy_url=PRIVACY)
    sid, tokens = new_session(org)
    candidate = link(tokens["candidate"])
    url = f"{org.url}/api/sessions/{sid}"
    view = httpx.get(url, headers=candidate).json()
    notice = view["notice"]
    assert notice == {
        "version": saved["notice_version"],
        "hash": notice_hash("We record.", PRIVACY),
        "text": "We record.",
        "privacy_policy_url": PRIVACY,
        "acknowledged_at": None,
    }
    for method, path, body in (
        ("POST", "/name", {"name": "Jane"}),
        ("POST", "/runs", {"code": "print(1)"}),
        ("POST", "/signals", {"kind": "blur"}),
        ("GET", "/scenario", None),
    ):
        refused = httpx.request(method, url + path, json=body, headers=candidate)
        assert (refused.status_code, refused.json()["detail"]) == (403, NOTICE_REFUSAL), path
    wrong = httpx.post(f"{url}/notice/ack", json={"version": notice["version"], "hash": "0" * 64},
                       headers=candidate)  # fmt: skip
    assert (wrong.status_code, wrong.json()["detail"]) == (
        409,
        "the notice has changed since this page loaded it: read it again",
    )
    answer = {"version": notice["version"], "hash": notice["hash"]}
    by_interviewer = httpx.post(f"{url}/notice/ack", headers=link(tokens["interviewer"]),
                                json=answer)  # fmt: skip
    assert (by_interviewer.status_code, by_interviewer.json()["detail"]) == (
        403,
        "the interviewer role cannot do this",
    )
    ack = httpx.post(f"{url}/notice/ack", json={"version": notice["version"],
                     "hash": notice["hash"]}, headers=candidate)  # fmt: skip
    assert ack.status_code == 200, ack.text
    acked = ack.json()["acknowledged"]
    assert (acked["version"], acked["hash"]) == (notice["version"], notice["hash"])
    twice = httpx.post(f"{url}/notice/ack", json={"version": notice["version"],
                       "hash": notice["hash"]}, headers=candidate)  # fmt: skip
    assert twice.json() == {"acknowledged": acked}
    assert httpx.post(f"{url}/name", json={"name": "Jane"}, headers=candidate).status_code == 200
    assert httpx.get(url, headers=candidate).json()["notice"]["acknowledged_at"] == acked["at"]
    [entry] = org.audit(kind="session.notice_acknowledged", resource=sid)
    assert (entry["actor"], entry["details"]) == (
        {"kind": "link", "id": None, "email": None, "role": "candidate"},
        {"version": notice["version"], "hash": notice["hash"]},
    )
    timeline = httpx.get(f"{url}/timeline", headers=link(tokens["interviewer"])).json()
    [marker] = [m for m in timeline["markers"] if m.get("id") == "notice:ack"]
    assert (marker["kind"], marker["text"]) == (
        "event",
        f"The candidate acknowledged the recording notice (version {notice['version']}).",
    )


def test_a_changed_notice_is_the_one_a_waiting_candidate_must_read_and_disabling_frees_them(
    org: Org,
) -> None:
    first = org.settings(notice_enabled=True, notice_text="First.")
    sid, tokens = new_session(org)
    candidate = link(tokens["candidate"])
    url = f"{org.url}/api/sessions/{sid}"
    second = org.settings(notice_enabled=True, notice_text="Second.")
    assert second["notice_version"] == first["notice_version"] + 1
    notice = httpx.get(url, headers=candidate).json()["notice"]
    assert (notice["version"], notice["text"]) == (second["notice_version"], "Second.")
    old = {"version": first["notice_version"], "hash": first["notice_hash"]}
    stale = httpx.post(f"{url}/notice/ack", headers=candidate, json=old)
    assert stale.status_code == 409
    org.settings(notice_enabled=False, notice_text="Second.")
    assert httpx.get(url, headers=candidate).json()["notice"] is None
    assert httpx.post(f"{url}/name", json={"name": "Jo"}, headers=candidate).status_code == 200


def test_ended_sessions_say_when_retention_deletes_them_and_live_ones_do_not(org: Org) -> None:
    org.settings(recording_retention_days=10, signal_retention_days=2)
    ended_id, _ = new_session(org)
    live_id, _ = new_session(org)
    ended = httpx.post(f"{org.url}/api/sessions/{ended_id}/end", headers=ADMIN).json()
    listed = {s["id"]: s for s in httpx.get(f"{org.url}/api/sessions", headers=ADMIN).json()}
    assert listed[ended_id]["deletes_at"] == ended["ended_at"] + 10 * 24 * 3600 * 1000
    assert listed[live_id]["deletes_at"] is None
    org.settings(recording_retention_days=None)
    listed = {s["id"]: s for s in httpx.get(f"{org.url}/api/sessions", headers=ADMIN).json()}
    assert listed[ended_id]["deletes_at"] is None
