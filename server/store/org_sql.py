"""The organisation's settings as rows (pure), shared by SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from server.org.model import NoticeVersion, OrgSettings, StoredOrgSettings


def settings_json(settings: OrgSettings) -> str:
    return json.dumps(settings.model_dump(), separators=(",", ":"), sort_keys=True)


def stored_of(row: Any) -> StoredOrgSettings | None:
    """From (settings, notice_version, updated_at_ms, updated_by). Stored settings are
    trusted as saved: they were validated then (a lowered size limit applies to the next save)."""
    if row is None:
        return None
    values = tuple(row)
    return StoredOrgSettings(
        OrgSettings.model_construct(**json.loads(values[0])),
        int(values[1]),
        int(values[2]),
        values[3],
    )


def notice_of(row: Any) -> NoticeVersion | None:
    """From (version, hash, text, privacy_url, created_at_ms)."""
    if row is None:
        return None
    v = tuple(row)
    return NoticeVersion(int(v[0]), v[1], v[2], v[3], int(v[4]))
