"""The accounts tables keep one contract on SQLite and on PostgreSQL (the scale-out store):
users, invites and OpenID states taken once, sign-ins, API tokens with revocation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from server.accounts.model import ApiToken, OidcLogin, SignIn, User
from server.accounts.store import UserExists
from server.store.postgres import PostgresStore
from server.store.select import DurableStore
from server.store.sqlite import SQLiteStore
from tests.scale.postgres import fresh_database

ANN = User("u-ann", "ann@example.com", "Ann", "interviewer", 1000, password_hash="$argon2id$h")


@pytest.fixture(scope="module")
def postgres_dsn() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DurableStore]:
    made: DurableStore
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "accounts.sqlite3")
    else:
        made = PostgresStore(request.getfixturevalue("postgres_dsn"))
    await made.open()
    yield made
    await made.close()


async def test_users_are_unique_by_email_and_subject_and_update_in_place(
    store: DurableStore,
) -> None:
    suffix = str(id(store))  # the PostgreSQL database is shared by the module's tests
    ann = replace(ANN, id=f"u-{suffix}", email=f"ann{suffix}@example.com")
    await store.add_user(ann)
    with pytest.raises(UserExists):
        await store.add_user(replace(ann, id="other"))
    linked = replace(ann, oidc_subject=f"https://id.example.com {suffix}", role="owner")
    await store.update_user(linked)
    assert await store.get_user(ann.id) == linked
    assert await store.user_by_email(ann.email) == linked
    assert await store.user_by_subject(f"https://id.example.com {suffix}") == linked
    assert linked in await store.list_users()


async def test_invites_and_openid_states_are_taken_exactly_once(store: DurableStore) -> None:
    user = replace(ANN, id=f"i-{id(store)}", email=f"i{id(store)}@example.com")
    await store.add_user(user)
    await store.add_invite(f"live-{id(store)}", user.id, expires_at_ms=5000)
    await store.add_invite(f"old-{id(store)}", user.id, expires_at_ms=10)
    assert await store.take_invite(f"live-{id(store)}", now_ms=100) == user.id
    assert await store.take_invite(f"live-{id(store)}", now_ms=100) is None
    assert await store.take_invite(f"old-{id(store)}", now_ms=100) is None  # expired
    login = OidcLogin(f"state-{id(store)}", "nonce", "verifier", created_at_ms=2000)
    stale = OidcLogin(f"stale-{id(store)}", "n", "v", created_at_ms=10)
    await store.add_oidc_login(login)
    await store.add_oidc_login(stale)
    await store.purge_oidc_logins(before_ms=1000)
    assert await store.take_oidc_login(stale.state_hash) is None
    assert await store.take_oidc_login(login.state_hash) == login
    assert await store.take_oidc_login(login.state_hash) is None


async def test_sign_ins_and_api_tokens_are_found_by_digest_and_revoked(
    store: DurableStore,
) -> None:
    user = replace(ANN, id=f"s-{id(store)}", email=f"s{id(store)}@example.com")
    await store.add_user(user)
    sign_in = SignIn(f"cookie-{id(store)}", user.id, "csrf", 1, 2)
    await store.add_sign_in(sign_in)
    assert await store.get_sign_in(sign_in.token_hash) == sign_in
    await store.delete_sign_in(sign_in.token_hash)
    assert await store.get_sign_in(sign_in.token_hash) is None
    token = ApiToken(f"t{id(store)}", f"hash-{id(store)}", user.id, "ci", ("sessions:read",), 5, 9)
    await store.add_api_token(token)
    assert await store.api_token_by_hash(token.token_hash) == token
    assert await store.list_api_tokens(user.id) == [token]
    assert await store.revoke_api_token(token.id, "someone else", 7) is False
    assert await store.revoke_api_token(token.id, user.id, 7) is True
    assert await store.revoke_api_token(token.id, user.id, 8) is False  # once
    assert await store.api_token_by_hash(token.token_hash) == replace(token, revoked_at_ms=7)
