"""Choosing the store and fan-out from settings: embedded (SQLite, in-process) or Redis."""

from __future__ import annotations

import uuid

from server.scale.fanout import Fanout, InProcessFanout
from server.settings import Settings
from server.store.base import Store
from server.store.select import DurableStore, durable_store


def build_store_and_fanout(settings: Settings) -> tuple[Store, Fanout, DurableStore]:
    """The log's store, the fan-out, and the durable store behind them (the same object
    without Redis): accounts live in the durable store whatever the log goes through."""
    durable = durable_store(settings)
    if not settings.redis_url:
        return durable, InProcessFanout(), durable

    from redis.asyncio import Redis

    from server.scale.entries import Keys
    from server.scale.mover import Mover
    from server.scale.redis_fanout import RedisFanout
    from server.scale.redis_store import RedisStore

    redis = Redis.from_url(settings.redis_url, decode_responses=False)
    store = RedisStore(
        redis,
        Keys(settings.redis_prefix),
        durable,
        instance_id=uuid.uuid4().hex,
        retry_seconds=settings.redis_retry_seconds,
    )
    mover = Mover(
        store,
        interval=settings.mover_interval_seconds,
        batch=settings.redis_batch,
        checkpoint_interval=settings.checkpoint_interval,
        retention=settings.redis_stream_retention_seconds,
    )
    fanout = RedisFanout(
        store,
        mover,
        # Below redis-py's default 5 s socket timeout, so an idle XREAD returns before it.
        block_ms=2000,
        read_batch=settings.redis_batch,
        awareness_queue=settings.awareness_publish_queue,
    )
    return store, fanout, durable
