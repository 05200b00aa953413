"""Riding through a Redis restart: retry connection failures until a deadline, then give up."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a restarting Redis looks like from a client: refused/reset connections, timeouts, and
# "LOADING" while it replays its AOF.
TRANSIENT = (RedisConnectionError, RedisTimeoutError, BusyLoadingError, OSError)


def backoff(attempt: int) -> float:
    """50 ms doubling to 1 s: quick for a blip, gentle for an outage."""
    return float(min(1.0, 0.05 * 2 ** min(attempt, 5)))


async def with_retry(what: str, call: Callable[[], Awaitable[T]], seconds: float) -> T:
    """`call()`, retried on transient Redis failures for up to `seconds`, then re-raised."""
    deadline = time.monotonic() + seconds
    attempt = 0
    while True:
        try:
            return await call()
        except TRANSIENT as exc:
            if time.monotonic() >= deadline:
                raise
            if attempt == 0:
                log.warning("%s: redis unavailable (%s); retrying", what, exc)
            await asyncio.sleep(backoff(attempt))
            attempt += 1
