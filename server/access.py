"""Who is asking, and may they: the I/O edge around the pure table in `server.permissions`.

A request's `Credential` is identified here: a bearer token (the admin token, a session link or
a personal API token `pbt_...`, in `Authorization: Bearer` or `?token=`) wins over the browser's
sign-in cookie; a cookie or an API token names a `Member`; nothing at all is `Anonymous`.
A cookie is sent by the browser on its own, so a cookie-authenticated request that changes
anything must also carry the sign-in's CSRF token in `X-CSRF-Token` (a bearer token is never
sent on its own, so it needs none). Then the session acted on is read and `permissions.decide`
gives the answer. The REST dependencies (`server/api/deps.py`) and the websocket endpoint
(`server/sync/endpoint.py`) both come through `Gate`, so a route and a doc are refused for the
same reasons with the same words.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from server.accounts.model import API_TOKEN_PREFIX
from server.accounts.service import AccountError, Accounts
from server.auth import TokenError, is_admin
from server.documents import DocName
from server.org.model import notice_pending
from server.permissions import (
    TABLE,
    Action,
    Admin,
    Anonymous,
    LinkBearer,
    Member,
    Principal,
    SessionFacts,
    decide,
)
from server.sessions import Sessions, access_of
from server.store.base import SessionRecord

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_REFUSAL = "missing or wrong CSRF token: send the sign-in's csrf_token in X-CSRF-Token"


class AccessDenied(Exception):
    """A refusal; `status` is the HTTP status (401 no credential, 403, 404, 409)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Credential:
    """What a request carries. `unsafe`: its method changes state (not GET, HEAD, OPTIONS)."""

    bearer: str = ""
    cookie: str = ""
    csrf: str = ""
    unsafe: bool = False


@dataclass(frozen=True, slots=True)
class Access:
    """An allowed request: who asked, about which session."""

    principal: Principal
    record: SessionRecord
    facts: SessionFacts

    @property
    def name(self) -> str:
        """The display name recorded as the author of what this request writes."""
        return self.principal.name


def facts_of(sessions: Sessions, record: SessionRecord) -> SessionFacts:
    controls = sessions.controls(record)
    owner, shared_with, team = access_of(record)
    return SessionFacts(
        state=record.state,
        ended_at_ms=record.ended_at_ms,
        editor_locked=bool(controls.get("editor_locked")),
        run_disabled=bool(controls.get("run_disabled")),
        owner_id=owner,
        shared_with=shared_with,
        team_shared=team,
        notice_pending=notice_pending(record.meta),
    )


@dataclass(frozen=True)
class Gate:
    """Identifies credentials and asks the table; built once by `Services.build`."""

    sessions: Sessions
    accounts: Accounts
    admin_token: str

    async def principal(self, credential: Credential) -> Principal:
        """Who the credential stands for, without looking at any session (AccessDenied for a
        token that is none of ours, a cookie that is signed out, or a missing CSRF token)."""
        token = credential.bearer
        if token:
            if is_admin(token, self.admin_token):
                return Admin()
            if token.startswith(API_TOKEN_PREFIX):
                try:
                    user, api_token = await self.accounts.by_api_token(token)
                except AccountError as exc:
                    raise AccessDenied(exc.status, str(exc)) from exc
                return Member(user.id, user.role, user.name, frozenset(api_token.scopes))
            try:
                return LinkBearer(self.sessions.signer.verify(token))
            except TokenError as exc:
                raise AccessDenied(403, str(exc)) from exc
        if credential.cookie:
            found = await self.accounts.signed_in(credential.cookie)
            if found is None:
                raise AccessDenied(401, "signed out or expired: sign in again")
            user, sign_in = found
            if credential.unsafe and not hmac.compare_digest(
                credential.csrf.encode("utf-8"), sign_in.csrf.encode("utf-8")
            ):
                raise AccessDenied(403, CSRF_REFUSAL)
            return Member(user.id, user.role, user.name)
        return Anonymous()

    async def identify(
        self, credential: Credential, session_id: str
    ) -> tuple[Principal, SessionRecord]:
        """The principal behind the credential and the session it acts on."""
        principal = await self.principal(credential)
        if isinstance(principal, Anonymous):
            raise AccessDenied(401, "missing bearer token")
        if isinstance(principal, LinkBearer) and principal.capability.session_id != session_id:
            raise AccessDenied(403, "token is for another session")
        record = await self.sessions.get(session_id)
        if record is None:
            # A link names its session: its holder learns nothing new from a 403.
            raise AccessDenied(403 if isinstance(principal, LinkBearer) else 404, "no such session")
        if isinstance(principal, LinkBearer):  # under the name its bearer chose, if any
            principal = LinkBearer(self.sessions.named(record, principal.capability))
        return principal, record

    async def session_access(
        self,
        credential: Credential,
        session_id: str,
        action: Action,
        doc: DocName | None = None,
    ) -> Access:
        principal, record = await self.identify(credential, session_id)
        facts = facts_of(self.sessions, record)
        decision = decide(principal, action, facts, doc)
        if not decision.allowed:
            raise AccessDenied(decision.status, decision.reason)
        return Access(principal, record, facts)

    async def org_access(self, credential: Credential, action: Action) -> Principal:
        """An organisation-wide action: checked for a link against the link's own session, so
        an ended interview's link lists nothing. An action open to anyone (signing in) does not
        look at the credential at all: a stale cookie must not stand in the way of a sign-in."""
        if TABLE[action].anonymous:
            return Anonymous()
        principal = await self.principal(credential)
        facts = None
        if isinstance(principal, LinkBearer):
            record = await self.sessions.get(principal.capability.session_id)
            if record is None:
                raise AccessDenied(403, "no such session")
            facts = facts_of(self.sessions, record)
        decision = decide(principal, action, facts)
        if not decision.allowed:
            raise AccessDenied(decision.status, decision.reason)
        return principal
