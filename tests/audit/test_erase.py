"""Erasing a candidate on a real server, in each deployment's stores: SQLite alone, and
PostgreSQL behind Redis streams. Afterwards no row (session, log with its signals, comments and
cursor samples, checkpoints, claims), no stream entry or counter and no file of that session
is left; its connected pages were closed with 4410 and cannot come back; another session is
untouched, byte for byte; the one audit entry that stays names no candidate data.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis

from server.sync.connection import CLOSE_ERASED
from tests.scale.cluster import REDIS_URL, delete_prefix, require_redis
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CANDIDATE = "Jane Candidate"
TABLES = ("log", "checkpoints", "claims")
ENV = {"PAIRBOARD_CHECKPOINT_INTERVAL": "3", "PAIRBOARD_MOVER_INTERVAL_SECONDS": "0.2"}


@dataclass
class Interview:
    id: str
    tokens: dict[str, str]


async def interview(server: ServerProcess, marker: str) -> Interview:
    """A scenario session with something in every place a session keeps data: edits (log,
    checkpoints), a fired event (claim), the candidate's name, a signal, a comment, a cursor
    sample, an attachment on disk, access granted, a kernel."""
    url = server.url
    made = httpx.post(f"{url}/api/sessions", headers=ADMIN,
                      json={"title": f"Interview with {CANDIDATE} {marker}",
                            "scenario": "attention-numpy"})  # fmt: skip
    assert made.status_code == 201, made.text
    sid, tokens = made.json()["id"], made.json()["tokens"]

    def link(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    assert httpx.post(f"{url}/api/sessions/{sid}/scenario/start", headers=link("interviewer"),
                      timeout=60).status_code == 200  # fmt: skip
    fired = httpx.post(f"{url}/api/sessions/{sid}/scenario/events/reveal-follow-up/fire",
                       headers=link("interviewer"), timeout=60)  # fmt: skip
    assert fired.status_code == 200, fired.text
    named = httpx.post(f"{url}/api/sessions/{sid}/name", json={"name": CANDIDATE},
                       headers=link("candidate"))  # fmt: skip
    assert named.status_code == 200, named.text
    assert httpx.post(f"{url}/api/sessions/{sid}/signals", json={"kind": "paste", "size": 40},
                      headers=link("candidate")).status_code == 201  # fmt: skip
    assert httpx.post(f"{url}/api/sessions/{sid}/comments", json={"at": 1, "text": marker},
                      headers=link("interviewer")).status_code == 201  # fmt: skip
    attached = httpx.put(f"{url}/api/sessions/{sid}/data/extra.csv", content=b"a,b\n1,2\n",
                         headers=link("interviewer"), timeout=120)  # fmt: skip
    assert attached.status_code == 201, attached.text
    async with YClient(f"{server.ws_url}/ws/{sid}/code?token={tokens['candidate']}") as client:
        await client.synced.wait()
        for i in range(5):
            client.text.insert(len(str(client.text)), f"{marker} line {i}\n")
        await client.set_awareness(77, 1, {"cursor": {"anchor": 3}})
        await asyncio.sleep(0.5)  # the client's update frames go out before it closes
    # The page has gone: the cursor sampler records the cursor's removal, the last write.
    await wait_until_logged(server, sid, "awareness", lambda v: v == {"doc": "code",
                            "client": 77, "state": None})  # fmt: skip
    return Interview(sid, tokens)


async def wait_until_logged(
    server: ServerProcess, sid: str, doc: str, match: Callable[[Any], bool]
) -> None:
    def logged() -> bool:
        answer = httpx.get(f"{server.url}/api/sessions/{sid}/log", params={"doc": doc},
                           headers=ADMIN)  # fmt: skip
        return any(match(e.get("value")) for e in answer.json()["entries"])

    for _ in range(200):
        if await asyncio.to_thread(logged):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing matching in the {doc} log of {sid}")


def erase(server: ServerProcess, sid: str) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/api/sessions/{sid}/erase", json={"confirm": sid},
                        headers=ADMIN, timeout=60)  # fmt: skip
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def erase_while_connected(server: ServerProcess, target: Interview) -> dict[str, Any]:
    """Erase with the candidate's page open: it is closed with 4410, and its reconnect refused."""
    url = f"{server.ws_url}/ws/{target.id}/code?token={target.tokens['candidate']}"
    async with YClient(url) as page:
        await page.synced.wait()
        body = await asyncio.to_thread(erase, server, target.id)
        await wait_until(lambda: page.close_code is not None, what="the page is closed")
        assert page.close_code == CLOSE_ERASED
    again = YClient(url)
    with pytest.raises(Exception, match="403"):
        await again.connect()
    return body


def audit_entry_survives(server: ServerProcess, sid: str, body: dict[str, Any]) -> None:
    lines = httpx.get(
        f"{server.url}/api/audit.jsonl", params={"resource": sid}, headers=owner_headers(server)
    ).text.splitlines()
    [entry] = [e for e in map(json.loads, lines) if e["kind"] == "session.erased"]
    assert entry["actor"]["kind"] == "admin" and entry["ip"] == "127.0.0.1"
    removed = entry["details"]["removed"]
    assert removed == {k: body["removed"][k] for k in ("sessions", "log", "checkpoints", "claims")}
    assert removed["sessions"] == 1 and removed["log"] > 5 and removed["claims"] >= 1
    everything = httpx.get(f"{server.url}/api/audit.jsonl", headers=owner_headers(server)).text
    assert CANDIDATE not in everything and "Interview with" not in everything


_owners: dict[str, dict[str, str]] = {}


def owner_headers(server: ServerProcess) -> dict[str, str]:
    """An owner, added through the real API by the admin token and signed in."""
    if server.url not in _owners:
        email = f"owner-{uuid.uuid4().hex[:6]}@example.com"
        made = httpx.post(f"{server.url}/api/users", json={"email": email, "role": "owner"},
                          headers=ADMIN)  # fmt: skip
        token = made.json()["invite_link"].split("#invite=")[1]
        password = "an owner's long password"
        signed = httpx.post(
            f"{server.url}/api/auth/invite", json={"token": token, "password": password}
        )
        assert signed.status_code == 200, signed.text
        _owners[server.url] = {
            "Cookie": f"pairboard_session={signed.cookies['pairboard_session']}",
            "X-CSRF-Token": signed.json()["csrf_token"],
        }
    return _owners[server.url]


# --- SQLite -------------------------------------------------------------------------------------


def sqlite_rows(path: Path, sid: str) -> dict[str, Any]:
    db = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {
            t: db.execute(f"SELECT * FROM {t} WHERE session_id=? ORDER BY 1,2", (sid,)).fetchall()
            for t in TABLES
        }
        out["sessions"] = db.execute("SELECT * FROM sessions WHERE id=?", (sid,)).fetchall()
        return out
    finally:
        db.close()


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "server", env=ENV)
    server.start()
    yield server
    server.stop()


async def test_erase_on_sqlite_leaves_no_row_or_file_of_the_session_and_spares_another(
    sqlite_server: ServerProcess,
) -> None:
    server = sqlite_server
    target, other = await interview(server, "target"), await interview(server, "other")
    path = server.data_dir / "pairboard.sqlite3"
    before = sqlite_rows(path, target.id)
    assert all(before[t] for t in (*TABLES, "sessions")), {t: len(v) for t, v in before.items()}
    docs = {row[1] for row in before["log"]}
    assert {"code", "console", "signals", "comments", "awareness"} <= docs
    other_before = sqlite_rows(path, other.id)
    attachments = server.data_dir / "attachments"
    assert (attachments / target.id / "extra.csv").is_file()

    body = await erase_while_connected(server, target)
    assert body["removed"]["files"] == 1 and body["connections_closed"] == 1

    assert sqlite_rows(path, target.id) == {t: [] for t in (*TABLES, "sessions")}
    assert not (attachments / target.id).exists()
    await asyncio.sleep(1.0)  # nothing comes back: rooms, checkpoints, the scenario's clock
    assert sqlite_rows(path, target.id) == {t: [] for t in (*TABLES, "sessions")}
    assert sqlite_rows(path, other.id) == other_before
    assert (attachments / other.id / "extra.csv").read_bytes() == b"a,b\n1,2\n"
    gone = httpx.get(f"{server.url}/api/sessions/{target.id}", headers=ADMIN)
    assert (gone.status_code, gone.json()["detail"]) == (404, "no such session")
    audit_entry_survives(server, target.id, body)
    refused = httpx.post(f"{server.url}/api/sessions/{other.id}/erase",
                         json={"confirm": target.id}, headers=ADMIN)  # fmt: skip
    assert (refused.status_code, refused.json()["detail"]) == (
        422,
        "confirm must repeat the session's id",
    )


# --- PostgreSQL behind Redis ------------------------------------------------------------------


async def postgres_rows(dsn: str, sid: str) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        out: dict[str, Any] = {}
        for t in TABLES:
            rows = await conn.fetch(f"SELECT * FROM {t} WHERE session_id=$1 ORDER BY 1,2", sid)
            out[t] = [tuple(r.values()) for r in rows]
        rows = await conn.fetch("SELECT * FROM sessions WHERE id=$1", sid)
        out["sessions"] = [tuple(r.values()) for r in rows]
        return out
    finally:
        await conn.close()


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def redis_keys(client: redis.Redis, prefix: str, sid: str) -> dict[str, Any]:
    keys = sorted(text(k) for k in client.scan_iter(match=f"{prefix}*{sid}*", count=1000))
    members = sorted(text(m) for m in client.smembers(f"{prefix}docs"))
    entries = sum(client.xlen(k) for k in keys if k.startswith(f"{prefix}log:"))
    return {
        "keys": keys,
        "docs": [m for m in members if m.startswith(f"{sid}/")],
        "entries": entries,
    }


async def test_erase_on_postgres_and_redis_leaves_no_row_stream_or_counter_of_the_session(
    tmp_path: Path, postgres_dsn: str
) -> None:
    require_redis()
    prefix = f"pbtest:{uuid.uuid4().hex[:12]}:"
    env = {**ENV, "PAIRBOARD_REDIS_URL": REDIS_URL, "PAIRBOARD_REDIS_PREFIX": prefix,
           "PAIRBOARD_DATABASE_URL": postgres_dsn,
           "PAIRBOARD_REDIS_STREAM_RETENTION_SECONDS": "600"}  # fmt: skip
    server = ServerProcess(tmp_path / "server", env=env)
    client = redis.Redis.from_url(REDIS_URL)
    server.start()
    try:
        target, other = await interview(server, "target"), await interview(server, "other")
        # The mover has copied the log into PostgreSQL; the streams still hold it (retention).
        for sid in (target.id, other.id):
            await wait_until_moved(postgres_dsn, client, prefix, sid)
        before = await postgres_rows(postgres_dsn, target.id)
        assert all(before[t] for t in (*TABLES, "sessions")), {t: len(v) for t, v in before.items()}
        streams = redis_keys(client, prefix, target.id)
        assert streams["entries"] > 5 and any(
            k.startswith(f"{prefix}seq:") for k in streams["keys"]
        )
        other_rows = await postgres_rows(postgres_dsn, other.id)
        other_streams = redis_keys(client, prefix, other.id)

        body = await erase_while_connected(server, target)
        assert body["removed"]["redis_keys"] == len(streams["keys"])

        nothing: dict[str, list[Any]] = {t: [] for t in (*TABLES, "sessions")}
        assert await postgres_rows(postgres_dsn, target.id) == nothing
        assert redis_keys(client, prefix, target.id) == {"keys": [], "docs": [], "entries": 0}
        await asyncio.sleep(1.5)  # several mover rounds: nothing is moved back
        assert await postgres_rows(postgres_dsn, target.id) == nothing
        assert redis_keys(client, prefix, target.id) == {"keys": [], "docs": [], "entries": 0}
        assert await postgres_rows(postgres_dsn, other.id) == other_rows
        assert redis_keys(client, prefix, other.id)["keys"] == other_streams["keys"]
        audit_entry_survives(server, target.id, body)
    finally:
        server.stop()
        delete_prefix(REDIS_URL, prefix)


async def wait_until_moved(dsn: str, client: redis.Redis, prefix: str, sid: str) -> None:
    """Until every stream entry of the session so far is in PostgreSQL's log (the streams keep
    them all: retention is 600 s), so a snapshot of its rows taken next is no longer moving."""
    for _ in range(300):
        rows = await postgres_rows(dsn, sid)
        if rows["log"] and len(rows["log"]) == redis_keys(client, prefix, sid)["entries"]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the mover never moved {sid}")
