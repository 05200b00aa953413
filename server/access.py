"""Who is asking, and may they: the I/O edge around the pure table in `server.permissions`.

A credential (the admin token or a session link) is identified here, the session it acts on is
read, and `permissions.decide` gives the answer. The REST dependencies (`server/api/deps.py`)
and the websocket endpoint (`server/sync/endpoint.py`) both come through `session_access`, so a
route and a doc are refused for the same reasons with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.auth import TokenError, is_admin
from server.documents import DocName
from server.permissions import (
    Action,
    Admin,
    LinkBearer,
    Principal,
    SessionFacts,
    decide,
)
from server.sessions import Sessions
from server.store.base import SessionRecord


class AccessDenied(Exception):
    """A refusal; `status` is the HTTP status (401 no credential, 403, 404, 409)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Access:
    """An allowed request: who asked, about which session."""

    principal: Principal
    record: SessionRecord

    @property
    def name(self) -> str:
        """The display name recorded as the author of what this request writes."""
        return self.principal.name


def facts_of(sessions: Sessions, record: SessionRecord) -> SessionFacts:
    controls = sessions.controls(record)
    return SessionFacts(
        state=record.state,
        ended_at_ms=record.ended_at_ms,
        editor_locked=bool(controls.get("editor_locked")),
        run_disabled=bool(controls.get("run_disabled")),
    )


async def identify(
    sessions: Sessions, admin_token: str, token: str, session_id: str
) -> tuple[Principal, SessionRecord]:
    """The principal behind `token` and the session it acts on, or `AccessDenied` saying why."""
    if not token:
        raise AccessDenied(401, "missing bearer token")
    principal: Principal
    if is_admin(token, admin_token):
        principal = Admin()
        record = await sessions.get(session_id)
        if record is None:
            raise AccessDenied(404, "no such session")
        return principal, record
    try:
        capability = sessions.signer.verify(token)
    except TokenError as exc:
        raise AccessDenied(403, str(exc)) from exc
    if capability.session_id != session_id:
        raise AccessDenied(403, "token is for another session")
    record = await sessions.get(session_id)
    if record is None:
        raise AccessDenied(403, "no such session")
    return LinkBearer(sessions.named(record, capability)), record


async def session_access(
    sessions: Sessions,
    admin_token: str,
    token: str,
    session_id: str,
    action: Action,
    doc: DocName | None = None,
) -> Access:
    principal, record = await identify(sessions, admin_token, token, session_id)
    decision = decide(principal, action, facts_of(sessions, record), doc)
    if not decision.allowed:
        raise AccessDenied(decision.status, decision.reason)
    return Access(principal, record)


async def org_access(sessions: Sessions, admin_token: str, token: str, action: Action) -> Principal:
    """An organisation-wide action: the admin token, or a link the table allows (checked
    against the link's own session, so an ended interview's link lists nothing)."""
    if not token:
        raise AccessDenied(401, "missing bearer token")
    if is_admin(token, admin_token):
        principal: Principal = Admin()
        decision = decide(principal, action)
    else:
        try:
            capability = sessions.signer.verify(token)
        except TokenError as exc:
            raise AccessDenied(403, str(exc)) from exc
        record = await sessions.get(capability.session_id)
        if record is None:
            raise AccessDenied(403, "no such session")
        principal = LinkBearer(capability)
        decision = decide(principal, action, facts_of(sessions, record))
    if not decision.allowed:
        raise AccessDenied(decision.status, decision.reason)
    return principal
