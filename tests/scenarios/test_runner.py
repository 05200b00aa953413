"""The scenario runner through a real server with real sandboxed kernels: the waiting room, the
clock (start, pause, resume), timed events that change the kernel's data at their time and fire
once across a server crash, fire-now / skip / hint semantics, hidden code kept out of the kernel's
history, grading into the notes doc, and a scan of everything a candidate receives.

The scenario is `runtime_library/runtime-drill.yaml` (events at 2 s and 4 s of scenario time)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from pycrdt import Array, Map, Text

from kernels.settings import KernelSettings
from server.scenarios.loader import load_library
from server.sync import protocol
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

LIBRARY = Path(__file__).parent / "runtime_library"
DRILL = load_library(LIBRARY)["runtime-drill"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env_dir = KernelSettings().env_dir
    if not (env_dir / "bin" / "python").exists():
        reason = f"no kernel env at {env_dir}: run `make kernel-env`"
        if os.environ.get("PAIRBOARD_REQUIRE_KERNELS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("runner-server")),
        env={
            "PAIRBOARD_SCENARIOS_DIR": str(LIBRARY),
            "PAIRBOARD_KERNEL_POOL_SIZE": "1",
            "PAIRBOARD_KERNEL_PRELOAD_CODE": "",
            "PAIRBOARD_SCENARIO_RESCAN_SECONDS": "1",
        },
    )
    proc.start()
    yield proc
    proc.stop()


def call(
    server: ServerProcess, method: str, path: str, token: str, body: Any = None
) -> httpx.Response:
    return httpx.request(
        method,
        server.url + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )


def scenario_view(server: ServerProcess, sid: str, token: str) -> dict[str, Any]:
    r = call(server, "GET", f"/api/sessions/{sid}/scenario", token)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def event_status(server: ServerProcess, sid: str, token: str) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in scenario_view(server, sid, token)["events"]}


def wait_for(predicate: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def run(server: ServerProcess, sid: str, token: str, code: str) -> dict[str, Any]:
    """Run `code` in the session's kernel through the API; the finished run."""
    r = call(server, "POST", f"/api/sessions/{sid}/runs", token, {"code": code})
    assert r.status_code == 202, r.text
    run_id = r.json()["run_id"]
    result: dict[str, Any] = {}

    def finished() -> bool:
        body = call(server, "GET", f"/api/sessions/{sid}/runs/{run_id}", token).json()
        result.update(body)
        return bool(body["status"] != "running")

    wait_for(finished, f"run {run_id}")
    return result


def stdout_of(result: dict[str, Any]) -> str:
    return "".join(o["text"] for o in result["outputs"] if o["type"] == "stream")


def new_session(server: ServerProcess) -> tuple[str, dict[str, str]]:
    created = server.create_session(scenario="runtime-drill", title="Drill")
    return created["id"], created["tokens"]


def test_a_scenario_session_waits_for_the_interviewers_start(server: ServerProcess) -> None:
    sid, tokens = new_session(server)
    session = call(server, "GET", f"/api/sessions/{sid}", tokens["candidate"]).json()
    assert session["state"] == "waiting"
    assert scenario_view(server, sid, tokens["candidate"])["clock"]["state"] == "waiting"
    refused = call(server, "POST", f"/api/sessions/{sid}/runs", tokens["candidate"], {})
    assert (refused.status_code, refused.json()) == (
        409,
        {"detail": "the interviewer has not started the session yet"},
    )
    for role in ("candidate", "observer"):
        r = call(server, "POST", f"/api/sessions/{sid}/scenario/start", tokens[role])
        assert (r.status_code, r.json()) == (403, {"detail": f"the {role} role cannot do this"})
    started = call(server, "POST", f"/api/sessions/{sid}/scenario/start", tokens["interviewer"])
    assert started.status_code == 200
    assert started.json()["state"] == "running"
    assert call(server, "GET", f"/api/sessions/{sid}", tokens["candidate"]).json()["state"] == (
        "live"
    )
    again = call(server, "POST", f"/api/sessions/{sid}/scenario/start", tokens["interviewer"])
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "the scenario clock has already started"},
    )


def test_pause_freezes_the_clock_and_resume_continues_it(server: ServerProcess) -> None:
    sid, tokens = new_session(server)
    interviewer = tokens["interviewer"]
    call(server, "POST", f"/api/sessions/{sid}/scenario/start", interviewer)
    paused = call(server, "POST", f"/api/sessions/{sid}/scenario/pause", interviewer).json()
    assert paused["state"] == "paused"
    first = scenario_view(server, sid, interviewer)["clock"]
    second = scenario_view(server, sid, interviewer)["clock"]
    assert first == second
    assert first["elapsed_ms"] == paused["elapsed_ms"]
    twice = call(server, "POST", f"/api/sessions/{sid}/scenario/pause", interviewer)
    assert twice.json() == {"detail": "cannot pause a clock that is paused"}
    resumed = call(server, "POST", f"/api/sessions/{sid}/scenario/resume", interviewer).json()
    assert resumed["state"] == "running"
    assert resumed["paused_total"] >= 0


def test_fire_now_skip_and_hints_happen_once(server: ServerProcess) -> None:
    sid, tokens = new_session(server)
    interviewer, candidate = tokens["interviewer"], tokens["candidate"]
    base = f"/api/sessions/{sid}/scenario"
    call(server, "POST", f"{base}/start", interviewer)

    assert call(server, "POST", f"{base}/events/add-box/fire", candidate).status_code == 403
    assert call(server, "POST", f"{base}/events/add-box/fire", interviewer).json() == {"ok": True}
    again = call(server, "POST", f"{base}/events/add-box/fire", interviewer)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "event 'add-box' has already fired or been skipped"},
    )
    assert call(server, "POST", f"{base}/events/never/skip", interviewer).json() == {"ok": True}
    assert call(server, "POST", f"{base}/events/never/fire", interviewer).status_code == 409
    assert call(server, "POST", f"{base}/events/never/skip", interviewer).status_code == 409
    missing = call(server, "POST", f"{base}/events/nope/fire", interviewer)
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "no event 'nope' in this scenario"},
    )
    call(server, "POST", f"{base}/events/reveal-two/fire", interviewer)
    assert call(server, "POST", f"{base}/hints/given/reveal", candidate).status_code == 403
    assert call(server, "POST", f"{base}/hints/given/reveal", interviewer).json() == {"ok": True}
    assert call(server, "POST", f"{base}/hints/given/reveal", interviewer).status_code == 409

    view = scenario_view(server, sid, interviewer)
    statuses = {e["id"]: e["status"] for e in view["events"]}
    assert statuses == {
        "shift": statuses["shift"],  # timed at 2 s: may have fired by now
        "later": statuses["later"],
        "add-box": "fired",
        "reveal-two": "fired",
        "never": "skipped",
    }
    assert "never" not in view["upcoming"] and "add-box" not in view["upcoming"]
    assert [h["revealed"] for h in view["hints"]] == [True, False]
    safe = scenario_view(server, sid, candidate)
    assert scenario_view(server, sid, tokens["observer"]).keys() == safe.keys()
    assert "rubric" not in safe and "events" not in safe and "notes" not in safe
    assert safe["hints"] == [{"id": "given", "text": "HINT-REVEALED-TEXT multiply by two"}]
    assert safe["sections"] == [
        {
            "id": "part-two",
            "title": "Part two",
            "body": "REVEALED-SECTION-BODY now also handle strings",
        }
    ]

    async def docs() -> tuple[Any, Any]:
        ws = f"{server.ws_url}/ws/{sid}"
        board, console = (
            YClient(f"{ws}/board?token={candidate}"),
            YClient(f"{ws}/console?token={candidate}"),
        )
        async with board, console:
            await asyncio.wait_for(board.synced.wait(), 10)
            await asyncio.wait_for(console.synced.wait(), 10)
            return (
                board.doc.get("elements", type=Map).to_py(),
                console.doc.get("events", type=Array).to_py(),
            )

    elements, events = asyncio.run(docs())
    assert {"extra-box"} <= set(elements)
    ids = [e["id"] for e in events]
    assert ids.count("reveal-two:reveal:part-two") == 1
    assert ids.count("interviewer:hint:given") == 1
    assert not any(i.startswith("never") for i in ids)


def test_a_timed_event_changes_the_kernels_data_at_its_time_once_across_a_crash(
    server: ServerProcess,
) -> None:
    sid, tokens = new_session(server)
    interviewer = tokens["interviewer"]
    base = f"/api/sessions/{sid}/scenario"
    call(server, "POST", f"{base}/start", interviewer)
    call(server, "POST", f"{base}/pause", interviewer)
    assert stdout_of(run(server, sid, interviewer, "print(readings)")) == "[1, 2, 3]\n"
    assert event_status(server, sid, interviewer)["shift"]["status"] == "upcoming"

    call(server, "POST", f"{base}/resume", interviewer)
    wait_for(
        lambda: event_status(server, sid, interviewer)["shift"]["status"] == "fired",
        "the shift event",
    )
    call(server, "POST", f"{base}/pause", interviewer)  # `later` (4 s) must not come yet
    view = scenario_view(server, sid, interviewer)
    clock = view["clock"]
    shift = next(e for e in view["events"] if e["id"] == "shift")
    assert shift["done_by"] == "timeline"
    assert shift["done_at"] - clock["started_at"] - clock["paused_total"] >= 2000
    out = run(server, sid, interviewer, "print(readings)")
    assert stdout_of(out) == "[1, 2, 3, 99]\n"

    # Hidden code (setup and the kernel action) never entered the kernel's input history.
    probe = "print([h for h in In if ('SEC' + 'RET') in h or 'readings.app' + 'end' in h])"
    assert stdout_of(run(server, sid, interviewer, probe)) == "[]\n"

    # Crash while the clock runs, and stay down until `later` is due: it must fire once, after.
    clock = call(server, "POST", f"{base}/resume", interviewer).json()
    server.kill()
    due_at_s = (clock["started_at"] + clock["paused_total"] + 4000) / 1000
    wait_for(lambda: time.time() > due_at_s, "the later event's time to pass while down")
    server.start()
    wait_for(
        lambda: event_status(server, sid, interviewer)["later"]["status"] == "fired",
        "the later event after the restart",
    )
    # A fresh kernel after the crash: setup plus every fired kernel action, each once, in order.
    assert stdout_of(run(server, sid, interviewer, "print(readings)")) == "[1, 2, 3, 99, 100]\n"

    async def console_ids() -> list[str]:
        url = f"{server.ws_url}/ws/{sid}/console?token={interviewer}"
        async with YClient(url) as client:
            await asyncio.wait_for(client.synced.wait(), 10)
            return [e["id"] for e in client.doc.get("events", type=Array).to_py()]

    ids = asyncio.run(console_ids())
    assert (ids.count("shift:1"), ids.count("later:1")) == (1, 1)
    assert ids.index("shift:1") < ids.index("later:1")


async def _collect(url: str, frames: list[bytes], stop: asyncio.Event) -> None:
    """Every frame the server sends one connection, until `stop` is set."""
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(protocol.encode_sync_step1(b"\x00"))
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                frame = await asyncio.wait_for(ws.recv(), 0.1)
                frames.append(frame if isinstance(frame, bytes) else frame.encode())


def drill_secrets() -> list[str]:
    s = DRILL
    hidden = [s.setup, s.reference_solution, s.notes, s.test_helpers]
    hidden += [t.code for t in s.tests] + [e.title for e in s.timeline]
    hidden += [h.text for h in s.hints if h.id != "given"] + [h.when for h in s.hints]
    hidden += [b.body for b in s.brief_sections if b.id != "part-two"]
    hidden += [lv.description for c in s.rubric for lv in c.levels]
    hidden += [a.code for e in s.timeline for a in e.actions if a.type == "kernel"]
    hidden += ["SECRET-SKIPPED-BANNER"]
    lines = {ln.strip() for text in hidden for ln in text.splitlines()}
    public = "\n".join([s.brief, *s.starter.files.values()])
    return sorted(ln for ln in lines if len(ln) >= 12 and ln not in public)


async def test_a_candidate_receives_no_interviewer_only_string_in_a_scripted_session(
    server: ServerProcess,
) -> None:
    sid, tokens = new_session(server)
    interviewer, candidate = tokens["interviewer"], tokens["candidate"]
    frames: list[bytes] = []
    stop = asyncio.Event()
    ws = f"{server.ws_url}/ws/{sid}"
    collectors = [
        asyncio.create_task(_collect(f"{ws}/{doc}?token={candidate}", frames, stop))
        for doc in ("code", "board", "console")
    ]
    api: list[bytes] = []

    async def as_candidate(method: str, path: str, body: Any = None) -> httpx.Response:
        r = await asyncio.to_thread(call, server, method, path, candidate, body)
        api.append(r.content)
        return r

    async def as_interviewer(method: str, path: str, body: Any = None) -> httpx.Response:
        return await asyncio.to_thread(call, server, method, path, interviewer, body)

    base = f"/api/sessions/{sid}"
    await as_candidate("GET", base)
    await as_candidate("GET", f"{base}/scenario")
    await as_interviewer("POST", f"{base}/scenario/start")
    await as_interviewer("POST", f"{base}/scenario/events/reveal-two/fire")
    await as_interviewer("POST", f"{base}/scenario/events/add-box/fire")
    await as_interviewer("POST", f"{base}/scenario/hints/given/reveal")
    await as_interviewer("POST", f"{base}/scenario/events/never/skip")
    for path in (
        "/scenario/start",
        "/scenario/events/later/fire",
        "/grade",
        "/scenario/hints/kept/reveal",
    ):
        assert (await as_candidate("POST", base + path)).status_code == 403
    started = await as_candidate("POST", f"{base}/runs", {"code": "print(sorted(readings))"})
    assert started.status_code == 202
    await asyncio.to_thread(
        wait_for,
        lambda: (
            call(server, "GET", f"{base}/runs/{started.json()['run_id']}", candidate).json()[
                "status"
            ]
            != "running"
        ),
        "the candidate's run",
    )
    await as_candidate("GET", f"{base}/runs/{started.json()['run_id']}")
    graded = await as_interviewer("POST", f"{base}/grade")
    assert graded.status_code == 200, graded.text
    await asyncio.to_thread(
        wait_for,
        lambda: event_status(server, sid, interviewer)["later"]["status"] == "fired",
        "the timed events",
    )
    await as_candidate("GET", f"{base}/scenario")
    async with YClient(f"{ws}/console?token={interviewer}") as console:
        await asyncio.wait_for(console.synced.wait(), 10)
        await wait_until(
            lambda: any(
                e["id"] == "later:1" for e in console.doc.get("events", type=Array).to_py()
            ),
            what="the banner in the console",
        )
    await wait_until(
        lambda: b"Readings keep moving." in b"".join(frames),
        what="the banner on the candidate's socket",
    )
    stop.set()
    await asyncio.gather(*collectors)

    text = b"".join(frames + api).decode("utf-8", errors="replace")
    for visible in (
        "PUBLIC-BRIEF-LINE",
        "REVEALED-SECTION-BODY",
        "HINT-REVEALED-TEXT",
        "Cache layer",
        "Readings keep moving.",
        "[1, 2, 3",
    ):
        assert visible in text, visible
    secrets = drill_secrets()
    assert len(secrets) >= 15
    assert [s for s in secrets if s in text] == []


def test_grade_runs_hidden_tests_and_writes_the_report_to_notes_only(
    server: ServerProcess,
) -> None:
    sid, tokens = new_session(server)
    interviewer = tokens["interviewer"]
    refused = call(server, "POST", f"/api/sessions/{sid}/grade", tokens["candidate"])
    assert refused.status_code == 403
    starter = call(server, "POST", f"/api/sessions/{sid}/grade", interviewer).json()
    assert (starter["score"], starter["passed"], starter["total"]) == (0.0, 0, 2)

    async def write_reference_then_read_notes() -> dict[str, Any]:
        ws = f"{server.ws_url}/ws/{sid}"
        async with YClient(f"{ws}/code?token={interviewer}") as code:
            await asyncio.wait_for(code.synced.wait(), 10)
            source = code.doc.get("source", type=Text)
            del source[0 : len(source)]
            source += DRILL.reference_solution
            async with YClient(f"{ws}/code?token={interviewer}") as check:
                await wait_until(
                    lambda: str(check.text) == DRILL.reference_solution,
                    what="the edit on the server",
                )
            report = await asyncio.to_thread(
                call, server, "POST", f"/api/sessions/{sid}/grade", interviewer
            )
        async with YClient(f"{ws}/notes?token={interviewer}") as notes:
            await asyncio.wait_for(notes.synced.wait(), 10)
            grades = notes.doc.get("grades", type=Map).to_py()
        return {"report": report.json(), "grades": grades}

    got = asyncio.run(write_reference_then_read_notes())
    report = got["report"]
    assert (report["score"], report["passed"]) == (100.0, 2)
    assert [r["id"] for r in report["results"]] == ["doubles", "negative"]
    assert got["grades"][report["id"]]["score"] == 100.0
    assert got["grades"][starter["id"]]["score"] == 0.0
