"""Privacy requests on one session, for the organisation's owners (and the admin token).

`POST /api/sessions/{id}/erase {"confirm": "<the session id>"}` erases a candidate: everything
of the session, in every store (`server/privacy/erase.py`); the session id must be repeated in
the body, so a mistyped path or a replayed request cannot erase another interview. One audit
entry stays (`session.erased`, no candidate data). `GET /api/sessions/{id}/subject-export` is
the data-subject export (`server/privacy/export.py`), audited as `session.subject_exported`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from server.access import Access
from server.api.audited import audit, client_ip
from server.api.deps import Authorize, services_of
from server.audit.model import AuditKind
from server.permissions import Action
from server.privacy import export as subject_export
from server.text import Text

router = APIRouter(prefix="/api/sessions")


class Erase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirm: Text = Field(..., max_length=64, description="The session's id, once more.")


@router.post("/{session_id}/erase")
async def erase_session(
    session_id: str,
    body: Erase,
    request: Request,
    access: Access = Depends(Authorize(Action.SESSION_ERASE)),
) -> dict[str, Any]:
    if body.confirm != session_id:
        raise HTTPException(422, "confirm must repeat the session's id")
    services = services_of(request)
    actor = await services.audit.actor_of(access.principal)
    erased = await services.eraser.erase(access.record, actor, client_ip(request))
    return erased.to_json()


@router.get("/{session_id}/subject-export")
async def export_for_subject(
    session_id: str, request: Request, access: Access = Depends(Authorize(Action.SUBJECT_EXPORT))
) -> StreamingResponse:
    services = services_of(request)
    built = await subject_export.build(services.store, access.record)
    await audit(request, AuditKind.SUBJECT_EXPORTED, access.principal, resource=session_id)
    return StreamingResponse(
        subject_export.stream(built),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="pairboard-{session_id}-subject.zip"'
        },
    )
