"""Retention per organisation on a real server, SQLite and PostgreSQL: with recordings kept 30
days and integrity signals 7, the retention task deletes the signals of a session that ended 10
days ago (its recording stays, replayable), deletes a recording that ended 40 days ago (signals
and all, in one entry), leaves a 2-day-old one whole, and audits each deletion as the system."""

from __future__ import annotations

import gzip
import json
import time
from base64 import b64encode
from typing import Any

import httpx
from pycrdt import Doc, Text

from server.clock import now_ms
from server.org.model import DAY_MS
from server.sessions import new_session_id
from tests.org.conftest import ADMIN, Org

SYSTEM = {"kind": "system", "id": None, "email": None, "role": None}


def recording(ended_days_ago: float) -> tuple[str, bytes]:
    """A recording file (docs/RECORDING_FORMAT.md) of a session that ended that long ago: one
    code edit and two integrity signals."""
    sid = new_session_id()
    ended = now_ms() - int(ended_days_ago * DAY_MS)
    created = ended - 3600_000
    doc: Doc[Any] = Doc()
    doc.get("source", type=Text).insert(0, "print('hi')\n")

    def entry(doc_name: str, seq: int, kind: str, data: bytes) -> dict[str, Any]:
        return {"t": "e", "doc": doc_name, "seq": seq, "ts": created + seq * 1000,
                "author": "Jane", "role": "candidate", "kind": kind,
                "data": b64encode(data).decode()}  # fmt: skip

    entries = [
        entry("code", 1, "update", doc.get_update()),
        entry("signals", 1, "signal", b'{"kind":"paste","size":40,"lines":2}'),
        entry("signals", 2, "signal", b'{"kind":"blur"}'),
    ]
    header = {
        "format": "pairboard-recording",
        "version": 1,
        "session": {"id": sid, "title": "old", "scenario": None, "created_at_ms": created,
                    "state": "ended", "ended_at_ms": ended, "meta": {}},
        "docs": ["code", "signals"],
    }  # fmt: skip
    lines = [header, *entries, {"t": "end", "entries": len(entries), "checkpoints": 0}]
    return sid, gzip.compress("".join(json.dumps(x) + "\n" for x in lines).encode())


def import_recording(org: Org, ended_days_ago: float) -> str:
    sid, body = recording(ended_days_ago)
    answer = httpx.post(f"{org.url}/api/recordings", content=body, headers=ADMIN, timeout=60)
    assert answer.status_code in (200, 201), answer.text
    return sid


def kinds(org: Org, sid: str, doc: str) -> list[str]:
    answer = httpx.get(f"{org.url}/api/sessions/{sid}/log", params={"doc": doc}, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return [e["kind"] for e in answer.json()["entries"]]


def wait_for_audit(org: Org, kind: str, resource: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while not (found := org.audit(kind=kind, resource=resource)):
        assert time.monotonic() < deadline, f"no {kind} entry for {resource}"
        time.sleep(0.2)
    [entry] = found
    return entry


def test_signals_go_before_the_recording_each_deletion_audited(retaining_org: Org) -> None:
    org = retaining_org
    org.settings(recording_retention_days=None, signal_retention_days=None)
    signals_old = import_recording(org, 10)
    recording_old = import_recording(org, 40)
    recent = import_recording(org, 2)
    assert kinds(org, signals_old, "signals") == ["signal", "signal"]
    org.settings(recording_retention_days=30, signal_retention_days=7)

    signals_gone = wait_for_audit(org, "recording.signals_deleted", signals_old)
    assert (signals_gone["actor"], signals_gone["ip"], signals_gone["details"]) == (
        SYSTEM,
        None,
        {"by": "retention", "retention_days": 7, "entries": 2},
    )
    recording_gone = wait_for_audit(org, "recording.deleted", recording_old)
    assert (recording_gone["actor"], recording_gone["details"]) == (
        SYSTEM,
        {"by": "retention", "retention_days": 30},
    )
    # The signals of the recording that went were deleted with it: no entry of their own.
    assert org.audit(kind="recording.signals_deleted", resource=recording_old) == []
    assert kinds(org, signals_old, "signals") == []
    assert kinds(org, signals_old, "code") == ["update"]  # the recording stays replayable
    state = httpx.get(f"{org.url}/api/sessions/{signals_old}/state", params={"at": 10_000},
                      headers=ADMIN)  # fmt: skip
    assert state.status_code == 200, state.text
    gone = httpx.get(f"{org.url}/api/sessions/{recording_old}", headers=ADMIN)
    assert gone.status_code == 404
    assert kinds(org, recent, "signals") == ["signal", "signal"]
    time.sleep(1.0)  # several more passes: nothing is deleted or audited twice
    assert org.audit(kind="recording.signals_deleted", resource=recent) == []
    assert len(org.audit(kind="recording.signals_deleted", resource=signals_old)) == 1
    listed = {s["id"]: s for s in httpx.get(f"{org.url}/api/sessions", headers=ADMIN).json()}
    ended_at = httpx.get(f"{org.url}/api/sessions/{recent}", headers=ADMIN).json()["ended_at"]
    assert listed[recent]["deletes_at"] == ended_at + 30 * DAY_MS
