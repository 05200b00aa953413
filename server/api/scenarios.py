"""`GET /api/scenarios`: the lobby's list (admin or interviewer token); nothing interviewer-only
beyond the public summary fields ever leaves through it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from server.api.deps import bearer_token, services_of
from server.auth import TokenError, is_admin
from server.scenarios.library import library
from server.scenarios.model import summarize

router = APIRouter(prefix="/api/scenarios")


async def require_admin_or_interviewer(request: Request) -> None:
    services = services_of(request)
    token = bearer_token(request)
    if is_admin(token, services.admin_token):
        return
    try:
        capability = services.sessions.signer.verify(token)
        capability = await services.sessions.authenticate(token, capability.session_id)
    except TokenError as exc:
        raise HTTPException(403, str(exc)) from exc
    if capability.role != "interviewer":
        raise HTTPException(403, f"the {capability.role} role cannot list scenarios")


@router.get("")
async def list_scenarios(request: Request) -> list[dict[str, Any]]:
    await require_admin_or_interviewer(request)
    return [summarize(s).model_dump() for s in library().values()]
