"""The runs REST API: start a run, read it, answer its input(), interrupt or restart the kernel.

Who may do each is the permission table's (`server/permissions.py`): interviewer and candidate
run (a candidate not while Run is disabled or before Start), every role reads, the person who ran
answers its input(). Everything else about a run (its outputs, its pending input request, live)
travels in the `console` doc.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from server.access import Access
from server.api.deps import Authorize, services_of
from server.permissions import Action, LinkBearer
from server.project_files import ProjectError, ProjectTooLarge
from server.run_input import InputRefused
from server.runs import CodeTooLarge, RunConflict
from server.text import Text

router = APIRouter(prefix="/api/sessions")


class StartRun(BaseModel):
    code: Text | None = Field(
        None,
        description="Code to run; default: the file `entry`. At most "
        "PAIRBOARD_RUN_MAX_CODE_BYTES (UTF-8) bytes: HTTP 413 above.",
    )
    entry: Text | None = Field(
        None,
        max_length=160,
        description="The project file to run (default: the entry file, `main_file`).",
    )
    selection: bool = Field(
        False, description="`code` is the editor's selected lines (Run selection)."
    )


class AnswerInput(BaseModel):
    value: Text = Field(description="The line typed at the prompt (no newline).")


def run_role(access: Access) -> str:
    # The admin runs as the interviewer would (it has no role of its own in the room).
    return access.principal.role if isinstance(access.principal, LinkBearer) else "interviewer"


@router.post("/{session_id}/runs", status_code=202)
async def start_run(
    session_id: str,
    request: Request,
    body: StartRun | None = None,
    access: Access = Depends(Authorize(Action.RUN_START)),
) -> dict[str, str]:
    runs = services_of(request).runs
    trace = runs.traces.begin()  # None unless PAIRBOARD_RUN_TRACE_FILE is set
    try:
        run_id = await runs.start_run(
            session_id,
            access.name,
            run_role(access),
            None if body is None else body.code,
            entry=None if body is None else body.entry,
            selection=body is not None and body.selection and body.code is not None,
            trace=trace,
        )
    except RunConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except CodeTooLarge as exc:
        raise HTTPException(413, str(exc)) from exc
    except ProjectTooLarge as exc:
        raise HTTPException(413, str(exc)) from exc
    except ProjectError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"run_id": run_id}


@router.get("/{session_id}/runs/{run_id}")
async def get_run(
    session_id: str,
    run_id: str,
    request: Request,
    _: Access = Depends(Authorize(Action.RUN_READ)),
) -> dict[str, Any]:
    run = await services_of(request).runs.get_run(session_id, run_id)
    if run is None:
        raise HTTPException(404, "no such run in this session")
    return run


@router.post("/{session_id}/runs/{run_id}/input")
async def answer_input(
    session_id: str,
    run_id: str,
    body: AnswerInput,
    request: Request,
    access: Access = Depends(Authorize(Action.RUN_INPUT)),
) -> dict[str, bool]:
    services = services_of(request)
    limit = services.settings.run_max_input_bytes
    if len(body.value.encode("utf-8", "surrogatepass")) > limit:
        raise HTTPException(413, f"the answer is longer than {limit} bytes")
    try:
        await services.runs.answer_input(
            session_id, run_id, run_role(access), access.name, body.value
        )
    except InputRefused as exc:
        raise HTTPException(exc.decision.status, exc.decision.reason) from exc
    return {"ok": True}


@router.post("/{session_id}/kernel/interrupt")
async def interrupt(
    session_id: str, request: Request, _: Access = Depends(Authorize(Action.KERNEL_CONTROL))
) -> dict[str, bool]:
    await services_of(request).runs.interrupt(session_id)
    return {"ok": True}


@router.post("/{session_id}/kernel/restart")
async def restart(
    session_id: str, request: Request, _: Access = Depends(Authorize(Action.KERNEL_CONTROL))
) -> dict[str, bool]:
    await services_of(request).runs.restart(session_id)
    return {"ok": True}
