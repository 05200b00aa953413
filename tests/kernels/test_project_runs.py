"""Multi-file projects through a real server, real kernels and real websocket clients: a run
imports across files as everyone sees them, an edit to a module is picked up, the entry point
can be chosen, and the limits refuse a run with the reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Map, Text

from kernels.sandbox.layers import SandboxReport
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

DONE = {"ok", "error", "interrupted", "timeout", "killed"}


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, sandbox_layers: SandboxReport
) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("project-server")),
        env={
            "PAIRBOARD_KERNEL_POOL_SIZE": "1",
            "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
            "PAIRBOARD_PROJECT_MAX_FILES": "2",
            "PAIRBOARD_PROJECT_MAX_FILE_BYTES": "2000",
        },
    )
    proc.start()
    yield proc
    proc.stop()


def run(server: ServerProcess, sid: str, token: str, **body: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{server.url}/api/sessions/{sid}/runs", json=body, headers=headers, timeout=30)
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got: dict[str, Any] = httpx.get(
            f"{server.url}/api/sessions/{sid}/runs/{r.json()['run_id']}", headers=headers
        ).json()
        if got["status"] in DONE:
            return got
        time.sleep(0.05)
    raise AssertionError("run not done after 60 s")


def stdout(result: dict[str, Any]) -> str:
    return "".join(o["text"] for o in result["outputs"] if o["type"] == "stream")


async def test_a_run_imports_across_the_files_everyone_sees(server: ServerProcess) -> None:
    s = server.create_session()
    sid, tokens = s["id"], s["tokens"]
    url = f"{server.ws_url}/ws/{sid}/code"
    async with (
        YClient(f"{url}?token={tokens['candidate']}") as candidate,
        YClient(f"{url}?token={tokens['interviewer']}") as interviewer,
    ):
        await wait_until(candidate.synced.is_set, what="synced")
        await wait_until(interviewer.synced.is_set, what="synced")
        candidate.text.insert(0, "from helpers.maths import double\nprint(double(21))\n")
        files = interviewer.doc.get("files", type=Map)
        files["helpers/maths.py"] = Text("def double(x):\n    return 2 * x\n")
        seen = candidate.doc.get("files", type=Map)
        await wait_until(lambda: "helpers/maths.py" in seen, what="file relayed")
        await wait_until(lambda: "double(21)" in str(interviewer.text), what="edit relayed")
        first = run(server, sid, tokens["candidate"])
        assert (first["status"], stdout(first)) == ("ok", "42\n")

        # An edit to the module is what the next run imports (no stale sys.modules entry).
        maths = seen["helpers/maths.py"]
        maths.insert(len(str(maths)) - 1, " + 1")
        await wait_until(lambda: "2 * x + 1" in str(files["helpers/maths.py"]), what="edit")
        assert stdout(run(server, sid, tokens["interviewer"])) == "43\n"

        # The entry point is the caller's choice; a file that does not exist is a 422.
        files["show.py"] = Text("import helpers.maths as m\nprint(m.double(1))\n")
        await wait_until(lambda: "show.py" in seen, what="file relayed")
        assert stdout(run(server, sid, tokens["candidate"], entry="show.py")) == "3\n"
        missing = httpx.post(
            f"{server.url}/api/sessions/{sid}/runs",
            json={"entry": "nope.py"},
            headers={"Authorization": f"Bearer {tokens['candidate']}"},
            timeout=30,
        )
        assert missing.status_code == 422 and "no file 'nope.py'" in missing.json()["detail"]

        # Deleted for everyone: gone from the kernel's directory too.
        del files["helpers/maths.py"]
        await wait_until(lambda: "helpers/maths.py" not in seen, what="delete relayed")
        gone = run(server, sid, tokens["candidate"], entry="show.py")
        assert gone["status"] == "error"
        assert [o["ename"] for o in gone["outputs"] if o["type"] == "error"] == [
            "ModuleNotFoundError"
        ]

        # Down to the entry file alone: the last other file is gone from the kernel too.
        del files["show.py"]
        await wait_until(lambda: "show.py" not in seen, what="delete relayed")
        alone = run(
            server, sid, tokens["candidate"], code="import os\nprint(os.path.exists('show.py'))"
        )
        assert stdout(alone) == "False\n"


async def test_a_project_over_its_limits_is_refused_with_the_reason(server: ServerProcess) -> None:
    s = server.create_session()
    sid, tokens = s["id"], s["tokens"]
    async with YClient(f"{server.ws_url}/ws/{sid}/code?token={tokens['candidate']}") as client:
        await wait_until(client.synced.is_set, what="synced")
        files = client.doc.get("files", type=Map)
        for name in ("a.py", "b.py", "c.py"):
            files[name] = Text("x = 1\n")
        headers = {"Authorization": f"Bearer {tokens['candidate']}"}

        def refused() -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/sessions/{sid}/runs", json={}, headers=headers, timeout=30
            )

        await wait_until(lambda: refused().status_code == 413, what="three files refused")
        assert refused().json()["detail"] == "the project has 3 files; the limit is 2"
        del files["c.py"]
        files["b.py"] = Text("y" * 2001)
        await wait_until(lambda: "b.py is 2001" in refused().text, what="big file refused")
        assert refused().status_code == 413
