"""Where one run's latency goes on the server: its phases, timed, for the benchmark.

The browser sees Run-to-first-output as one figure (bench/web.py); this splits the server's part
of it. A trace notes, in wall-clock milliseconds since the epoch (the browser's
`performance.timeOrigin + performance.now()` on the same host reads the same clock, so the
benchmark lines both up on one time line):

- `received`: POST .../runs reached its handler (after authorisation);
- `entry_written`: the run's console entry is durable and broadcast;
- `execute_sent`: the `execute_request` left for the kernel;
- `kernel_first_message`: the first iopub message answering it arrived (the kernel's `busy`);
- `first_output_received`: the first output message (stream, display, result, error) arrived;
- `first_output_written`: that output is in the console doc, durable and broadcast;
- `first_output_relayed`: its frame was written to every websocket of the console room;
- `finished`: the run's final status is in the doc.

The kernel stamps each message's header with the time it made it (`kernel.*` keys: the kernel's
`busy` and its first output), which splits the kernel's own time from the transport's.

Off unless `PAIRBOARD_RUN_TRACE_FILE` names a file: then each finished trace is appended to it as
one JSON line. Nothing here changes what a run does; with tracing off no trace exists at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PHASES = (
    "received",
    "entry_written",
    "execute_sent",
    "kernel_first_message",
    "first_output_received",
    "first_output_written",
    "first_output_relayed",
    "finished",
)
OUTPUT_MESSAGES = frozenset(
    {"stream", "display_data", "update_display_data", "execute_result", "error"}
)
# A trace waits this long for its relay to be written before it is recorded without it.
RELAY_WAIT_SECONDS = 5.0


def epoch_ms() -> float:
    return time.time() * 1000.0


def header_ms(msg: dict[str, Any]) -> float | None:
    """When the kernel made `msg` (its header's ISO date), in epoch ms; None if unreadable."""
    date = (msg.get("header") or {}).get("date")
    try:
        if isinstance(date, datetime):
            return date.timestamp() * 1000.0
        if isinstance(date, str):
            return datetime.fromisoformat(date).timestamp() * 1000.0
    except ValueError:
        return None
    return None


@dataclass
class RunTrace:
    """One run's phase times (see the module docstring); a `kernels.provider.RunObserver`."""

    path: Path
    run_id: str = ""
    session_id: str = ""
    marks: dict[str, float] = field(default_factory=dict)
    kernel: dict[str, float] = field(default_factory=dict)
    _waits: list[asyncio.Task[None]] = field(default_factory=list)

    def mark(self, phase: str) -> None:
        """The first time `phase` happened (a later mark of the same phase is ignored)."""
        self.marks.setdefault(phase, epoch_ms())

    def mark_when(self, phase: str, done: Awaitable[None]) -> None:
        """Mark `phase` once `done` completes, without making the caller wait for it."""

        async def wait() -> None:
            with contextlib.suppress(Exception):
                await done
                self.mark(phase)

        self._waits.append(asyncio.create_task(wait()))

    # --- kernels.provider.RunObserver -------------------------------------------------------

    def request_sent(self) -> None:
        self.mark("execute_sent")

    def message(self, channel: str, msg: dict[str, Any]) -> None:
        if channel != "iopub":
            return
        kind = msg.get("msg_type")
        if "kernel_first_message" not in self.marks:
            self.mark("kernel_first_message")
            if (at := header_ms(msg)) is not None:
                self.kernel["first_message"] = at
        if kind in OUTPUT_MESSAGES and "first_output_received" not in self.marks:
            self.mark("first_output_received")
            if (at := header_ms(msg)) is not None:
                self.kernel["first_output"] = at

    # --- recording ----------------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "session_id": self.session_id,
            "marks": {p: self.marks[p] for p in PHASES if p in self.marks},
            "kernel": dict(self.kernel),
        }

    async def close(self) -> None:
        """Wait (bounded) for the relay marks, then append the trace to the file."""
        if self._waits:
            _, pending = await asyncio.wait(self._waits, timeout=RELAY_WAIT_SECONDS)
            for task in pending:
                task.cancel()
        line = json.dumps(self.as_json()) + "\n"
        try:
            await asyncio.to_thread(_append_line, self.path, line)
        except OSError:
            log.exception("writing the run trace to %s failed", self.path)


def _append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(line)


class RunTraces:
    """Makes a trace per run when tracing is on (`run_trace_file`), none otherwise."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def begin(self) -> RunTrace | None:
        """A new trace with `received` marked now, or None when tracing is off."""
        if self.path is None:
            return None
        trace = RunTrace(self.path)
        trace.mark("received")
        return trace


def read_traces(path: Path) -> dict[str, dict[str, Any]]:
    """The traces in `path` by run id (the benchmark's side)."""
    if not path.is_file():
        return {}
    traces: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            trace = json.loads(line)
            traces[str(trace["run_id"])] = trace
    return traces
