"""The data-subject export of a session on a real server: one zip with the recording file
(importable as is), the notes with rubric and grades, the integrity signals and the comments,
each the same as the server's own views of them; audited; owners (and the admin token) only."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile

import httpx
from pycrdt import Map, Text

from server.permissions import PRIVACY_REFUSAL
from tests.support.accounts import add_users, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def test_the_subject_export_holds_recording_notes_signals_and_comments_and_is_audited(
    server: ServerProcess,
) -> None:
    add_users(server, [("owen@example.com", "owner"), ("ida@example.com", "interviewer")])
    owen, ida = sign_in(server, "owen@example.com"), sign_in(server, "ida@example.com")
    url = server.url
    made = httpx.post(f"{url}/api/sessions", json={"title": "export"}, headers=ida.headers())
    sid, tokens = made.json()["id"], made.json()["tokens"]
    interviewer = {"Authorization": f"Bearer {tokens['interviewer']}"}
    candidate = {"Authorization": f"Bearer {tokens['candidate']}"}
    httpx.post(f"{url}/api/sessions/{sid}/name", json={"name": "Kim Doe"}, headers=candidate)
    for kind in ("blur", "focus"):
        httpx.post(f"{url}/api/sessions/{sid}/signals", json={"kind": kind}, headers=candidate)
    httpx.post(f"{url}/api/sessions/{sid}/comments", json={"at": 5, "text": "good start"},
               headers=interviewer)  # fmt: skip
    async with YClient(f"{server.ws_url}/ws/{sid}/notes?token={tokens['interviewer']}") as notes:
        await notes.synced.wait()
        notes.doc.get("notes", type=Text).insert(0, "clear reasoning")
        notes.doc.get("rubric", type=Map)["correctness"] = 3
        await asyncio.sleep(0.5)

    refused = httpx.get(f"{url}/api/sessions/{sid}/subject-export", headers=ida.headers())
    assert (refused.status_code, refused.json()["detail"]) == (403, PRIVACY_REFUSAL)
    answer = httpx.get(f"{url}/api/sessions/{sid}/subject-export", headers=owen.headers())
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == [
        "README.txt",
        "comments.json",
        "notes.json",
        "recording.jsonl.gz",
        "session.json",
        "signals.json",
    ]
    assert json.loads(archive.read("notes.json")) == {
        "notes": "clear reasoning",
        "rubric": {"correctness": 3},
        "grades": {},
    }
    signals = json.loads(archive.read("signals.json"))
    assert [(s["kind"], s["author"], s["role"]) for s in signals] == [
        ("blur", "Kim Doe", "candidate"),
        ("focus", "Kim Doe", "candidate"),
    ]
    comments = httpx.get(f"{url}/api/sessions/{sid}/comments", headers=interviewer).json()
    assert json.loads(archive.read("comments.json")) == comments
    assert json.loads(archive.read("session.json"))["candidate_name"] == "Kim Doe"
    # The recording is the same file the export route makes, and imports as it does.
    recording = archive.read("recording.jsonl.gz")
    plain = httpx.get(f"{url}/api/sessions/{sid}/export", headers=ADMIN)
    assert recording == plain.content
    imported = httpx.post(f"{url}/api/recordings?new_id=true", content=recording,
                          headers=owen.headers())  # fmt: skip
    assert imported.status_code == 201, imported.text
    query = {"resource": sid, "kind": "session.subject_exported"}
    audit = httpx.get(f"{url}/api/audit", params=query, headers=owen.headers()).json()["entries"]
    assert [(e["actor"]["email"], e["resource"]) for e in audit] == [("owen@example.com", sid)]
