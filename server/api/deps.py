"""The REST side of the permission table: every route declares its `Action` as a dependency.

    @router.post("/{session_id}/end")
    async def end_session(access: Access = Depends(Authorize(Action.SESSION_END))) -> ...

`Authorize` answers a refusal with the table's status and reason before the route runs, and
hands the route who asked and the session record. REST calls carry `Authorization: Bearer
<token>` (a `?token=` query parameter is accepted too, so a link can be opened directly) or the
browser's sign-in cookie with `X-CSRF-Token` on state-changing methods (`server/access.py`).
The route -> action map is read back from these dependencies by the permission matrix test.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from server.access import SAFE_METHODS, Access, AccessDenied, Credential
from server.accounts.service import COOKIE, CSRF_HEADER
from server.permissions import Action, Principal
from server.services import Services

# The largest integer any query or body field takes: JavaScript's largest safe integer. Every
# store keeps 64-bit integers, so a bounded number (and a timestamp plus it) always fits: an
# unbounded one (`?at=10**30`) made SQLite raise OverflowError, a 500.
MAX_INT = 2**53 - 1


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token", "")


def credential_of(request: Request) -> Credential:
    return Credential(
        bearer=bearer_token(request),
        cookie=request.cookies.get(COOKIE, ""),
        csrf=request.headers.get(CSRF_HEADER, ""),
        unsafe=request.method not in SAFE_METHODS,
    )


class Authorize:
    """Dependency: the caller may perform `action` on the session in the path."""

    def __init__(self, action: Action) -> None:
        self.action = action

    async def __call__(self, request: Request, session_id: str) -> Access:
        gate = services_of(request).gate
        try:
            return await gate.session_access(credential_of(request), session_id, self.action)
        except AccessDenied as exc:
            raise HTTPException(exc.status, str(exc)) from exc


class AuthorizeOrg:
    """Dependency: the caller may perform the organisation-wide `action`."""

    def __init__(self, action: Action) -> None:
        self.action = action

    async def __call__(self, request: Request) -> Principal:
        gate = services_of(request).gate
        try:
            return await gate.org_access(credential_of(request), self.action)
        except AccessDenied as exc:
            raise HTTPException(exc.status, str(exc)) from exc
