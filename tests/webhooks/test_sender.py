"""Two real senders (two stores on one SQLite file, or on one PostgreSQL database, as two
instances would have) against a real receiver: every delivery is posted exactly once however
the two race; an answer is read only up to the cap; an endpoint that does not answer in time
is a failed attempt with the reason; a URL the guard refuses is never contacted."""

from __future__ import annotations

import asyncio
from pathlib import Path

from server.store.sqlite import SQLiteStore
from server.webhooks.model import Event, NewDelivery, Webhook
from server.webhooks.sender import WebhookSender
from server.webhooks.settings import WebhookSettings
from tests.webhooks.conftest import Store
from tests.webhooks.receiver import Receiver


def settings(**overrides: object) -> WebhookSettings:
    values: dict[str, object] = {
        "webhook_allow_private_addresses": True,
        "webhook_concurrency": 8,
        "webhook_timeout_seconds": 5.0,
        **overrides,
    }
    return WebhookSettings(**values)  # type: ignore[arg-type]


async def queue(store: Store, url: str, count: int) -> Webhook:
    webhook = Webhook("wh_1", url, (Event.SESSION_ENDED,), "secret", 1, None)
    await store.add_webhook(webhook)
    await store.enqueue_deliveries(
        [
            NewDelivery(f"whd_{n}", webhook.id, Event.SESSION_ENDED, "s", f'{{"n":{n}}}', 1)
            for n in range(count)
        ]
    )
    return webhook


async def test_two_senders_racing_post_every_delivery_exactly_once(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    with Receiver(statuses=[200]) as receiver:
        webhook = await queue(a, receiver.url, 12)
        senders = [WebhookSender(a, settings()), WebhookSender(b, settings())]
        try:
            counts = await asyncio.gather(*(s.send_due() for s in senders))
            while sum(counts) < 12:
                more = await asyncio.gather(*(s.send_due() for s in senders))
                counts = [x + y for x, y in zip(counts, more, strict=True)]
                assert any(more), counts
        finally:
            for sender in senders:
                await sender.close()
        got = sorted(r.headers["pairboard-delivery"] for r in receiver.received)
    assert got == sorted(f"whd_{n}" for n in range(12))  # each once, none twice
    assert sum(counts) == 12
    rows = await b.list_deliveries(webhook.id, 50)
    assert {(d.state, d.attempts) for d in rows} == {("delivered", 1)}


async def test_an_answer_is_kept_only_up_to_the_cap(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.sqlite3")
    await store.open()
    sender = WebhookSender(store, settings(webhook_response_max_bytes=16))
    try:
        with Receiver(statuses=[200], answer_bytes=1_000_000) as receiver:
            webhook = await queue(store, receiver.url, 1)
            assert await sender.send_due() == 1
        [row] = await store.list_deliveries(webhook.id, 5)
        assert (row.state, row.last_status, row.last_response) == ("delivered", 200, "x" * 16)
    finally:
        await sender.close()
        await store.close()


async def test_an_endpoint_slower_than_the_timeout_is_a_failed_attempt(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.sqlite3")
    await store.open()
    sender = WebhookSender(store, settings(webhook_timeout_seconds=0.5, webhook_backoff_seconds=60))
    try:
        with Receiver(statuses=[200], delay_seconds=3) as receiver:
            webhook = await queue(store, receiver.url, 1)
            assert await sender.send_due() == 1
        [row] = await store.list_deliveries(webhook.id, 5)
        assert (row.state, row.attempts, row.last_status) == ("pending", 1, None)
        assert row.last_error == "no answer within 0.5 s"
        assert row.next_attempt_at_ms is not None
        assert 30_000 <= row.next_attempt_at_ms - (row.last_attempt_at_ms or 0) <= 60_000
    finally:
        await sender.close()
        await store.close()


async def test_a_url_the_guard_refuses_at_send_time_is_never_contacted(tmp_path: Path) -> None:
    """An endpoint added while private addresses were allowed, sent by a server that no longer
    allows them: refused before any connection."""
    store = SQLiteStore(tmp_path / "p.sqlite3")
    await store.open()
    sender = WebhookSender(store, settings(webhook_allow_private_addresses=False))
    try:
        with Receiver(statuses=[200]) as receiver:
            webhook = await queue(store, receiver.url.replace("http://", "https://"), 1)
            assert await sender.send_due() == 1
            assert receiver.received == []
        [row] = await store.list_deliveries(webhook.id, 5)
        assert row.last_error == (
            "refused: 127.0.0.1 resolves to 127.0.0.1 is a private, loopback or reserved "
            "address (set PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES to allow it)"
        )
    finally:
        await sender.close()
        await store.close()
