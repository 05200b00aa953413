"""The REST side of the interview journey the browser walks (tests/browser/test_journey.py):
ending tells the room through the console doc, the interviewer keeps their replay after the end,
the candidate names themself, the lobby re-issues links, and pastes are recorded by size only.
Real server subprocess, real websockets."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from pycrdt import Map

from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until


def call(
    server: ServerProcess, method: str, path: str, token: str, body: Any = None
) -> httpx.Response:
    return httpx.request(
        method,
        f"{server.url}{path}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=10,
    )


def token_of(link: str) -> str:
    return link.split("?token=", 1)[1]


def role_of(token: str) -> str:
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    return str(payload["r"])


async def test_ending_marks_the_console_doc_that_open_sockets_still_receive(
    server: ServerProcess,
) -> None:
    created = server.create_session(title="end me")
    sid, tokens = created["id"], created["tokens"]
    url = f"{server.ws_url}/ws/{sid}/console?token={tokens['candidate']}"
    async with YClient(url) as candidate:
        await candidate.synced.wait()
        ended = call(server, "POST", f"/api/sessions/{sid}/end", tokens["interviewer"])
        assert ended.status_code == 200
        mark = candidate.doc.get("session", type=Map)
        await wait_until(lambda: mark.get("state") == "ended", what="the ended mark")
        assert mark.to_py() == {
            "state": "ended",
            "ended_at": ended.json()["ended_at"],
            "ended_by": "Interviewer",
        }
        again = call(server, "POST", f"/api/sessions/{sid}/end", ADMIN_TOKEN)
        assert again.json()["ended_at"] == ended.json()["ended_at"]  # ending twice changes nothing
        assert mark.get("ended_by") == "Interviewer"


def test_the_interviewers_link_keeps_replay_comments_export_and_share_after_the_end(
    server: ServerProcess,
) -> None:
    created = server.create_session(title="after the end")
    sid, tokens = created["id"], created["tokens"]
    interviewer = tokens["interviewer"]
    assert call(server, "POST", f"/api/sessions/{sid}/end", interviewer).status_code == 200

    session = call(server, "GET", f"/api/sessions/{sid}", interviewer)
    assert (session.status_code, session.json()["state"]) == (200, "ended")
    assert call(server, "GET", f"/api/sessions/{sid}/timeline", interviewer).status_code == 200
    notes = call(server, "GET", f"/api/sessions/{sid}/log?doc=notes", interviewer)
    assert notes.status_code == 200  # the private parts too
    comment = call(
        server, "POST", f"/api/sessions/{sid}/comments", interviewer, {"at": 0, "text": "ok"}
    )
    assert comment.status_code == 201
    assert call(server, "GET", f"/api/sessions/{sid}/export", interviewer).status_code == 200
    shared = call(server, "POST", f"/api/sessions/{sid}/share", interviewer, {"name": "Panel"})
    assert shared.status_code == 200
    reviewer = shared.json()["token"]
    assert call(server, "GET", f"/api/sessions/{sid}/timeline", reviewer).status_code == 200

    for refused, token in (
        ("runs", interviewer),
        ("controls", interviewer),
    ):
        answer = call(server, "POST", f"/api/sessions/{sid}/{refused}", token, {})
        assert (answer.status_code, answer.json()["detail"]) == (403, "session has ended")
    candidate = call(server, "GET", f"/api/sessions/{sid}", tokens["candidate"])
    assert (candidate.status_code, candidate.json()["detail"]) == (403, "session has ended")


def test_the_candidate_names_themself_and_runs_signals_and_the_lobby_carry_the_name(
    server: ServerProcess,
) -> None:
    created = server.create_session(title="names")
    sid, tokens = created["id"], created["tokens"]
    candidate = tokens["candidate"]
    before = call(server, "GET", f"/api/sessions/{sid}", candidate).json()
    assert (before["name"], before["name_chosen"]) == ("Candidate", False)

    for bad, reason in (
        ("   ", "the name is empty"),
        ("x" * 65, "the name is longer than 64 characters"),
        ("Ada\u0007", "the name has control characters"),
    ):
        answer = call(server, "POST", f"/api/sessions/{sid}/name", candidate, {"name": bad})
        assert (answer.status_code, answer.json()["detail"]) == (422, reason)
    named = call(
        server, "POST", f"/api/sessions/{sid}/name", candidate, {"name": " Ada   Lovelace "}
    )
    assert named.status_code == 200
    assert (named.json()["name"], named.json()["name_chosen"]) == ("Ada Lovelace", True)
    refused = call(
        server, "POST", f"/api/sessions/{sid}/name", tokens["interviewer"], {"name": "X"}
    )
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "the interviewer role cannot do this",
    )

    # The same link, now under the chosen name, everywhere it acts.
    again = call(server, "GET", f"/api/sessions/{sid}", candidate).json()
    assert (again["name"], again["name_chosen"]) == ("Ada Lovelace", True)
    signal = call(server, "POST", f"/api/sessions/{sid}/signals", candidate, {"kind": "blur"})
    assert signal.status_code == 201
    log = call(server, "GET", f"/api/sessions/{sid}/log?doc=signals", tokens["interviewer"]).json()
    assert [(e["author"], e["value"]) for e in log["entries"]] == [
        ("Ada Lovelace", {"kind": "blur"})
    ]
    listed = call(server, "GET", "/api/sessions", ADMIN_TOKEN).json()
    assert next(s for s in listed if s["id"] == sid)["candidate_name"] == "Ada Lovelace"


def test_a_paste_signal_records_size_and_lines_never_more_lines_than_characters(
    server: ServerProcess,
) -> None:
    created = server.create_session(title="paste")
    sid, tokens = created["id"], created["tokens"]
    path = f"/api/sessions/{sid}/signals"
    pasted = call(
        server, "POST", path, tokens["candidate"], {"kind": "paste", "size": 1200, "lines": 41}
    )
    assert pasted.status_code == 201
    too_many = call(
        server, "POST", path, tokens["candidate"], {"kind": "paste", "size": 3, "lines": 5}
    )
    assert (too_many.status_code, too_many.json()["detail"]) == (
        422,
        "a paste has at most size + 1 lines",
    )
    blur = call(server, "POST", path, tokens["candidate"], {"kind": "blur", "lines": 2})
    assert (blur.status_code, blur.json()["detail"]) == (422, "only a paste has a size")
    log = call(server, "GET", f"/api/sessions/{sid}/log?doc=signals", tokens["interviewer"]).json()
    assert [e["value"] for e in log["entries"]] == [{"kind": "paste", "size": 1200, "lines": 41}]


def test_the_lobby_list_reissues_working_links_and_only_a_replay_link_once_ended(
    server: ServerProcess,
) -> None:
    live = server.create_session(title="lobby live")["id"]
    ended = server.create_session(title="lobby ended")["id"]
    assert call(server, "POST", f"/api/sessions/{ended}/end", ADMIN_TOKEN).status_code == 200
    listed = {s["id"]: s for s in call(server, "GET", "/api/sessions", ADMIN_TOKEN).json()}

    links = listed[live]["links"]
    assert sorted(links) == ["candidate", "interviewer", "observer", "replay"]
    for role in ("interviewer", "candidate", "observer"):
        assert links[role].startswith(f"{server.url}/s/{live}?token=")
        info = call(server, "GET", f"/api/sessions/{live}", token_of(links[role])).json()
        assert info["role"] == role
    assert links["replay"].startswith(f"{server.url}/replay/{live}?token=")

    after = listed[ended]
    assert (after["state"], sorted(after["links"])) == ("ended", ["replay"])
    replay = token_of(after["links"]["replay"])
    assert (
        role_of(replay) == "reviewer"
    )  # a live-role link issued after the end would not be revoked
    assert call(server, "GET", f"/api/sessions/{ended}/timeline", replay).status_code == 200
    assert isinstance(after["ended_at"], int)
    assert listed[live]["ended_at"] is None
