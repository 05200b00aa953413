"""The dashboard's session listing: its filters, parsed and checked (pure), and the SQL that
answers them in the store, for SQLite (`?`) and PostgreSQL (`$n`) alike.

`GET /api/sessions` used to read every record and ask the permission table about each one in
Python; with thousands of sessions a page of 50 cost a full read. Here the filters and the
caller's visibility become one `WHERE` clause, paging is `LIMIT`/`OFFSET` with a `COUNT(*)` for
`X-Total-Count`, and only the page's rows leave the database (`bench/listing.py` measures both).

Visibility mirrors the permission table (`permissions.listing_view`): owners and the admin token
see every session; any other member sees the sessions they have a seat on (`seat_of`): their own
when they are an interviewer, and those shared with them or with the whole team. Ownership and
sharing live in the record's `meta` JSON (`sessions.access_of`), read in SQL with each
database's JSON functions, so no migration was needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Protocol, cast

from server.permissions import ListingView
from server.store.base import SessionRecord

Scope = Literal["mine", "shared", "all"]
SCOPES: tuple[Scope, ...] = ("mine", "shared", "all")
STATES = ("live", "ended")
DEFAULT_LIMIT = 50
PARAMS = frozenset(
    {"state", "scenario", "candidate", "created_from", "created_to", "scope", "limit", "offset"}
)
MAX_OFFSET = 2**53 - 1  # JavaScript's largest safe integer, as everywhere in the API


class QueryError(ValueError):
    """A filter value the listing cannot take; `status` is the HTTP answer (422, or 403 for a
    scope the caller may not ask for), the message says which parameter and why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """One page of the listing: who asks (`view`), which sessions, which slice."""

    view: ListingView
    scope: Scope | None = None  # None: everything the caller may see
    state: Literal["live", "ended"] | None = None  # live: not ended (waiting or running)
    scenario: str | None = None
    candidate: str | None = None  # a case-insensitive substring of the candidate's name
    created_from_ms: int | None = None  # inclusive
    created_to_ms: int | None = None  # exclusive
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise QueryError(f"{name} must be between {low} and {high}")
    return value


def _instant(name: str, raw: str, *, end: bool) -> int:
    """A date (`2026-12-03`: the whole day, in UTC) or an ISO date-time with its offset."""
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return int(((start + timedelta(days=1)) if end else start).timestamp() * 1000)
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise QueryError(f"{name} must say its time zone (e.g. 2026-12-03T09:00:00Z)")
        return int(moment.timestamp() * 1000)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, QueryError):
            raise
        raise QueryError(f"{name} must be a date (YYYY-MM-DD) or an ISO date-time") from None


def _text(name: str, raw: str, limit: int) -> str:
    text = raw.strip()
    if not text:
        raise QueryError(f"{name} is empty")
    if len(text) > limit:
        raise QueryError(f"{name} is longer than {limit} characters")
    if any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise QueryError(f"{name} has control characters")
    return text


def parse_query(
    params: Mapping[str, str], view: ListingView, *, max_limit: int, max_text: int
) -> SessionQuery:
    """The listing asked for by a request's query parameters, or `QueryError` naming the first
    bad one. `max_limit` is `PAIRBOARD_SESSION_LIST_MAX_LIMIT`; `max_text` bounds the text
    filters (the longest display name or title there can be)."""
    unknown = sorted(set(params) - PARAMS - {"token"})
    if unknown:
        raise QueryError(f"unknown filter {unknown[0]!r} (filters: {', '.join(sorted(PARAMS))})")
    scope = params.get("scope")
    if scope is not None and scope not in SCOPES:
        raise QueryError(f"scope must be one of {', '.join(SCOPES)}")
    if scope == "all" and not view.sees_all:
        raise QueryError("scope=all lists every session: for the organisation's owners", 403)
    if scope in ("mine", "shared") and view.user_id is None:
        raise QueryError(f"scope={scope} needs a signed-in member: the admin token owns nothing")
    state = params.get("state")
    if state is not None and state not in STATES:
        raise QueryError("state must be live or ended")
    created_from = params.get("created_from")
    created_to = params.get("created_to")
    from_ms = None if created_from is None else _instant("created_from", created_from, end=False)
    to_ms = None if created_to is None else _instant("created_to", created_to, end=True)
    if from_ms is not None and to_ms is not None and from_ms >= to_ms:
        raise QueryError("created_from is after created_to")
    scenario = params.get("scenario")
    candidate = params.get("candidate")
    return SessionQuery(
        view=view,
        scope=scope,  # narrowed by the check against SCOPES above
        state=cast(Literal["live", "ended"] | None, state),  # checked against STATES above
        scenario=None if scenario is None else _text("scenario", scenario, max_text),
        candidate=None if candidate is None else _text("candidate", candidate, max_text),
        created_from_ms=from_ms,
        created_to_ms=to_ms,
        limit=_int("limit", params.get("limit", str(DEFAULT_LIMIT)), 1, max_limit),
        offset=_int("offset", params.get("offset", "0"), 0, MAX_OFFSET),
    )


def like_pattern(text: str) -> str:
    """`%text%` for LIKE with `\\` as the escape, the text case-folded (compared with the
    column's fold)."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one database reads the record's JSON `meta` and places an argument."""

    mark: Callable[[int], str]
    owner: str  # meta.access.owner as text
    team: str  # a condition: meta.access.team is true
    shared_with: Callable[[str], str]  # a condition: the user id (a mark) is in shared_with
    candidate: str  # meta.names.candidate, case-folded


SQLITE = Dialect(
    mark=lambda _: "?",
    owner="json_extract(meta, '$.access.owner')",
    team="json_extract(meta, '$.access.team') = 1",
    shared_with=lambda m: (
        f"EXISTS (SELECT 1 FROM json_each(meta, '$.access.shared_with') WHERE value = {m})"
    ),
    # `casefold` is registered on the connection (SQLite's own lower() folds ASCII only).
    candidate="casefold(json_extract(meta, '$.names.candidate'))",
)
POSTGRES = Dialect(
    mark=lambda n: f"${n}",
    owner="(meta::jsonb #>> '{access,owner}')",
    team="(meta::jsonb #>> '{access,team}') = 'true'",
    shared_with=lambda m: f"COALESCE(meta::jsonb -> 'access' -> 'shared_with', '[]') ? {m}",
    candidate="lower(meta::jsonb #>> '{names,candidate}')",
)


def where(query: SessionQuery, dialect: Dialect) -> tuple[str, list[Any]]:
    """The WHERE clause (with its leading keyword, or empty) and its arguments."""
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return dialect.mark(len(args))

    view = query.view
    terms: list[str] = []

    def mine() -> str:
        if view.user_id is None or not view.owns_sessions:
            return "FALSE"
        return f"{dialect.owner} = {arg(view.user_id)}"

    def shared() -> str:
        if view.user_id is None:
            return "FALSE"
        with_me = f"({dialect.team} OR {dialect.shared_with(arg(view.user_id))})"
        if not view.owns_sessions:
            return with_me
        return f"({with_me} AND {dialect.owner} IS DISTINCT FROM {arg(view.user_id)})"

    if query.scope == "mine":
        terms.append(mine())
    elif query.scope == "shared":
        terms.append(shared())
    elif not view.sees_all:  # no scope: every session the caller has a seat on
        terms.append(f"({mine()} OR {shared()})")
    if query.state == "ended":
        terms.append("state = 'ended'")
    elif query.state == "live":
        terms.append("state <> 'ended'")
    if query.scenario is not None:
        terms.append(f"scenario = {arg(query.scenario)}")
    if query.candidate is not None:
        terms.append(f"{dialect.candidate} LIKE {arg(like_pattern(query.candidate))} ESCAPE '\\'")
    if query.created_from_ms is not None:
        terms.append(f"created_at_ms >= {arg(query.created_from_ms)}")
    if query.created_to_ms is not None:
        terms.append(f"created_at_ms < {arg(query.created_to_ms)}")
    return (" WHERE " + " AND ".join(terms)) if terms else "", args


def select(query: SessionQuery, dialect: Dialect) -> tuple[str, str, list[Any]]:
    """The page's SELECT and the COUNT(*) of every match; the page's arguments are the count's
    plus limit and offset. Newest first, ties by id, so pages never overlap."""
    clause, args = where(query, dialect)
    count = f"SELECT COUNT(*) FROM sessions{clause}"
    n = len(args)
    page = (
        f"SELECT * FROM sessions{clause} ORDER BY created_at_ms DESC, id DESC "
        f"LIMIT {dialect.mark(n + 1)} OFFSET {dialect.mark(n + 2)}"
    )
    return page, count, [*args, query.limit, query.offset]


class SessionListing(Protocol):
    """What the durable stores (SQLite, PostgreSQL) answer for the listing."""

    async def query_sessions(self, query: SessionQuery) -> tuple[list[SessionRecord], int]:
        """One page of matching records, newest first, and how many match in all."""
        ...
