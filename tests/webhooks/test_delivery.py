"""Deliveries end to end: a real server posts to a real HTTP receiver on loopback.

After `POST /end` the receiver gets a signed `session.ended` delivery; it answers 500 twice,
then 200, and the delivery ends `delivered` after 3 attempts, each a signature the documented
verifier accepts over the same body. A submitted scorecard is delivered with its rubric levels,
recommendation and notes summary; a redelivery sends the same body again; the replay link is a
reviewer link; a delivery queued before a crash is delivered by the restarted server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import SignedIn, add_user, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess, free_port
from tests.webhooks.receiver import Received, Receiver
from tests.webhooks.test_signing import documented_verifier

# The machine these run on is shared and often loaded: a server may take long to come up.
START_TIMEOUT_S = 120.0

VERIFY = documented_verifier()
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
FAST = {
    "PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
    "PAIRBOARD_WEBHOOK_BACKOFF_SECONDS": "0.3",
    "PAIRBOARD_WEBHOOK_POLL_SECONDS": "0.2",
}
SCENARIO = "attention-numpy"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("webhooks")), env=FAST)
    proc.start(timeout=START_TIMEOUT_S)
    yield proc
    proc.stop()


@pytest.fixture(autouse=True)
def no_webhooks(server: ServerProcess) -> None:
    """Each test starts with no endpoint: an earlier test's would receive its events too."""
    for hook in httpx.get(f"{server.url}/api/webhooks", headers=ADMIN).json():
        gone = httpx.delete(f"{server.url}/api/webhooks/{hook['id']}", headers=ADMIN)
        assert gone.status_code == 204


@pytest.fixture(scope="module")
def owner(server: ServerProcess) -> SignedIn:
    add_user(server, "owner@example.com", "owner")
    return sign_in(server, "owner@example.com")


def add_webhook(
    server: ServerProcess, headers: dict[str, str], url: str, events: list[str]
) -> dict[str, Any]:
    made = httpx.post(
        f"{server.url}/api/webhooks", json={"url": url, "events": events}, headers=headers
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def ended_session(server: ServerProcess, candidate: str) -> dict[str, Any]:
    created = server.create_session(title="Webhook interview", scenario=SCENARIO)
    server.name_candidate(created, candidate)
    ended = httpx.post(f"{server.url}/api/sessions/{created['id']}/end", headers=ADMIN)
    assert ended.status_code == 200, ended.text
    return created


def deliveries(server: ServerProcess, webhook_id: str) -> list[dict[str, Any]]:
    got = httpx.get(f"{server.url}/api/webhooks/{webhook_id}/deliveries", headers=ADMIN)
    assert got.status_code == 200, got.text
    found: list[dict[str, Any]] = got.json()
    return found


def wait_delivered(server: ServerProcess, webhook_id: str, count: int = 1) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while True:
        found = deliveries(server, webhook_id)
        if len(found) >= count and all(d["state"] != "pending" for d in found):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.1)


def check_signed(request: Received, secret: str) -> dict[str, Any]:
    header = request.headers["pairboard-signature"]
    assert VERIFY(secret, header, request.body) is True
    assert VERIFY(secret + "x", header, request.body) is False
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = json.loads(request.body)
    return body


def test_session_ended_is_delivered_signed_after_two_500s_with_three_attempts(
    server: ServerProcess,
) -> None:
    with Receiver(statuses=[500, 500, 200]) as receiver:
        hook = add_webhook(server, ADMIN, receiver.url, ["session.ended"])
        assert hook["secret"].startswith("whsec_") and hook["events"] == ["session.ended"]
        created = ended_session(server, "Ada Lovelace")
        requests = receiver.wait_for(3)
        [delivered] = wait_delivered(server, hook["id"])
    assert len(requests) == 3
    assert {r.body for r in requests} == {requests[0].body}  # every attempt sends the same body
    for r in requests:
        assert r.path == "/hook"
        assert r.headers["pairboard-event"] == "session.ended"
        assert r.headers["pairboard-delivery"] == delivered["id"]
        body = check_signed(r, hook["secret"])
    assert body["event"] == "session.ended"
    assert body["session"]["id"] == created["id"]
    assert body["session"]["state"] == "ended"
    assert body["session"]["candidate_name"] == "Ada Lovelace"
    assert body["session"]["scenario"]["id"] == SCENARIO
    assert (body["recommendation"], body["notes_summary"], body["grade"]) == (None, None, None)
    assert (delivered["state"], delivered["attempts"], delivered["last_status"]) == (
        "delivered", 3, 200,
    )  # fmt: skip
    assert (delivered["last_response"], delivered["next_attempt_at"]) == ("answer 3", None)
    assert delivered["last_error"] is None and delivered["delivered_at"] is not None
    # The replay link is a reviewer link: it reads the recording, and ends nothing.
    link = body["replay_url"]
    prefix = f"{server.url}/replay/{created['id']}?token="
    assert link.startswith(prefix)
    token = {"Authorization": f"Bearer {link.removeprefix(prefix)}"}
    sid = created["id"]
    assert httpx.get(f"{server.url}/api/sessions/{sid}/timeline", headers=token).status_code == 200
    refused = httpx.post(f"{server.url}/api/sessions/{sid}/end", headers=token)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "the reviewer role cannot do this",
    )


def test_a_submitted_scorecard_is_delivered_stored_audited_and_redelivered(
    server: ServerProcess, owner: SignedIn
) -> None:
    with Receiver(statuses=[200]) as receiver:
        hook = add_webhook(server, owner.headers(), receiver.url, ["scorecard.submitted"])
        created = ended_session(server, "Grace Hopper")  # session.ended: not subscribed
        sid = created["id"]
        interviewer = {"Authorization": f"Bearer {created['tokens']['interviewer']}"}
        card = {
            "rubric": {"correctness": 3, "shapes": 2},
            "recommendation": "hire",
            "summary": "  Clear about masking; slow on the head split.  ",
        }
        made = httpx.post(
            f"{server.url}/api/sessions/{sid}/scorecard", json=card, headers=interviewer
        )
        assert made.status_code == 201, made.text
        assert made.json()["webhook_deliveries"] == 1
        [request] = receiver.wait_for(1)
        [first] = wait_delivered(server, hook["id"])
        again = httpx.post(
            f"{server.url}/api/webhooks/{hook['id']}/deliveries/{first['id']}/redeliver",
            headers=owner.headers(),
        )
        assert again.status_code == 201, again.text
        assert again.json()["state"] == "pending" and again.json()["attempts"] == 0
        [_, repeat] = receiver.wait_for(2)
        newest, oldest = wait_delivered(server, hook["id"], 2)
    body = check_signed(request, hook["secret"])
    assert body["event"] == "scorecard.submitted"
    assert body["recommendation"] == "hire"
    assert body["notes_summary"] == "Clear about masking; slow on the head split."
    assert body["rubric"] == [
        {"criterion": "correctness", "title": "Correctness of the implementation",
         "level": 3, "label": "Solid"},
        {"criterion": "shapes", "title": "Reasoning about shapes and numerics",
         "level": 2, "label": body["rubric"][1]["label"]},
    ]  # fmt: skip
    assert body["scorecard"]["by"] == "Interviewer" and body["session"]["id"] == sid
    assert repeat.body == request.body and check_signed(repeat, hook["secret"]) == body
    assert (oldest["id"], newest["id"]) == (first["id"], again.json()["id"])
    assert newest["state"] == "delivered" and newest["attempts"] == 1
    # Kept with the session, for the hiring team; audited with the recommendation only.
    listed = httpx.get(f"{server.url}/api/sessions/{sid}/scorecards", headers=interviewer).json()
    assert [(s["recommendation"], s["rubric"], s["role"]) for s in listed] == [
        ("hire", {"correctness": 3, "shapes": 2}, "interviewer")
    ]
    audit = httpx.get(
        f"{server.url}/api/audit", params={"resource": sid, "kind": "scorecard.submitted"},
        headers=owner.headers(),
    ).json()["entries"]  # fmt: skip
    assert [e["details"]["recommendation"] for e in audit] == ["hire"]
    assert "Clear about masking" not in json.dumps(audit)


def test_a_delivery_queued_before_a_crash_is_delivered_after_the_restart(tmp_path: Path) -> None:
    """The receiver is down, so attempts fail (connection refused); the server is killed with
    SIGKILL; the receiver comes up and the restarted server delivers the queued body."""
    port = free_port()
    env = {**FAST, "PAIRBOARD_WEBHOOK_MAX_ATTEMPTS": "50", "PAIRBOARD_WEBHOOK_TIMEOUT_SECONDS": "1"}
    server = ServerProcess(tmp_path / "crash", env=env)
    server.start(timeout=START_TIMEOUT_S)
    try:
        hook = add_webhook(server, ADMIN, f"http://127.0.0.1:{port}/hook", ["session.ended"])
        created = ended_session(server, "Alan Turing")
        deadline = time.monotonic() + 30
        while not (found := deliveries(server, hook["id"])) or found[0]["attempts"] < 2:
            assert time.monotonic() < deadline, found
            time.sleep(0.1)
        assert found[0]["state"] == "pending" and found[0]["last_status"] is None
        assert "ConnectError" in found[0]["last_error"]
        server.kill()
        with Receiver(statuses=[200], port=port) as receiver:
            server.start(timeout=START_TIMEOUT_S)
            [request] = receiver.wait_for(1, timeout=90)
            [delivered] = wait_delivered(server, hook["id"])
        assert check_signed(request, hook["secret"])["session"]["id"] == created["id"]
        assert delivered["state"] == "delivered" and delivered["attempts"] >= 3
    finally:
        server.stop()


def test_erasing_a_session_deletes_its_deliveries_pending_or_sent(server: ServerProcess) -> None:
    with Receiver(statuses=[503]) as receiver:
        hook = add_webhook(server, ADMIN, receiver.url, ["session.ended"])
        created = ended_session(server, "Erased Candidate")
        receiver.wait_for(1)
        sid = created["id"]
        assert [d["session_id"] for d in deliveries(server, hook["id"])] == [sid]
        erased = post_erase(server, sid)
        assert erased["removed"]["webhook_deliveries"] == 1
        assert deliveries(server, hook["id"]) == []


def post_erase(server: ServerProcess, session_id: str) -> dict[str, Any]:
    erased = httpx.post(
        f"{server.url}/api/sessions/{session_id}/erase", json={"confirm": session_id},
        headers=ADMIN, timeout=30,
    )  # fmt: skip
    assert erased.status_code == 200, erased.text
    body: dict[str, Any] = erased.json()
    return body
