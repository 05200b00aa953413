"""Integrity signals from the room, and reviewers' comments pinned to moments of the replay.

Signals (paste with its size, focus lost, focus regained) are what the candidate's and the
interviewer's browsers report; they are shown to interviewers and reviewers as evidence, never
turned into a verdict. Both kinds of record go into the session's log with server time and author.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from server.access import Access
from server.api.deps import MAX_INT, Authorize, services_of
from server.permissions import Action, LinkBearer, Member, seat_of
from server.replay import records
from server.text import Text

router = APIRouter(prefix="/api/sessions")


class Signal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["paste", "blur", "focus"]
    size: int | None = Field(None, ge=0, le=MAX_INT, description="Characters pasted (paste only).")
    lines: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        description="Lines pasted (paste only; at most size + 1). Never the text.",
    )


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: int = Field(..., ge=0, le=MAX_INT, description="Milliseconds since the session's creation.")
    text: Text = Field(..., min_length=1)


@router.post("/{session_id}/signals", status_code=201)
async def post_signal(
    session_id: str,
    body: Signal,
    request: Request,
    access: Access = Depends(Authorize(Action.SIGNAL_SEND)),
) -> dict[str, Any]:
    assert isinstance(access.principal, LinkBearer)  # the table refuses the admin
    capability = access.principal.capability
    services = services_of(request)
    settings = services.settings
    if body.size is not None and body.size > settings.signal_max_size:
        raise HTTPException(422, f"size above {settings.signal_max_size}")
    if body.kind != "paste" and (body.size is not None or body.lines is not None):
        raise HTTPException(422, "only a paste has a size")
    if body.lines is not None and body.lines > (body.size or 0) + 1:
        raise HTTPException(422, "a paste has at most size + 1 lines")
    limiter = services.replay.signal_limiter
    if not limiter.allow((session_id, capability.role, capability.name)):
        raise HTTPException(429, f"more than {settings.signals_per_minute} signals a minute")
    return await records.append_signal(
        services.store,
        session_id,
        capability.name,
        capability.role,
        body.kind,
        body.size,
        body.lines,
    )


@router.get("/{session_id}/comments")
async def get_comments(
    session_id: str, request: Request, _: Access = Depends(Authorize(Action.COMMENT_READ))
) -> list[dict[str, Any]]:
    return await records.list_comments(services_of(request).store, session_id)


@router.post("/{session_id}/comments", status_code=201)
async def post_comment(
    session_id: str,
    body: Comment,
    request: Request,
    access: Access = Depends(Authorize(Action.COMMENT_WRITE)),
) -> dict[str, Any]:
    services = services_of(request)
    settings = services.settings
    text = body.text.strip()
    if not text:
        raise HTTPException(422, "empty comment")
    if len(text) > settings.comment_max_chars:
        raise HTTPException(422, f"comment longer than {settings.comment_max_chars} chars")
    count = await services.store.last_seq(session_id, records.COMMENTS_DOC)
    if count >= settings.comments_per_session:
        raise HTTPException(409, f"this recording holds {settings.comments_per_session} comments")
    principal = access.principal
    if isinstance(principal, LinkBearer):
        author, role = principal.name, str(principal.role)
    elif isinstance(principal, Member):
        author, role = principal.name, seat_of(principal, access.facts) or principal.role
    else:
        author, role = "Admin", "admin"
    return await records.append_comment(services.store, session_id, author, role, body.at, text)
