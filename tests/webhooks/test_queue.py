"""The durable delivery queue on real SQLite (two stores opened on one file, as two processes
would) and real PostgreSQL (two stores on one database, as two instances): a due delivery is
leased by exactly one of two senders, a batch is split without overlap, a lapsed lease is taken
over and the old holder's late result no longer counts, and a finished attempt is recorded."""

from __future__ import annotations

import asyncio

from server.webhooks.model import (
    AfterAttempt,
    Event,
    NewDelivery,
    Outcome,
    RetryPolicy,
    Webhook,
    after_attempt,
)
from tests.webhooks.conftest import Store

WEBHOOK = Webhook("wh_1", "https://ats.example.com/hook", (Event.SESSION_ENDED,), "s3cret", 1, None)
POLICY = RetryPolicy(max_attempts=3, backoff_ms=1000, backoff_max_ms=60_000)


def delivery(n: int, at: int = 1000) -> NewDelivery:
    return NewDelivery(f"whd_{n:03d}", WEBHOOK.id, Event.SESSION_ENDED, "sess1", f'{{"n":{n}}}', at)


async def test_a_due_delivery_is_leased_by_one_of_two_senders_only(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    await a.add_webhook(WEBHOOK)
    await a.enqueue_deliveries([delivery(1)])
    for attempt in range(20):  # the two ask at the same moment, again and again
        got_a, got_b = await asyncio.gather(
            a.lease_deliveries("A", 2000, 60_000, 10), b.lease_deliveries("B", 2000, 60_000, 10)
        )
        assert sorted(len(x) for x in (got_a, got_b)) == [0, 1]
        [leased] = got_a or got_b
        assert (leased.id, leased.url, leased.secret, leased.attempts, leased.payload) == (
            "whd_001", WEBHOOK.url, "s3cret", attempt, '{"n":1}',
        )  # fmt: skip
        holder, store = ("A", a) if got_a else ("B", b)
        pending = AfterAttempt("pending", attempt + 1, 2000, 1500, 500, "HTTP 500", "")  # due again
        assert await store.finish_attempt("whd_001", holder, pending)


async def test_a_batch_is_split_between_two_senders_without_overlap(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    await a.add_webhook(WEBHOOK)
    await a.enqueue_deliveries([delivery(n) for n in range(30)])
    got_a, got_b = await asyncio.gather(
        a.lease_deliveries("A", 2000, 60_000, 20), b.lease_deliveries("B", 2000, 60_000, 20)
    )
    ids_a, ids_b = {d.id for d in got_a}, {d.id for d in got_b}
    assert ids_a.isdisjoint(ids_b)
    assert ids_a | ids_b == {f"whd_{n:03d}" for n in range(30)}
    assert await a.lease_deliveries("C", 2000, 60_000, 50) == []  # all held


async def test_a_lapsed_lease_is_taken_over_and_the_old_holders_result_is_ignored(
    two_stores: tuple[Store, Store],
) -> None:
    a, b = two_stores
    await a.add_webhook(WEBHOOK)
    await a.enqueue_deliveries([delivery(1)])
    [first] = await a.lease_deliveries("A", 2000, 5000, 10)
    assert await b.lease_deliveries("B", 4999, 9000, 10) == []  # still A's
    [again] = await b.lease_deliveries("B", 5001, 9000, 10)  # A died: its lease lapsed
    assert again.id == first.id
    late = after_attempt(0, Outcome(200), 5002, POLICY, 0.0)
    assert not await a.finish_attempt(first.id, "A", late)
    failed = after_attempt(0, Outcome(503), 5003, POLICY, 0.0)
    assert await b.finish_attempt(first.id, "B", failed)
    [row] = await a.list_deliveries(WEBHOOK.id, 10)
    assert (row.state, row.attempts, row.last_status, row.next_attempt_at_ms) == (
        "pending", 1, 503, 5003 + 500,
    )  # fmt: skip
    assert row.last_error == "the endpoint answered HTTP 503"


async def test_the_last_failed_attempt_marks_it_failed_and_nothing_is_due_after(
    two_stores: tuple[Store, Store],
) -> None:
    a, _ = two_stores
    await a.add_webhook(WEBHOOK)
    await a.enqueue_deliveries([delivery(1)])
    now = 2000
    for attempt in range(POLICY.max_attempts):
        [leased] = await a.lease_deliveries("A", now, now + 1000, 10)
        assert leased.attempts == attempt
        after = after_attempt(leased.attempts, Outcome(None, "connection refused"), now, POLICY, 1)
        assert await a.finish_attempt(leased.id, "A", after)
        now = after.next_attempt_at_ms or now
    [row] = await a.list_deliveries(WEBHOOK.id, 10)
    assert (row.state, row.attempts, row.last_error, row.next_attempt_at_ms) == (
        "failed", 3, "connection refused", None,
    )  # fmt: skip
    assert await a.lease_deliveries("A", 10**12, 10**12 + 1, 10) == []


async def test_erasing_a_session_and_removing_an_endpoint_take_their_deliveries(
    two_stores: tuple[Store, Store],
) -> None:
    a, _ = two_stores
    other = Webhook("wh_2", "https://b.example.com/", (Event.SESSION_ENDED,), "x", 2, "u1")
    await a.add_webhook(WEBHOOK)
    await a.add_webhook(other)
    mine = NewDelivery("whd_x", other.id, Event.SESSION_ENDED, "sess2", "{}", 1000)
    await a.enqueue_deliveries([delivery(1), delivery(2), mine])
    assert await a.erase_session_deliveries("sess1") == 2
    assert await a.list_deliveries(WEBHOOK.id, 10) == []
    assert await a.delete_webhook(other.id)
    assert await a.get_delivery("whd_x") is None
    assert not await a.delete_webhook(other.id)
    assert [w.id for w in await a.list_webhooks()] == [WEBHOOK.id]


async def test_finished_deliveries_past_the_retention_are_pruned_and_pending_ones_kept(
    two_stores: tuple[Store, Store],
) -> None:
    a, _ = two_stores
    await a.add_webhook(WEBHOOK)
    await a.enqueue_deliveries([delivery(1, at=100), delivery(2, at=100), delivery(3, at=5000)])
    for leased in await a.lease_deliveries("A", 200, 1000, 1):
        assert await a.finish_attempt(
            leased.id, "A", after_attempt(0, Outcome(200), 200, POLICY, 0)
        )
    assert await a.prune_deliveries(4000) == 1  # the old delivered one; the old pending stays
    assert sorted(d.id for d in await a.list_deliveries(WEBHOOK.id, 10)) == ["whd_002", "whd_003"]
