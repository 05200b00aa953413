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
`tests/scale/test_migrations.py` upgrades a populated version-1 database of each kind, and a
populated version-2 one (`tests/audit/test_audit_migration.py`), populated version-3 ones
(`tests/org/test_org_migration.py`, `tests/webhooks/test_webhooks_migration.py`) and populated
version-5 ones (`tests/dashboard/test_listing_index_migration.py`).
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

# The audit log (server/audit/) and erasure tombstones (server/privacy/erase.py). `audit` is
# append-only: no code path updates or deletes it, and the database refuses it too (a trigger), so
# "erase everything of a session" can never take the erase's own entry with it. Entries hold ids,
# roles, staff e-mails and addresses, never candidate data (no title, name, code). An
# `erased_sessions` row makes every later import of a log entry or checkpoint of that session a
# no-op (the Redis mover may still hold entries it read before the erase).
_V3_SQLITE = """
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_email TEXT,
    actor_role TEXT,
    ip TEXT,
    resource TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_time ON audit (at_ms);
CREATE INDEX audit_by_resource ON audit (resource, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE erased_sessions (
    session_id TEXT PRIMARY KEY,
    erased_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
"""

_V3_POSTGRES = """
CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_email TEXT,
    actor_role TEXT,
    ip TEXT,
    resource TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_time ON audit (at_ms);
CREATE INDEX audit_by_resource ON audit (resource, id);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TABLE erased_sessions (
    session_id TEXT PRIMARY KEY,
    erased_at_ms BIGINT NOT NULL
);
"""

# The organisation's settings (server/org/): one row (`id` 1) of privacy settings as JSON, and
# every candidate notice ever shown, by version, so the notice a candidate acknowledged (its
# version and hash are kept with the session) can always be read back exactly.
_V4 = """
CREATE TABLE org_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    settings TEXT NOT NULL,
    notice_version {int} NOT NULL,
    updated_at_ms {int} NOT NULL,
    updated_by TEXT
);
CREATE TABLE org_notices (
    version {int} PRIMARY KEY,
    hash TEXT NOT NULL,
    text TEXT NOT NULL,
    privacy_url TEXT,
    created_at_ms {int} NOT NULL
);
"""

# Webhooks (server/webhooks/): the organisation's endpoints (URL, events, the signing secret,
# kept as is: a signature needs it) and the durable delivery queue. A delivery is written here
# before it is sent; a sender leases it (`lease_owner` until `lease_until_ms`), so one instance
# sends it at a time and a crashed instance's lease lapses for another to take. A delivery's
# payload names the candidate: erasing the session deletes its deliveries. Self-contained
# (no other migration's tables), so it can take any place in the list.
_WEBHOOKS = """
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at_ms {int} NOT NULL,
    created_by TEXT
);
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    event TEXT NOT NULL,
    session_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at_ms {int} NOT NULL,
    next_attempt_at_ms {int} NOT NULL,
    lease_owner TEXT,
    lease_until_ms {int},
    last_attempt_at_ms {int},
    last_status INTEGER,
    last_error TEXT,
    last_response TEXT,
    delivered_at_ms {int}
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at_ms);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at_ms);
CREATE INDEX webhook_deliveries_by_session ON webhook_deliveries (session_id);
"""

# The dashboard's listing (server/session_query.py) reads sessions newest first, ties by id
# (`ORDER BY created_at_ms DESC, id DESC LIMIT n OFFSET m`): without an index in that order every
# page sorted the whole table. Both engines walk this ascending index backwards for it, and a
# `created_from`/`created_to` filter is a range of it.
_V6 = "CREATE INDEX sessions_by_created ON sessions (created_at_ms, id);"

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the schema of the release before migrations", _V1_SQLITE, _V1_POSTGRES),
    Migration(
        2,
        "accounts: users, invites, sign-ins, OpenID logins, API tokens",
        _V2.format(int="INTEGER"),
        _V2.format(int="BIGINT"),
    ),
    Migration(3, "the audit log (append-only) and erased sessions", _V3_SQLITE, _V3_POSTGRES),
    Migration(
        4,
        "organisation settings and the candidate notice's versions",
        _V4.format(int="INTEGER"),
        _V4.format(int="BIGINT"),
    ),
    # The webhooks' version is written here only; tests refer to LATEST.
    Migration(
        5,
        "webhooks: endpoints and the durable delivery queue",
        _WEBHOOKS.format(int="INTEGER"),
        _WEBHOOKS.format(int="BIGINT"),
    ),
    Migration(6, "the session listing's order: an index on (created_at_ms, id)", _V6, _V6),
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
