"""`state?at=` holds a notebook session's file tree and its notebook (as .ipynb JSON, outputs
included) at each instant: files created, renamed (deleted and created again, as the tabs do)
and deleted between two instants, a cell edited and run again between them."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import pytest
from pycrdt import Array, Map, Text

from tests.replay.live import LiveServer, _wait_durable, admin, bearer, kernels_available, now_ms
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.asyncio(loop_scope="package")

IPYNB = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {},
    "cells": [
        {"id": "intro", "cell_type": "markdown", "source": "# EDA", "metadata": {}},
        {
            "id": "c1",
            "cell_type": "code",
            "source": "print('hi')",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        },
    ],
}


def need_kernels() -> None:
    if not kernels_available():
        if os.environ.get("PAIRBOARD_REQUIRE_KERNELS") == "1":
            pytest.fail("no kernel env: run `make kernel-env`")
        pytest.skip("no kernel env: run `make kernel-env` (cell runs need a real kernel)")


async def run_cell(live: LiveServer, sid: str, token: str, printed: str) -> None:
    """Shift-Enter on cell c1 through the real API and a sandboxed kernel."""
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        started = await http.post(
            f"/api/sessions/{sid}/notebook/runs", json={"cells": ["c1"]}, headers=bearer(token)
        )
        assert started.status_code == 202, started.text
        (run_id,) = started.json()["run_ids"]
        deadline = time.monotonic() + 120  # the first run may wait for a kernel to start
        while True:
            run = (
                await http.get(f"/api/sessions/{sid}/runs/{run_id}", headers=bearer(token))
            ).json()
            if run["status"] not in ("running", "queued"):
                break
            assert time.monotonic() < deadline, "cell still running after 120 s"
            await asyncio.sleep(0.05)
    assert run["status"] == "ok", run
    assert run["outputs"] == [{"type": "stream", "name": "stdout", "text": printed + "\n"}]


async def instant(live: LiveServer, sid: str, created_at_ms: int, *clients: YClient) -> int:
    """Now, once every client's edits are durable; the clock moves on before returning, so
    nothing later carries this instant's millisecond."""
    for client, doc in clients_docs(clients):
        await _wait_durable(live, sid, doc, client)
    at = now_ms() - created_at_ms
    await wait_until(lambda: now_ms() > created_at_ms + at + 1, what="the clock to move on")
    return at


def clients_docs(clients: tuple[YClient, ...]) -> list[tuple[YClient, str]]:
    return [(c, c.url.split("/")[-1].split("?")[0]) for c in clients]


async def test_state_at_two_instants_holds_each_instants_file_tree_and_notebook(
    live: LiveServer,
) -> None:
    need_kernels()
    async with httpx.AsyncClient(base_url=live.url, timeout=60) as http:
        created = (
            await http.post(
                "/api/sessions", json={"title": "files", "mode": "notebook"}, headers=admin()
            )
        ).json()
        sid, tokens = created["id"], created["tokens"]
        put = await http.put(
            f"/api/sessions/{sid}/notebook", json=IPYNB, headers=bearer(tokens["interviewer"])
        )
        assert put.status_code == 200, put.text
    record = await live.app.state.services.sessions.get(sid)
    code = YClient(live.ws(sid, "code", tokens["candidate"]))
    notebook = YClient(live.ws(sid, "notebook", tokens["candidate"]))
    await code.connect()
    await notebook.connect()
    try:
        await wait_until(lambda: code.synced.is_set() and notebook.synced.is_set(), what="sync")
        files = code.doc.get("files", type=Map)
        code.text.insert(0, "from utils import f\n")
        files["utils.py"] = Text("def f():\n    return 1\n")
        files["pkg/helpers.py"] = Text("H = 2\n")
        files["notes.txt"] = Text("todo\n")
        await run_cell(live, sid, tokens["candidate"], "hi")
        first = await instant(live, sid, record.created_at_ms, code, notebook)

        text = str(files["utils.py"])  # renamed as the tabs rename: delete, then set again
        del files["utils.py"]
        files["tools.py"] = Text(text)
        del files["notes.txt"]
        files["new.py"] = Text("print('new')\n")
        source = notebook.doc.get("cells", type=Array)[1]["source"]
        del source[0 : len(source)]
        source.insert(0, "print('bye')")
        await _wait_durable(live, sid, "notebook", notebook)
        await run_cell(live, sid, tokens["candidate"], "bye")
        second = await instant(live, sid, record.created_at_ms, code, notebook)
    finally:
        await code.close()
        await notebook.close()

    async with httpx.AsyncClient(base_url=live.url, timeout=60) as http:
        states = [
            (
                await http.get(
                    f"/api/sessions/{sid}/state",
                    params={"at": at},
                    headers=bearer(tokens["observer"]),
                )
            ).json()
            for at in (first, second)
        ]
    before, after = (s["code"] for s in states)
    assert list(before["tree"].items()) == [
        ("main.py", "from utils import f\n"),
        ("notes.txt", "todo\n"),
        ("pkg/helpers.py", "H = 2\n"),
        ("utils.py", "def f():\n    return 1\n"),
    ]
    assert list(after["tree"].items()) == [
        ("main.py", "from utils import f\n"),
        ("new.py", "print('new')\n"),
        ("pkg/helpers.py", "H = 2\n"),
        ("tools.py", "def f():\n    return 1\n"),
    ]
    assert after["files"] == {k: v for k, v in after["tree"].items() if k != "main.py"}
    assert (before["main_file"], after["main_file"]) == ("main.py", "main.py")

    nb_before, nb_after = (s["notebook"]["ipynb"] for s in states)
    assert [(c["id"], c["source"]) for c in nb_before["cells"]] == [
        ("intro", "# EDA"),
        ("c1", "print('hi')"),
    ]
    assert nb_before["cells"][1]["execution_count"] == 1
    assert nb_before["cells"][1]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "hi\n"}
    ]
    assert nb_after["cells"][1]["source"] == "print('bye')"
    assert nb_after["cells"][1]["execution_count"] == 2
    assert nb_after["cells"][1]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "bye\n"}
    ]
