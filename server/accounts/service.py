"""`Accounts`: users, one-time invites, and the browser's cookie sign-ins with their CSRF token.

A sign-in is a random cookie value whose SHA-256 is a row of `sign_ins`: signing in always
creates a new one and deletes the one the browser had (rotation, so a value planted before
sign-in is worthless after it), signing out deletes it (server-side revocation, on every
instance), and it expires after `sign_in_lifetime_seconds`. Each sign-in has its own CSRF token,
given to the page in the sign-in answer and `GET /api/me`; a cookie-authenticated request that
changes anything must echo it in `X-CSRF-Token` (`server/access.py`).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace

from server.accounts.model import (
    API_TOKEN_PREFIX,
    ApiToken,
    OrgRole,
    SignIn,
    User,
    digest,
    new_secret,
    normal_email,
)
from server.accounts.passwords import hash_password, verify_or_waste
from server.accounts.store import AccountStore
from server.clock import now_ms
from server.permissions import TOKEN_SCOPES
from server.replay.records import RateLimiter
from server.settings import Settings

COOKIE = "pairboard_session"


def _live(token: ApiToken, now: int) -> bool:
    return token.revoked_at_ms is None and token.expires_at_ms >= now


CSRF_HEADER = "x-csrf-token"


class AccountError(Exception):
    """A refused account request; `status` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class OpenedSignIn:
    """A new sign-in: the cookie value (never stored) and the row it stands for."""

    cookie: str
    sign_in: SignIn
    user: User


class Accounts:
    def __init__(self, store: AccountStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.attempts = RateLimiter(settings.sign_in_attempts_per_minute, 60.0)

    # --- users ------------------------------------------------------------------------------

    def check_email(self, email: str) -> str:
        email = normal_email(email)
        local, _, domain = email.partition("@")
        if not local or "." not in domain or len(email) > self.settings.email_max_chars:
            raise AccountError(
                422,
                f"not an e-mail address of at most "
                f"{self.settings.email_max_chars} characters: {email!r}",
            )
        return email

    def check_password(self, password: str) -> str:
        s = self.settings
        if not s.password_min_chars <= len(password) <= s.password_max_chars:
            raise AccountError(
                422,
                f"a password has {s.password_min_chars} to {s.password_max_chars} characters",
            )
        return password

    async def add_user(
        self,
        email: str,
        role: OrgRole,
        *,
        name: str | None = None,
        password: str | None = None,
        oidc_subject: str | None = None,
    ) -> User:
        email = self.check_email(email)
        hashed = None if password is None else await hash_password(self.check_password(password))
        user = User(
            id=uuid.uuid4().hex,
            email=email,
            name=(name or email.split("@")[0])[: self.settings.max_name_length],
            role=role,
            created_at_ms=now_ms(),
            password_hash=hashed,
            oidc_subject=oidc_subject,
        )
        await self.store.add_user(user)
        return user

    async def invite(self, user: User) -> str:
        """A one-time invite token for `user` (shown once; the store keeps its digest)."""
        token = new_secret()
        expires = now_ms() + self.settings.invite_lifetime_seconds * 1000
        await self.store.add_invite(digest(token), user.id, expires)
        return token

    def invite_link(self, token: str) -> str:
        # In the fragment: never sent to the server in a GET, so never in an access log.
        return f"{self.settings.base_url()}/signin#invite={token}"

    async def redeem_invite(self, token: str, password: str) -> User:
        self.check_password(password)
        user_id = await self.store.take_invite(digest(token), now_ms())
        user = None if user_id is None else await self.store.get_user(user_id)
        if user is None or user.disabled_at_ms is not None:
            raise AccountError(403, "this invite is unknown, used already or expired")
        user = replace(user, password_hash=await hash_password(password))
        await self.store.update_user(user)
        return user

    async def change_user(self, user_id: str, role: OrgRole | None, disabled: bool | None) -> User:
        """An owner's change to a user; the organisation always keeps an enabled owner."""
        user = await self.store.get_user(user_id)
        if user is None:
            raise AccountError(404, "no such user")
        changed = replace(
            user,
            role=user.role if role is None else role,
            disabled_at_ms=user.disabled_at_ms
            if disabled is None
            else (now_ms() if disabled else None),
        )
        owners = [
            u
            for u in await self.store.list_users()
            if u.id != user_id and u.role == "owner" and u.disabled_at_ms is None
        ]
        was_owner = user.role == "owner" and user.disabled_at_ms is None
        still_owner = changed.role == "owner" and changed.disabled_at_ms is None
        if was_owner and not still_owner and not owners:
            raise AccountError(409, "the organisation must keep an enabled owner")
        await self.store.update_user(changed)
        return changed

    # --- sign-in ----------------------------------------------------------------------------

    async def check_password_sign_in(self, email: str, password: str) -> User:
        if len(password) > self.settings.password_max_chars:
            raise AccountError(
                422, f"a password has at most {self.settings.password_max_chars} characters"
            )
        email = normal_email(email)
        if not self.attempts.allow(("sign-in", email)):
            raise AccountError(
                429,
                f"more than {self.settings.sign_in_attempts_per_minute} sign-in attempts a "
                "minute for this e-mail: wait a minute",
            )
        user = await self.store.user_by_email(email)
        matched = await verify_or_waste(None if user is None else user.password_hash, password)
        if user is None or not matched:
            raise AccountError(403, "wrong e-mail or password")
        if user.disabled_at_ms is not None:
            raise AccountError(403, "this account is disabled")
        return user

    async def open_sign_in(self, user: User, previous_cookie: str | None) -> OpenedSignIn:
        """A fresh sign-in for `user`; the browser's previous one (if any) is revoked."""
        if previous_cookie:
            await self.store.delete_sign_in(digest(previous_cookie))
        cookie = new_secret()
        now = now_ms()
        sign_in = SignIn(
            token_hash=digest(cookie),
            user_id=user.id,
            csrf=secrets.token_urlsafe(24),
            created_at_ms=now,
            expires_at_ms=now + self.settings.sign_in_lifetime_seconds * 1000,
        )
        await self.store.add_sign_in(sign_in)
        return OpenedSignIn(cookie, sign_in, user)

    async def signed_in(self, cookie: str) -> tuple[User, SignIn] | None:
        """Whose cookie this is, or None (unknown, signed out, expired or the user disabled)."""
        sign_in = await self.store.get_sign_in(digest(cookie))
        if sign_in is None:
            return None
        if sign_in.expires_at_ms < now_ms():
            await self.store.delete_sign_in(sign_in.token_hash)
            return None
        user = await self.store.get_user(sign_in.user_id)
        if user is None or user.disabled_at_ms is not None:
            return None
        return user, sign_in

    async def sign_out(self, cookie: str) -> None:
        await self.store.delete_sign_in(digest(cookie))

    # --- personal API tokens ----------------------------------------------------------------

    async def create_api_token(
        self, user: User, name: str, scopes: list[str], lifetime_days: int
    ) -> tuple[str, ApiToken]:
        """A new token for `user`: the secret (shown once) and what the store keeps of it."""
        s = self.settings
        unknown = sorted(set(scopes) - set(TOKEN_SCOPES))
        if not scopes or unknown:
            raise AccountError(422, f"scopes must be some of {sorted(TOKEN_SCOPES)}")
        if not 1 <= lifetime_days <= s.api_token_max_lifetime_days:
            raise AccountError(422, f"a token lasts 1 to {s.api_token_max_lifetime_days} days")
        if not name.strip() or len(name) > s.max_name_length:
            raise AccountError(422, f"a token's name has 1 to {s.max_name_length} characters")
        now = now_ms()
        live = [t for t in await self.store.list_api_tokens(user.id) if _live(t, now)]
        if len(live) >= s.api_tokens_per_user:
            raise AccountError(409, f"at most {s.api_tokens_per_user} live API tokens per user")
        token_id = uuid.uuid4().hex[:12]
        secret = f"{API_TOKEN_PREFIX}{token_id}_{new_secret()}"
        token = ApiToken(
            id=token_id,
            token_hash=digest(secret),
            user_id=user.id,
            name=name.strip(),
            scopes=tuple(sorted(set(scopes))),
            created_at_ms=now,
            expires_at_ms=now + lifetime_days * 86_400_000,
        )
        await self.store.add_api_token(token)
        return secret, token

    async def by_api_token(self, secret: str) -> tuple[User, ApiToken]:
        """Whose token this is; `AccountError` (403) if unknown, revoked, expired or disabled."""
        token = await self.store.api_token_by_hash(digest(secret))
        if token is None:
            raise AccountError(403, "unknown API token")
        if token.revoked_at_ms is not None:
            raise AccountError(403, "this API token was revoked")
        if token.expires_at_ms < now_ms():
            raise AccountError(403, "this API token has expired")
        user = await self.store.get_user(token.user_id)
        if user is None or user.disabled_at_ms is not None:
            raise AccountError(403, "this API token's user is disabled")
        return user, token

    def cookie_secure(self) -> bool:
        configured = self.settings.cookie_secure
        if configured is not None:
            return configured
        return self.settings.base_url().startswith("https://")
