"""What a webhook endpoint and a delivery are, and what happens after an attempt (pure).

A delivery is one event for one endpoint. It is written to the durable queue before anything is
sent (`pending`), leased by one sender at a time, and after each attempt `after_attempt` says
what it becomes: `delivered` on a 2xx, `failed` once `max_attempts` attempts failed, else
`pending` again with its next attempt `backoff_ms` away (exponential, with jitter so that the
deliveries of one outage do not all come back in the same second).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class Event(StrEnum):
    SESSION_ENDED = "session.ended"
    SCORECARD_SUBMITTED = "scorecard.submitted"


DeliveryState = Literal["pending", "delivered", "failed"]


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    url: str
    events: tuple[Event, ...]
    secret: str  # the signing secret: shown once at creation, never in a listing
    created_at_ms: int
    created_by: str | None  # a user id; None for the admin token

    def to_json(self) -> dict[str, Any]:
        """What listings show: never the secret."""
        return {
            "id": self.id,
            "url": self.url,
            "events": [str(e) for e in self.events],
            "created_at": self.created_at_ms,
            "created_by": self.created_by,
        }


@dataclass(frozen=True, slots=True)
class NewDelivery:
    id: str
    webhook_id: str
    event: Event
    session_id: str
    payload: str  # the JSON body, exactly as it is sent (and signed) on every attempt
    created_at_ms: int


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    webhook_id: str
    event: str
    session_id: str
    state: DeliveryState
    attempts: int
    created_at_ms: int
    next_attempt_at_ms: int | None  # None once delivered or failed
    last_attempt_at_ms: int | None
    last_status: int | None  # the endpoint's HTTP status; None if it never answered
    last_error: str | None
    last_response: str | None  # the start of the endpoint's answer (capped)
    delivered_at_ms: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhook_id": self.webhook_id,
            "event": self.event,
            "session_id": self.session_id,
            "state": self.state,
            "attempts": self.attempts,
            "created_at": self.created_at_ms,
            "next_attempt_at": self.next_attempt_at_ms,
            "last_attempt_at": self.last_attempt_at_ms,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "last_response": self.last_response,
            "delivered_at": self.delivered_at_ms,
        }


@dataclass(frozen=True, slots=True)
class LeasedDelivery:
    """A due delivery this sender holds until its lease ends, with what sending it needs."""

    id: str
    webhook_id: str
    event: str
    attempts: int  # attempts made before this one
    payload: str
    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt: the status the endpoint answered (None: no answer), or why it failed."""

    status: int | None
    error: str | None = None
    response: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int
    backoff_ms: int  # the delay before the second attempt
    backoff_max_ms: int  # no delay is longer


@dataclass(frozen=True, slots=True)
class AfterAttempt:
    """What the queue records for a delivery after an attempt."""

    state: DeliveryState
    attempts: int
    at_ms: int
    next_attempt_at_ms: int | None
    status: int | None
    error: str | None
    response: str


ERROR_MAX_CHARS = 500


def backoff_ms(failures: int, policy: RetryPolicy, jitter: float) -> int:
    """The wait after the `failures`-th failed attempt: `backoff_ms * 2**(failures-1)`, capped
    at `backoff_max_ms`, then scaled into its upper half by `jitter` in [0, 1)."""
    exponent = min(max(failures - 1, 0), 62)
    full = min(policy.backoff_max_ms, policy.backoff_ms * (2**exponent))
    return int(full * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0)))


def after_attempt(
    attempts_before: int, outcome: Outcome, now_ms: int, policy: RetryPolicy, jitter: float
) -> AfterAttempt:
    attempts = attempts_before + 1
    error = None if outcome.error is None else outcome.error[:ERROR_MAX_CHARS]
    if outcome.ok:
        return AfterAttempt(
            "delivered", attempts, now_ms, None, outcome.status, None, outcome.response
        )
    if error is None:
        error = f"the endpoint answered HTTP {outcome.status}"
    if attempts >= policy.max_attempts:
        return AfterAttempt(
            "failed", attempts, now_ms, None, outcome.status, error, outcome.response
        )
    wait = backoff_ms(attempts, policy, jitter)
    return AfterAttempt(
        "pending", attempts, now_ms, now_ms + wait, outcome.status, error, outcome.response
    )
