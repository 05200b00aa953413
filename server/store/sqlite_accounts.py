"""The accounts tables (migration 2) on the SQLite store; `SQLiteStore` inherits these.

They run on the store's one database thread like every other query, so a sign-in never races a
group commit of the log.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from server.accounts.model import ApiToken, OidcLogin, SignIn, User
from server.accounts.store import UserExists

_USER_COLUMNS = "id, email, name, role, created_at_ms, password_hash, oidc_subject, disabled_at_ms"


_TOKEN_COLUMNS = (
    "id, token_hash, user_id, name, scopes, created_at_ms, expires_at_ms, revoked_at_ms"
)


def _token(row: tuple[Any, ...]) -> ApiToken:
    values = list(row)
    values[4] = tuple(json.loads(values[4]))
    return ApiToken(*values)


def _user(row: tuple[Any, ...] | None) -> User | None:
    return None if row is None else User(*row)


class SQLiteAccountQueries:
    """Mixin for `SQLiteStore`; `_run` and `_conn` are the store's own plumbing."""

    async def _run(self, fn: Any, *args: Any) -> Any:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _conn(self) -> sqlite3.Connection:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def _one_user(self, where: str, value: str) -> User | None:
        def query() -> User | None:
            sql = f"SELECT {_USER_COLUMNS} FROM users WHERE {where}=?"
            return _user(self._conn().execute(sql, (value,)).fetchone())

        result: User | None = await self._run(query)
        return result

    async def add_user(self, user: User) -> None:
        def insert() -> None:
            try:
                self._conn().execute(
                    f"INSERT INTO users ({_USER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        user.id,
                        user.email,
                        user.name,
                        user.role,
                        user.created_at_ms,
                        user.password_hash,
                        user.oidc_subject,
                        user.disabled_at_ms,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise UserExists(f"a user with e-mail {user.email} already exists") from exc

        await self._run(insert)

    async def update_user(self, user: User) -> None:
        await self._run(
            lambda: self._conn().execute(
                "UPDATE users SET email=?, name=?, role=?, password_hash=?, oidc_subject=?, "
                "disabled_at_ms=? WHERE id=?",
                (
                    user.email,
                    user.name,
                    user.role,
                    user.password_hash,
                    user.oidc_subject,
                    user.disabled_at_ms,
                    user.id,
                ),
            )
        )

    async def get_user(self, user_id: str) -> User | None:
        return await self._one_user("id", user_id)

    async def user_by_email(self, email: str) -> User | None:
        return await self._one_user("email", email)

    async def user_by_subject(self, subject: str) -> User | None:
        return await self._one_user("oidc_subject", subject)

    async def list_users(self) -> list[User]:
        def query() -> list[User]:
            rows = self._conn().execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY email")
            return [User(*row) for row in rows]

        result: list[User] = await self._run(query)
        return result

    async def add_invite(self, token_hash: str, user_id: str, expires_at_ms: int) -> None:
        await self._run(
            lambda: self._conn().execute(
                "INSERT INTO invites VALUES (?,?,?)", (token_hash, user_id, expires_at_ms)
            )
        )

    async def take_invite(self, token_hash: str, now_ms: int) -> str | None:
        def take() -> str | None:
            row = (
                self._conn()
                .execute(
                    "DELETE FROM invites WHERE token_hash=? RETURNING user_id, expires_at_ms",
                    (token_hash,),
                )
                .fetchone()
            )
            return None if row is None or row[1] < now_ms else str(row[0])

        result: str | None = await self._run(take)
        return result

    async def add_sign_in(self, sign_in: SignIn) -> None:
        s = sign_in
        await self._run(
            lambda: self._conn().execute(
                "INSERT INTO sign_ins VALUES (?,?,?,?,?)",
                (s.token_hash, s.user_id, s.csrf, s.created_at_ms, s.expires_at_ms),
            )
        )

    async def get_sign_in(self, token_hash: str) -> SignIn | None:
        def query() -> SignIn | None:
            row = (
                self._conn()
                .execute("SELECT * FROM sign_ins WHERE token_hash=?", (token_hash,))
                .fetchone()
            )
            return None if row is None else SignIn(*row)

        result: SignIn | None = await self._run(query)
        return result

    async def delete_sign_in(self, token_hash: str) -> None:
        await self._run(
            lambda: self._conn().execute("DELETE FROM sign_ins WHERE token_hash=?", (token_hash,))
        )

    async def add_oidc_login(self, login: OidcLogin) -> None:
        x = login
        await self._run(
            lambda: self._conn().execute(
                "INSERT INTO oidc_logins VALUES (?,?,?,?)",
                (x.state_hash, x.nonce, x.code_verifier, x.created_at_ms),
            )
        )

    async def purge_oidc_logins(self, before_ms: int) -> None:
        await self._run(
            lambda: self._conn().execute(
                "DELETE FROM oidc_logins WHERE created_at_ms < ?", (before_ms,)
            )
        )

    async def take_oidc_login(self, state_hash: str) -> OidcLogin | None:
        def take() -> OidcLogin | None:
            row = (
                self._conn()
                .execute(
                    "DELETE FROM oidc_logins WHERE state_hash=? "
                    "RETURNING state_hash, nonce, code_verifier, created_at_ms",
                    (state_hash,),
                )
                .fetchone()
            )
            return None if row is None else OidcLogin(*row)

        result: OidcLogin | None = await self._run(take)
        return result

    async def add_api_token(self, token: ApiToken) -> None:
        t = token
        await self._run(
            lambda: self._conn().execute(
                f"INSERT INTO api_tokens ({_TOKEN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                (
                    t.id,
                    t.token_hash,
                    t.user_id,
                    t.name,
                    json.dumps(list(t.scopes)),
                    t.created_at_ms,
                    t.expires_at_ms,
                    t.revoked_at_ms,
                ),
            )
        )

    async def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        def query() -> ApiToken | None:
            sql = f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash=?"
            row = self._conn().execute(sql, (token_hash,)).fetchone()
            return None if row is None else _token(row)

        result: ApiToken | None = await self._run(query)
        return result

    async def list_api_tokens(self, user_id: str) -> list[ApiToken]:
        def query() -> list[ApiToken]:
            sql = (
                f"SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE user_id=? "
                "ORDER BY created_at_ms DESC"
            )
            return [_token(r) for r in self._conn().execute(sql, (user_id,))]

        result: list[ApiToken] = await self._run(query)
        return result

    async def revoke_api_token(self, token_id: str, user_id: str, now_ms: int) -> bool:
        def update() -> bool:
            cursor = self._conn().execute(
                "UPDATE api_tokens SET revoked_at_ms=? "
                "WHERE id=? AND user_id=? AND revoked_at_ms IS NULL",
                (now_ms, token_id, user_id),
            )
            return cursor.rowcount == 1

        result: bool = await self._run(update)
        return result
