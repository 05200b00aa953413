"""The websocket endpoint `/ws/{session}/{doc}?token=...` spoken to by the stock y-websocket client.

Who may connect is decided before the handshake completes: a refusal is an HTTP 403 during the
handshake, never accept-then-close (which makes the stock client reconnect every 100 ms forever),
with the reason as its JSON body (`{"detail": ...}`, as the REST API says it) where the server
can send one (uvicorn's `websocket.http.response` extension).
The session's and the role's connection caps are reserved atomically at the handshake
(`admission.py`) and released when the socket ends. After accepting, the connection joins its
room once the room has loaded (so the first SyncStep2 it gets reflects the stored state), then
each frame is decoded and dispatched.
"""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from server.access import AccessDenied, Credential, facts_of
from server.accounts.service import COOKIE
from server.documents import DOCS, DocName
from server.permissions import Action, LinkBearer, decide, may_ever_write
from server.services import Services
from server.sessions import Sessions
from server.sync import protocol
from server.sync.connection import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_PROTOCOL_ERROR,
    CLOSE_TOO_BIG,
    Connection,
    frame_writer_of,
)
from server.sync.room import EMPTY_UPDATE, Room, UpdateRefused, UpdateRejected

log = logging.getLogger(__name__)
router = APIRouter()

# A writer whose edits are refused (editor locked) hears about it at most this often.
DENIED_NOTICE_INTERVAL = 2.0


@router.websocket("/ws/{session_id}/{doc}")
async def sync_socket(websocket: WebSocket, session_id: str, doc: str) -> None:
    services: Services = websocket.app.state.services
    settings = services.settings
    token = websocket.query_params.get("token", "")
    try:
        if doc not in DOCS:
            raise AccessDenied(404, f"no doc named {doc!r}")
        # A link's token, else the sign-in cookie: a member is identified only to be refused
        # by the table (a room seat is a link's), with the table's reason.
        credential = Credential(bearer=token, cookie=websocket.cookies.get(COOKIE, ""))
        access = await services.gate.session_access(
            credential, session_id, Action.DOC_READ, DocName(doc)
        )
    except AccessDenied as exc:
        log.info("refused websocket to %s/%s: %s", session_id, doc, exc)
        await refuse(websocket, str(exc))
        return
    assert isinstance(access.principal, LinkBearer)  # the table gives the admin no room
    capability = access.principal.capability
    # Taken with no await since the check: concurrent handshakes cannot overshoot the caps.
    slot = services.connection_slots.reserve(session_id, capability.role)
    if isinstance(slot, str):
        log.warning("refused websocket to %s/%s: %s", session_id, doc, slot)
        await refuse(websocket, slot)
        return
    try:
        await websocket.accept()
        room = await services.rooms.get(session_id, doc)
        conn = Connection(
            websocket,
            capability,
            writable=may_ever_write(capability.role, DocName(doc)),
            queue_limit=settings.send_queue_frames,
            on_abort=room.leave,
            writer=frame_writer_of(websocket),
        )
        conn.start()
        room.join(conn)
        try:
            await _receive_loop(websocket, conn, room, services)
        finally:
            room.leave(conn)
            await conn.stop()
    finally:
        slot.release()


async def refuse(websocket: WebSocket, reason: str) -> None:
    """Refuse the handshake: HTTP 403 with the reason, or a bare 403 (close before accept)
    from a server without the denial-response extension."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse({"detail": reason}, status_code=403))
    else:
        await websocket.close(code=1008)


async def _receive_loop(
    websocket: WebSocket, conn: Connection, room: Room, services: Services
) -> None:
    settings = services.settings
    while not conn.closed:
        try:
            message = await websocket.receive()
        except WebSocketDisconnect:
            return
        if message["type"] == "websocket.disconnect":
            return
        frame = message.get("bytes")
        if frame is None:
            continue  # y-websocket only sends binary; text frames carry nothing for us
        if len(frame) > settings.max_frame_bytes:
            conn.abort(CLOSE_TOO_BIG, f"frame over {settings.max_frame_bytes} bytes")
            return
        try:
            await _dispatch(frame, conn, room, services)
        except (protocol.ProtocolError, UpdateRejected) as exc:
            log.warning("closing %s on %s/%s: %s", conn.name, room.session_id, room.name, exc)
            conn.abort(CLOSE_PROTOCOL_ERROR, "malformed message")
            return
        except Exception:
            log.exception("error handling a frame in %s/%s", room.session_id, room.name)
            conn.abort(CLOSE_INTERNAL_ERROR, "internal error")
            return


async def _dispatch(frame: bytes, conn: Connection, room: Room, services: Services) -> None:
    message = protocol.decode_message(frame)
    if isinstance(message, protocol.SyncStep1):
        conn.send(await room.sync_step2_for(message.state_vector))
    elif isinstance(message, protocol.SyncStep2 | protocol.SyncUpdate):
        if message.update == EMPTY_UPDATE:
            return  # every client sends one after our step 1: nothing to write, nothing to refuse
        if await _may_write(conn, room, services.sessions):
            try:
                await room.apply_client_update(conn, message.update)
            except UpdateRefused as exc:  # over a doc limit: that writer alone is told why
                log.info(
                    "refused an update of %s to %s/%s: %s",
                    conn.name,
                    room.session_id,
                    room.name,
                    exc,
                )
                conn.send(protocol.encode_permission_denied(str(exc)))
    elif isinstance(message, protocol.AwarenessMessage):
        entries = protocol.decode_awareness_payload(message.payload)
        _rate_limited_awareness(conn, room, entries, services.settings.awareness_per_second)
    elif isinstance(message, protocol.QueryAwareness):
        frame_out = room.awareness_frame()
        if frame_out is not None:
            conn.send(frame_out)
    # An auth message from a client carries nothing we act on.


async def _may_write(conn: Connection, room: Room, sessions: Sessions) -> bool:
    """Read-only roles are dropped silently; a refused writer is told why, at a bounded rate."""
    if not conn.writable:
        return False
    record = await sessions.get(room.session_id)
    if record is None:
        return False
    cached = conn.write_decision
    if cached is not None and cached[0] is record and cached[1] == sessions.generation:
        decision = cached[2]
    else:
        decision = decide(
            LinkBearer(conn.capability),
            Action.DOC_WRITE,
            facts_of(sessions, record),
            DocName(room.name),
        )
        conn.write_decision = (record, sessions.generation, decision)
    if decision.allowed:
        return True
    now = time.monotonic()
    if now - conn.last_denied_notice >= DENIED_NOTICE_INTERVAL:
        conn.last_denied_notice = now
        conn.send(protocol.encode_permission_denied(decision.reason))
    return False


def _rate_limited_awareness(
    conn: Connection, room: Room, entries: list[protocol.AwarenessEntry], per_second: float
) -> None:
    """Accept at most `per_second` awareness frames; in between, keep only the latest."""
    now = time.monotonic()
    if now >= conn.next_awareness_at:
        conn.next_awareness_at = now + 1.0 / per_second
        room.apply_awareness(conn, entries)
        return
    first_pending = conn.pending_awareness is None
    conn.pending_awareness = entries
    if first_pending:
        delay = conn.next_awareness_at - now

        def flush() -> None:
            pending, conn.pending_awareness = conn.pending_awareness, None
            if pending is not None and not conn.closed:
                conn.next_awareness_at = time.monotonic() + 1.0 / per_second
                room.apply_awareness(conn, pending)

        asyncio.get_running_loop().call_later(delay, flush)
