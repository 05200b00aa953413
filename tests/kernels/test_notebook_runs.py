"""Notebook mode through a real server with real sandboxed kernels and real websocket clients.

Two participants edit the `notebook` doc (JupyterLab's model) as JupyterLab would; a cell run is
a `console.runs` entry with the cell's id and its execution count; Run all stops after a failing
cell; the exported `.ipynb` validates and imports back to the same cells.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest
from jupyter_ydoc import YNotebook
from pycrdt import Map, Text

from kernels.sandbox.layers import SandboxReport
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

DONE = {"ok", "error", "interrupted", "timeout", "killed", "cancelled"}
CELLS = [
    {"id": "md", "cell_type": "markdown", "source": "# Notebook", "metadata": {}},
    {"id": "a", "cell_type": "code", "source": "x = 40", "metadata": {}},
    {"id": "b", "cell_type": "code", "source": "x + 2", "metadata": {}},
    {"id": "c", "cell_type": "code", "source": "raise ValueError('planted')", "metadata": {}},
    {"id": "d", "cell_type": "code", "source": "print('never')", "metadata": {}},
]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, sandbox_layers: SandboxReport
) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("notebook-server")),
        env={"PAIRBOARD_KERNEL_POOL_SIZE": "1", "PAIRBOARD_KERNEL_PRELOAD_CODE": ""},
    )
    proc.start()
    yield proc
    proc.stop()


# Generous: the first notebook import or export may wait for nbformat's import (seconds on a
# loaded machine; see server/notebook.py).
TIMEOUT = 60.0


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ipynb(cells: list[dict[str, Any]]) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict(c) for c in cells]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.update(outputs=[], execution_count=None)
    return nbformat.writes(nb).encode()


def wait_runs(
    server: ServerProcess, sid: str, run_ids: list[str], token: str
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = [
            httpx.get(
                f"{server.url}/api/sessions/{sid}/runs/{r}", headers=auth(token), timeout=TIMEOUT
            ).json()
            for r in run_ids
        ]
        if all(run["status"] in DONE for run in runs):
            return runs
        time.sleep(0.05)
    raise AssertionError(f"runs {run_ids} not done after 60 s")


def run_cells(server: ServerProcess, sid: str, token: str, **body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/sessions/{sid}/notebook/runs", json=body, headers=auth(token), timeout=30
    )


async def test_cells_typed_by_both_converge_and_a_cell_run_reaches_everyone(
    server: ServerProcess,
) -> None:
    s = server.create_session()
    sid, tokens = s["id"], s["tokens"]
    put = httpx.put(
        f"{server.url}/api/sessions/{sid}/notebook",
        content=ipynb(CELLS[:3]),
        headers=auth(tokens["interviewer"]),
        timeout=TIMEOUT,
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"cells": 3}
    base = f"{server.ws_url}/ws/{sid}/notebook"
    async with (
        YClient(f"{base}?token={tokens['candidate']}") as candidate,
        YClient(f"{base}?token={tokens['interviewer']}") as interviewer,
    ):
        await wait_until(candidate.synced.is_set, what="candidate synced")
        await wait_until(interviewer.synced.is_set, what="interviewer synced")
        mine, theirs = YNotebook(candidate.doc), YNotebook(interviewer.doc)
        await wait_until(lambda: mine.cell_number == 3 and theirs.cell_number == 3, what="cells")
        mine.ycells[1]["source"].insert(len(str(mine.ycells[1]["source"])), " + 1")  # x = 41
        theirs.ycells[2]["source"].insert(0, "y = ")  # y = x + 2
        theirs.append_cell({"id": "e", "cell_type": "code", "source": "y", "metadata": {}})
        want = ["# Notebook", "x = 40 + 1", "y = x + 2", "y"]

        def sources(nb: YNotebook) -> list[str]:
            return [c["source"] for c in nb.get()["cells"]]

        await wait_until(lambda: sources(mine) == sources(theirs) == want, what="converged")
        r = run_cells(server, sid, tokens["candidate"], all=True)
        assert r.status_code == 202, r.text
        runs = wait_runs(server, sid, r.json()["run_ids"], tokens["observer"])
    assert [(run["status"], run["code"]) for run in runs] == [
        ("ok", "x = 40 + 1"),
        ("ok", "y = x + 2"),
        ("ok", "y"),
    ]
    assert runs[2]["outputs"] == [{"type": "result", "data": {"text/plain": "43"}}]
    exported = httpx.get(
        f"{server.url}/api/sessions/{sid}/notebook.ipynb", headers=auth(tokens["observer"])
    )
    assert exported.status_code == 200
    nb = nbformat.reads(exported.text, as_version=4)
    nbformat.validate(nb)
    assert [c.get("execution_count") for c in nb.cells] == [None, 1, 2, 3]
    assert nb.cells[3].outputs == [
        {
            "output_type": "execute_result",
            "data": {"text/plain": "43"},
            "metadata": {},
            "execution_count": 3,
        }
    ]


def test_run_all_stops_after_a_failing_cell_as_jupyter_does(server: ServerProcess) -> None:
    s = server.create_session()
    sid, tokens = s["id"], s["tokens"]
    httpx.put(
        f"{server.url}/api/sessions/{sid}/notebook",
        content=ipynb(CELLS),
        headers=auth(tokens["interviewer"]),
        timeout=TIMEOUT,
    ).raise_for_status()
    r = run_cells(server, sid, tokens["interviewer"], all=True)
    assert r.status_code == 202
    runs = wait_runs(server, sid, r.json()["run_ids"], tokens["interviewer"])
    assert [run["status"] for run in runs] == ["ok", "ok", "error", "cancelled"]
    assert runs[2]["outputs"][0]["ename"] == "ValueError"
    assert runs[3]["outputs"] == []
    # Shift-Enter on one cell: the kernel kept its state, the count goes on.
    one = run_cells(server, sid, tokens["candidate"], cells=["b"])
    (run,) = wait_runs(server, sid, one.json()["run_ids"], tokens["candidate"])
    assert run["outputs"] == [{"type": "result", "data": {"text/plain": "42"}}]
    nb = json.loads(
        httpx.get(
            f"{server.url}/api/sessions/{sid}/notebook.ipynb", headers=auth(tokens["candidate"])
        ).text
    )
    assert [c.get("execution_count") for c in nb["cells"]] == [None, 1, 4, 3, None]


def test_bad_cell_runs_and_imports_are_4xx_with_a_reason(server: ServerProcess) -> None:
    s = server.create_session()
    sid, tokens = s["id"], s["tokens"]
    httpx.put(
        f"{server.url}/api/sessions/{sid}/notebook",
        content=ipynb(CELLS),
        headers=auth(tokens["interviewer"]),
        timeout=TIMEOUT,
    ).raise_for_status()
    cases = [
        (run_cells(server, sid, tokens["candidate"], cells=["nope"]), 422, "no cell 'nope'"),
        (run_cells(server, sid, tokens["candidate"], cells=["md"]), 422, "markdown cell"),
        (run_cells(server, sid, tokens["candidate"], cells=["a"], all=True), 422, "either"),
        (run_cells(server, sid, tokens["observer"], cells=["a"]), 403, "observer"),
        (
            httpx.put(
                f"{server.url}/api/sessions/{sid}/notebook",
                content=b"{oops",
                headers=auth(tokens["interviewer"]),
                timeout=TIMEOUT,
            ),
            422,
            "not JSON",
        ),
        (
            httpx.put(
                f"{server.url}/api/sessions/{sid}/notebook",
                content=ipynb(CELLS),
                headers=auth(tokens["candidate"]),
                timeout=TIMEOUT,
            ),
            403,
            "candidate",
        ),
    ]
    for response, status, reason in cases:
        assert response.status_code == status, response.text
        assert reason in response.json()["detail"]


async def test_a_cell_imports_the_project_files_and_sees_an_edited_module(
    server: ServerProcess,
) -> None:
    """Cells run in a kernel whose directory mirrors `code.files`, exactly as a file run's:
    `from utils import f` works in a cell, an edit to utils.py is what the next cell imports,
    and a file deleted from the project is gone from the kernel's directory."""
    s = server.create_session()
    sid, tokens = s["id"], s["tokens"]
    exists = "import os\nos.path.exists('utils.py')"
    cells = [
        {"id": "imp", "cell_type": "code", "source": "from utils import f\nf(20)", "metadata": {}},
        {"id": "ls", "cell_type": "code", "source": exists, "metadata": {}},
    ]
    httpx.put(
        f"{server.url}/api/sessions/{sid}/notebook",
        content=ipynb(cells),
        headers=auth(tokens["interviewer"]),
        timeout=TIMEOUT,
    ).raise_for_status()
    code_url = f"{server.ws_url}/ws/{sid}/code?token="
    async with (
        YClient(code_url + tokens["candidate"]) as candidate,
        YClient(code_url + tokens["observer"]) as observer,
    ):
        await wait_until(candidate.synced.is_set, what="candidate synced")
        await wait_until(observer.synced.is_set, what="observer synced")
        files = candidate.doc.get("files", type=Map)
        seen = observer.doc.get("files", type=Map)

        def relayed(text: str | None) -> bool:
            """The server holds the edit: it reached another participant."""
            return (str(seen["utils.py"]) if "utils.py" in seen else None) == text

        first = "def f(x):\n    return x + 1\n"
        files["utils.py"] = Text(first)
        await wait_until(lambda: relayed(first), what="utils.py relayed")
        assert cell_result(server, sid, tokens["candidate"], "imp") == "21"

        utils = files["utils.py"]
        utils.insert(len(first) - 1, " + 100")
        await wait_until(lambda: relayed(first[:-1] + " + 100\n"), what="edit relayed")
        assert cell_result(server, sid, tokens["candidate"], "imp") == "121"

        assert cell_result(server, sid, tokens["candidate"], "ls") == "True"
        del files["utils.py"]
        await wait_until(lambda: relayed(None), what="delete relayed")
        assert cell_result(server, sid, tokens["candidate"], "ls") == "False"


def cell_result(server: ServerProcess, sid: str, token: str, cell: str) -> str:
    """Run one cell (Shift-Enter); the text/plain of its result."""
    r = run_cells(server, sid, token, cells=[cell])
    assert r.status_code == 202, r.text
    (run,) = wait_runs(server, sid, r.json()["run_ids"], token)
    assert run["status"] == "ok", run
    (out,) = [o for o in run["outputs"] if o["type"] == "result"]
    text: str = out["data"]["text/plain"]
    return text
