"""Data files through a real server and real kernels: a scenario's shipped files are in the
session kernel's `data/` before the first run, and an interviewer's attachment reaches the live
kernel read-only; refusals are 4xx for that caller only. In-process app (one for the module)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kernels.sandbox.layers import SandboxReport
from server.app import create_app
from server.settings import Settings
from tests.kernels.local_support import quick_settings

ADMIN = {"Authorization": "Bearer test-admin-token"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data, admin_token="test-admin-token", attachment_max_bytes=1024)
    app = create_app(settings, quick_settings(pool_size=1, run_timeout_seconds=60.0))
    with TestClient(app) as test_client:
        yield test_client


def run(client: TestClient, sid: str, code: str) -> list[dict[str, Any]]:
    r = client.post(f"/api/sessions/{sid}/runs", json={"code": code}, headers=ADMIN)
    assert r.status_code == 202, r.text
    client.portal.call(client.app.state.services.runs.wait_idle, sid)  # type: ignore[attr-defined]
    body = client.get(f"/api/sessions/{sid}/runs/{r.json()['run_id']}", headers=ADMIN).json()
    outputs: list[dict[str, Any]] = body["outputs"]
    return outputs


def stdout(outputs: list[dict[str, Any]]) -> str:
    return "".join(o["text"] for o in outputs if o.get("name") == "stdout")


def test_a_scenarios_data_files_are_in_data_before_the_first_run(
    client: TestClient, sandbox_layers: SandboxReport
) -> None:
    created = client.post(
        "/api/sessions", json={"scenario": "embedding-retrieval-eval"}, headers=ADMIN
    ).json()
    code = (
        "import os\nprint(sorted(os.listdir('data')))\n"
        "print(open('data/qrels.csv').readline(), end='')\nprint(len(doc_ids), len(qrels))"
    )
    assert stdout(run(client, created["id"], code)) == (
        "['corpus.csv', 'embeddings.npz', 'qrels.csv', 'queries.csv']\n"
        "query_id,doc_id,grade\n32 17\n"
    )


def test_an_attachment_reaches_the_live_kernel_read_only(
    client: TestClient, sandbox_layers: SandboxReport
) -> None:
    created = client.post("/api/sessions", json={}, headers=ADMIN).json()
    sid, tokens = created["id"], created["tokens"]
    assert stdout(run(client, sid, "print('warm')")) == "warm\n"  # the kernel is live already
    interviewer = {"Authorization": f"Bearer {tokens['interviewer']}"}
    url = f"/api/sessions/{sid}/data/extra.csv"
    r = client.put(url, content=b"a,b\n1,2\n", headers=interviewer)
    assert r.status_code == 201, r.text
    assert r.json() == {
        "name": "extra.csv",
        "size": 8,
        "sha256": "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470",
    }
    code = (
        "print(open('data/extra.csv').read(), end='')\n"
        "try:\n    open('data/extra.csv', 'w')\nexcept OSError as e:\n    print(type(e).__name__)"
    )
    assert stdout(run(client, sid, code)) == "a,b\n1,2\nOSError\n"


def test_attachments_are_refused_with_a_reason_for_that_caller_only(client: TestClient) -> None:
    created = client.post("/api/sessions", json={}, headers=ADMIN).json()
    sid, tokens = created["id"], created["tokens"]
    interviewer = {"Authorization": f"Bearer {tokens['interviewer']}"}
    candidate = {"Authorization": f"Bearer {tokens['candidate']}"}

    def put(name: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        r = client.put(f"/api/sessions/{sid}/data/{name}", content=body, headers=headers)
        return r.status_code, r.json()["detail"]

    assert put("x.csv", b"a\n", candidate)[0] == 403
    assert put("big.csv", b"a" * 1025, interviewer) == (413, "attachment larger than 1024 bytes")
    assert put("pic.png", b"not a png", interviewer) == (415, "'pic.png' is not a PNG image")
    assert put("run.sh", b"echo", interviewer) == (
        422,
        "'run.sh': type .sh is not one of .csv, .jpeg, .jpg, .json, .jsonl, .npy, .npz, "
        ".parquet, .png, .tsv, .txt",
    )
