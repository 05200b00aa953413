"""`Webhooks`: the organisation's endpoints, the events that queue deliveries, their status.

Adding an endpoint checks its URL against the SSRF guard (`address`: https, every address it
resolves to public, unless the deployment allows private ones) and generates its signing
secret, which the answer shows once. `session_ended` and `scorecard_submitted` queue one
delivery per endpoint subscribed to the event, in one write, before anything is sent; the
sender (`sender.py`) takes them from there, on this instance or any other. An event with no
endpoint subscribed costs one query and reads nothing of the session.

An erase removes the session's deliveries (`erase_session`), because their payloads name the
candidate; what an ATS already received is the ATS's to erase.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, Protocol

from pycrdt import Doc

from server.auth import TokenSigner
from server.clock import now_ms
from server.documents import NOTES_GRADES, NOTES_RUBRIC, DocName
from server.scenarios import library
from server.scorecard import Scorecard
from server.store.base import SessionRecord
from server.webhooks import address, payload
from server.webhooks.model import Delivery, Event, NewDelivery, Webhook
from server.webhooks.sender import WebhookSender
from server.webhooks.settings import WebhookSettings
from server.webhooks.store import WebhookStore

log = logging.getLogger(__name__)

DELIVERIES_PAGE_MAX = 200


class WebhookError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class DocReader(Protocol):
    async def read(self, session_id: str, doc: str) -> Doc[Any]: ...


class SessionNames(Protocol):
    def chosen_name(self, record: SessionRecord, role: Any) -> str | None: ...


class ReplayLinks(Protocol):
    """A reviewer link to a session's replay (`Settings.base_url` and the token signer)."""

    def __call__(self, session_id: str) -> str: ...


def reviewer_replay_link(signer: TokenSigner, base_url: str, lifetime_s: int) -> ReplayLinks:
    def link(session_id: str) -> str:
        token = signer.issue(session_id, "reviewer", "Reviewer", lifetime_s)
        return f"{base_url}/replay/{session_id}?token={token}"

    return link


class Webhooks:
    def __init__(
        self,
        store: WebhookStore,
        settings: WebhookSettings,
        sender: WebhookSender,
        *,
        docs: DocReader,
        names: SessionNames,
        replay_link: ReplayLinks,
    ) -> None:
        self.store = store
        self.settings = settings
        self.sender = sender
        self.docs = docs
        self.names = names
        self.replay_link = replay_link

    # --- endpoints -------------------------------------------------------------------------

    async def add(
        self, url: str, events: list[Event], created_by: str | None
    ) -> tuple[Webhook, str]:
        """The new endpoint and its secret (shown once); WebhookError 422/409."""
        if not events:
            raise WebhookError(422, "subscribe to at least one event")
        allow = self.settings.webhook_allow_private_addresses
        try:
            parsed = address.parse(
                url, allow_private=allow, max_chars=self.settings.webhook_url_max_chars
            )
            await address.resolve(parsed, allow_private=allow)
        except address.AddressRefused as exc:
            raise WebhookError(422, str(exc)) from None
        if len(await self.store.list_webhooks()) >= self.settings.webhook_max_endpoints:
            limit = self.settings.webhook_max_endpoints
            raise WebhookError(409, f"the organisation already has {limit} webhooks")
        secret = "whsec_" + secrets.token_urlsafe(32)
        webhook = Webhook(
            id="wh_" + secrets.token_hex(8),
            url=url,
            events=tuple(dict.fromkeys(events)),
            secret=secret,
            created_at_ms=now_ms(),
            created_by=created_by,
        )
        await self.store.add_webhook(webhook)
        return webhook, secret

    async def endpoints(self) -> list[Webhook]:
        return await self.store.list_webhooks()

    async def remove(self, webhook_id: str) -> None:
        if not await self.store.delete_webhook(webhook_id):
            raise WebhookError(404, "no such webhook")

    async def deliveries(self, webhook_id: str, limit: int) -> list[Delivery]:
        if await self.store.get_webhook(webhook_id) is None:
            raise WebhookError(404, "no such webhook")
        return await self.store.list_deliveries(webhook_id, min(limit, DELIVERIES_PAGE_MAX))

    async def redeliver(self, webhook_id: str, delivery_id: str) -> Delivery:
        """A new delivery of the same body (the same `event_id`), due now."""
        found = await self.store.get_delivery(delivery_id)
        if found is None or found[0].webhook_id != webhook_id:
            raise WebhookError(404, "no such delivery")
        old, body = found
        if await self.store.count_pending(webhook_id) >= self.settings.webhook_pending_max:
            limit = self.settings.webhook_pending_max
            raise WebhookError(409, f"{limit} deliveries already wait for this webhook")
        new = NewDelivery(
            "whd_" + secrets.token_hex(8), webhook_id, Event(old.event), old.session_id, body,
            now_ms(),
        )  # fmt: skip
        await self.store.enqueue_deliveries([new])
        self.sender.wake()
        made = await self.store.get_delivery(new.id)
        assert made is not None
        return made[0]

    # --- events ----------------------------------------------------------------------------

    async def session_ended(self, record: SessionRecord) -> int:
        return await self._emit(Event.SESSION_ENDED, record, None)

    async def scorecard_submitted(self, record: SessionRecord, scorecard: Scorecard) -> int:
        return await self._emit(Event.SCORECARD_SUBMITTED, record, scorecard)

    async def erase_session(self, session_id: str) -> int:
        return await self.store.erase_session_deliveries(session_id)

    async def _emit(self, event: Event, record: SessionRecord, scorecard: Scorecard | None) -> int:
        """Queue the event for every endpoint subscribed to it; how many deliveries."""
        targets = [w for w in await self.store.list_webhooks() if event in w.events]
        if not targets:
            return 0
        notes = await self.docs.read(record.id, DocName.NOTES)
        scenario = None if record.scenario is None else library.get(record.scenario)
        at = now_ms()
        body = payload.body(
            event,
            "evt_" + secrets.token_hex(8),
            at,
            record,
            scenario,
            candidate_name=self.names.chosen_name(record, "candidate"),
            notes_rubric=NOTES_RUBRIC.of(notes).to_py() or {},
            grades=NOTES_GRADES.of(notes).to_py() or {},
            scorecard=scorecard,
            replay_url=self.replay_link(record.id),
        )
        queued: list[NewDelivery] = []
        for webhook in targets:
            if await self.store.count_pending(webhook.id) >= self.settings.webhook_pending_max:
                log.warning("webhook %s: queue full, %s not queued", webhook.id, event)
                continue
            queued.append(
                NewDelivery("whd_" + secrets.token_hex(8), webhook.id, event, record.id, body, at)
            )
        if queued:
            await self.store.enqueue_deliveries(queued)
            self.sender.wake()
        return len(queued)
