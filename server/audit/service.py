"""`Audit`: the one way anything is written to the audit log, and how it is read.

`record(kind, actor, ...)` is typed: a kind from `AuditKind`, an `Actor`, the client address,
the resource id and a small details object (at most `DETAILS_MAX_BYTES` of JSON, checked here,
so a route cannot start logging data by accident). `actor_of(principal)` turns whoever the
permission table saw into an actor: a member by id, e-mail and role (the e-mail read from the
accounts store, so the entry still names them after their name changes), the admin token, a
link by its role alone (its name is a participant's), anonymous.

Routes call `record` after the action succeeded; settings routes of other parts call it with
`AuditKind.SETTINGS_CHANGED` and `details={"changed": [...names...]}`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any

from server.accounts.store import AccountStore
from server.audit.model import (
    ADMIN,
    ANONYMOUS,
    DETAILS_MAX_BYTES,
    Actor,
    AuditEntry,
    AuditKind,
    AuditQuery,
    NewAuditEntry,
)
from server.audit.store import AuditStore, ErasedRows
from server.clock import now_ms
from server.permissions import Admin, Anonymous, LinkBearer, Member, Principal

EXPORT_CHUNK = 1000  # entries read per query while streaming the JSON-lines export


class Audit:
    def __init__(self, store: AuditStore, accounts: AccountStore) -> None:
        self.store = store
        self.accounts = accounts

    async def actor_of(self, principal: Principal) -> Actor:
        if isinstance(principal, Member):
            user = await self.accounts.get_user(principal.user_id)
            email = None if user is None else user.email
            return Actor("member", principal.user_id, email, principal.role)
        if isinstance(principal, Admin):
            return ADMIN
        if isinstance(principal, LinkBearer):
            return Actor("link", role=principal.role)
        assert isinstance(principal, Anonymous)
        return ANONYMOUS

    def entry(
        self,
        kind: AuditKind,
        actor: Actor,
        *,
        ip: str | None = None,
        resource: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> NewAuditEntry:
        """The entry `record` would append (an erase appends it in its own transaction)."""
        body = dict(details or {})
        size = len(json.dumps(body, separators=(",", ":")))
        if size > DETAILS_MAX_BYTES:
            raise ValueError(f"audit details of {size} bytes (at most {DETAILS_MAX_BYTES})")
        return NewAuditEntry(now_ms(), kind, actor, ip, resource, body)

    async def record(
        self,
        kind: AuditKind,
        actor: Actor | Principal,
        *,
        ip: str | None = None,
        resource: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> int:
        """Append one entry; its id."""
        who = actor if isinstance(actor, Actor) else await self.actor_of(actor)
        entry = self.entry(kind, who, ip=ip, resource=resource, details=details)
        return await self.store.append_audit(entry)

    async def erase(self, session_id: str, entry: NewAuditEntry) -> ErasedRows:
        return await self.store.erase_session(session_id, entry)

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        return await self.store.read_audit(query)

    async def export(self, query: AuditQuery) -> AsyncIterator[bytes]:
        """Every matching entry, oldest first, one JSON object per line, read in chunks."""
        after = query.after_id
        while True:
            chunk = await self.store.read_audit(
                replace(query, after_id=after, limit=EXPORT_CHUNK, oldest_first=True)
            )
            for entry in chunk:
                yield json.dumps(entry.to_json(), separators=(",", ":")).encode() + b"\n"
            if len(chunk) < EXPORT_CHUNK:
                return
            after = chunk[-1].id
