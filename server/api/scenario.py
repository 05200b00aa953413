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

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pycrdt import Doc

from server.access import Access
from server.api.deps import Authorize, services_of
from server.clock import now_ms
from server.documents import NOTES_GRADES, DocName
from server.notebook import script_of
from server.permissions import Action, decide
from server.project_files import ProjectLimits, ProjectTooLarge, check_project, project_of
from server.scenarios import library
from server.scenarios.grader import Submission
from server.scenarios.grading import grade
from server.scenarios.model import Scenario
from server.scenarios.runner import ScenarioError
from server.sessions import main_file_of
from server.sync.rooms import RoomRegistry


async def candidate_code(
    rooms: RoomRegistry, session_id: str, scenario: Scenario, main: str, limits: ProjectLimits
) -> Submission:
    """What the hidden tests grade: the project (the entry file `main` and every other file of
    `code.files`, within the limits a run has), or in a notebook the code cells."""
    if scenario.mode == "notebook":
        return Submission(script_of(await rooms.read(session_id, DocName.NOTEBOOK)))
    project = project_of(await rooms.read(session_id, DocName.CODE), main)
    check_project(project, limits)
    source = project.pop(main)
    return Submission(source, project, main)


router = APIRouter(prefix="/api/sessions")
_grading: set[str] = set()
DRIVE = Depends(Authorize(Action.SCENARIO_DRIVE))


async def scenario_error_response(request: Request, exc: Exception) -> JSONResponse:
    """Every `ScenarioError` the runner raises becomes its HTTP status with the message."""
    assert isinstance(exc, ScenarioError)
    return JSONResponse({"detail": str(exc)}, status_code=exc.status)


@router.get("/{session_id}/scenario")
async def get_scenario(
    session_id: str, request: Request, access: Access = Depends(Authorize(Action.SCENARIO_VIEW))
) -> dict[str, Any]:
    # Whoever reads the notes (the hiring team) sees what the interviewer saw.
    interviewer = decide(access.principal, Action.REPLAY_READ_PRIVATE, access.facts).allowed
    return await services_of(request).scenarios.view(session_id, interviewer)


async def _clock(session_id: str, request: Request, action: str) -> dict[str, Any]:
    return await services_of(request).scenarios.control(session_id, action)


@router.post("/{session_id}/scenario/start")
async def start(session_id: str, request: Request, _: Access = DRIVE) -> dict[str, Any]:
    return await _clock(session_id, request, "start")


@router.post("/{session_id}/scenario/pause")
async def pause(session_id: str, request: Request, _: Access = DRIVE) -> dict[str, Any]:
    return await _clock(session_id, request, "pause")


@router.post("/{session_id}/scenario/resume")
async def resume(session_id: str, request: Request, _: Access = DRIVE) -> dict[str, Any]:
    return await _clock(session_id, request, "resume")


@router.post("/{session_id}/scenario/events/{event_id}/fire")
async def fire(
    session_id: str, event_id: str, request: Request, access: Access = DRIVE
) -> dict[str, bool]:
    await services_of(request).scenarios.fire(session_id, event_id, access.name)
    return {"ok": True}


@router.post("/{session_id}/scenario/events/{event_id}/skip")
async def skip(
    session_id: str, event_id: str, request: Request, access: Access = DRIVE
) -> dict[str, bool]:
    await services_of(request).scenarios.skip(session_id, event_id, access.name)
    return {"ok": True}


@router.post("/{session_id}/scenario/hints/{hint_id}/reveal")
async def reveal_hint(
    session_id: str, hint_id: str, request: Request, access: Access = DRIVE
) -> dict[str, bool]:
    await services_of(request).scenarios.reveal_hint(session_id, hint_id, access.name)
    return {"ok": True}


@router.post("/{session_id}/grade")
async def grade_session(
    session_id: str,
    request: Request,
    access: Access = Depends(Authorize(Action.SCENARIO_GRADE)),
) -> dict[str, Any]:
    """Hidden tests against the editor's current project, in a fresh grader kernel; the report
    is written to `notes.grades[<id>]` (interviewers and reviewers only) and returned. A project
    over the project limits is 413, as its run would be."""
    by = access.name
    services = services_of(request)
    record = access.record
    scenario = None if record.scenario is None else library.get(record.scenario)
    if scenario is None:
        raise HTTPException(404, "this session has no scenario")
    if not scenario.tests:
        raise HTTPException(409, "this scenario has no hidden tests")
    runs = services.runs
    if not runs.started:
        raise HTTPException(503, "kernels are not available on this server")
    if session_id in _grading:
        raise HTTPException(409, "grading is already running for this session")
    _grading.add(session_id)
    try:
        try:
            code = await candidate_code(
                services.rooms, session_id, scenario, main_file_of(record), runs.project_limits
            )
        except ProjectTooLarge as exc:
            raise HTTPException(413, str(exc)) from None
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
        NOTES_GRADES.of(doc)[result["id"]] = result

    await asyncio.shield(services.rooms.edit(session_id, DocName.NOTES, write, author="grader"))
    return result
