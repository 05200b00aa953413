"""The sessions REST API (a fixed contract: other tools rely on it)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pycrdt import Doc
from pydantic import BaseModel, Field

from server.access import Access
from server.api.deps import Authorize, AuthorizeOrg, services_of
from server.documents import CONSOLE_CONTROLS, CONSOLE_SESSION, DocName
from server.permissions import Action, LinkBearer, Principal
from server.scenarios import library as scenario_library
from server.scenarios.seeds import seed_session
from server.sessions import SessionError
from server.text import Text

router = APIRouter(prefix="/api/sessions")


class CreateSession(BaseModel):
    title: str | None = None
    scenario: str | None = None
    mode: Literal["code", "notebook"] | None = Field(
        None, description="`code` (an editor) or `notebook`; default: the scenario's, else code."
    )


class ChosenName(BaseModel):
    name: Text = Field(..., description="The candidate's name, shown in the room and recording.")


class Controls(BaseModel):
    editor_locked: bool | None = Field(None, description="Refuse the candidate's editor changes.")
    run_disabled: bool | None = Field(None, description="Refuse the candidate's runs.")


@router.post("", status_code=201)
async def create_session(
    body: CreateSession,
    request: Request,
    _: Principal = Depends(AuthorizeOrg(Action.SESSION_CREATE)),
) -> dict[str, Any]:
    services = services_of(request)
    scenario = None if body.scenario is None else scenario_library.get(body.scenario)
    if body.scenario is not None and scenario is None:
        raise HTTPException(422, f"no scenario {body.scenario!r} (see GET /api/scenarios)")
    try:
        mode = body.mode or (scenario.mode if scenario is not None else "code")
        created = await services.sessions.create(body.title, body.scenario, mode=mode)
    except SessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    if scenario is not None:
        await seed_session(services.rooms, created.record.id, scenario)
    return created.to_json()


@router.get("")
async def list_sessions(
    request: Request, _: Principal = Depends(AuthorizeOrg(Action.SESSION_LIST))
) -> list[dict[str, Any]]:
    """Every session with fresh links (re-issued, never stored: closing the lobby loses none)."""
    services = services_of(request)
    records = await services.store.list_sessions()
    sessions = services.sessions
    return [{**sessions.public_view(r, None), "links": sessions.rejoin_links(r)} for r in records]


@router.get("/{session_id}")
async def get_session(
    request: Request, access: Access = Depends(Authorize(Action.SESSION_READ))
) -> dict[str, Any]:
    capability = access.principal.capability if isinstance(access.principal, LinkBearer) else None
    return services_of(request).sessions.public_view(access.record, capability)


@router.post("/{session_id}/end")
async def end_session(
    session_id: str, request: Request, access: Access = Depends(Authorize(Action.SESSION_END))
) -> dict[str, Any]:
    """Ends the session (revoking its live links) and tells every page in the room at once
    through `console.session`, which the room's open sockets still receive."""
    services = services_of(request)
    was_ended = access.record.state == "ended"
    record = await services.sessions.end(session_id)
    if not was_ended:

        def mark(doc: Doc[Any]) -> None:
            target = CONSOLE_SESSION.of(doc)
            target["state"] = "ended"
            target["ended_at"] = record.ended_at_ms
            target["ended_by"] = access.name

        await services.rooms.edit(session_id, DocName.CONSOLE, mark)
    return services.sessions.public_view(record, None)


@router.post("/{session_id}/name")
async def choose_name(
    body: ChosenName,
    request: Request,
    access: Access = Depends(Authorize(Action.SESSION_NAME)),
) -> dict[str, Any]:
    """The candidate's name, asked on first open: what the room, the runs and the recording
    show for them from then on. Their link stays the credential."""
    assert isinstance(access.principal, LinkBearer)  # the table allows only the candidate
    services = services_of(request)
    try:
        await services.sessions.set_name(access.record, access.principal.role, body.name)
    except SessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    named = services.sessions.named(access.record, access.principal.capability)
    return services.sessions.public_view(access.record, named)


@router.post("/{session_id}/controls")
async def set_controls(
    session_id: str,
    body: Controls,
    request: Request,
    access: Access = Depends(Authorize(Action.SESSION_CONTROL)),
) -> dict[str, bool]:
    """Lock the editor / disable Run for the candidate: enforced here, mirrored to the console."""
    services = services_of(request)
    record = access.record
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
