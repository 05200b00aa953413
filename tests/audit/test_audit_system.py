"""What the server and its operator do on their own is on record too: the retention task's
deletions (actor `system`) and the CLI's export and import on the data dir (`system`, `cli`)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import add_user, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def retaining(tmp_path: Path) -> Iterator[ServerProcess]:
    # Recordings expire 0.9 s after they end; the task looks every 0.3 s.
    env = {
        "PAIRBOARD_RECORDING_RETENTION_DAYS": "0.00001",
        "PAIRBOARD_RETENTION_CHECK_SECONDS": "0.3",
    }
    server = ServerProcess(tmp_path / "server", env=env)
    server.start()
    yield server
    server.stop()


def audit(server: ServerProcess, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/api/audit", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["entries"]
    return found


def test_the_clis_export_and_import_on_the_data_dir_are_audited(
    server: ServerProcess, tmp_path: Path
) -> None:
    add_user(server, "pia@example.com", "owner")
    pia = sign_in(server, "pia@example.com").headers()
    sid = httpx.post(f"{server.url}/api/sessions", json={}, headers=ADMIN).json()["id"]
    out = tmp_path / "recording.jsonl.gz"
    cli = [sys.executable, "-m", "server.cli"]
    data = ["--data-dir", str(server.data_dir)]
    subprocess.run([*cli, "export", sid, "-o", str(out), *data], check=True, timeout=120)
    [exported] = audit(server, pia, kind="recording.exported", resource=sid)
    assert (exported["actor"], exported["ip"], exported["details"]) == (
        {"kind": "system", "id": None, "email": None, "role": "cli"},
        None,
        {"via": "pairboard export"},
    )
    subprocess.run([*cli, "import", str(out), "--new-id", *data], check=True, timeout=120)
    [imported] = audit(server, pia, kind="recording.imported", actor="system")
    assert imported["details"] == {"entries": 0, "new_id": True, "via": "pairboard import"}
    assert imported["resource"] != sid
    assert httpx.get(f"{server.url}/api/sessions/{imported['resource']}",
                     headers=ADMIN).status_code == 200  # fmt: skip


def test_the_retention_tasks_deletions_are_audited(retaining: ServerProcess) -> None:
    server = retaining
    add_user(server, "opal@example.com", "owner")
    opal = sign_in(server, "opal@example.com").headers()
    sid = httpx.post(f"{server.url}/api/sessions", json={}, headers=ADMIN).json()["id"]
    deadline = time.monotonic() + 60
    while not audit(server, opal, kind="recording.deleted", resource=sid):
        assert time.monotonic() < deadline, "retention never deleted the recording"
        time.sleep(0.2)
    [deleted] = audit(server, opal, kind="recording.deleted", resource=sid)
    assert (deleted["actor"], deleted["ip"], deleted["details"]) == (
        {"kind": "system", "id": None, "email": None, "role": None},
        None,
        {"by": "retention", "retention_days": 0.00001},
    )
    assert httpx.get(f"{server.url}/api/sessions/{sid}", headers=ADMIN).status_code == 404
