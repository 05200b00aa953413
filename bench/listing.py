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
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402

import asyncpg  # noqa: E402

from server.permissions import ListingView, Member, SessionFacts, seat_of  # noqa: E402
from server.session_query import SessionQuery  # noqa: E402
from server.sessions import access_of  # noqa: E402
from server.store.base import SessionRecord  # noqa: E402
from server.store.select import DurableStore  # noqa: E402
from server.store.sqlite import SQLiteStore  # noqa: E402

T0 = 1_763_900_000_000
USERS = [f"user-{i}" for i in range(40)]
NAMES = ["Alice", "Bruno", "Chen", "Dana", "Élodie", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
ME = Member("user-7", "interviewer", "Ann")
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


async def measure(store: DurableStore, label: str, rounds: int) -> None:
    print(f"\n{label}")
    print(f"  {'case':44} {'SQL page':>10} {'all rows':>10} {'ratio':>7}")
    for case, q in CASES.items():

        async def subject(q: SessionQuery = q) -> tuple[list[str], int]:
            rows, total = await store.query_sessions(q)
            return [r.id for r in rows], total

        async def peer(q: SessionQuery = q) -> tuple[list[str], int]:
            return peer_page(await store.list_sessions(), q)

        sql_ms: list[float] = []
        all_ms: list[float] = []
        for _ in range(rounds):
            ms_a, got = await timed(subject)
            ms_b, want = await timed(peer)
            if got != want:
                raise SystemExit(f"{case}: the two listings disagree ({got[1]} vs {want[1]})")
            sql_ms.append(ms_a)
            all_ms.append(ms_b)
        a, b = statistics.median(sql_ms), statistics.median(all_ms)
        print(f"  {case:44} {a:8.2f}ms {b:8.2f}ms {b / a:6.1f}x   ({got[1]} match)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rows = records(args.sessions, args.seed)
    print(f"{args.sessions} sessions, {args.rounds} interleaved rounds per case, median ms")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SQLiteStore(Path(tmp) / "bench.sqlite3")
        await sqlite.open()
        for r in rows:
            await sqlite.create_session(r)
        await measure(sqlite, "SQLite", args.rounds)
        await sqlite.close()
    name = f"pairboard_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"\nPostgreSQL skipped: unreachable at {PG_ADMIN} ({exc})")
        return
    from server.store.postgres import PostgresStore

    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        pg = PostgresStore(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
        await pg.open()
        for r in rows:
            await pg.create_session(r)
        await measure(pg, "PostgreSQL", args.rounds)
        await pg.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
