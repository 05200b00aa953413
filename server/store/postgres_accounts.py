"""The accounts tables (migration 2) on PostgreSQL; `PostgresStore` inherits these.

Every instance of a deployment reads the same rows, so signing out on one instance signs that
cookie out everywhere.
"""

from __future__ import annotations

import json

import asyncpg

from server.accounts.model import ApiToken, OidcLogin, SignIn, User
from server.accounts.store import UserExists

_USER_COLUMNS = "id, email, name, role, created_at_ms, password_hash, oidc_subject, disabled_at_ms"


_TOKEN_COLUMNS = (
    "id, token_hash, user_id, name, scopes, created_at_ms, expires_at_ms, revoked_at_ms"
)


def _token(row: asyncpg.Record) -> ApiToken:
    values = list(row.values())
    values[4] = tuple(json.loads(values[4]))
    return ApiToken(*values)


def _user(row: asyncpg.Record | None) -> User | None:
    return None if row is None else User(*row.values())


class PostgresAccountQueries:
    """Mixin for `PostgresStore`; `_p` is the store's pool."""

    def _p(self) -> asyncpg.Pool:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def add_user(self, user: User) -> None:
        u = user
        try:
            await self._p().execute(
                f"INSERT INTO users ({_USER_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                u.id,
                u.email,
                u.name,
                u.role,
                u.created_at_ms,
                u.password_hash,
                u.oidc_subject,
                u.disabled_at_ms,
            )
        except asyncpg.UniqueViolationError as exc:
            raise UserExists(f"a user with e-mail {u.email} already exists") from exc

    async def update_user(self, user: User) -> None:
        u = user
        await self._p().execute(
            "UPDATE users SET email=$1, name=$2, role=$3, password_hash=$4, oidc_subject=$5, "
            "disabled_at_ms=$6 WHERE id=$7",
            u.email,
            u.name,
            u.role,
            u.password_hash,
            u.oidc_subject,
            u.disabled_at_ms,
            u.id,
        )

    async def _one_user(self, where: str, value: str) -> User | None:
        row = await self._p().fetchrow(f"SELECT {_USER_COLUMNS} FROM users WHERE {where}=$1", value)
        return _user(row)

    async def get_user(self, user_id: str) -> User | None:
        return await self._one_user("id", user_id)

    async def user_by_email(self, email: str) -> User | None:
        return await self._one_user("email", email)

    async def user_by_subject(self, subject: str) -> User | None:
        return await self._one_user("oidc_subject", subject)

    async def list_users(self) -> list[User]:
        rows = await self._p().fetch(f"SELECT {_USER_COLUMNS} FROM users ORDER BY email")
        return [User(*row.values()) for row in rows]

    async def add_invite(self, token_hash: str, user_id: str, expires_at_ms: int) -> None:
        await self._p().execute(
            "INSERT INTO invites VALUES ($1,$2,$3)", token_hash, user_id, expires_at_ms
        )

    async def take_invite(self, token_hash: str, now_ms: int) -> str | None:
        row = await self._p().fetchrow(
            "DELETE FROM invites WHERE token_hash=$1 RETURNING user_id, expires_at_ms", token_hash
        )
        return None if row is None or row[1] < now_ms else str(row[0])

    async def add_sign_in(self, sign_in: SignIn) -> None:
        s = sign_in
        await self._p().execute(
            "INSERT INTO sign_ins VALUES ($1,$2,$3,$4,$5)",
            s.token_hash,
            s.user_id,
            s.csrf,
            s.created_at_ms,
            s.expires_at_ms,
        )

    async def get_sign_in(self, token_hash: str) -> SignIn | None:
        row = await self._p().fetchrow(
            "SELECT token_hash, user_id, csrf, created_at_ms, expires_at_ms FROM sign_ins "
            "WHERE token_hash=$1",
            token_hash,
        )
        return None if row is None else SignIn(*row.values())

    async def delete_sign_in(self, token_hash: str) -> None:
        await self._p().execute("DELETE FROM sign_ins WHERE token_hash=$1", token_hash)

    async def add_oidc_login(self, login: OidcLogin) -> None:
        x = login
        await self._p().execute(
            "INSERT INTO oidc_logins VALUES ($1,$2,$3,$4)",
            x.state_hash,
            x.nonce,
            x.code_verifier,
            x.created_at_ms,
        )

    async def purge_oidc_logins(self, before_ms: int) -> None:
        await self._p().execute("DELETE FROM oidc_logins WHERE created_at_ms < $1", before_ms)

    async def take_oidc_login(self, state_hash: str) -> OidcLogin | None:
        row = await self._p().fetchrow(
            "DELETE FROM oidc_logins WHERE state_hash=$1 "
            "RETURNING state_hash, nonce, code_verifier, created_at_ms",
            state_hash,
        )
        return None if row is None else OidcLogin(*row.values())

    async def add_api_token(self, token: ApiToken) -> None:
        t = token
        await self._p().execute(
            f"INSERT INTO api_tokens ({_TOKEN_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            t.id,
            t.token_hash,
            t.user_id,
            t.name,
            json.dumps(list(t.scopes)),
            t.created_at_ms,
            t.expires_at_ms,
            t.revoked_at_ms,
        )

    async def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        row = await self._p().fetchrow(
            f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash=$1", token_hash
        )
        return None if row is None else _token(row)

    async def list_api_tokens(self, user_id: str) -> list[ApiToken]:
        rows = await self._p().fetch(
            f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE user_id=$1 ORDER BY created_at_ms DESC",
            user_id,
        )
        return [_token(r) for r in rows]

    async def revoke_api_token(self, token_id: str, user_id: str, now_ms: int) -> bool:
        status: str = await self._p().execute(
            "UPDATE api_tokens SET revoked_at_ms=$1 "
            "WHERE id=$2 AND user_id=$3 AND revoked_at_ms IS NULL",
            now_ms,
            token_id,
            user_id,
        )
        return status == "UPDATE 1"
