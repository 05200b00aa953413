"""kill -9 at any moment loses nothing another client had seen; load is checkpoint + merged tail."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until


@pytest.fixture
def own_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    # A small checkpoint interval so the restart loads a checkpoint *and* a tail.
    proc = ServerProcess(tmp_path / "data", env={"PAIRBOARD_CHECKPOINT_INTERVAL": "25"})
    proc.start()
    yield proc
    proc.stop()


async def test_edits_seen_by_another_client_survive_kill_9(own_server: ServerProcess) -> None:
    s = own_server.create_session()
    code = f"{own_server.ws_url}/ws/{s['id']}/code"
    board = f"{own_server.ws_url}/ws/{s['id']}/board"
    async with (
        YClient(f"{code}?token={s['tokens']['interviewer']}") as a,
        YClient(f"{code}?token={s['tokens']['candidate']}") as b,
    ):
        await asyncio.gather(a.synced.wait(), b.synced.wait())
        for i in range(60):
            (a if i % 2 else b).text.insert(0, f"{i},")
        expected = None

        def b_has_all() -> bool:
            return all(f"{i}," in str(a.text) for i in range(0, 60, 2)) and str(a.text) == str(
                b.text
            )

        await wait_until(b_has_all, what="both see all 60 edits")
        expected = str(a.text)
        own_server.kill()

    own_server.start()
    async with YClient(f"{code}?token={s['tokens']['observer']}") as fresh:
        await wait_until(lambda: str(fresh.text) == expected, what="state after kill -9")
    db = sqlite3.connect(own_server.data_dir / "pairboard.sqlite3")
    rows = db.execute("SELECT COUNT(*) FROM log WHERE session_id=? AND doc='code'", (s["id"],))
    assert rows.fetchone()[0] == 60
    assert board  # the board doc was never opened: nothing logged for it
    assert db.execute("SELECT COUNT(*) FROM log WHERE doc='board'").fetchone()[0] == 0
