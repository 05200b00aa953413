"""The listing's SQL shows each member exactly the sessions the permission table seats them on.

Every combination of owner (me, someone else, the admin token), shares (none, me, someone else),
team share and state is stored in SQLite and in PostgreSQL; for a member of each organisation
role, the store's answer (`query_sessions`) must equal the sessions `permissions.seat_of` seats
them on (owners: all), which are exactly the ones whose recording the table lets them read.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from server.accounts.model import OrgRole
from server.permissions import (
    Action,
    Member,
    SessionFacts,
    decide,
    listing_view,
    seat_of,
)
from server.session_query import Scope, SessionQuery
from server.store.base import SessionRecord
from server.store.postgres import PostgresStore
from server.store.select import DurableStore
from server.store.sqlite import SQLiteStore
from tests.scale.postgres import fresh_database

ME = "u-me"
OTHER = "u-other"


def combinations() -> list[tuple[SessionRecord, SessionFacts]]:
    out = []
    owners = (ME, OTHER, None)
    shares = ((), (ME,), (OTHER,), (ME, OTHER))
    for n, (owner, shared, team, state) in enumerate(
        itertools.product(owners, shares, (False, True), ("live", "ended"))
    ):
        ended_at = 2_000 + n if state == "ended" else None
        record = SessionRecord(
            id=f"s{n:02d}",
            title="t",
            scenario=None,
            created_at_ms=1_000 + n,
            state=state,
            ended_at_ms=ended_at,
            meta={"access": {"owner": owner, "shared_with": list(shared), "team": team}},
        )
        facts = SessionFacts(state, ended_at, owner_id=owner, shared_with=frozenset(shared),
                             team_shared=team)  # fmt: skip
        out.append((record, facts))
    return out


@pytest.fixture(scope="module")
def postgres_dsn() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DurableStore]:
    made: DurableStore
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "listing.sqlite3")
    else:
        made = PostgresStore(request.getfixturevalue("postgres_dsn"))
    await made.open()
    for record, _ in combinations():
        await made.create_session(record)
    yield made
    await made.close()


async def listed(store: DurableStore, member: Member, scope: Scope | None) -> set[str]:
    query = SessionQuery(listing_view(member), scope=scope, limit=200)
    records, total = await store.query_sessions(query)
    assert total == len(records)
    return {r.id for r in records}


@pytest.mark.parametrize("role", ["owner", "interviewer", "reviewer"])
async def test_each_role_lists_exactly_the_sessions_the_table_seats_it_on(
    store: DurableStore, role: OrgRole
) -> None:
    member = Member(ME, role, "Me")
    cases = combinations()
    assert len(cases) == 48
    if role == "owner":
        seated = {r.id for r, _ in cases}
    else:
        seated = {r.id for r, f in cases if seat_of(member, f) is not None}
        readable = {r.id for r, f in cases if decide(member, Action.REPLAY_READ, f).allowed}
        assert seated == readable  # what is listed is what the member may open the replay of
    assert await listed(store, member, None) == seated
    mine = {r.id for r, f in cases if f.owner_id == ME and role != "reviewer"}
    assert await listed(store, member, "mine") == mine
    with_me = {r.id for r, f in cases if f.team_shared or ME in f.shared_with}
    assert await listed(store, member, "shared") == with_me - mine
    if role != "owner":
        assert await listed(store, member, "mine") | await listed(store, member, "shared") == (
            seated
        )
