"""The audit log's queries as text (pure), shared by SQLite (`?`) and PostgreSQL (`$n`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from server.audit.model import Actor, AuditEntry, AuditQuery, NewAuditEntry

COLUMNS = "id, at_ms, kind, actor_kind, actor_id, actor_email, actor_role, ip, resource, details"
INSERT_COLUMNS = "at_ms, kind, actor_kind, actor_id, actor_email, actor_role, ip, resource, details"
ACTOR_KINDS = frozenset({"member", "admin", "link", "anonymous", "system"})


def insert_values(entry: NewAuditEntry) -> tuple[Any, ...]:
    a = entry.actor
    return (
        entry.at_ms,
        str(entry.kind),
        a.kind,
        a.id,
        a.email,
        a.role,
        entry.ip,
        entry.resource,
        json.dumps(dict(entry.details), separators=(",", ":"), sort_keys=True),
    )


def entry_of(row: Any) -> AuditEntry:
    values = tuple(row)
    return AuditEntry(
        id=int(values[0]),
        at_ms=int(values[1]),
        kind=str(values[2]),
        actor=Actor(values[3], values[4], values[5], values[6]),
        ip=values[7],
        resource=values[8],
        details=json.loads(values[9]),
    )


def select(query: AuditQuery, mark: Callable[[int], str]) -> tuple[str, list[Any]]:
    """The SELECT for `query`; `mark(n)` is the n-th (1-based) placeholder of the dialect."""
    where: list[str] = []
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return mark(len(args))

    if query.kinds:
        where.append(f"kind IN ({', '.join(arg(k) for k in query.kinds)})")
    if query.actor is not None:
        if query.actor in ACTOR_KINDS:
            where.append(f"actor_kind = {arg(query.actor)}")
        else:
            where.append(f"(actor_id = {arg(query.actor)} OR actor_email = {arg(query.actor)})")
    if query.resource is not None:
        where.append(f"resource = {arg(query.resource)}")
    if query.since_ms is not None:
        where.append(f"at_ms >= {arg(query.since_ms)}")
    if query.until_ms is not None:
        where.append(f"at_ms < {arg(query.until_ms)}")
    if query.before_id is not None:
        where.append(f"id < {arg(query.before_id)}")
    if query.after_id is not None:
        where.append(f"id > {arg(query.after_id)}")
    sql = f"SELECT {COLUMNS} FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id " + ("ASC" if query.oldest_first else "DESC")
    sql += f" LIMIT {arg(query.limit)}"
    return sql, args
