"""What the durable store keeps for accounts (implemented by SQLite and PostgreSQL, migration 2).

Kept in the durable store even in a scale-out deployment (never only in Redis): a sign-in must
survive a restart and be revocable from any instance.
"""

from __future__ import annotations

from typing import Protocol

from server.accounts.model import ApiToken, OidcLogin, SignIn, User


class UserExists(ValueError):
    """A user with this e-mail (or identity provider subject) is already there."""


class AccountStore(Protocol):
    async def add_user(self, user: User) -> None:
        """Raises `UserExists` when the e-mail or the subject is taken."""
        ...

    async def update_user(self, user: User) -> None: ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def user_by_email(self, email: str) -> User | None: ...

    async def user_by_subject(self, subject: str) -> User | None: ...

    async def list_users(self) -> list[User]: ...

    async def add_invite(self, token_hash: str, user_id: str, expires_at_ms: int) -> None: ...

    async def take_invite(self, token_hash: str, now_ms: int) -> str | None:
        """The invited user's id, once: the invite is deleted whether or not it had expired."""
        ...

    async def add_sign_in(self, sign_in: SignIn) -> None: ...

    async def get_sign_in(self, token_hash: str) -> SignIn | None: ...

    async def delete_sign_in(self, token_hash: str) -> None: ...

    async def add_oidc_login(self, login: OidcLogin) -> None: ...

    async def purge_oidc_logins(self, before_ms: int) -> None:
        """Forget sign-ins started before `before_ms` that never came back."""
        ...

    async def take_oidc_login(self, state_hash: str) -> OidcLogin | None:
        """The login started with this state, once (a replayed state finds nothing)."""
        ...

    async def add_api_token(self, token: ApiToken) -> None: ...

    async def api_token_by_hash(self, token_hash: str) -> ApiToken | None: ...

    async def list_api_tokens(self, user_id: str) -> list[ApiToken]:
        """The user's tokens, revoked and expired ones included (newest first)."""
        ...

    async def revoke_api_token(self, token_id: str, user_id: str, now_ms: int) -> bool:
        """Revoke one of the user's own tokens; False if it has no such live token."""
        ...
