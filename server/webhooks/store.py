"""What the durable store keeps for webhooks (migration "webhooks"): endpoints and the queue.

Always the durable store (SQLite or PostgreSQL), never only Redis: a delivery must outlive the
instance that queued it. Leasing is the one operation that must be right across instances: it
marks at most `limit` due deliveries as this sender's until `until_ms` in one atomic statement
(SQLite: under its write lock; PostgreSQL: `FOR UPDATE SKIP LOCKED`), so two senders never hold
the same delivery, and a sender that died holding one lets it go when the lease ends. Finishing
an attempt only counts while the lease is still the sender's own.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from server.webhooks.model import (
    AfterAttempt,
    Delivery,
    Event,
    LeasedDelivery,
    NewDelivery,
    Webhook,
)


class WebhookStore(Protocol):
    async def add_webhook(self, webhook: Webhook) -> None: ...

    async def list_webhooks(self) -> list[Webhook]: ...

    async def get_webhook(self, webhook_id: str) -> Webhook | None: ...

    async def delete_webhook(self, webhook_id: str) -> bool:
        """The endpoint and its deliveries; whether it existed."""
        ...

    async def count_pending(self, webhook_id: str) -> int: ...

    async def enqueue_deliveries(self, deliveries: list[NewDelivery]) -> None:
        """Persist new deliveries, due at once."""
        ...

    async def lease_deliveries(
        self, owner: str, now_ms: int, until_ms: int, limit: int
    ) -> list[LeasedDelivery]:
        """Take up to `limit` pending deliveries due at `now_ms` whose lease is free or lapsed,
        as `owner`'s until `until_ms`, atomically."""
        ...

    async def finish_attempt(self, delivery_id: str, owner: str, after: AfterAttempt) -> bool:
        """Record an attempt and free the lease, if `owner` still holds it; whether it did."""
        ...

    async def list_deliveries(self, webhook_id: str, limit: int) -> list[Delivery]:
        """Newest first."""
        ...

    async def get_delivery(self, delivery_id: str) -> tuple[Delivery, str] | None:
        """A delivery and its payload."""
        ...

    async def prune_deliveries(self, before_ms: int) -> int:
        """Delivered and failed deliveries queued before `before_ms`; how many."""
        ...

    async def erase_session_deliveries(self, session_id: str) -> int:
        """Every delivery of a session (their payloads name the candidate); how many."""
        ...


WEBHOOK_COLUMNS = "id, url, events, secret, created_at_ms, created_by"
DELIVERY_COLUMNS = (
    "id, webhook_id, event, session_id, state, attempts, created_at_ms, next_attempt_at_ms, "
    "last_attempt_at_ms, last_status, last_error, last_response, delivered_at_ms"
)
INSERT_DELIVERY = (
    "INSERT INTO webhook_deliveries (id, webhook_id, event, session_id, payload, state, "
    "attempts, created_at_ms, next_attempt_at_ms) VALUES ({})"
)


def webhook_values(w: Webhook) -> tuple[Any, ...]:
    events = json.dumps([str(e) for e in w.events])
    return (w.id, w.url, events, w.secret, w.created_at_ms, w.created_by)


def webhook_of(row: Any) -> Webhook:
    v = tuple(row)
    return Webhook(v[0], v[1], tuple(Event(e) for e in json.loads(v[2])), v[3], v[4], v[5])


def delivery_values(d: NewDelivery) -> tuple[Any, ...]:
    return (d.id, d.webhook_id, str(d.event), d.session_id, d.payload, "pending", 0,
            d.created_at_ms, d.created_at_ms)  # fmt: skip


def delivery_of(row: Any) -> Delivery:
    v = list(row)
    if v[4] != "pending":
        v[7] = None  # the column holds the last attempt's time once nothing is due
    return Delivery(*v)


def finish_values(after: AfterAttempt) -> tuple[Any, ...]:
    """state, attempts, next_attempt_at_ms, last_attempt_at_ms, last_status, last_error,
    last_response, delivered_at_ms."""
    delivered = after.at_ms if after.state == "delivered" else None
    next_at = after.next_attempt_at_ms if after.next_attempt_at_ms is not None else after.at_ms
    return (after.state, after.attempts, next_at, after.at_ms, after.status, after.error,
            after.response, delivered)  # fmt: skip
