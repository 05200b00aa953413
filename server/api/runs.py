"""The runs REST API (issue 3's contract): start a run, read it, interrupt or restart the kernel.

Interviewer and candidate may run; observers and reviewers may only read. A candidate's Run is
refused while the interviewer has `run_disabled` set. Everything else about a run (its outputs,
live) travels in the `console` doc.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from server.api.deps import caller_for_session, services_of
from server.auth import Capability, Role
from server.runs import RunConflict

router = APIRouter(prefix="/api/sessions")
RUNNERS: tuple[Role, ...] = ("interviewer", "candidate")


class StartRun(BaseModel):
    code: str | None = Field(None, description="Code to run; default: the editor's `source`.")


async def _runner(request: Request, session_id: str) -> Capability | None:
    capability = await caller_for_session(request, session_id, roles=RUNNERS)
    record = await services_of(request).sessions.get(session_id)
    assert record is not None
    if record.state == "ended":
        raise HTTPException(409, "the session has ended")
    return capability


@router.post("/{session_id}/runs", status_code=202)
async def start_run(
    session_id: str, request: Request, body: StartRun | None = None
) -> dict[str, str]:
    capability = await _runner(request, session_id)
    services = services_of(request)
    if capability is not None and capability.role == "candidate":
        record = await services.sessions.get(session_id)
        assert record is not None
        if services.sessions.controls(record).get("run_disabled"):
            raise HTTPException(403, "Run is disabled by the interviewer")
        if record.state == "waiting":
            raise HTTPException(409, "the interviewer has not started the session yet")
    author = "admin" if capability is None else capability.name
    role = "interviewer" if capability is None else capability.role
    try:
        run_id = await services_of(request).runs.start_run(
            session_id, author, role, None if body is None else body.code
        )
    except RunConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"run_id": run_id}


@router.get("/{session_id}/runs/{run_id}")
async def get_run(session_id: str, run_id: str, request: Request) -> dict[str, Any]:
    await caller_for_session(request, session_id)
    run = await services_of(request).runs.get_run(session_id, run_id)
    if run is None:
        raise HTTPException(404, "no such run in this session")
    return run


@router.post("/{session_id}/kernel/interrupt")
async def interrupt(session_id: str, request: Request) -> dict[str, bool]:
    await _runner(request, session_id)
    await services_of(request).runs.interrupt(session_id)
    return {"ok": True}


@router.post("/{session_id}/kernel/restart")
async def restart(session_id: str, request: Request) -> dict[str, bool]:
    await _runner(request, session_id)
    await services_of(request).runs.restart(session_id)
    return {"ok": True}
