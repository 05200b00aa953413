"""The replay API: state at an instant, the timeline, the player's chunked log, share links.

Who may read (enforced here, per request):
- the admin, and interviewer and reviewer tokens: everything, including notes, integrity signals
  and comments;
- candidate and observer tokens: code, board, console and cursors of their own session, while
  their token is valid (ending a session revokes them);
- reviewer tokens keep working after the session ended, whenever they were issued: a reviewer
  can only read, and reading the recording is what a reviewer link is for.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from server.api.deps import bearer_token, caller_for_session, services_of
from server.auth import Capability, Role, TokenError, is_admin
from server.replay.records import AWARENESS_DOC, COMMENTS_DOC, SIGNALS_DOC
from server.replay.state import state_at
from server.replay.timeline import timeline
from server.store.base import SessionRecord

router = APIRouter(prefix="/api/sessions")

PRIVILEGED: tuple[Role, ...] = ("interviewer", "reviewer")
PUBLIC_LOG_DOCS = frozenset({"code", "board", "console", AWARENESS_DOC})
PRIVATE_LOG_DOCS = frozenset({"notes", SIGNALS_DOC, COMMENTS_DOC})


async def replay_caller(
    request: Request, session_id: str, roles: tuple[Role, ...] | None = None
) -> Capability | None:
    """Like `caller_for_session`, except that reviewer tokens outlive the session's end."""
    services = services_of(request)
    token = bearer_token(request)
    if not is_admin(token, services.admin_token):
        try:
            capability = services.sessions.signer.verify(token)
        except TokenError as exc:
            raise HTTPException(403, str(exc)) from exc
        if capability.role == "reviewer" and capability.session_id == session_id:
            if await services.sessions.get(session_id) is None:
                raise HTTPException(404, "no such session")
            if roles is not None and "reviewer" not in roles:
                raise HTTPException(403, "the reviewer role cannot do this")
            return capability
    return await caller_for_session(request, session_id, roles)


def privileged(capability: Capability | None) -> bool:
    return capability is None or capability.role in PRIVILEGED


async def session_record(request: Request, session_id: str) -> SessionRecord:
    record = await services_of(request).sessions.get(session_id)
    if record is None:
        raise HTTPException(404, "no such session")
    return record


def json_response(body: Any) -> Response:
    """Serialised directly: FastAPI's generic encoder walks every element of a big state first,
    which costs more than building the state."""
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


@router.get("/{session_id}/state")
async def get_state(
    session_id: str, request: Request, at: int = Query(..., ge=0, description="ms since creation")
) -> Response:
    capability = await replay_caller(request, session_id)
    record = await session_record(request, session_id)
    state = await state_at(
        services_of(request).store,
        session_id,
        record.created_at_ms,
        at,
        with_notes=privileged(capability),
    )
    return json_response(state)


@router.get("/{session_id}/timeline")
async def get_timeline(
    session_id: str, request: Request, buckets: int = Query(200, ge=1, le=2000)
) -> dict[str, Any]:
    capability = await replay_caller(request, session_id)
    record = await session_record(request, session_id)
    return await timeline(
        services_of(request).store, record, privileged=privileged(capability), buckets=buckets
    )


def entry_json(
    seq: int, ts_ms: int, origin: int, author: str, role: str, kind: str, data: bytes
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "seq": seq,
        "t": ts_ms - origin,
        "author": author,
        "role": role,
        "kind": kind,
    }
    if kind == "update":
        out["data"] = base64.b64encode(data).decode("ascii")
    else:
        out["value"] = json.loads(data)
    return out


@router.get("/{session_id}/log")
async def get_log(
    session_id: str,
    request: Request,
    doc: str = Query(..., description="code, board, console, notes, awareness, signals, comments"),
    after: int = Query(0, ge=0, description="return entries with a seq above this"),
    limit: int | None = Query(None, ge=1),
) -> Response:
    """One chunk of a doc's log; page with `after = next_after` until `done`."""
    capability = await replay_caller(request, session_id)
    if doc not in PUBLIC_LOG_DOCS | PRIVATE_LOG_DOCS:
        raise HTTPException(404, f"no log named {doc!r}")
    if doc in PRIVATE_LOG_DOCS and not privileged(capability):
        raise HTTPException(403, f"the {doc} log is for interviewers and reviewers")
    services = services_of(request)
    record = await session_record(request, session_id)
    cap = services.settings.replay_log_chunk
    limit = min(limit or cap, cap)
    entries = await services.store.read_log_range(session_id, doc, after, limit=limit)
    origin = record.created_at_ms
    last = await services.store.last_seq(session_id, doc)
    next_after = entries[-1].seq if entries else after
    return json_response(
        {
            "doc": doc,
            "created_at_ms": origin,
            "entries": [
                entry_json(e.seq, e.ts_ms, origin, e.author, e.role, e.kind, e.data)
                for e in entries
            ],
            "next_after": next_after,
            "last_seq": last,
            "done": next_after >= last,
        }
    )


class ShareRequest(BaseModel):
    name: str | None = Field(None, description="The reviewer's display name.")


@router.post("/{session_id}/share")
async def share(
    session_id: str, request: Request, body: ShareRequest | None = None
) -> dict[str, str]:
    """A reviewer link: reads the replay (also after the end) and comments, never edits."""
    await caller_for_session(request, session_id, roles=("interviewer",))
    services = services_of(request)
    settings = services.settings
    name = ((body.name if body else None) or "Reviewer").strip()[: settings.max_name_length]
    token = services.sessions.signer.issue(
        session_id, "reviewer", name or "Reviewer", settings.reviewer_token_lifetime_seconds
    )
    return {"link": f"{settings.base_url()}/replay/{session_id}?token={token}", "token": token}
