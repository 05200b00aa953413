"""Webhook endpoints over REST, for the organisation's owners and the admin token
(`Action.WEBHOOK_MANAGE`; an API token needs the `webhooks` scope).

`GET /api/webhooks` lists them (never their secrets); `POST /api/webhooks {"url", "events"}`
adds one (422 for a URL the SSRF guard refuses or an unknown event, 409 past
`webhook_max_endpoints`) and answers its signing secret, the only time it is shown;
`DELETE /api/webhooks/{id}` removes it and its deliveries. `GET /api/webhooks/{id}/deliveries`
is the delivery status (newest first: state, attempts, last status code or error, next
attempt); `POST /api/webhooks/{id}/deliveries/{delivery}/redeliver` queues the same body again.
Adding and removing are audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from server.api.audited import audit
from server.api.deps import AuthorizeOrg, services_of
from server.audit.model import AuditKind
from server.permissions import Action, Member, Principal
from server.text import Text
from server.webhooks.model import Event
from server.webhooks.service import DELIVERIES_PAGE_MAX, WebhookError

router = APIRouter(prefix="/api/webhooks")
MANAGE = Depends(AuthorizeOrg(Action.WEBHOOK_MANAGE))


class NewWebhook(BaseModel):
    url: Text = Field(..., max_length=8192, description="https://... (the SSRF guard applies).")
    events: list[Event] = Field(
        default_factory=lambda: list(Event), min_length=1, max_length=len(Event)
    )


def _refused(exc: WebhookError) -> HTTPException:
    return HTTPException(exc.status, str(exc))


@router.get("")
async def list_webhooks(request: Request, _: Principal = MANAGE) -> list[dict[str, Any]]:
    return [w.to_json() for w in await services_of(request).webhooks.endpoints()]


@router.post("", status_code=201)
async def add_webhook(
    body: NewWebhook, request: Request, principal: Principal = MANAGE
) -> dict[str, Any]:
    by = principal.user_id if isinstance(principal, Member) else None
    try:
        webhook, secret = await services_of(request).webhooks.add(body.url, body.events, by)
    except WebhookError as exc:
        raise _refused(exc) from None
    details = {"events": [str(e) for e in webhook.events]}
    await audit(request, AuditKind.WEBHOOK_ADDED, principal, resource=webhook.id, details=details)
    return {**webhook.to_json(), "secret": secret}


@router.delete("/{webhook_id}", status_code=204)
async def remove_webhook(
    webhook_id: str, request: Request, principal: Principal = MANAGE
) -> Response:
    try:
        await services_of(request).webhooks.remove(webhook_id)
    except WebhookError as exc:
        raise _refused(exc) from None
    await audit(request, AuditKind.WEBHOOK_REMOVED, principal, resource=webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries")
async def list_deliveries(
    webhook_id: str,
    request: Request,
    limit: int = Query(50, ge=1, le=DELIVERIES_PAGE_MAX),
    _: Principal = MANAGE,
) -> list[dict[str, Any]]:
    try:
        found = await services_of(request).webhooks.deliveries(webhook_id, limit)
    except WebhookError as exc:
        raise _refused(exc) from None
    return [d.to_json() for d in found]


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", status_code=201)
async def redeliver(
    webhook_id: str, delivery_id: str, request: Request, _: Principal = MANAGE
) -> dict[str, Any]:
    try:
        made = await services_of(request).webhooks.redeliver(webhook_id, delivery_id)
    except WebhookError as exc:
        raise _refused(exc) from None
    return made.to_json()
