"""Who is calling: the admin, or the bearer of a session capability token.

REST calls carry `Authorization: Bearer <token>` (a `?token=` query parameter is accepted too, so
a link can be opened directly). Each helper raises an HTTP error with a message that says why.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from server.auth import Capability, Role, TokenError, is_admin
from server.services import Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    token = request.query_params.get("token")
    if token:
        return token
    raise HTTPException(401, "missing bearer token")


def require_admin(request: Request) -> None:
    if not is_admin(bearer_token(request), services_of(request).admin_token):
        raise HTTPException(403, "admin token required")


async def caller_for_session(
    request: Request, session_id: str, roles: tuple[Role, ...] | None = None
) -> Capability | None:
    """The caller's capability for this session; None means the admin (allowed everything)."""
    services = services_of(request)
    token = bearer_token(request)
    if is_admin(token, services.admin_token):
        if await services.sessions.get(session_id) is None:
            raise HTTPException(404, "no such session")
        return None
    try:
        capability = await services.sessions.authenticate(token, session_id)
    except TokenError as exc:
        raise HTTPException(403, str(exc)) from exc
    if roles is not None and capability.role not in roles:
        raise HTTPException(403, f"the {capability.role} role cannot do this")
    return capability
