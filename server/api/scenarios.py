"""`GET /api/scenarios`: the lobby's list (admin or interviewer token); nothing interviewer-only
beyond the public summary fields ever leaves through it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from server.api.deps import AuthorizeOrg
from server.permissions import Action, Principal
from server.scenarios.library import library
from server.scenarios.model import summarize

router = APIRouter(prefix="/api/scenarios")


@router.get("")
async def list_scenarios(
    _: Principal = Depends(AuthorizeOrg(Action.SCENARIO_LIST)),
) -> list[dict[str, Any]]:
    return [summarize(s).model_dump() for s in library().values()]
