"""Notebook sync figures for a 200-cell notebook, each against a peer measured in the same run.

1. Join: a new client's time from opening its websocket to holding the complete notebook
   (SyncStep2 applied), with the room already loaded (someone is in it), against
   - a Pairboard code room whose doc holds the same number of bytes (one `source` text), and
   - pycrdt-websocket (stock, in memory, `bench/sync/pycrdt_ws_server.py`) serving the very same
     notebook doc (its update bytes, pushed by a client first).
   The three joins take turns (A B C, B C A, ...), `--joins` rounds.
2. Cell run: Shift-Enter (`POST .../notebook/runs {"cells": [id]}`) to the output being visible
   in a second client's `console` doc, against the file editor's Run (`POST .../runs {"code"}`)
   of the same code in a code session, interleaved, `--runs` pairs, after one warm-up run each
   (both kernels come from the warm pool and stay with their session).

Every client is this process's own (pycrdt + websockets, speaking what the stock y-websocket
client speaks, `tests/support/yclient.py`), so both ends use one clock. Figures, not assertions;
compare the ratios within one run, not across days: the machine may be shared.

Usage: .venv/bin/python bench/notebook.py [--cells 200] [--joins 40] [--runs 30] [--json FILE]
(`make bench` runs it; needs the kernel env for the cell runs and pycrdt-websocket, the
`bench` extra, for the peer.)
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from pycrdt import Array, Map, TransactionEvent  # noqa: E402

from bench.sync.servers import missing, wait_for_port  # noqa: E402
from tests.support.server import ADMIN_TOKEN, ServerProcess, free_port  # noqa: E402
from tests.support.yclient import YClient  # noqa: E402

CELL_CODE = 'print("cell-run", sum(range(1000)))'
EXPECTED_OUTPUT = "cell-run 499500"
RUN_CELL = "cell-100"


def notebook_json(cells: int) -> dict[str, Any]:
    """An `.ipynb` of `cells` cells: every fifth Markdown, the others a dozen lines of pandas-ish
    code; cell 100 is the one the run figures execute."""
    out = []
    for i in range(1, cells + 1):
        cell_id = f"cell-{i}"
        if cell_id == RUN_CELL:
            source, kind = CELL_CODE, "code"
        elif i % 5 == 0:
            kind = "markdown"
            source = f"## Step {i // 5}\n\nWhat the next cells check, and why it matters: " * 2
        else:
            kind = "code"
            source = "\n".join(
                [
                    f"features_{i} = df[['tenure_months', 'monthly_charges']].copy()",
                    f"features_{i}['ratio'] = features_{i}.monthly_charges / (1 + "
                    f"features_{i}.tenure_months)",
                    *(
                        f"print(features_{i}.describe().loc['mean', 'ratio'] * {j})"
                        for j in range(8)
                    ),
                    f"assert len(features_{i}) == len(df), 'rows lost in cell {i}'",
                ]
            )
        cell: dict[str, Any] = {"id": cell_id, "cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        out.append(cell)
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": kernelspec},
        "cells": out,
    }


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def create(http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await http.post("/api/sessions", json={"title": "bench", **body}, headers=admin())
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    named = await http.post(
        f"/api/sessions/{created['id']}/name",
        json={"name": "Candidate"},
        headers={"Authorization": f"Bearer {created['tokens']['candidate']}"},
    )
    named.raise_for_status()
    return created


def ws(base: str, created: dict[str, Any], doc: str, role: str = "interviewer") -> str:
    return f"{base}/ws/{created['id']}/{doc}?token={created['tokens'][role]}"


async def joined(url: str) -> YClient:
    client = await YClient(url).connect()
    await asyncio.wait_for(client.synced.wait(), 60)
    return client


async def join_once(url: str) -> tuple[float, int]:
    """Seconds from connecting to holding the whole doc, and the doc's size as received."""
    started = time.perf_counter()
    client = await joined(url)
    elapsed = time.perf_counter() - started
    size = len(client.doc.get_update())
    await client.close()
    return elapsed, size


async def wait_size(url: str, size: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, got = await join_once(url)
        if got >= size:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} never reached {size} bytes")


class RunWatcher:
    """A second participant's `console` doc: when each run's expected output first showed.

    The doc's observer only notes the time of each change (reading the doc inside it would
    raise); the waiting coroutine, woken at once, looks at the last runs and keeps the time of
    the change that brought the output."""

    def __init__(self, client: YClient) -> None:
        self.client = client
        self.changed_at = 0.0
        self.changed = asyncio.Event()
        client.doc.observe(self._changed)

    def _changed(self, event: TransactionEvent) -> None:
        self.changed_at = time.perf_counter()
        self.changed.set()

    def _shown(self, run_id: str) -> bool:
        runs = self.client.doc.get("runs", type=Array)
        for i in range(max(0, len(runs) - 3), len(runs)):
            entry = runs[i]
            if isinstance(entry, Map) and entry.get("id") == run_id:
                outputs = entry.get("outputs")
                items = list(outputs) if isinstance(outputs, Array) else []
                # Stream output may arrive in several chunks ("cell-run", " 499500\n").
                return EXPECTED_OUTPUT in "".join(str(o.get("text", "")) for o in items)
        return False

    def _entry(self, run_id: str) -> Map[Any] | None:
        runs = self.client.doc.get("runs", type=Array)
        for i in range(max(0, len(runs) - 3), len(runs)):
            entry = runs[i]
            if isinstance(entry, Map) and entry.get("id") == run_id:
                return entry
        return None

    async def finished(self, run_id: str, timeout: float = 60.0) -> None:
        """Until the run's entry has its final status: the session runs one thing at a time."""
        deadline = time.monotonic() + timeout
        while True:
            entry = self._entry(run_id)
            if entry is not None and entry.get("status") not in ("queued", "running"):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"run {run_id} did not finish")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 1.0)

    async def latency(self, started: float, run_id: str, timeout: float = 60.0) -> float:
        deadline = time.monotonic() + timeout
        while not self._shown(run_id):
            if time.monotonic() > deadline:
                runs = self.client.doc.get("runs", type=Array).to_py()
                raise RuntimeError(f"run {run_id}'s output never reached the second client: {runs}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 1.0)
        elapsed = self.changed_at - started
        await self.finished(run_id, timeout)
        return elapsed


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": statistics.median(ordered) * 1e3,
        "p90_ms": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1e3,
        "n": len(ordered),
    }


async def bench(cells: int, joins: int, runs: int, pycrdt_port: int, server: ServerProcess) -> Any:
    figures: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        notebook = await create(http, mode="notebook")
        code = await create(http)
        body = json.dumps(notebook_json(cells)).encode()
        put = await http.put(
            f"/api/sessions/{notebook['id']}/notebook", content=body, headers=admin()
        )
        put.raise_for_status()
        nb_url = ws(server.ws_url, notebook, "notebook")
        holder_nb = await joined(nb_url)  # keeps the room loaded, as a participant would
        state = holder_nb.doc.get_update()
        cell_count = len(holder_nb.doc.get("cells", type=Array))
        # The code room: one text whose doc encodes to the notebook doc's size.
        code_url = ws(server.ws_url, code, "code")
        holder_code = await joined(code_url)
        overhead = len(holder_code.doc.get_update()) + 8
        holder_code.text.insert(0, "x" * (len(state) - overhead) + "\n")
        await wait_size(code_url, len(state) - 16)
        # pycrdt-websocket: the same doc's bytes, pushed by a client, then held.
        py_url = f"ws://127.0.0.1:{pycrdt_port}/notebook-{cells}"
        holder_py = await joined(py_url)
        holder_py.doc.apply_update(state)
        await wait_size(py_url, len(state))

        targets = {
            "notebook": nb_url,
            "code room, same bytes": code_url,
            "pycrdt-websocket": py_url,
        }
        names = list(targets)
        times: dict[str, list[float]] = {n: [] for n in names}
        sizes: dict[str, int] = {}
        for r in range(joins):
            for k in range(len(names)):
                name = names[(r + k) % len(names)]
                elapsed, size = await join_once(targets[name])
                times[name].append(elapsed)
                sizes[name] = size
        figures["join"] = {n: {**summary(times[n]), "doc_bytes": sizes[n]} for n in names}
        figures["cells"] = cell_count

        # Cell runs: the candidate's console doc is the second client.
        watchers = {}
        for created in (notebook, code):
            watchers[created["id"]] = RunWatcher(
                await joined(ws(server.ws_url, created, "console", "candidate"))
            )

        answered: dict[str, list[float]] = collections.defaultdict(list)

        async def timed(path: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
            """The request's start and its answer; a 409 (the previous run's lock is released
            just after its final status reached the console) is retried, timed afresh."""
            for _ in range(200):
                started = time.perf_counter()
                response = await http.post(path, json=body, headers=admin())
                if response.status_code != 409:
                    response.raise_for_status()
                    answer: dict[str, Any] = response.json()
                    answered[path].append(time.perf_counter() - started)
                    return started, answer
                await asyncio.sleep(0.01)
            raise RuntimeError(f"{path} stayed busy")

        async def shift_enter(timeout: float = 60.0) -> float:
            path = f"/api/sessions/{notebook['id']}/notebook/runs"
            started, answer = await timed(path, {"cells": [RUN_CELL]})
            return await watchers[notebook["id"]].latency(started, answer["run_ids"][0], timeout)

        async def editor_run(timeout: float = 60.0) -> float:
            started, answer = await timed(f"/api/sessions/{code['id']}/runs", {"code": CELL_CODE})
            return await watchers[code["id"]].latency(started, answer["run_id"], timeout)

        # Each session takes its kernel from the pool (a loaded host may still be warming it).
        await shift_enter(600.0), await editor_run(600.0)
        run_times: dict[str, list[float]] = {"Shift-Enter, 200-cell notebook": [], "editor Run": []}
        for r in range(runs):
            pair = [("Shift-Enter, 200-cell notebook", shift_enter), ("editor Run", editor_run)]
            for name, fn in pair if r % 2 == 0 else pair[::-1]:
                run_times[name].append(await fn())
        figures["run"] = {n: summary(v) for n, v in run_times.items()}
        # How much of it is the request itself (answered once the run is queued).
        nb_path, code_path = (f"/api/sessions/{s['id']}/" for s in (notebook, code))
        figures["answered"] = {
            "Shift-Enter": summary(answered[nb_path + "notebook/runs"][1:]),
            "editor Run": summary(answered[code_path + "runs"][1:]),
        }
        for client in (holder_nb, holder_code, holder_py, *(w.client for w in watchers.values())):
            await client.close()
    return figures


def show(figures: dict[str, Any]) -> None:
    join = figures["join"]
    base = join["notebook"]["p50_ms"]
    print(f"Join: a new client syncs the complete notebook ({figures['cells']} cells), room loaded")
    for name, f in join.items():
        ratio = f["p50_ms"] / base
        print(
            f"  {name:24s} p50 {f['p50_ms']:7.2f} ms  p90 {f['p90_ms']:7.2f} ms  "
            f"doc {f['doc_bytes']:7d} B  ({f['n']} joins)  {ratio:5.2f}x the notebook's"
        )
    run = figures["run"]
    names = list(run)
    print("Cell run: request to the output visible in a second client's console doc")
    for name in names:
        f = run[name]
        print(f"  {name:32s} p50 {f['p50_ms']:7.2f} ms  p90 {f['p90_ms']:7.2f} ms  ({f['n']} runs)")
    ratio = run[names[0]]["p50_ms"] / run[names[1]]["p50_ms"]
    print(f"  Shift-Enter / editor Run (p50): {ratio:.2f}x")
    print("  of which the request itself (the run queued and answered 202):")
    for name, f in figures["answered"].items():
        print(f"  {name:32s} p50 {f['p50_ms']:7.2f} ms  p90 {f['p90_ms']:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--joins", type=int, default=40, help="join rounds (each joins all three)")
    parser.add_argument("--runs", type=int, default=30, help="Shift-Enter / editor Run pairs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--checkout", type=Path, help="run the Pairboard server of this checkout (a before/after)"
    )
    args = parser.parse_args()
    why = missing("pycrdt")
    if why:
        sys.exit(why)
    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as tmp:
        server = ServerProcess(
            Path(tmp) / "pairboard",
            env={
                "PAIRBOARD_KERNEL_POOL_SIZE": "2",
                # The run figures need no torch: the light preload keeps the pool's warm-up short.
                "PAIRBOARD_KERNEL_PRELOAD_CODE": "import numpy, pandas\ndel numpy, pandas",
            },
            cwd=args.checkout,
        )
        server.start(timeout=120)
        port = free_port()
        log = open(Path(tmp) / "pycrdt.log", "wb")  # noqa: SIM115 - the child's for its lifetime
        peer = subprocess.Popen(
            [sys.executable, str(REPO / "bench/sync/pycrdt_ws_server.py"), str(port)],
            stdout=log,
            stderr=log,
        )
        try:
            wait_for_port(port, peer)
            figures = asyncio.run(bench(args.cells, args.joins, args.runs, port, server))
        finally:
            peer.terminate()
            peer.wait(10)
            server.stop()
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
