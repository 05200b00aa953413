"""Hidden runs (scenario setup, injected faults) use the session's kernel but write no console
entry: the candidate sees their effect, not their code. In-process app, real kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pycrdt import Array

from kernels.provider import Stream
from kernels.sandbox.layers import SandboxReport
from server.app import create_app
from server.runs import Runs
from server.settings import Settings


def test_hidden_code_runs_in_the_session_kernel_without_a_console_entry(
    tmp_path: Path, sandbox_layers: SandboxReport
) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", admin_token="test-admin-token"))
    with TestClient(app) as client:
        created = client.post(
            "/api/sessions", json={}, headers={"Authorization": "Bearer test-admin-token"}
        ).json()
        sid = created["id"]
        runs: Runs = app.state.services.runs
        events = client.portal.call(runs.run_hidden, sid, "secret_dataset = [3, 1, 2]\nprint('ok')")
        assert "".join(e.text for e in events if isinstance(e, Stream)) == "ok\n"
        doc: Any = client.portal.call(app.state.services.rooms.read, sid, "console")
        assert len(doc.get("runs", type=Array)) == 0
        r = client.post(
            f"/api/sessions/{sid}/runs",
            json={"code": "print(sorted(secret_dataset))"},
            headers={"Authorization": f"Bearer {created['tokens']['candidate']}"},
        )
        assert r.status_code == 202
        client.portal.call(runs.wait_idle, sid)
        body = client.get(
            f"/api/sessions/{sid}/runs/{r.json()['run_id']}",
            headers={"Authorization": "Bearer test-admin-token"},
        ).json()
        assert body["outputs"] == [{"type": "stream", "name": "stdout", "text": "[1, 2, 3]\n"}]
