"""Export and import of recordings over HTTP: the same file as `pairboard export` / `import`.

`GET /api/sessions/{id}/export` streams the gzip'd recording (interviewer, reviewer, admin: it holds
the notes). `POST /api/recordings` (admin) takes such a file as the request body; `?new_id=true`
imports it under a fresh session id when the original id is taken.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from server.access import Access
from server.api.audited import audit
from server.api.deps import Authorize, AuthorizeOrg, services_of
from server.audit.model import AuditKind
from server.permissions import Action, Principal
from server.replay.archive import (
    ImportLimits,
    RecordingError,
    RecordingTooLarge,
    export_gzip,
    import_recording,
    read_file,
)

router = APIRouter()


@router.get("/api/sessions/{session_id}/export")
async def export(
    session_id: str,
    request: Request,
    checkpoints: bool = Query(False),
    access: Access = Depends(Authorize(Action.RECORDING_EXPORT)),
) -> StreamingResponse:
    stream = export_gzip(services_of(request).store, access.record, with_checkpoints=checkpoints)
    await audit(request, AuditKind.RECORDING_EXPORTED, access.principal, resource=session_id)
    return StreamingResponse(
        stream,
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="pairboard-{session_id}.jsonl.gz"'},
    )


@router.post("/api/recordings", status_code=201)
async def import_(
    request: Request,
    new_id: bool = Query(False),
    principal: Principal = Depends(AuthorizeOrg(Action.RECORDING_IMPORT)),
) -> dict[str, Any]:
    services = services_of(request)
    limit = services.settings.import_max_bytes
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as f:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"recording larger than {limit} bytes")
            f.write(chunk)
        f.seek(0)
        try:
            # Parsing is CPU work on a big file: keep it off the event loop.
            rec = await asyncio.to_thread(
                read_file,
                f,
                new_id=new_id,
                checkpoint_interval=services.settings.checkpoint_interval,
                limits=ImportLimits.from_settings(services.settings),
            )
            record = await import_recording(services.store, rec)
        except RecordingTooLarge as exc:
            raise HTTPException(413, str(exc)) from exc
        except RecordingError as exc:
            status = 409 if "already exists" in str(exc) else 422
            raise HTTPException(status, str(exc)) from exc
    details = {"entries": len(rec.entries), "new_id": new_id}
    await audit(
        request, AuditKind.RECORDING_IMPORTED, principal, resource=record.id, details=details
    )
    return {
        "id": record.id,
        "title": record.title,
        "entries": len(rec.entries),
        "checkpoints": len(rec.checkpoints),
    }
