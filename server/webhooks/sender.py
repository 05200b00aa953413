"""The sender: leases due deliveries from the durable queue and posts them, signed.

Each instance runs one (`start`/`close` with the app's lifespan), under an owner id of its own.
It leases at most `webhook_concurrency` due deliveries at a time (`WebhookStore.lease_deliveries`:
atomic, so two instances never send the same delivery; a lease lasts longer than an attempt can,
and lapses if the instance dies, for another to take), sends them side by side and records each
outcome (`model.after_attempt`: delivered, failed after the last attempt, or due again after an
exponential, jittered backoff). Once an hour it deletes finished deliveries older than
`webhook_delivery_retention_days` (their payloads name the candidate). It sleeps
`webhook_poll_seconds` when nothing is due, and wakes at once when this instance queues
something (`wake`).

An attempt re-checks the URL against the SSRF guard and connects to exactly the address it
checked (`address.resolve`; the TLS name and Host header stay the URL's), follows no redirect,
uses no proxy from the environment, is bounded by `webhook_timeout_seconds` as a whole, and
reads at most `webhook_response_max_bytes` of the answer. Delivery is at least once: a sender
that dies after the POST but before recording it lets another send it again (`event_id` in the
body lets the receiver drop the repeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import Callable

import httpx

from server.clock import now_ms
from server.webhooks import address, signing
from server.webhooks.model import LeasedDelivery, Outcome, RetryPolicy, after_attempt
from server.webhooks.settings import WebhookSettings
from server.webhooks.store import WebhookStore

log = logging.getLogger(__name__)

USER_AGENT = "Pairboard-Webhooks/1"
PRUNE_EVERY_SECONDS = 3600.0


class WebhookSender:
    def __init__(
        self,
        store: WebhookStore,
        settings: WebhookSettings,
        *,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.settings = settings
        self.owner = "sender-" + secrets.token_hex(8)
        self.policy = RetryPolicy(
            max_attempts=settings.webhook_max_attempts,
            backoff_ms=int(settings.webhook_backoff_seconds * 1000),
            backoff_max_ms=int(settings.webhook_backoff_max_seconds * 1000),
        )
        self.lease_ms = int((2 * settings.webhook_timeout_seconds + 30) * 1000)
        self._jitter = jitter
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.webhook_timeout_seconds),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would connect past the pinning
            headers={"User-Agent": USER_AGENT},
        )

    def wake(self) -> None:
        """Something was queued here: look now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        """The background loop (`send_due` also works without it)."""
        self._task = asyncio.create_task(self._loop(), name="webhook-sender")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._client.aclose()

    async def _loop(self) -> None:
        pruned_at = 0.0
        while True:
            if time.monotonic() - pruned_at >= PRUNE_EVERY_SECONDS:
                pruned_at = time.monotonic()
                await self.prune()
            try:
                sent = await self.send_due()
            except Exception:  # the store is unreachable: try again at the next poll
                log.exception("webhook sender: leasing failed")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.webhook_poll_seconds)

    async def prune(self) -> int:
        """Delete finished deliveries past `webhook_delivery_retention_days`."""
        keep_ms = int(self.settings.webhook_delivery_retention_days * 86_400_000)
        try:
            return await self.store.prune_deliveries(now_ms() - keep_ms)
        except Exception:
            log.exception("webhook sender: pruning old deliveries failed")
            return 0

    async def send_due(self) -> int:
        """Lease what is due and attempt each of them once; how many were attempted."""
        now = now_ms()
        leased = await self.store.lease_deliveries(
            self.owner, now, now + self.lease_ms, self.settings.webhook_concurrency
        )
        if leased:
            await asyncio.gather(*(self._attempt(d) for d in leased))
        return len(leased)

    async def _attempt(self, delivery: LeasedDelivery) -> None:
        outcome = await self.post(delivery)
        after = after_attempt(delivery.attempts, outcome, now_ms(), self.policy, self._jitter())
        if not await self.store.finish_attempt(delivery.id, self.owner, after):
            log.warning("webhook delivery %s: the lease lapsed during the attempt", delivery.id)

    async def post(self, delivery: LeasedDelivery) -> Outcome:
        body = delivery.payload.encode("utf-8")
        allow = self.settings.webhook_allow_private_addresses
        try:
            url = address.parse(
                delivery.url, allow_private=allow, max_chars=self.settings.webhook_url_max_chars
            )
            target = await address.resolve(url, allow_private=allow)
        except address.AddressRefused as exc:
            return Outcome(None, f"refused: {exc}")
        host = f"[{target.address}]" if ":" in target.address else target.address
        pinned = f"{url.scheme}://{host}:{url.port}{url.target}"
        headers = {
            "Host": url.host_header,
            "Content-Type": "application/json",
            signing.HEADER: signing.header_value(delivery.secret, int(time.time()), body),
            "Pairboard-Event": delivery.event,
            "Pairboard-Delivery": delivery.id,
            "Accept-Encoding": "identity",  # the answer is kept raw, never decompressed
        }
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        request = self._client.build_request(
            "POST", pinned, content=body, headers=headers, extensions=extensions
        )
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                response = await self._client.send(request, stream=True)
                try:
                    excerpt = await self._read_capped(response)
                finally:
                    await response.aclose()
        except TimeoutError:
            return Outcome(None, f"no answer within {self.settings.webhook_timeout_seconds} s")
        except httpx.HTTPError as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        return Outcome(response.status_code, None, excerpt)

    async def _read_capped(self, response: httpx.Response) -> str:
        cap = self.settings.webhook_response_max_bytes
        kept = b""
        async for chunk in response.aiter_raw():
            kept += chunk[: cap - len(kept)]
            if len(kept) >= cap:
                break
        return kept.decode("utf-8", errors="replace")
