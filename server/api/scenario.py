"""The scenario REST API of a session: the clock, events, hints, the views, and grading.

Interviewers (and the admin) drive the scenario; every other role gets 403 on those routes.
`GET /api/sessions/{id}/scenario` answers each role with what it may see: the interviewer's view
(upcoming events, hints, rubric, notes; reviewers get it too) or the candidate-safe view (the
brief, revealed sections and hints) for candidates and observers. Grades go into the `notes`
doc's `grades` map, which candidates never open.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pycrdt import Doc, Map, Text

from server.api.deps import caller_for_session, services_of
from server.auth import Capability
from server.scenarios import library
from server.scenarios.grading import grade
from server.scenarios.runner import ScenarioError, ScenarioRunner, now_ms

router = APIRouter(prefix="/api/sessions")
_grading: set[str] = set()


def runner_of(request: Request) -> ScenarioRunner:
    runner: ScenarioRunner | None = getattr(request.app.state, "scenarios", None)
    if runner is None:
        raise HTTPException(503, "the scenario runner is not available on this server")
    return runner


def _by(capability: Capability | None) -> str:
    return "admin" if capability is None else capability.name


async def _interviewer(request: Request, session_id: str) -> str:
    return _by(await caller_for_session(request, session_id, roles=("interviewer",)))


async def scenario_error_response(request: Request, exc: Exception) -> JSONResponse:
    """Every `ScenarioError` the runner raises becomes its HTTP status with the message."""
    assert isinstance(exc, ScenarioError)
    return JSONResponse({"detail": str(exc)}, status_code=exc.status)


@router.get("/{session_id}/scenario")
async def get_scenario(session_id: str, request: Request) -> dict[str, Any]:
    capability = await caller_for_session(request, session_id)
    # Reviewers (the hiring team, who also read the notes) see what the interviewer saw.
    interviewer = capability is None or capability.role in ("interviewer", "reviewer")
    return await runner_of(request).view(session_id, interviewer)


async def _clock(session_id: str, request: Request, action: str) -> dict[str, Any]:
    await _interviewer(request, session_id)
    return await runner_of(request).control(session_id, action)


@router.post("/{session_id}/scenario/start")
async def start(session_id: str, request: Request) -> dict[str, Any]:
    return await _clock(session_id, request, "start")


@router.post("/{session_id}/scenario/pause")
async def pause(session_id: str, request: Request) -> dict[str, Any]:
    return await _clock(session_id, request, "pause")


@router.post("/{session_id}/scenario/resume")
async def resume(session_id: str, request: Request) -> dict[str, Any]:
    return await _clock(session_id, request, "resume")


@router.post("/{session_id}/scenario/events/{event_id}/fire")
async def fire(session_id: str, event_id: str, request: Request) -> dict[str, bool]:
    by = await _interviewer(request, session_id)
    await runner_of(request).fire(session_id, event_id, by)
    return {"ok": True}


@router.post("/{session_id}/scenario/events/{event_id}/skip")
async def skip(session_id: str, event_id: str, request: Request) -> dict[str, bool]:
    by = await _interviewer(request, session_id)
    await runner_of(request).skip(session_id, event_id, by)
    return {"ok": True}


@router.post("/{session_id}/scenario/hints/{hint_id}/reveal")
async def reveal_hint(session_id: str, hint_id: str, request: Request) -> dict[str, bool]:
    by = await _interviewer(request, session_id)
    await runner_of(request).reveal_hint(session_id, hint_id, by)
    return {"ok": True}


@router.post("/{session_id}/grade")
async def grade_session(session_id: str, request: Request) -> dict[str, Any]:
    """Hidden tests against the editor's current code, in a fresh grader kernel; the report is
    written to `notes.grades[<id>]` (interviewers and reviewers only) and returned."""
    by = await _interviewer(request, session_id)
    services = services_of(request)
    record = await services.sessions.get(session_id)
    assert record is not None
    scenario = None if record.scenario is None else library.get(record.scenario)
    if scenario is None:
        raise HTTPException(404, "this session has no scenario")
    if not scenario.tests:
        raise HTTPException(409, "this scenario has no hidden tests")
    runs = getattr(request.app.state, "runs", None)
    if runs is None or not runs.started:
        raise HTTPException(503, "kernels are not available on this server")
    if session_id in _grading:
        raise HTTPException(409, "grading is already running for this session")
    _grading.add(session_id)
    try:
        code_doc = await services.rooms.read(session_id, "code")
        code = str(code_doc.get("source", type=Text))
        started = now_ms()
        report = await grade(
            runs.provider, scenario, code, services.settings.scenario_test_timeout_seconds
        )
    finally:
        _grading.discard(session_id)
    result = {
        "id": uuid.uuid4().hex[:12],
        "at": started,
        "by": by,
        "duration_ms": now_ms() - started,
        **report.to_json(),
    }

    def write(doc: Doc[Any]) -> None:
        doc.get("grades", type=Map)[result["id"]] = result

    await asyncio.shield(services.rooms.edit(session_id, "notes", write, author="grader"))
    return result
