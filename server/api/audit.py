"""The audit log over REST, for the organisation's owners (`Action.AUDIT_READ`).

`GET /api/audit` pages through entries newest first: filters `kind` (repeatable), `actor` (a
user id or e-mail, or an actor kind: member, admin, link, anonymous, system), `resource` (a
session, user or token id), `since`/`until` (ms since the epoch, until exclusive); a page is at
most `limit` entries (default 100, at most `PAGE_MAX`), and `next` is the `before` of the next
page (null on the last). `GET /api/audit.jsonl` streams every matching entry oldest first, one
JSON object per line, for a SIEM or an archive. There is no route that changes or deletes an
entry: the log is append-only (and the database refuses it too, see migration 3).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from server.api.deps import MAX_INT, AuthorizeOrg, services_of
from server.audit.model import AuditKind, AuditQuery
from server.permissions import Action, Principal

router = APIRouter(prefix="/api")

PAGE_MAX = 1000
"""The most entries one `GET /api/audit` page holds (`limit`); the export has no page."""
FILTER_MAX_CHARS = 320  # an e-mail's longest
KINDS_MAX = len(AuditKind)

OWNERS = Depends(AuthorizeOrg(Action.AUDIT_READ))


def _query(
    kind: list[str] | None,
    actor: str | None,
    resource: str | None,
    since: int | None,
    until: int | None,
    before: int | None = None,
    limit: int = 100,
    oldest_first: bool = False,
) -> AuditQuery:
    kinds = tuple(kind or ())
    if len(kinds) > KINDS_MAX:
        raise HTTPException(422, f"at most {KINDS_MAX} kinds")
    unknown = sorted(set(kinds) - {k.value for k in AuditKind})
    if unknown:
        raise HTTPException(
            422, f"unknown audit kinds {unknown}; known: {[k.value for k in AuditKind]}"
        )
    return AuditQuery(
        kinds=kinds,
        actor=actor,
        resource=resource,
        since_ms=since,
        until_ms=until,
        before_id=before,
        limit=limit,
        oldest_first=oldest_first,
    )


KIND = Query(None, description="Only these kinds (repeat the parameter for several).")
ACTOR = Query(None, max_length=FILTER_MAX_CHARS, description="User id or e-mail, or actor kind.")
RESOURCE = Query(None, max_length=FILTER_MAX_CHARS, description="A session, user or token id.")
SINCE = Query(None, ge=0, le=MAX_INT, description="From this time (ms since the epoch).")
UNTIL = Query(None, ge=0, le=MAX_INT, description="Before this time (ms since the epoch).")


@router.get("/audit")
async def list_audit(
    request: Request,
    kind: list[str] | None = KIND,
    actor: str | None = ACTOR,
    resource: str | None = RESOURCE,
    since: int | None = SINCE,
    until: int | None = UNTIL,
    before: int | None = Query(None, ge=1, le=MAX_INT, description="The `next` of a page."),
    limit: int = Query(100, ge=1, le=PAGE_MAX),
    _: Principal = OWNERS,
) -> dict[str, Any]:
    query = _query(kind, actor, resource, since, until, before, limit)
    entries = await services_of(request).audit.page(query)
    more = len(entries) == limit
    return {
        "entries": [e.to_json() for e in entries],
        "next": entries[-1].id if more and entries else None,
    }


@router.get("/audit.jsonl")
async def export_audit(
    request: Request,
    kind: list[str] | None = KIND,
    actor: str | None = ACTOR,
    resource: str | None = RESOURCE,
    since: int | None = SINCE,
    until: int | None = UNTIL,
    _: Principal = OWNERS,
) -> StreamingResponse:
    query = _query(kind, actor, resource, since, until, oldest_first=True)
    return StreamingResponse(
        services_of(request).audit.export(query),
        media_type="application/jsonl",
        headers={"Content-Disposition": 'attachment; filename="pairboard-audit.jsonl"'},
    )
