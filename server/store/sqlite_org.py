"""The organisation's settings (migration 4) on the SQLite store; `SQLiteStore` inherits these.

On the store's one database thread, in one `BEGIN IMMEDIATE` transaction per save: two owners
saving at once get two versions in order, never the same notice version twice.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from server.org.model import NoticeVersion, OrgSettings, StoredOrgSettings
from server.store import org_sql

_SELECT = "SELECT settings, notice_version, updated_at_ms, updated_by FROM org_settings WHERE id=1"
_NOTICE = "SELECT version, hash, text, privacy_url, created_at_ms FROM org_notices"


class SQLiteOrgQueries:
    """Mixin for `SQLiteStore`; `_run` and `_conn` are the store's own plumbing."""

    async def _run(self, fn: Any, *args: Any) -> Any:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _conn(self) -> sqlite3.Connection:  # pragma: no cover - provided by the store
        raise NotImplementedError

    async def read_org_settings(self) -> StoredOrgSettings | None:
        result: StoredOrgSettings | None = await self._run(
            lambda: org_sql.stored_of(self._conn().execute(_SELECT).fetchone())
        )
        return result

    async def save_org_settings(
        self, settings: OrgSettings, notice_hash: str, at_ms: int, by: str | None
    ) -> tuple[StoredOrgSettings | None, StoredOrgSettings]:
        def save() -> tuple[StoredOrgSettings | None, StoredOrgSettings]:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                before = org_sql.stored_of(db.execute(_SELECT).fetchone())
                latest = db.execute(f"{_NOTICE} ORDER BY version DESC LIMIT 1").fetchone()
                version = 0 if latest is None else int(latest[0])
                if latest is None or latest[1] != notice_hash:
                    version += 1
                    db.execute(
                        "INSERT INTO org_notices VALUES (?,?,?,?,?)",
                        (version, notice_hash, settings.notice_text,
                         settings.privacy_policy_url, at_ms),
                    )  # fmt: skip
                db.execute(
                    "INSERT INTO org_settings VALUES (1,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                    "settings=excluded.settings, notice_version=excluded.notice_version, "
                    "updated_at_ms=excluded.updated_at_ms, updated_by=excluded.updated_by",
                    (org_sql.settings_json(settings), version, at_ms, by),
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return before, StoredOrgSettings(settings, version, at_ms, by)

        result: tuple[StoredOrgSettings | None, StoredOrgSettings] = await self._run(save)
        return result

    async def notice_version(self, version: int) -> NoticeVersion | None:
        def query() -> NoticeVersion | None:
            row = self._conn().execute(f"{_NOTICE} WHERE version=?", (version,)).fetchone()
            return org_sql.notice_of(row)

        result: NoticeVersion | None = await self._run(query)
        return result
