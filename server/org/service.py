"""`OrgSettingsService`: reading and saving the organisation's settings, and the candidate notice.

Saving is audited (`settings.changed`, with the fields that changed and the settings before and
after, the notice by its hash and size) and re-points every session whose candidate has not
acknowledged a notice yet at the notice now in force (or at none, once it is disabled): the
notice a session asks for is kept in its record (`meta["notice"]`: version and hash), so the
permission table decides from the record alone, on every instance, with no look-up per request
or per websocket frame. A candidate who already acknowledged is never asked again mid-interview.

The acknowledgement (`acknowledge`) is kept with the session (`meta["notice_ack"]`), written into
the recording (a console event, so the replay's timeline shows it) and audited.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from server.audit.model import AuditKind
from server.audit.service import Audit
from server.clock import now_ms
from server.documents import CONSOLE_EVENTS, DocName
from server.org.model import (
    OrgSettings,
    RetentionPolicy,
    StoredOrgSettings,
    audit_view,
    changed_fields,
    notice_hash,
    policy_of,
    session_notice,
)
from server.org.store import OrgStore
from server.permissions import Principal
from server.sessions import Sessions
from server.settings import Settings
from server.store.base import SessionRecord
from server.sync.rooms import RoomRegistry

NOTICE_EVENT_ID = "notice:ack"


class NoticeError(Exception):
    """An acknowledgement that cannot be taken; `status` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class OrgSettingsService:
    def __init__(
        self,
        store: OrgStore,
        sessions: Sessions,
        rooms: RoomRegistry,
        audit: Audit,
        settings: Settings,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.rooms = rooms
        self.audit = audit
        self.settings = settings

    def defaults(self) -> OrgSettings:
        """What applies before any owner saved settings: the operator's retention default."""
        return OrgSettings.model_construct(
            recording_retention_days=self.settings.recording_retention_days
        )

    async def current(self) -> tuple[OrgSettings, StoredOrgSettings | None]:
        stored = await self.store.read_org_settings()
        return (self.defaults() if stored is None else stored.settings), stored

    async def policy(self) -> RetentionPolicy:
        return policy_of(
            await self.store.read_org_settings(), self.settings.recording_retention_days
        )

    async def view(self) -> dict[str, Any]:
        """`GET /api/org/settings`: the settings, the notice version in force, the limits."""
        settings, stored = await self.current()
        return {
            "settings": settings.model_dump(),
            "notice_version": None if stored is None else stored.notice_version,
            "notice_hash": notice_hash(settings.notice_text, settings.privacy_policy_url),
            "updated_at": None if stored is None else stored.updated_at_ms,
            "limits": {"notice_max_bytes": self.settings.org_notice_max_bytes},
        }

    async def update(
        self, settings: OrgSettings, principal: Principal, ip: str | None
    ) -> dict[str, Any]:
        actor = await self.audit.actor_of(principal)
        digest = notice_hash(settings.notice_text, settings.privacy_policy_url)
        before, after = await self.store.save_org_settings(
            settings, digest, now_ms(), actor.email or actor.kind
        )
        old = self.defaults() if before is None else before.settings
        changed = changed_fields(old, settings)
        if changed:
            await self.audit.record(
                AuditKind.SETTINGS_CHANGED,
                actor,
                ip=ip,
                resource="org",
                details={
                    "changed": changed,
                    "before": audit_view(old),
                    "after": audit_view(settings),
                    "notice_version": after.notice_version,
                },
            )
        await self._point_sessions_at(after)
        return await self.view()

    def notice_for(self, stored: StoredOrgSettings | None) -> dict[str, Any] | None:
        """What a session records as the notice it asks for: None when no notice is shown."""
        if stored is None or not stored.settings.notice_enabled:
            return None
        s = stored.settings
        return {
            "version": stored.notice_version,
            "hash": notice_hash(s.notice_text, s.privacy_policy_url),
        }

    async def notice_for_new_session(self) -> dict[str, Any] | None:
        return self.notice_for(await self.store.read_org_settings())

    async def _point_sessions_at(self, stored: StoredOrgSettings) -> None:
        """Sessions not ended whose candidate has not acknowledged: the notice now in force."""
        wanted = self.notice_for(stored)
        for listed in await self.sessions.store.list_sessions():
            record = await self.sessions.get(listed.id)
            if record is None or record.state == "ended":
                continue
            notice, ack = session_notice(record.meta)
            if ack is not None or notice == wanted:
                continue
            if wanted is None:
                record.meta.pop("notice", None)
            else:
                record.meta["notice"] = wanted
            await self.sessions.save(record)

    async def notice_view(self, record: SessionRecord) -> dict[str, Any] | None:
        """The notice a session's page shows (text, link, version, hash) and whether and when
        it was acknowledged; None when the session asks for none."""
        notice, ack = session_notice(record.meta)
        if notice is None:
            return None
        shown = await self.store.notice_version(int(notice["version"]))
        view: dict[str, Any] = {
            "version": notice["version"],
            "hash": notice["hash"],
            "text": None if shown is None else shown.text,
            "privacy_policy_url": None if shown is None else shown.privacy_url,
            "acknowledged_at": None if ack is None else ack.get("at"),
        }
        return view

    async def acknowledge(
        self,
        record: SessionRecord,
        version: int,
        digest: str,
        principal: Principal,
        ip: str | None,
    ) -> dict[str, Any]:
        """The candidate read notice `version` (whose hash they were shown): kept with the
        session, written into the recording, audited. Acknowledging again changes nothing."""
        notice, ack = session_notice(record.meta)
        if ack is not None:
            return ack
        if notice is None:
            raise NoticeError(409, "this session shows no candidate notice")
        if (version, digest) != (notice["version"], notice["hash"]):
            raise NoticeError(
                409, "the notice has changed since this page loaded it: read it again"
            )
        ack = {"version": version, "hash": digest, "at": now_ms()}
        record.meta["notice_ack"] = ack
        await self.sessions.save(record)

        def mark(doc: Doc[Any]) -> None:
            CONSOLE_EVENTS.of(doc).append(
                {
                    "id": NOTICE_EVENT_ID,
                    "at": ack["at"],
                    "kind": "message",
                    "text": f"The candidate acknowledged the recording notice (version {version}).",
                    "level": "info",
                }
            )

        await self.rooms.edit(record.id, DocName.CONSOLE, mark, author="notice")
        await self.audit.record(
            AuditKind.NOTICE_ACKNOWLEDGED,
            principal,
            ip=ip,
            resource=record.id,
            details={"version": version, "hash": digest},
        )
        return ack
