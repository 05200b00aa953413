"""The organisation's settings and the candidate notice over REST.

`GET /api/org/settings` (any member, the admin token, a token with `org:settings`): the
settings, the notice version in force and the limits. `PUT /api/org/settings` (owners, the admin
token): the whole settings object, validated with the server's limits (422 says which field),
audited. `POST /api/sessions/{id}/notice/ack {"version", "hash"}` (the candidate's link): the
candidate read the notice their page was given; the room opens to them from then on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from server.access import Access
from server.api.audited import client_ip
from server.api.deps import Authorize, AuthorizeOrg, services_of
from server.org.model import OrgSettings, validate_settings
from server.org.service import NoticeError
from server.permissions import Action, Principal
from server.text import Text

router = APIRouter()


class NoticeAck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(..., ge=1, le=2**31, description="The notice version the page showed.")
    hash: Text = Field(..., max_length=64, description="Its hash, as the page was given it.")


@router.get("/api/org/settings")
async def read_settings(
    request: Request, principal: Principal = Depends(AuthorizeOrg(Action.ORG_SETTINGS_READ))
) -> dict[str, Any]:
    return await services_of(request).org.view()


@router.put("/api/org/settings")
async def save_settings(
    body: OrgSettings,
    request: Request,
    principal: Principal = Depends(AuthorizeOrg(Action.ORG_SETTINGS_MANAGE)),
) -> dict[str, Any]:
    services = services_of(request)
    try:
        settings = validate_settings(
            body.model_dump(), notice_max_bytes=services.settings.org_notice_max_bytes
        )
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from exc
    return await services.org.update(settings, principal, client_ip(request))


@router.post("/api/sessions/{session_id}/notice/ack")
async def acknowledge_notice(
    body: NoticeAck, request: Request, access: Access = Depends(Authorize(Action.NOTICE_ACK))
) -> dict[str, Any]:
    services = services_of(request)
    try:
        ack = await services.org.acknowledge(
            access.record, body.version, body.hash, access.principal, client_ip(request)
        )
    except NoticeError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return {"acknowledged": ack}
