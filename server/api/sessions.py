"""The sessions REST API (a fixed contract: other tools rely on it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pycrdt import Doc
from pydantic import BaseModel, Field

from server.api.deps import caller_for_session, require_admin, services_of
from server.documents import CONSOLE_CONTROLS, DocName
from server.scenarios import library as scenario_library
from server.scenarios.seeds import seed_session
from server.sessions import SessionError

router = APIRouter(prefix="/api/sessions")


class CreateSession(BaseModel):
    title: str | None = None
    scenario: str | None = None


class Controls(BaseModel):
    editor_locked: bool | None = Field(None, description="Refuse the candidate's editor changes.")
    run_disabled: bool | None = Field(None, description="Refuse the candidate's runs.")


@router.post("", status_code=201, dependencies=[Depends(require_admin)])
async def create_session(body: CreateSession, request: Request) -> dict[str, Any]:
    services = services_of(request)
    scenario = None if body.scenario is None else scenario_library.get(body.scenario)
    if body.scenario is not None and scenario is None:
        raise HTTPException(422, f"no scenario {body.scenario!r} (see GET /api/scenarios)")
    try:
        created = await services.sessions.create(body.title, body.scenario)
    except SessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    if scenario is not None:
        await seed_session(services.rooms, created.record.id, scenario)
    return created.to_json()


@router.get("", dependencies=[Depends(require_admin)])
async def list_sessions(request: Request) -> list[dict[str, Any]]:
    services = services_of(request)
    records = await services.store.list_sessions()
    return [services.sessions.public_view(r, None) for r in records]


@router.get("/{session_id}")
async def get_session(session_id: str, request: Request) -> dict[str, Any]:
    capability = await caller_for_session(request, session_id)
    services = services_of(request)
    record = await services.sessions.get(session_id)
    assert record is not None
    return services.sessions.public_view(record, capability)


@router.post("/{session_id}/end")
async def end_session(session_id: str, request: Request) -> dict[str, Any]:
    await caller_for_session(request, session_id, roles=("interviewer",))
    services = services_of(request)
    record = await services.sessions.end(session_id)
    return services.sessions.public_view(record, None)


@router.post("/{session_id}/controls")
async def set_controls(session_id: str, body: Controls, request: Request) -> dict[str, bool]:
    """Lock the editor / disable Run for the candidate: enforced here, mirrored to the console."""
    await caller_for_session(request, session_id, roles=("interviewer",))
    services = services_of(request)
    record = await services.sessions.get(session_id)
    assert record is not None
    controls = services.sessions.controls(record)
    changes = body.model_dump(exclude_none=True)
    controls.update(changes)
    await services.sessions.save(record)

    def mirror(doc: Doc[Any]) -> None:
        target = CONSOLE_CONTROLS.of(doc)
        for key, value in changes.items():
            target[key] = value

    await services.rooms.edit(session_id, DocName.CONSOLE, mirror)
    return dict(controls)
