"""The webhooks' knobs (`PAIRBOARD_WEBHOOK_*`), part of `server.settings.Settings`.

Kept beside the code they tune; `Settings` inherits them, so they are read from the environment
and documented like every other setting (docs/WEBHOOKS.md lists them with their costs).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebhookSettings(BaseSettings):
    # The same environment as `Settings` when built on its own (the sender's tests do).
    model_config = SettingsConfigDict(env_prefix="PAIRBOARD_", extra="ignore")

    webhook_allow_private_addresses: bool = Field(
        False,
        description=(
            "Let webhook URLs reach private and loopback addresses, and plain http to loopback "
            "(tests, an ATS on the deployment's own network). Off: only https to public "
            "addresses (the SSRF guard, server/webhooks/address.py). Link-local stays refused."
        ),
    )
    webhook_max_attempts: int = Field(
        8,
        ge=1,
        le=50,
        description=(
            "Attempts per delivery before it is marked failed (a redeliver starts over). With "
            "the default backoff the last attempt comes about an hour after the first (30 s, "
            "1, 2, 4, 8, 16, 32 min, each jittered into its upper half). Cost: a pending "
            "delivery is one row (its payload, a few KiB) in the database, nothing in memory."
        ),
    )
    webhook_backoff_seconds: float = Field(
        30.0, gt=0, description="Wait after the first failed attempt; doubled after each next one."
    )
    webhook_backoff_max_seconds: float = Field(
        3600.0, gt=0, description="The longest wait between two attempts."
    )
    webhook_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=120,
        description=(
            "Wall time of one attempt (connect, send, read the answer); over it the attempt "
            "failed. A lease lasts twice this plus 30 s, so no other sender takes a delivery "
            "while one is still sending it."
        ),
    )
    webhook_response_max_bytes: int = Field(
        1024,
        ge=0,
        le=64 * 1024,
        description=(
            "How much of an endpoint's answer is read and kept (shown in the delivery status); "
            "the rest is never read. Memory cost: this much per delivery in flight."
        ),
    )
    webhook_concurrency: int = Field(
        4,
        ge=1,
        le=64,
        description="Deliveries one instance sends at once (it leases at most this many).",
    )
    webhook_poll_seconds: float = Field(
        2.0,
        gt=0,
        description=(
            "How often a sender looks for due deliveries (retries, other instances' events, "
            "leases that lapsed); an event on this instance wakes it at once."
        ),
    )
    webhook_max_endpoints: int = Field(
        20, ge=1, description="Webhook endpoints an organisation may have; beyond it HTTP 409."
    )
    webhook_url_max_chars: int = Field(
        2048, ge=16, description="Longest webhook URL accepted (HTTP 422 above)."
    )
    webhook_pending_max: int = Field(
        10_000,
        ge=1,
        description=(
            "Deliveries waiting per endpoint; an event beyond it is not queued for that "
            "endpoint (logged) and a redeliver is refused with 409, so an endpoint that is down "
            "for days cannot fill the database."
        ),
    )
    webhook_delivery_retention_days: float = Field(
        30.0,
        gt=0,
        description=(
            "Delivered and failed deliveries are deleted this long after they were queued "
            "(their payloads name the candidate); the status page shows what is left. Checked "
            "hourly by each instance's sender."
        ),
    )
