"""Webhook endpoints and the delivery queue on PostgreSQL; `PostgresStore` inherits these.

Every instance of a deployment leases from the same table: `FOR UPDATE SKIP LOCKED` lets
concurrent senders each take different due rows in one statement, without waiting on each
other, and the lease columns keep a delivery theirs after the statement commits.
"""

from __future__ import annotations

import asyncpg

from server.webhooks import store as q
from server.webhooks.model import AfterAttempt, Delivery, LeasedDelivery, NewDelivery, Webhook

_LEASE = """
WITH due AS (
    SELECT id FROM webhook_deliveries
    WHERE state = 'pending' AND next_attempt_at_ms <= $3
      AND (lease_until_ms IS NULL OR lease_until_ms < $3)
    ORDER BY next_attempt_at_ms LIMIT $4
    FOR UPDATE SKIP LOCKED
), leased AS (
    UPDATE webhook_deliveries d SET lease_owner = $1, lease_until_ms = $2
    FROM due WHERE d.id = due.id
    RETURNING d.id, d.webhook_id, d.event, d.attempts, d.payload, d.next_attempt_at_ms
)
SELECT leased.id, leased.webhook_id, leased.event, leased.attempts, leased.payload, w.url,
       w.secret
FROM leased JOIN webhooks w ON w.id = leased.webhook_id
ORDER BY leased.next_attempt_at_ms
"""


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


class PostgresWebhookQueries:
    """Mixin for `PostgresStore`; `_p` is the store's pool."""

    def _p(self) -> asyncpg.Pool:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def add_webhook(self, webhook: Webhook) -> None:
        sql = f"INSERT INTO webhooks ({q.WEBHOOK_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6)"
        await self._p().execute(sql, *q.webhook_values(webhook))

    async def list_webhooks(self) -> list[Webhook]:
        sql = f"SELECT {q.WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at_ms, id"
        return [q.webhook_of(r.values()) for r in await self._p().fetch(sql)]

    async def get_webhook(self, webhook_id: str) -> Webhook | None:
        sql = f"SELECT {q.WEBHOOK_COLUMNS} FROM webhooks WHERE id=$1"
        row = await self._p().fetchrow(sql, webhook_id)
        return None if row is None else q.webhook_of(row.values())

    async def delete_webhook(self, webhook_id: str) -> bool:
        async with self._p().acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM webhook_deliveries WHERE webhook_id=$1", webhook_id)
            return _count(await conn.execute("DELETE FROM webhooks WHERE id=$1", webhook_id)) == 1

    async def count_pending(self, webhook_id: str) -> int:
        sql = "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id=$1 AND state='pending'"
        return int(await self._p().fetchval(sql, webhook_id))

    async def enqueue_deliveries(self, deliveries: list[NewDelivery]) -> None:
        sql = q.INSERT_DELIVERY.format(",".join(f"${n}" for n in range(1, 10)))
        async with self._p().acquire() as conn, conn.transaction():
            await conn.executemany(sql, [q.delivery_values(d) for d in deliveries])

    async def lease_deliveries(
        self, owner: str, now_ms: int, until_ms: int, limit: int
    ) -> list[LeasedDelivery]:
        rows = await self._p().fetch(_LEASE, owner, until_ms, now_ms, limit)
        return [LeasedDelivery(*r.values()) for r in rows]

    async def finish_attempt(self, delivery_id: str, owner: str, after: AfterAttempt) -> bool:
        sql = (
            "UPDATE webhook_deliveries SET state=$1, attempts=$2, next_attempt_at_ms=$3, "
            "last_attempt_at_ms=$4, last_status=$5, last_error=$6, last_response=$7, "
            "delivered_at_ms=$8, lease_owner=NULL, lease_until_ms=NULL "
            "WHERE id=$9 AND lease_owner=$10"
        )
        status = await self._p().execute(sql, *q.finish_values(after), delivery_id, owner)
        return _count(status) == 1

    async def list_deliveries(self, webhook_id: str, limit: int) -> list[Delivery]:
        sql = (
            f"SELECT {q.DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id=$1 "
            "ORDER BY created_at_ms DESC, id DESC LIMIT $2"
        )
        return [q.delivery_of(r.values()) for r in await self._p().fetch(sql, webhook_id, limit)]

    async def get_delivery(self, delivery_id: str) -> tuple[Delivery, str] | None:
        sql = f"SELECT {q.DELIVERY_COLUMNS}, payload FROM webhook_deliveries WHERE id=$1"
        row = await self._p().fetchrow(sql, delivery_id)
        if row is None:
            return None
        values = list(row.values())
        return q.delivery_of(values[:-1]), str(values[-1])

    async def erase_session_deliveries(self, session_id: str) -> int:
        sql = "DELETE FROM webhook_deliveries WHERE session_id=$1"
        return _count(await self._p().execute(sql, session_id))

    async def prune_deliveries(self, before_ms: int) -> int:
        sql = "DELETE FROM webhook_deliveries WHERE state<>'pending' AND created_at_ms<$1"
        return _count(await self._p().execute(sql, before_ms))
