"""An in-process Pairboard server on a real socket, and a scripted live session recorded on it.

In-process (uvicorn in the test's event loop) because the script makes the server-side console
edits the kernels and the scenario runner make, through the same `RoomRegistry.edit` they call:
a run (started, output, finished) and a scenario banner. Clients are real y-websocket clients.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pycrdt import Array, Doc, Map, Text

from kernels.settings import KernelSettings
from server.app import create_app
from server.notebook import notebook_json
from server.replay.state import board_view, code_view, console_view, notes_view
from server.settings import Settings
from tests.support.server import ADMIN_TOKEN, free_port
from tests.support.yclient import YClient, wait_until


def now_ms() -> int:
    return int(time.time() * 1000)


class LiveServer:
    def __init__(self, data_dir: Path, **settings: Any) -> None:
        self.port = free_port()
        self.settings = Settings(
            host="127.0.0.1",
            port=self.port,
            data_dir=data_dir,
            admin_token=ADMIN_TOKEN,
            log_level="warning",
            **settings,
        )
        self.app: FastAPI = create_app(self.settings)
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws(self, session_id: str, doc: str, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/{session_id}/{doc}?token={token}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        await wait_until(lambda: self._server.started, timeout=30, what="in-process server")

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task

    async def edit(self, session_id: str, doc: str, change: Any) -> None:
        await self.app.state.services.rooms.edit(session_id, doc, change)


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Recorded:
    """What the clients had at each instant (ms since creation), to compare with the replay."""

    session_id: str
    tokens: dict[str, str]
    created_at_ms: int
    instants: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    run_id: str = ""
    real_run: bool = False  # False: no kernel env here, the run was written as the server would


def _elements(doc: Doc[Any]) -> Map:
    return doc.get("elements", type=Map)


def _same(a: YClient, b: YClient) -> bool:
    """Same content: each client's edits have reached the other, so the server logged them."""
    return all(view(a.doc) == view(b.doc) for view in (code_view, board_view))


async def _converged(*pairs: tuple[YClient, YClient]) -> None:
    for a, b in pairs:
        await wait_until(lambda a=a, b=b: _same(a, b), what="clients converge")


async def _snapshot(
    rec: Recorded, code: YClient, board: YClient, console: YClient, notes: YClient
) -> None:
    """The instant right now and every doc as the clients hold it; then let the clock move on,
    so nothing written after this call carries this instant's millisecond."""
    at = now_ms() - rec.created_at_ms
    rec.instants.append(
        (
            at,
            {
                "at": at,
                "code": code_view(code.doc),
                "board": board_view(board.doc),
                "console": console_view(console.doc),
                "notes": notes_view(notes.doc),
                # This session has no notebook: the empty one, with no cell runs to show.
                "notebook": {"ipynb": notebook_json(Doc(), console.doc)},
            },
        )
    )
    await asyncio.sleep(max(0, rec.created_at_ms + at + 1 - now_ms()) / 1000)
    await wait_until(lambda: now_ms() > rec.created_at_ms + at, what="the clock to move on")


SIMULATED_RUN = "run-1"


def kernels_available() -> bool:
    return (KernelSettings().env_dir / "bin" / "python").exists()


async def _run(server: LiveServer, sid: str, token: str) -> tuple[str, bool]:
    """The candidate runs `print(2)` through the real runs API and a real sandboxed kernel.

    Without a kernel env on this machine (outside `make test`), the run is written into the
    console the way the runs service writes it, through the same `RoomRegistry.edit`."""
    if not kernels_available():
        await server.edit(sid, "console", _start_run)
        await server.edit(sid, "console", _finish_run)
        return SIMULATED_RUN, False
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        started = await http.post(
            f"/api/sessions/{sid}/runs", json={"code": "print(2)"}, headers=bearer(token)
        )
        assert started.status_code == 202, started.text
        run_id: str = started.json()["run_id"]
        deadline = time.monotonic() + 120  # the first run may wait for a kernel to start
        while True:
            run = await http.get(f"/api/sessions/{sid}/runs/{run_id}", headers=bearer(token))
            if run.json()["status"] != "running":
                break
            assert time.monotonic() < deadline, "run still running after 120 s"
            await asyncio.sleep(0.05)
    return run_id, True


def _start_run(doc: Doc[Any]) -> None:
    run = Map(
        {
            "id": SIMULATED_RUN,
            "author": "Candidate",
            "role": "candidate",
            "code": "print(f(2))",
            "started_at": now_ms(),
            "finished_at": None,
            "status": "running",
            "duration_ms": None,
            "outputs": Array(),
        }
    )
    doc.get("runs", type=Array).append(run)


def _finish_run(doc: Doc[Any]) -> None:
    run = doc.get("runs", type=Array)[0]
    run["outputs"].append({"type": "stream", "name": "stdout", "text": "2\n"})
    run["status"] = "ok"
    run["finished_at"] = now_ms()
    run["duration_ms"] = 12


def _banner(doc: Doc[Any]) -> None:
    doc.get("events", type=Array).append(
        {"id": "drift", "at": 60, "kind": "banner", "text": "p99 tripled", "level": "warning"}
    )


async def scripted_session(server: LiveServer) -> Recorded:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        created = (
            await http.post("/api/sessions", json={"title": "replay"}, headers=admin())
        ).json()
    sid, tokens = created["id"], created["tokens"]
    record = await server.app.state.services.sessions.get(sid)
    rec = Recorded(sid, tokens, record.created_at_ms)
    i, c = tokens["interviewer"], tokens["candidate"]
    clients = [
        YClient(server.ws(sid, "code", i)),
        YClient(server.ws(sid, "code", c)),
        YClient(server.ws(sid, "board", i)),
        YClient(server.ws(sid, "board", c)),
        YClient(server.ws(sid, "console", c)),
        YClient(server.ws(sid, "notes", i)),
    ]
    for client in clients:
        await client.connect()
    try:
        ic, cc, ib, cb, con, notes = clients
        await asyncio.gather(*(cl.synced.wait() for cl in clients))

        cc.text.insert(0, "def f(x):\n")
        await wait_until(lambda: str(ic.text) == "def f(x):\n", what="candidate's line")
        ic.text.insert(len(ic.text), "    return x\n")
        await _converged((ic, cc))
        await _snapshot(rec, cc, cb, con, notes)

        _elements(cb.doc)["e1"] = {"id": "e1", "type": "rectangle", "version": 1,
                                   "versionNonce": 5, "index": "a1", "x": 10, "y": 20}  # fmt: skip
        _elements(ib.doc)["e2"] = {"id": "e2", "type": "ellipse", "version": 1,
                                   "versionNonce": 7, "index": "a0", "x": 0, "y": 0}  # fmt: skip
        await _converged((ib, cb))
        _elements(cb.doc)["e1"] = {"id": "e1", "type": "rectangle", "version": 2,
                                   "versionNonce": 9, "index": "a1", "x": 50, "y": 20}  # fmt: skip
        await _converged((ib, cb))
        await _snapshot(rec, cc, cb, con, notes)

        rec.run_id, rec.real_run = await _run(server, sid, c)
        await server.edit(sid, "console", _banner)
        notes.doc.get("notes", type=Text).insert(0, "Clear naming. ")
        await wait_until(
            lambda: (
                len(con.doc.get("events", type=Array)) == 1
                and con.doc.get("runs", type=Array).to_py()[0]["status"] == "ok"
                # After a real run the server marks the kernel idle: the console's last write.
                and con.doc.get("kernel", type=Map).to_py().get("status")
                == ("idle" if rec.real_run else None)
            ),
            what="console client sees the run, the idle kernel and the banner",
        )
        await _wait_durable(server, sid, "notes", notes)
        await _snapshot(rec, cc, cb, con, notes)

        await cc.set_awareness(4242, 1, {"user": {"name": "Candidate"}, "cursor": {"anchor": 3}})
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            await _wait_sampled(http, sid, 4242)
            paste = await http.post(f"/api/sessions/{sid}/signals", headers=bearer(c),
                                    json={"kind": "paste", "size": 120})  # fmt: skip
            assert paste.status_code == 201, paste.text
            blur = await http.post(f"/api/sessions/{sid}/signals", headers=bearer(c),
                                   json={"kind": "blur"})  # fmt: skip
            assert blur.status_code == 201, blur.text
        cc.text.insert(0, "# pasted header\n")
        await wait_until(lambda: str(ic.text).startswith("# pasted"), what="the paste arrives")
        start = len("# pasted header\ndef f(x):\n")
        del ic.text[start : start + len("    return x\n")]
        ic.text.insert(start, "    return 2 * x\n")
        await _converged((ic, cc))
        await _snapshot(rec, cc, cb, con, notes)
    finally:
        for client in clients:
            await client.close()
    return rec


async def _wait_durable(server: LiveServer, sid: str, doc: str, client: YClient) -> None:
    """The server's room holds everything the client has (so it is in the log)."""
    rooms = server.app.state.services.rooms

    async def room_state() -> bytes:
        return (await rooms.read(sid, doc)).get_state()

    deadline = time.monotonic() + 10
    while await room_state() != client.doc.get_state():
        assert time.monotonic() < deadline, f"{doc} never reached the server"
        await asyncio.sleep(0.01)


async def _wait_sampled(http: httpx.AsyncClient, sid: str, client_id: int) -> None:
    """The awareness sampler has written this client's cursor (it flushes every 200 ms)."""
    deadline = time.monotonic() + 10
    while True:
        log = await http.get(f"/api/sessions/{sid}/log?doc=awareness", headers=admin())
        if any(e["value"]["client"] == client_id for e in log.json()["entries"]):
            return
        assert time.monotonic() < deadline, "cursor never sampled"
        await asyncio.sleep(0.05)
