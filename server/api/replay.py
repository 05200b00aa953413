"""The replay API: state at an instant, the timeline, the player's chunked log, share links.

Who may read is the permission table's (`server/permissions.py`): every role of the session
reads code, board, console and cursors while its link is valid (ending a session revokes it);
the hiring team (admin, interviewer, reviewer) also reads notes, integrity signals and comments;
reviewer links keep working after the session ended, whenever they were issued: a reviewer can
only read, and reading the recording is what a reviewer link is for.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from server.access import Access
from server.api.audited import audit
from server.api.deps import MAX_INT, Authorize, services_of
from server.audit.model import AuditKind
from server.documents import DOCS, RECORD_DOCS, RecordDoc
from server.permissions import Action, decide
from server.replay.state import state_at
from server.replay.timeline import timeline
from server.sessions import main_file_of
from server.text import Text

router = APIRouter(prefix="/api/sessions")

READ = Depends(Authorize(Action.REPLAY_READ))
PRIVATE_LOG_DOCS = frozenset({"notes", RecordDoc.SIGNALS, RecordDoc.COMMENTS})
LOG_DOCS = frozenset(DOCS) | frozenset(RECORD_DOCS)


def privileged(access: Access) -> bool:
    """Whether this reader also sees notes, integrity signals and comments."""
    return decide(access.principal, Action.REPLAY_READ_PRIVATE, access.facts).allowed


def json_response(body: Any) -> Response:
    """Serialised directly: FastAPI's generic encoder walks every element of a big state first,
    which costs more than building the state."""
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


@router.get("/{session_id}/state")
async def get_state(
    session_id: str,
    request: Request,
    at: int = Query(..., ge=0, le=MAX_INT, description="ms since creation"),
    access: Access = READ,
) -> Response:
    state = await state_at(
        services_of(request).store,
        session_id,
        access.record.created_at_ms,
        at,
        with_notes=privileged(access),
        main_file=main_file_of(access.record),
    )
    return json_response(state)


@router.get("/{session_id}/timeline")
async def get_timeline(
    request: Request, buckets: int = Query(200, ge=1, le=2000), access: Access = READ
) -> dict[str, Any]:
    """The player's first request when a recording is opened: the one audited as viewed (its
    seeks and log pages are not, or one viewing would be hundreds of entries)."""
    await audit(request, AuditKind.RECORDING_VIEWED, access.principal, resource=access.record.id)
    return await timeline(
        services_of(request).store, access.record, privileged=privileged(access), buckets=buckets
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
    after: int = Query(0, ge=0, le=MAX_INT, description="return entries with a seq above this"),
    limit: int | None = Query(None, ge=1, le=MAX_INT),
    access: Access = READ,
) -> Response:
    """One chunk of a doc's log; page with `after = next_after` until `done`."""
    if doc not in LOG_DOCS:
        raise HTTPException(404, f"no log named {doc!r}")
    if doc in PRIVATE_LOG_DOCS and not privileged(access):
        raise HTTPException(403, f"the {doc} log is for interviewers and reviewers")
    services = services_of(request)
    record = access.record
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
    name: Text | None = Field(None, description="The reviewer's display name.")


@router.post("/{session_id}/share")
async def share(
    session_id: str,
    request: Request,
    body: ShareRequest | None = None,
    access: Access = Depends(Authorize(Action.SESSION_SHARE)),
) -> dict[str, str]:
    """A reviewer link: reads the replay (also after the end) and comments, never edits."""
    services = services_of(request)
    settings = services.settings
    name = ((body.name if body else None) or "Reviewer").strip()[: settings.max_name_length]
    token = services.sessions.signer.issue(
        session_id, "reviewer", name or "Reviewer", settings.reviewer_token_lifetime_seconds
    )
    details = {"via": "reviewer_link"}
    await audit(
        request, AuditKind.ACCESS_GRANTED, access.principal, resource=session_id, details=details
    )
    return {"link": f"{settings.base_url()}/replay/{session_id}?token={token}", "token": token}
