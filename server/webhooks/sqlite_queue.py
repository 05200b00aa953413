"""Webhook endpoints and the delivery queue on the SQLite store; `SQLiteStore` inherits these.

On the store's one database thread like every other query. A lease is one `UPDATE ...
RETURNING` inside `BEGIN IMMEDIATE`: SQLite's write lock makes it atomic against another
process that opened the same file (a CLI, a second server in a test).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from server.webhooks import store as q
from server.webhooks.model import AfterAttempt, Delivery, LeasedDelivery, NewDelivery, Webhook


class SQLiteWebhookQueries:
    """Mixin for `SQLiteStore`; `_run` and `_conn` are the store's own."""

    async def _run(self, fn: Any, *args: Any) -> Any:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _conn(self) -> sqlite3.Connection:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _in_transaction(self, work: Any) -> Any:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            result = work(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result

    async def add_webhook(self, webhook: Webhook) -> None:
        sql = f"INSERT INTO webhooks ({q.WEBHOOK_COLUMNS}) VALUES (?,?,?,?,?,?)"
        await self._run(lambda: self._conn().execute(sql, q.webhook_values(webhook)))

    async def list_webhooks(self) -> list[Webhook]:
        sql = f"SELECT {q.WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at_ms, id"
        result: list[Webhook] = await self._run(
            lambda: [q.webhook_of(r) for r in self._conn().execute(sql)]
        )
        return result

    async def get_webhook(self, webhook_id: str) -> Webhook | None:
        sql = f"SELECT {q.WEBHOOK_COLUMNS} FROM webhooks WHERE id=?"

        def read() -> Webhook | None:
            row = self._conn().execute(sql, (webhook_id,)).fetchone()
            return None if row is None else q.webhook_of(row)

        result: Webhook | None = await self._run(read)
        return result

    async def delete_webhook(self, webhook_id: str) -> bool:
        def delete(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM webhook_deliveries WHERE webhook_id=?", (webhook_id,))
            return db.execute("DELETE FROM webhooks WHERE id=?", (webhook_id,)).rowcount == 1

        result: bool = await self._run(self._in_transaction, delete)
        return result

    async def count_pending(self, webhook_id: str) -> int:
        sql = "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id=? AND state='pending'"
        result: int = await self._run(
            lambda: int(self._conn().execute(sql, (webhook_id,)).fetchone()[0])
        )
        return result

    async def enqueue_deliveries(self, deliveries: list[NewDelivery]) -> None:
        sql = q.INSERT_DELIVERY.format(",".join("?" * 9))
        rows = [q.delivery_values(d) for d in deliveries]
        await self._run(self._in_transaction, lambda db: db.executemany(sql, rows))

    async def lease_deliveries(
        self, owner: str, now_ms: int, until_ms: int, limit: int
    ) -> list[LeasedDelivery]:
        def lease(db: sqlite3.Connection) -> list[LeasedDelivery]:
            ids = [
                r[0]
                for r in db.execute(
                    "UPDATE webhook_deliveries SET lease_owner=?, lease_until_ms=? WHERE id IN "
                    "(SELECT id FROM webhook_deliveries WHERE state='pending' AND "
                    "next_attempt_at_ms<=? AND (lease_until_ms IS NULL OR lease_until_ms<?) "
                    "ORDER BY next_attempt_at_ms LIMIT ?) RETURNING id",
                    (owner, until_ms, now_ms, now_ms, limit),
                ).fetchall()
            ]
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            rows = db.execute(
                "SELECT d.id, d.webhook_id, d.event, d.attempts, d.payload, w.url, w.secret "
                "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                f"WHERE d.id IN ({marks}) ORDER BY d.next_attempt_at_ms",
                ids,
            )
            return [LeasedDelivery(*r) for r in rows]

        result: list[LeasedDelivery] = await self._run(self._in_transaction, lease)
        return result

    async def finish_attempt(self, delivery_id: str, owner: str, after: AfterAttempt) -> bool:
        sql = (
            "UPDATE webhook_deliveries SET state=?, attempts=?, next_attempt_at_ms=?, "
            "last_attempt_at_ms=?, last_status=?, last_error=?, last_response=?, "
            "delivered_at_ms=?, lease_owner=NULL, lease_until_ms=NULL "
            "WHERE id=? AND lease_owner=?"
        )
        args = (*q.finish_values(after), delivery_id, owner)
        result: bool = await self._run(lambda: self._conn().execute(sql, args).rowcount == 1)
        return result

    async def list_deliveries(self, webhook_id: str, limit: int) -> list[Delivery]:
        sql = (
            f"SELECT {q.DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id=? "
            "ORDER BY created_at_ms DESC, id DESC LIMIT ?"
        )
        result: list[Delivery] = await self._run(
            lambda: [q.delivery_of(r) for r in self._conn().execute(sql, (webhook_id, limit))]
        )
        return result

    async def get_delivery(self, delivery_id: str) -> tuple[Delivery, str] | None:
        sql = f"SELECT {q.DELIVERY_COLUMNS}, payload FROM webhook_deliveries WHERE id=?"

        def read() -> tuple[Delivery, str] | None:
            row = self._conn().execute(sql, (delivery_id,)).fetchone()
            return None if row is None else (q.delivery_of(row[:-1]), str(row[-1]))

        result: tuple[Delivery, str] | None = await self._run(read)
        return result

    async def erase_session_deliveries(self, session_id: str) -> int:
        sql = "DELETE FROM webhook_deliveries WHERE session_id=?"
        result: int = await self._run(lambda: self._conn().execute(sql, (session_id,)).rowcount)
        return result

    async def prune_deliveries(self, before_ms: int) -> int:
        sql = "DELETE FROM webhook_deliveries WHERE state<>'pending' AND created_at_ms<?"
        result: int = await self._run(lambda: self._conn().execute(sql, (before_ms,)).rowcount)
        return result
