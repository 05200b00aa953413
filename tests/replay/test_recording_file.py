"""A recording exports to one file that imports into another server and replays identically."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.replay.live import LiveServer, Recorded, admin
from tests.support.server import ADMIN_TOKEN, ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="package")


def states(url: str, session_id: str, instants: list[int]) -> list[object]:
    return [
        httpx.get(
            f"{url}/api/sessions/{session_id}/state", params={"at": at}, headers=admin()
        ).json()
        for at in instants
    ]


async def test_http_export_imports_into_a_second_server_with_identical_states(
    live: LiveServer, recorded: Recorded, second_server: ServerProcess, tmp_path: Path
) -> None:
    sid = recorded.session_id
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        exported = await http.get(f"/api/sessions/{sid}/export", headers=admin())
    assert exported.status_code == 200
    lines = gzip.decompress(exported.content).splitlines()
    header, trailer = json.loads(lines[0]), json.loads(lines[-1])
    assert header["format"] == "pairboard-recording" and header["version"] == 1
    assert trailer["t"] == "end" and trailer["entries"] == sum(
        1 for line in lines if json.loads(line).get("t") == "e"
    )

    imported = httpx.post(
        f"{second_server.url}/api/recordings", content=exported.content, headers=admin()
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["id"] == sid
    instants = [at for at, _ in recorded.instants]
    assert states(second_server.url, sid, instants) == [e for _, e in recorded.instants]
    view = httpx.get(f"{second_server.url}/api/sessions/{sid}", headers=admin()).json()
    assert view["state"] == "ended" and view["title"] == "replay"

    again = httpx.post(
        f"{second_server.url}/api/recordings", content=exported.content, headers=admin()
    )
    assert again.status_code == 409 and "already exists" in again.json()["detail"]


async def test_cli_export_and_import_with_a_new_id_replay_identically(
    live: LiveServer, recorded: Recorded, second_server: ServerProcess, tmp_path: Path
) -> None:
    out = tmp_path / "rec.jsonl.gz"
    cli = [sys.executable, "-m", "server.cli"]
    # Blocking on purpose: the in-process server is not needed while the CLI runs.
    exported = subprocess.run(  # noqa: ASYNC221
        # `--`: a session id may start with "-" (token_urlsafe's alphabet).
        [*cli, "export", "-o", str(out), "--data-dir", str(live.settings.data_dir),
         "--", recorded.session_id],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "100%" in exported.stderr  # the progress bar reached its end
    imported = subprocess.run(  # noqa: ASYNC221
        [*cli, "import", str(out), "--new-id", "--server", second_server.url],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PAIRBOARD_ADMIN_TOKEN": ADMIN_TOKEN, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    new_id = imported.stdout.split()[-1]
    assert new_id != recorded.session_id
    instants = [at for at, _ in recorded.instants]
    assert states(second_server.url, new_id, instants) == [e for _, e in recorded.instants]


async def test_cli_export_reads_the_store_that_database_url_names_not_the_data_dir(
    live: LiveServer, recorded: Recorded, tmp_path: Path
) -> None:
    """A deployment's `PAIRBOARD_DATABASE_URL` is where its sessions are; an empty data dir
    beside it must not make `pairboard export` look elsewhere."""
    out = tmp_path / "rec.jsonl.gz"
    database = live.settings.data_dir.resolve() / "pairboard.sqlite3"
    exported = subprocess.run(  # noqa: ASYNC221
        [sys.executable, "-m", "server.cli", "export", "-o", str(out),
         "--data-dir", str(tmp_path / "empty"), "--", recorded.session_id],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PAIRBOARD_DATABASE_URL": f"sqlite:///{database}"},
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    with gzip.open(out, "rt") as f:
        header = json.loads(f.readline())
    assert header["session"]["id"] == recorded.session_id


async def test_truncated_and_foreign_files_are_refused_with_the_reason(
    second_server: ServerProcess,
) -> None:
    def post(body: bytes) -> httpx.Response:
        return httpx.post(f"{second_server.url}/api/recordings", content=body, headers=admin())

    session = {"id": "x1", "title": "t", "created_at_ms": 1, "state": "ended"}
    header = {"format": "pairboard-recording", "version": 1, "session": session}
    truncated = gzip.compress(json.dumps(header).encode() + b"\n")
    response = post(truncated)
    assert response.status_code == 422 and "no end marker" in response.json()["detail"]
    response = post(gzip.compress(b'{"format": "something-else"}\n'))
    assert response.status_code == 422 and "not a pairboard-recording" in response.json()["detail"]
    newer = gzip.compress(json.dumps({**header, "version": 99}).encode() + b"\n")
    assert "unsupported recording version" in post(newer).json()["detail"]
    forbidden = httpx.post(f"{second_server.url}/api/recordings", content=truncated)
    assert forbidden.status_code == 401
