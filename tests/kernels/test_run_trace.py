"""A run's phase trace (server/run_trace.py), which bench/web.py lines up with the browser's.

On a real server with a real sandboxed kernel and a real console websocket: with
PAIRBOARD_RUN_TRACE_FILE set, a Run leaves one JSON line naming the run, with every phase in
time-line order and the kernel's own stamps; and, without a kernel, what the observer makes of
the messages it is told about.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kernels.sandbox.layers import SandboxReport
from server.run_trace import PHASES, RunTrace, RunTraces, header_ms, read_traces
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until


@pytest.fixture(scope="module")
def traced_server(
    tmp_path_factory: pytest.TempPathFactory, sandbox_layers: SandboxReport
) -> Iterator[ServerProcess]:
    data = Path(tmp_path_factory.mktemp("traced-server"))
    proc = ServerProcess(
        data,
        env={
            "PAIRBOARD_KERNEL_POOL_SIZE": "1",
            "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
            "PAIRBOARD_RUN_TRACE_FILE": str(data / "traces.jsonl"),
        },
    )
    proc.start()
    yield proc
    proc.stop()


def wait_trace(path: Path, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        trace = read_traces(path).get(run_id)
        if trace is not None:
            return trace
        time.sleep(0.05)
    raise AssertionError(f"no trace of run {run_id} in {path}")


async def test_a_traced_run_records_every_phase_in_time_line_order(
    traced_server: ServerProcess,
) -> None:
    s = traced_server.create_session()
    sid, tokens = s["id"], s["tokens"]
    url = f"{traced_server.ws_url}/ws/{sid}/console?token={tokens['observer']}"
    async with YClient(url) as watcher:
        await wait_until(watcher.synced.is_set, what="console synced")
        r = httpx.post(
            f"{traced_server.url}/api/sessions/{sid}/runs",
            json={"code": "print('traced')"},
            headers={"Authorization": f"Bearer {tokens['candidate']}"},
            timeout=60,
        )
        assert r.status_code == 202, r.text
        run_id = r.json()["run_id"]
        trace = wait_trace(traced_server.data_dir / "traces.jsonl", run_id)
    assert (trace["run_id"], trace["session_id"]) == (run_id, sid)
    marks = trace["marks"]
    assert list(marks) == list(PHASES)
    order = [
        "received",
        "entry_written",
        "execute_sent",
        "kernel_first_message",
        "first_output_received",
        "first_output_written",
        "first_output_relayed",
    ]
    times = [marks[p] for p in order]
    assert times == sorted(times)
    assert marks["finished"] >= marks["first_output_written"]
    kernel = trace["kernel"]
    assert set(kernel) == {"first_message", "first_output"}
    assert kernel["first_message"] <= kernel["first_output"]
    # The kernel made its output before the server received it, on the host's one clock
    # (ipykernel's header dates have microseconds; 1 ms of slack for rounding).
    assert kernel["first_output"] <= marks["first_output_received"] + 1


def test_no_trace_is_made_unless_a_trace_file_is_configured(tmp_path: Path) -> None:
    assert RunTraces(None).begin() is None
    trace = RunTraces(tmp_path / "t.jsonl").begin()
    assert trace is not None and list(trace.marks) == ["received"]


def iopub(kind: str, date: str) -> dict[str, Any]:
    return {"msg_type": kind, "header": {"date": date}, "content": {}}


def test_the_observer_notes_the_first_iopub_message_and_the_first_output(tmp_path: Path) -> None:
    trace = RunTrace(tmp_path / "t.jsonl")
    trace.request_sent()
    trace.message("shell", iopub("execute_reply", "2026-12-03T13:00:00.000000+00:00"))
    assert "kernel_first_message" not in trace.marks  # only iopub counts
    trace.message("iopub", iopub("status", "2026-12-03T13:00:00.001000+00:00"))
    trace.message("iopub", iopub("execute_input", "2026-12-03T13:00:00.002000+00:00"))
    assert "first_output_received" not in trace.marks
    trace.message("iopub", iopub("stream", "2026-12-03T13:00:00.004500+00:00"))
    trace.message("iopub", iopub("stream", "2026-12-03T13:00:00.009000+00:00"))
    assert list(trace.marks) == ["execute_sent", "kernel_first_message", "first_output_received"]
    first = header_ms(iopub("status", "2026-12-03T13:00:00.001000+00:00"))
    assert trace.kernel == {"first_message": first, "first_output": first + 3.5}


def test_a_trace_is_appended_as_one_json_line(tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "t.jsonl"
    trace = RunTrace(path, run_id="r1", session_id="s1")
    trace.mark("received")
    asyncio.run(trace.close())
    asyncio.run(RunTrace(path, run_id="r2", session_id="s1").close())
    lines = path.read_text().splitlines()
    assert [json.loads(line)["run_id"] for line in lines] == ["r1", "r2"]
    assert list(read_traces(path)) == ["r1", "r2"]
    assert header_ms({"header": {"date": "not a date"}}) is None
