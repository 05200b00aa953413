"""A throwaway PostgreSQL database per test module, on the machine's server (trust auth)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import pytest

ADMIN_DSN = os.environ.get(
    "PAIRBOARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/postgres"
)


async def _admin_async(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _admin(sql: str) -> None:
    """On its own thread and loop: fixtures may be set up from inside a running event loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _admin_async(sql)).result()


def fresh_database() -> Iterator[str]:
    """Yields the DSN of a new, empty database; drops it afterwards. Skips without PostgreSQL."""
    name = f"pairboard_test_{uuid.uuid4().hex[:12]}"
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL unreachable at {ADMIN_DSN} ({exc}); set PAIRBOARD_TEST_POSTGRES_URL"
        if os.environ.get("PAIRBOARD_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield dsn
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
