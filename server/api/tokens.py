"""Personal API tokens (`POST /api/tokens`): automation acting as one user, within scopes.

A token is shown once, in the answer that creates it; the store keeps its SHA-256. It is sent as
`Authorization: Bearer pbt_...`, needs no CSRF token (a browser never sends it on its own), can
do what both its scopes (`permissions.TOKEN_SCOPES`) and its user's role allow, expires, and is
revoked with `DELETE /api/tokens/{id}`. Tokens are made and listed from a signed-in browser only:
no scope includes `token.manage`, so a token cannot mint more tokens.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from server.accounts.model import ApiToken
from server.api.audited import audit
from server.api.deps import AuthorizeOrg, services_of
from server.audit.model import AuditKind
from server.clock import now_ms
from server.permissions import Action, Member, Principal
from server.text import Text

router = APIRouter(prefix="/api/tokens")

MANAGE = Depends(AuthorizeOrg(Action.TOKEN_MANAGE))


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    scopes: list[Text] = Field(..., max_length=10)
    expires_in_days: int = 90


def token_view(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "scopes": list(token.scopes),
        "created_at": token.created_at_ms,
        "expires_at": token.expires_at_ms,
        "revoked_at": token.revoked_at_ms,
    }


async def _member(request: Request, principal: Principal) -> Any:
    assert isinstance(principal, Member)  # the table lets only members manage tokens
    user = await services_of(request).durable.get_user(principal.user_id)
    if user is None:
        raise HTTPException(401, "signed out or expired: sign in again")
    return user


@router.post("", status_code=201)
async def create_token(
    body: NewToken, request: Request, principal: Principal = MANAGE
) -> dict[str, Any]:
    user = await _member(request, principal)
    secret, token = await services_of(request).accounts.create_api_token(
        user, body.name, body.scopes, body.expires_in_days
    )
    details = {"scopes": list(token.scopes), "expires_at": token.expires_at_ms}
    await audit(request, AuditKind.TOKEN_CREATED, principal, resource=token.id, details=details)
    return {**token_view(token), "token": secret}


@router.get("")
async def list_tokens(request: Request, principal: Principal = MANAGE) -> list[dict[str, Any]]:
    user = await _member(request, principal)
    return [token_view(t) for t in await services_of(request).durable.list_api_tokens(user.id)]


@router.delete("/{token_id}")
async def revoke_token(
    token_id: str, request: Request, principal: Principal = MANAGE
) -> dict[str, Any]:
    user = await _member(request, principal)
    if not await services_of(request).durable.revoke_api_token(token_id, user.id, now_ms()):
        raise HTTPException(404, "no such live token of yours")
    await audit(request, AuditKind.TOKEN_REVOKED, principal, resource=token_id)
    return {"id": token_id, "revoked": True}
