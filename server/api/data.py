"""Attach a data file to a live session: it appears read-only in the kernel's `data/`.

`PUT /api/sessions/{id}/data/{name}` with the file as the raw body (any content type). Interviewer
only (`Action.DATA_ATTACH`); the body is capped at `attachment_max_bytes` before it is read
(`server/http_limits.py`), the name and content are checked (`server.attachments`), then the file
is stored and placed in the session's kernel now (or in its first kernel, before the first run).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, HTTPException, Request

from server.access import Access
from server.api.deps import Authorize, services_of
from server.attachments import AttachmentRefused
from server.permissions import Action

router = APIRouter(prefix="/api/sessions")


@router.put("/{session_id}/data/{name}", status_code=201)
async def attach(
    session_id: str,
    name: str,
    request: Request,
    _: Access = Depends(Authorize(Action.DATA_ATTACH)),
) -> dict[str, object]:
    services = services_of(request)
    content = await request.body()
    try:
        sha256 = await asyncio.to_thread(services.attachments.save, session_id, name, content)
    except AttachmentRefused as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    await services.runs.sync_hidden(session_id)
    return {"name": name, "size": len(content), "sha256": sha256}
