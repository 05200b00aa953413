"""What an audit entry is (pure): the one enum of event kinds, who acted, the query filters.

An entry says who (`Actor`: a user by id and e-mail, the admin token, a session link by its
role only, or the server itself), when (server time), from where (the client address as the
server sees it, see `docs/AUDIT.md` for the proxy caveat), what (`AuditKind`), on which
resource (a session, user or token id) and `details` (a small JSON object).

Entries never hold candidate data: no session title, no candidate name, no code or notes. That
is what lets an erase keep the session's earlier entries and its own: they say what was done to
an id, never what the candidate wrote or who they are. A link's display name is a participant's
chosen name, so a link actor is recorded by its role alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

ActorKind = Literal["member", "admin", "link", "anonymous", "system"]


class AuditKind(StrEnum):
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    SESSION_CREATED = "session.created"
    SESSION_ENDED = "session.ended"
    ACCESS_GRANTED = "session.access_granted"  # shared with users, the team, or a reviewer link
    ACCESS_REVOKED = "session.access_revoked"
    RECORDING_VIEWED = "recording.viewed"
    RECORDING_EXPORTED = "recording.exported"
    RECORDING_IMPORTED = "recording.imported"
    RECORDING_DELETED = "recording.deleted"  # by retention
    SIGNALS_DELETED = "recording.signals_deleted"  # by retention, before the recording
    SESSION_ERASED = "session.erased"  # a candidate's data erased on request
    SUBJECT_EXPORTED = "session.subject_exported"  # the data-subject export
    NOTICE_ACKNOWLEDGED = "session.notice_acknowledged"  # the candidate read the notice
    USER_ADDED = "user.added"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DISABLED = "user.disabled"  # the removal users have: sign-ins and tokens stop at once
    USER_ENABLED = "user.enabled"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    SETTINGS_CHANGED = "settings.changed"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str | None = None  # a user's id
    email: str | None = None  # a user's e-mail, or the e-mail a failed sign-in tried
    role: str | None = None  # a user's organisation role, or a link's role


SYSTEM = Actor("system")
ADMIN = Actor("admin")
ANONYMOUS = Actor("anonymous")


@dataclass(frozen=True, slots=True)
class NewAuditEntry:
    at_ms: int
    kind: AuditKind
    actor: Actor
    ip: str | None = None
    resource: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at_ms: int
    kind: str
    actor: Actor
    ip: str | None
    resource: str | None
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at_ms,
            "kind": self.kind,
            "actor": {
                "kind": self.actor.kind,
                "id": self.actor.id,
                "email": self.actor.email,
                "role": self.actor.role,
            },
            "ip": self.ip,
            "resource": self.resource,
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Filters (all optional, combined with AND) and a page: entries newest first, with an id
    below `before_id`, at most `limit` of them."""

    kinds: tuple[str, ...] = ()
    actor: str | None = None  # a user id or e-mail, or an actor kind ("admin", "link", ...)
    resource: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    before_id: int | None = None
    limit: int = 100
    oldest_first: bool = False  # the JSON-lines export reads forward, `after_id` then
    after_id: int | None = None


DETAILS_MAX_BYTES = 4096
"""A details object's JSON is at most this long: details say what changed, never carry data."""
