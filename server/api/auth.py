"""Signing in and out, who am I, and the owners' user management (`server/accounts`).

The sign-in cookie (`pairboard_session`) is HttpOnly, SameSite=Lax, `Secure` behind HTTPS, and
its value is new on every sign-in (the browser's previous sign-in is revoked). The answer to a
sign-in and `GET /api/me` carry `csrf_token`, which the page sends back as `X-CSRF-Token` on
every state-changing request it makes with the cookie.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict

from server.accounts.model import OrgRole, User
from server.accounts.oidc import OidcSignIn
from server.accounts.service import COOKIE, AccountError, OpenedSignIn
from server.accounts.store import UserExists
from server.api.audited import audit
from server.api.deps import AuthorizeOrg, services_of
from server.audit.model import Actor, AuditKind
from server.permissions import Action, Member, Principal
from server.services import Services
from server.text import Text

router = APIRouter(prefix="/api")

SIGN_IN = Depends(AuthorizeOrg(Action.SIGN_IN))
SIGNED_IN = Depends(AuthorizeOrg(Action.ACCOUNT_READ))


class PasswordSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Text
    password: Text


class Redeem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Text
    password: Text


def user_view(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role}


def _with_cookie(services: Services, opened: OpenedSignIn, response: Response) -> Response:
    response.set_cookie(
        COOKIE,
        opened.cookie,
        max_age=services.settings.sign_in_lifetime_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=services.accounts.cookie_secure(),
    )
    return response


async def _failed(request: Request, exc: AccountError, method: str, email: str | None) -> None:
    """A refused sign-in (wrong password, disabled account, a provider's answer that does not
    verify) is audited; a malformed request (422) or a throttled one (429) is not: the log
    records attempts against accounts, and the throttle bounds how many one e-mail makes."""
    if exc.status in (401, 403):
        actor = Actor("anonymous", email=None if email is None else email[:320])
        details = {"method": method, "reason": str(exc)[:300]}
        await audit(request, AuditKind.SIGN_IN_FAILED, actor, details=details)


async def _audit_sign_in(request: Request, opened: OpenedSignIn, method: str) -> None:
    user = opened.user
    actor = Actor("member", user.id, user.email, user.role)
    await audit(request, AuditKind.SIGN_IN, actor, resource=user.id, details={"method": method})


def _signed_in(services: Services, opened: OpenedSignIn) -> Response:
    body = {"user": user_view(opened.user), "csrf_token": opened.sign_in.csrf}
    return _with_cookie(services, opened, JSONResponse(body))


@router.post("/auth/sign-in")
async def sign_in(body: PasswordSignIn, request: Request, _: Principal = SIGN_IN) -> Response:
    services = services_of(request)
    try:
        user = await services.accounts.check_password_sign_in(body.email, body.password)
    except AccountError as exc:
        await _failed(request, exc, "password", body.email)
        raise
    opened = await services.accounts.open_sign_in(user, request.cookies.get(COOKIE))
    await _audit_sign_in(request, opened, "password")
    return _signed_in(services, opened)


@router.post("/auth/invite")
async def redeem_invite(body: Redeem, request: Request, _: Principal = SIGN_IN) -> Response:
    """Set the password of an invited user (the invite works once) and sign them in."""
    services = services_of(request)
    try:
        user = await services.accounts.redeem_invite(body.token, body.password)
    except AccountError as exc:
        await _failed(request, exc, "invite", None)
        raise
    opened = await services.accounts.open_sign_in(user, request.cookies.get(COOKIE))
    await _audit_sign_in(request, opened, "invite")
    return _signed_in(services, opened)


def _oidc(services: Services) -> OidcSignIn:
    if services.oidc is None:
        raise HTTPException(404, "single sign-on is not configured (PAIRBOARD_OIDC_ISSUER)")
    return services.oidc


@router.get("/auth/oidc/start")
async def oidc_start(request: Request, _: Principal = SIGN_IN) -> Response:
    """Send the browser to the identity provider."""
    client = request.client.host if request.client else "unknown"
    return RedirectResponse(await _oidc(services_of(request)).start(client), status_code=302)


@router.get("/auth/oidc/callback")
async def oidc_callback(request: Request, _: Principal = SIGN_IN) -> Response:
    """The provider sends the browser back here; signed in, it goes on to the lobby."""
    services = services_of(request)
    try:
        user = await _oidc(services).finish(dict(request.query_params))
    except AccountError as exc:
        await _failed(request, exc, "oidc", None)
        raise
    opened = await services.accounts.open_sign_in(user, request.cookies.get(COOKIE))
    await _audit_sign_in(request, opened, "oidc")
    return _with_cookie(services, opened, RedirectResponse("/", status_code=303))


@router.post("/auth/sign-out")
async def sign_out(request: Request, principal: Principal = SIGNED_IN) -> Response:
    """Revoke this sign-in on the server (the cookie is worthless from now on, everywhere)."""
    await services_of(request).accounts.sign_out(request.cookies.get(COOKIE, ""))
    assert isinstance(principal, Member)  # the table lets only members sign out
    await audit(request, AuditKind.SIGN_OUT, principal, resource=principal.user_id)
    response = JSONResponse({"signed_out": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/me")
async def me(request: Request, principal: Principal = SIGNED_IN) -> dict[str, Any]:
    """Who is signed in, and the sign-in's CSRF token (None for an API token: it needs none)."""
    services = services_of(request)
    assert isinstance(principal, Member)  # the table lets only members read an account
    user = await services.durable.get_user(principal.user_id)
    if user is None:
        raise HTTPException(401, "signed out or expired: sign in again")
    csrf = None
    if principal.scopes is None:
        found = await services.accounts.signed_in(request.cookies.get(COOKIE, ""))
        csrf = None if found is None else found[1].csrf
    return {"user": user_view(user), "csrf_token": csrf}


@router.get("/users")
async def list_users(
    request: Request, _: Principal = Depends(AuthorizeOrg(Action.USER_MANAGE))
) -> list[dict[str, Any]]:
    users = await services_of(request).durable.list_users()
    return [{**user_view(u), "disabled": u.disabled_at_ms is not None} for u in users]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Text
    role: OrgRole
    name: Text | None = None


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: OrgRole | None = None
    disabled: bool | None = None


@router.post("/users", status_code=201)
async def invite_user(
    body: NewUser,
    request: Request,
    principal: Principal = Depends(AuthorizeOrg(Action.USER_MANAGE)),
) -> dict[str, Any]:
    """Add a user and answer their one-time invite link (shown once) for them to set a password;
    with single sign-on they may sign in through the provider instead."""
    accounts = services_of(request).accounts
    try:
        user = await accounts.add_user(body.email, body.role, name=body.name)
    except UserExists as exc:
        raise HTTPException(409, str(exc)) from exc
    details = {"email": user.email, "role": user.role}
    await audit(request, AuditKind.USER_ADDED, principal, resource=user.id, details=details)
    return {
        "user": user_view(user),
        "invite_link": accounts.invite_link(await accounts.invite(user)),
    }


@router.patch("/users/{user_id}")
async def change_user(
    user_id: str,
    body: UserChange,
    request: Request,
    principal: Principal = Depends(AuthorizeOrg(Action.USER_MANAGE)),
) -> dict[str, Any]:
    """Change a user's role, or disable them (their sign-ins and API tokens stop at once)."""
    services = services_of(request)
    before = await services.durable.get_user(user_id)
    user = await services.accounts.change_user(user_id, body.role, body.disabled)
    if before is not None and before.role != user.role:
        details = {"email": user.email, "from": before.role, "to": user.role}
        await audit(
            request, AuditKind.USER_ROLE_CHANGED, principal, resource=user_id, details=details
        )
    if before is not None and (before.disabled_at_ms is None) != (user.disabled_at_ms is None):
        kind = AuditKind.USER_ENABLED if user.disabled_at_ms is None else AuditKind.USER_DISABLED
        await audit(request, kind, principal, resource=user_id, details={"email": user.email})
    return {**user_view(user), "disabled": user.disabled_at_ms is not None}
