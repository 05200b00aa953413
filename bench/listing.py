"""Listing latency with 10,000 sessions: paged and filtered in SQL against fetching every row.

The peer is what `GET /api/sessions` did before `server/session_query.py`: read every record
(`Store.list_sessions`), decide in Python which the caller may see (`permissions.seat_of`) and
which match the filters, then cut the page. The subject is `query_sessions`: one WHERE clause,
LIMIT/OFFSET and a COUNT(*) in the database. Both answer the same page (checked on every round,
not timed), in the same process, rounds interleaved (subject, peer, subject, ...), on SQLite and
on PostgreSQL when it is reachable.

Cases: an interviewer's default listing filtered by state and candidate (page 1); the admin's
unfiltered first page; a deep page (offset 5,000). Figures: median milliseconds per listing and
the ratio peer / subject. Run: `.venv/bin/python bench/listing.py` (`--sessions`, `--rounds`).

A second table measures migration 6's index (`sessions_by_created`, the listing's order): the
same SQL page on a database with it against the same rows in a database where it was dropped
(the schema before migration 6), rounds interleaved, both answers checked equal.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from typing import TYPE_CHECKING, TypeVar  # noqa: E402

import asyncpg  # noqa: E402

from server.permissions import ListingView, Member, SessionFacts, seat_of  # noqa: E402
from server.session_query import SessionQuery  # noqa: E402
from server.sessions import access_of  # noqa: E402
from server.store.base import SessionRecord  # noqa: E402
from server.store.select import DurableStore  # noqa: E402
from server.store.sqlite import SQLiteStore  # noqa: E402

if TYPE_CHECKING:
    from server.store.postgres import PostgresStore

T0 = 1_763_900_000_000
USERS = [f"user-{i}" for i in range(40)]
NAMES = ["Alice", "Bruno", "Chen", "Dana", "Élodie", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
ME = Member("user-7", "interviewer", "Ann")
DROP_INDEX = "DROP INDEX sessions_by_created"  # the schema before migration 6
Page = tuple[list[str], int]
Lister = Callable[[], Awaitable[Page]]
S = TypeVar("S", SQLiteStore, "PostgresStore")
PG_ADMIN = os.environ.get("PAIRBOARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/postgres")


def records(n: int, seed: int) -> list[SessionRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ended = rng.random() < 0.7  # most of a team's history is over
        shared = rng.sample(USERS, rng.choice((0, 0, 1, 2)))
        meta = {
            "controls": {"editor_locked": False, "run_disabled": False},
            "mode": "code",
            "access": {"owner": rng.choice(USERS), "shared_with": shared,
                       "team": rng.random() < 0.05},
            "names": {"candidate": f"{rng.choice(NAMES)} {rng.choice(NAMES)}son"},
        }  # fmt: skip
        out.append(
            SessionRecord(
                id=f"s{i:05d}",
                title=f"Interview {i}",
                scenario=rng.choice((None, "attention-numpy", "data-drift-crisis")),
                created_at_ms=T0 + i * 60_000,
                state="ended" if ended else "live",
                ended_at_ms=T0 + i * 60_000 + 3_600_000 if ended else None,
                meta=meta,
            )
        )
    return out


def peer_page(all_rows: list[SessionRecord], q: SessionQuery) -> tuple[list[str], int]:
    """Every row in Python: who may see it (the seat), the filters, then the page."""
    matched = []
    for r in all_rows:
        if not q.view.sees_all:
            owner, shared, team = access_of(r)
            facts = SessionFacts(r.state, r.ended_at_ms, owner_id=owner, shared_with=shared,
                                 team_shared=team)  # fmt: skip
            if seat_of(ME, facts) is None:
                continue
        if q.state is not None and (r.state == "ended") != (q.state == "ended"):
            continue
        name = (r.meta.get("names") or {}).get("candidate")
        if q.candidate is not None and (
            not isinstance(name, str) or q.candidate.casefold() not in name.casefold()
        ):
            continue
        matched.append(r)
    matched.sort(key=lambda r: (r.created_at_ms, r.id), reverse=True)
    return [r.id for r in matched[q.offset : q.offset + q.limit]], len(matched)


CASES = {
    "interviewer, live + candidate 'ali', page 1": SessionQuery(
        ListingView(False, ME.user_id, True), state="live", candidate="ali"
    ),
    "admin, no filter, page 1": SessionQuery(ListingView(True)),
    "admin, no filter, offset 5000": SessionQuery(ListingView(True), offset=5000),
}


async def timed(
    fn: Callable[[], Awaitable[tuple[list[str], int]]],
) -> tuple[float, tuple[list[str], int]]:
    start = time.perf_counter()
    result = await fn()
    return (time.perf_counter() - start) * 1000, result


async def interleaved(case: str, subject: Lister, peer: Lister, rounds: int) -> None:
    """Times `subject` and `peer` alternately, checks they answer alike, prints one row."""
    subject_ms: list[float] = []
    peer_ms: list[float] = []
    for _ in range(rounds):
        ms_a, got = await timed(subject)
        ms_b, want = await timed(peer)
        if got != want:
            raise SystemExit(f"{case}: the two listings disagree ({got[1]} vs {want[1]})")
        subject_ms.append(ms_a)
        peer_ms.append(ms_b)
    a, b = statistics.median(subject_ms), statistics.median(peer_ms)
    print(f"  {case:44} {a:8.2f}ms {b:8.2f}ms {b / a:6.1f}x   ({got[1]} match)")


def query_page(store: DurableStore, q: SessionQuery) -> Lister:
    async def run() -> Page:
        rows, total = await store.query_sessions(q)
        return [r.id for r in rows], total

    return run


async def measure(store: DurableStore, label: str, rounds: int) -> None:
    print(f"\n{label}")
    print(f"  {'case':44} {'SQL page':>10} {'all rows':>10} {'ratio':>7}")
    for case, q in CASES.items():

        async def peer(q: SessionQuery = q) -> Page:
            return peer_page(await store.list_sessions(), q)

        await interleaved(case, query_page(store, q), peer, rounds)


async def measure_index(indexed: DurableStore, bare: DurableStore, label: str, rounds: int) -> None:
    print(f"\n{label}: migration 6's index")
    print(f"  {'case':44} {'indexed':>10} {'no index':>10} {'ratio':>7}")
    for case, q in CASES.items():
        await interleaved(case, query_page(indexed, q), query_page(bare, q), rounds)


async def filled(store: S, rows: list[SessionRecord]) -> S:
    await store.open()
    for r in rows:
        await store.create_session(r)
    return store


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rows = records(args.sessions, args.seed)
    print(f"{args.sessions} sessions, {args.rounds} interleaved rounds per case, median ms")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await filled(SQLiteStore(Path(tmp) / "bench.sqlite3"), rows)
        await measure(sqlite, "SQLite", args.rounds)
        bare_path = Path(tmp) / "bare.sqlite3"
        await (await filled(SQLiteStore(bare_path), rows)).close()
        db = sqlite3.connect(bare_path)
        db.execute(DROP_INDEX)
        db.close()
        bare = SQLiteStore(bare_path)
        await bare.open()  # at version 6 already: the index is not made again
        await measure_index(sqlite, bare, "SQLite", args.rounds)
        await bare.close()
        await sqlite.close()
    name = f"pairboard_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"\nPostgreSQL skipped: unreachable at {PG_ADMIN} ({exc})")
        return
    from server.store.postgres import PostgresStore

    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}_bare"')
    try:
        pg = await filled(PostgresStore(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"), rows)
        await measure(pg, "PostgreSQL", args.rounds)
        bare_pg = await filled(PostgresStore(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}_bare"), rows)
        await bare_pg._p().execute(DROP_INDEX)
        for store in (pg, bare_pg):
            await store._p().execute("ANALYZE sessions")
        await measure_index(pg, bare_pg, "PostgreSQL", args.rounds)
        await bare_pg.close()
        await pg.close()
    finally:
        for db_name in (name, f"{name}_bare"):
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
