"""What the durable store keeps for the organisation's settings (SQLite and PostgreSQL,
migration 4): one row of settings and every notice text ever shown, by version.

Always the durable store (never only Redis): every instance of a deployment reads the same
settings, and a candidate's acknowledgement names a notice version that must still be readable
years later.
"""

from __future__ import annotations

from typing import Protocol

from server.org.model import NoticeVersion, OrgSettings, StoredOrgSettings


class OrgStore(Protocol):
    async def read_org_settings(self) -> StoredOrgSettings | None:
        """The saved settings, or None before any owner saved them."""
        ...

    async def save_org_settings(
        self, settings: OrgSettings, notice_hash: str, at_ms: int, by: str | None
    ) -> tuple[StoredOrgSettings | None, StoredOrgSettings]:
        """In one transaction: the settings before, and after saving `settings`. A notice whose
        hash differs from the latest version's becomes a new version (text and link kept)."""
        ...

    async def notice_version(self, version: int) -> NoticeVersion | None: ...
