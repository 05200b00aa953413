"""Replay figures: export, import and `state?at=` on a synthetic 60-minute recording.

The recording is written straight into a SQLite store the way a live session leaves it: two
typists (50,000 code updates, with some backspacing), 2,000 whiteboard changes, 100 runs with
outputs and a few scenario banners in the console, interviewer notes, cursor samples, and a
checkpoint every `checkpoint_interval` updates of each doc, as the rooms write them.

Figures printed (no assertions): time to export to a file, to import that file into a fresh
store, and the latency of `state?at=` at 100 random instants, both the core (checkpoint + merged
tail + JSON views) and through the HTTP API (ASGI, no network). Pinned to one core when the OS
allows. Run: `.venv/bin/python bench/replay.py` (`--updates`, `--seed` to vary).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from pycrdt import Array, Doc, Map, Text, merge_updates  # noqa: E402

from server.app import create_app  # noqa: E402
from server.replay.archive import export_gzip, import_recording, read_file  # noqa: E402
from server.replay.state import state_at  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.store.base import Checkpoint, LogEntry, SessionRecord  # noqa: E402
from server.store.sqlite import SQLiteStore  # noqa: E402

SESSION = "bench-replay"
DURATION_MS = 60 * 60 * 1000
T0 = 1_763_900_000_000
ADMIN = "bench-admin-token"


class DocLog:
    """One doc's log and checkpoints as a room would have written them."""

    def __init__(self, name: str, interval: int) -> None:
        self.name = name
        self.doc: Doc[Any] = Doc()
        self.interval = interval
        self.entries: list[LogEntry] = []
        self.checkpoints: list[Checkpoint] = []
        self.replicas: dict[str, Doc[Any]] = {}
        self.pending: dict[str, list[bytes]] = {}  # others' updates a replica has not seen yet

    def change(self, ts: int, author: str, role: str, fn: Any) -> None:
        """`author` edits their own replica (own Yjs client id), caught up with everyone else's
        edits first, as two browsers would be; the room's doc applies the result."""
        replica = self.replicas.get(author)
        if replica is None:
            replica = self.replicas[author] = Doc()
            self.pending[author] = [self.doc.get_update()]
        if self.pending[author]:
            replica.apply_update(merge_updates(*self.pending[author]))
            self.pending[author] = []
        # The transaction's own update, as a browser sends it (`get_update(state)` would also
        # carry the doc's whole delete set, growing with every backspace).
        captured: list[bytes] = []
        subscription = replica.observe(lambda event: captured.append(event.update))
        with replica.transaction():
            fn(replica)
        replica.unobserve(subscription)
        update = captured[0]
        self.doc.apply_update(update)
        for other in self.pending:
            if other != author:
                self.pending[other].append(update)
        seq = len(self.entries) + 1
        self.entries.append(LogEntry(SESSION, self.name, seq, ts, author, role, "update", update))
        if seq % self.interval == 0:
            self.checkpoints.append(Checkpoint(SESSION, self.name, seq, self.doc.get_update()))


def _text(doc: Doc[Any]) -> Text:
    text: Text = doc.get("source", type=Text)
    return text


def synthesize(updates: int, interval: int, rng: random.Random) -> list[DocLog]:
    code, board = DocLog("code", interval), DocLog("board", interval)
    console, notes = DocLog("console", interval), DocLog("notes", interval)
    awareness: list[LogEntry] = []
    step = DURATION_MS / updates
    typists = [("Candidate", "candidate"), ("Interviewer", "interviewer")]
    cursors = {name: 0 for name, _ in typists}
    # Events on the timeline, merged by time: code keystrokes, board changes, runs, notes.
    timeline: list[tuple[int, str, int]] = [(int(i * step), "code", i) for i in range(updates)]
    timeline += [(rng.randrange(DURATION_MS), "board", i) for i in range(2000)]
    timeline += [(int((i + 0.5) * DURATION_MS / 100), "run", i) for i in range(100)]
    timeline += [(rng.randrange(DURATION_MS), "note", i) for i in range(300)]
    timeline += [(int(k * DURATION_MS / 6), "banner", k) for k in range(1, 6)]
    timeline.sort()
    for t, what, i in timeline:
        ts = T0 + t
        if what == "code":
            author, role = typists[0] if (i // 400) % 3 else typists[1]
            # Each typist types at a cursor of their own: mostly the next character, sometimes a
            # backspace, now and then a jump elsewhere (the other typist's edits move text too).
            n = len(code.doc.get("source", type=Text))
            pos = min(cursors[author], n)
            if n > 10 and (rng.random() < 0.01 or pos == 0):
                pos = rng.randrange(n + 1)
            if pos > 0 and rng.random() < 0.08:
                code.change(
                    ts, author, role, lambda d, p=pos: _text(d).__delitem__(slice(p - 1, p))
                )
                cursors[author] = pos - 1
            else:
                ch = rng.choice("abcdefghij klmnop\n(),:=")
                code.change(ts, author, role, lambda d, p=pos, c=ch: _text(d).insert(p, c))
                cursors[author] = pos + 1
            if i % 40 == 0:
                state = {"user": {"name": author}, "cursor": {"anchor": i % 997, "head": i % 997}}
                data = json.dumps(
                    {"doc": "code", "client": 1 + (role == "interviewer"), "state": state}
                )
                awareness.append(
                    LogEntry(
                        SESSION,
                        "awareness",
                        len(awareness) + 1,
                        ts,
                        author,
                        role,
                        "awareness",
                        data.encode(),
                    )
                )
        elif what == "board":
            eid = f"el{i % 200}"
            element = {
                "id": eid,
                "type": "rectangle",
                "version": i // 200 + 1,
                "versionNonce": i,
                "index": f"a{i % 200:04d}",
                "x": rng.randrange(800),
                "y": rng.randrange(600),
                "width": 120,
                "height": 60,
                "strokeColor": "#1e1e1e",
                "isDeleted": False,
            }
            board.change(
                ts,
                *typists[i % 2],
                lambda d, e=element: d.get("elements", type=Map).__setitem__(e["id"], e),
            )
        elif what == "run":
            _run(console, ts, i, rng)
        elif what == "note":
            notes.change(
                ts,
                "Interviewer",
                "interviewer",
                lambda d: d.get("notes", type=Text).insert(
                    len(d.get("notes", type=Text)), "note. "
                ),
            )
        else:
            banner = {
                "id": f"ev{i}",
                "at": t // 1000,
                "kind": "banner",
                "text": f"event {i}",
                "level": "info",
            }
            console.change(
                ts, "server", "system", lambda d, b=banner: d.get("events", type=Array).append(b)
            )
    awareness_log = DocLog("awareness", interval)
    awareness_log.entries = awareness
    return [code, board, console, notes, awareness_log]


def _run(console: DocLog, ts: int, i: int, rng: random.Random) -> None:
    def start(d: Doc[Any]) -> None:
        d.get("runs", type=Array).append(Map({
            "id": f"run{i}", "author": "Candidate", "role": "candidate", "code": "train()",
            "started_at": ts, "finished_at": None, "status": "running", "duration_ms": None,
            "outputs": Array(),
        }))  # fmt: skip

    console.change(ts, "server", "system", start)
    for k in range(3):
        out = {"type": "stream", "name": "stdout", "text": f"epoch {k} loss {rng.random():.4f}\n"}

        def output(d: Doc[Any], o: dict[str, str] = out) -> None:
            d.get("runs", type=Array)[i]["outputs"].append(o)

        console.change(ts + 100 * (k + 1), "server", "system", output)

    def finish(d: Doc[Any]) -> None:
        run = d.get("runs", type=Array)[i]
        run["status"] = "ok" if i % 7 else "error"
        run["finished_at"] = ts + 500
        run["duration_ms"] = 500

    console.change(ts + 500, "server", "system", finish)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--instants", type=int, default=100)
    args = parser.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        pinned = "pinned to one core"
    except (AttributeError, OSError):
        pinned = "not pinned"
    rng = random.Random(args.seed)
    interval = Settings().checkpoint_interval
    work = Path(tempfile.mkdtemp(prefix="pairboard-bench-replay-"))

    t = time.perf_counter()
    logs = synthesize(args.updates, interval, rng)
    entries = [e for log in logs for e in log.entries]
    checkpoints = [c for log in logs for c in log.checkpoints]
    record = SessionRecord(SESSION, "bench", None, T0, "ended", ended_at_ms=T0 + DURATION_MS)
    source = SQLiteStore(work / "source" / "pairboard.sqlite3")
    await source.open()
    await source.import_session(record, entries, checkpoints)
    load = os.getloadavg()[0]
    print(f"replay bench ({pinned}; checkpoint every {interval} updates; load avg {load:.1f})")
    counts = ", ".join(f"{log.name} {len(log.entries)}" for log in logs)
    print(f"  synthesized and stored in {time.perf_counter() - t:.1f} s: {counts}; "
          f"{len(checkpoints)} checkpoints")  # fmt: skip

    path = work / "recording.jsonl.gz"
    t = time.perf_counter()
    with open(path, "wb") as f:  # noqa: ASYNC230 - a benchmark: nothing else runs on this loop
        async for chunk in export_gzip(source, record):
            f.write(chunk)
    export_s = time.perf_counter() - t
    size_mb = path.stat().st_size / 1e6
    print(f"  export: {export_s:.2f} s, file {size_mb:.1f} MB")

    target = SQLiteStore(work / "target" / "pairboard.sqlite3")
    await target.open()
    t = time.perf_counter()
    with open(path, "rb") as f:  # noqa: ASYNC230
        rec = read_file(f)
    await import_recording(target, rec)
    print(f"  import: {time.perf_counter() - t:.2f} s ({len(rec.entries)} entries)")
    await target.close()

    instants = [rng.randrange(DURATION_MS) for _ in range(args.instants)]
    core, cpu = [], []
    for at in instants:
        t, c = time.perf_counter(), time.process_time()
        await state_at(source, SESSION, T0, at, with_notes=True)
        core.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    p50, p99 = statistics.median(core), percentile(core, 0.99)
    print(f"  state?at= core ({len(instants)} random instants): p50 {p50:.1f} ms,"
          f" p99 {p99:.1f} ms, max {max(core):.1f} ms")  # fmt: skip
    print(f"  state?at= core, CPU time of this process (less sensitive to other load): "
          f"p50 {statistics.median(cpu):.1f} ms, p99 {percentile(cpu, 0.99):.1f} ms")  # fmt: skip
    await source.close()

    settings = Settings(data_dir=work / "source", admin_token=ADMIN, log_level="warning")
    app = create_app(settings)
    http_ms = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            headers = {"Authorization": f"Bearer {ADMIN}"}
            http_cpu = []
            for at in instants:
                t, c = time.perf_counter(), time.process_time()
                response = await http.get(f"/api/sessions/{SESSION}/state?at={at}", headers=headers)
                http_ms.append((time.perf_counter() - t) * 1000)
                http_cpu.append((time.process_time() - c) * 1000)
                assert response.status_code == 200, response.text
            t = time.perf_counter()
            timeline = await http.get(f"/api/sessions/{SESSION}/timeline", headers=headers)
            timeline_ms = (time.perf_counter() - t) * 1000
    print(f"  GET state?at= over HTTP (ASGI): p50 {statistics.median(http_ms):.1f} ms,"
          f" p99 {percentile(http_ms, 0.99):.1f} ms")  # fmt: skip
    print(f"  GET state?at= over HTTP, CPU time: p50 {statistics.median(http_cpu):.1f} ms,"
          f" p99 {percentile(http_cpu, 0.99):.1f} ms")  # fmt: skip
    markers = len(timeline.json()["markers"])
    print(f"  GET timeline: {timeline_ms:.0f} ms ({markers} markers)")


if __name__ == "__main__":
    asyncio.run(main())
