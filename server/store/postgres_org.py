"""The organisation's settings (migration 4) on PostgreSQL; `PostgresStore` inherits these.

A save is one transaction under an advisory lock, so instances saving at once (two owners)
number their notice versions in order.
"""

from __future__ import annotations

import asyncpg

from server.org.model import NoticeVersion, OrgSettings, StoredOrgSettings
from server.store import org_sql

_SELECT = "SELECT settings, notice_version, updated_at_ms, updated_by FROM org_settings WHERE id=1"
_NOTICE = "SELECT version, hash, text, privacy_url, created_at_ms FROM org_notices"
_LOCK = 7412  # beside the migrations' 7411


class PostgresOrgQueries:
    """Mixin for `PostgresStore`; `_p` is the store's pool."""

    def _p(self) -> asyncpg.Pool:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def read_org_settings(self) -> StoredOrgSettings | None:
        row = await self._p().fetchrow(_SELECT)
        return org_sql.stored_of(None if row is None else row.values())

    async def save_org_settings(
        self, settings: OrgSettings, notice_hash: str, at_ms: int, by: str | None
    ) -> tuple[StoredOrgSettings | None, StoredOrgSettings]:
        async with self._p().acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
            row = await conn.fetchrow(_SELECT)
            before = org_sql.stored_of(None if row is None else row.values())
            latest = await conn.fetchrow(f"{_NOTICE} ORDER BY version DESC LIMIT 1")
            version = 0 if latest is None else int(latest["version"])
            if latest is None or latest["hash"] != notice_hash:
                version += 1
                await conn.execute(
                    "INSERT INTO org_notices VALUES ($1,$2,$3,$4,$5)",
                    version, notice_hash, settings.notice_text, settings.privacy_policy_url, at_ms,
                )  # fmt: skip
            await conn.execute(
                "INSERT INTO org_settings VALUES (1,$1,$2,$3,$4) ON CONFLICT (id) DO UPDATE SET "
                "settings=excluded.settings, notice_version=excluded.notice_version, "
                "updated_at_ms=excluded.updated_at_ms, updated_by=excluded.updated_by",
                org_sql.settings_json(settings),
                version,
                at_ms,
                by,
            )
        return before, StoredOrgSettings(settings, version, at_ms, by)

    async def notice_version(self, version: int) -> NoticeVersion | None:
        row = await self._p().fetchrow(f"{_NOTICE} WHERE version=$1", version)
        return org_sql.notice_of(None if row is None else row.values())
