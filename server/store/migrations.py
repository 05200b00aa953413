"""Versioned schema migrations, applied at start-up by both stores (SQLite and PostgreSQL).

The database records the version it is at in `schema_version` (one row). Opening a store applies
every migration above that version, in order, each in its own transaction together with the new
version number, so a crash mid-way leaves the database at the last complete version and the next
start carries on. A database newer than this code is refused (`SchemaTooNew`) instead of being
written by a release that does not know its tables.

Version 1 is the schema of the release before migrations existed (sessions, log, checkpoints,
claims and the log's time index). Such a database has no `schema_version` table: it reads as
version 0, and migration 1 uses `CREATE ... IF NOT EXISTS` for exactly that reason, so it adopts
the existing tables (and their data) as they are. Every later migration is plain DDL: it runs once.

A migration is never edited once released; a change is a new migration at the end of the list.
`tests/scale/test_migrations.py` upgrades a populated version-1 database of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    why: str
    sqlite: str
    postgres: str


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer Pairboard than this one."""


_V1_SQLITE = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    scenario TEXT,
    created_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL,
    ended_at_ms INTEGER,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS log (
    session_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    author TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (session_id, doc, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    session_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    state BLOB NOT NULL,
    PRIMARY KEY (session_id, doc, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (
    session_id TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (session_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log_by_time ON log (session_id, doc, ts_ms);
"""

_V1_POSTGRES = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    scenario TEXT,
    created_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    ended_at_ms BIGINT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS log (
    session_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    seq BIGINT NOT NULL,
    ts_ms BIGINT NOT NULL,
    author TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (session_id, doc, seq)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    session_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    seq BIGINT NOT NULL,
    state BYTEA NOT NULL,
    PRIMARY KEY (session_id, doc, seq)
);
CREATE TABLE IF NOT EXISTS claims (
    session_id TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (session_id, key)
);
CREATE INDEX IF NOT EXISTS log_by_time ON log (session_id, doc, ts_ms);
"""

# Accounts (server/accounts/): the organisation's users and their role, one-time invites, the
# browser's sign-ins (cookie -> user, with its CSRF token), OpenID logins in flight (state ->
# nonce + PKCE verifier, consumed once) and personal API tokens. Secrets are stored as SHA-256
# of a random value, passwords as argon2id hashes; nothing here can be replayed from a dump.
_V2 = """
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    oidc_subject TEXT UNIQUE,
    created_at_ms {int} NOT NULL,
    disabled_at_ms {int}
);
CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at_ms {int} NOT NULL
);
CREATE TABLE sign_ins (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at_ms {int} NOT NULL,
    expires_at_ms {int} NOT NULL
);
CREATE INDEX sign_ins_by_user ON sign_ins (user_id);
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    created_at_ms {int} NOT NULL
);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at_ms {int} NOT NULL,
    expires_at_ms {int} NOT NULL,
    revoked_at_ms {int}
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the schema of the release before migrations", _V1_SQLITE, _V1_POSTGRES),
    Migration(
        2,
        "accounts: users, invites, sign-ins, OpenID logins, API tokens",
        _V2.format(int="INTEGER"),
        _V2.format(int="BIGINT"),
    ),
)
LATEST = MIGRATIONS[-1].version


def pending(current: int) -> list[Migration]:
    """The migrations a database at `current` still needs, in order."""
    if current > LATEST:
        raise SchemaTooNew(
            f"the database is at schema version {current}, newer than this Pairboard knows "
            f"({LATEST}): run the release that wrote it, or restore a backup"
        )
    return [m for m in MIGRATIONS if m.version > current]


VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
