"""Sessions: creating them, issuing their links, checking who may enter, ending them.

A session is a record in the store plus four docs (rooms). Links carry capability tokens; a token
is valid while it is signed by us and unexpired. Ending a session revokes every token issued up to
that moment, except for what the permission table lets a role keep (`server/permissions.py`:
reviewer links read the recording of an ended interview).
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Protocol

from server.auth import Capability, Role, TokenSigner
from server.clock import now_ms
from server.project_files import DEFAULT_MAIN
from server.settings import Settings
from server.store.base import SessionRecord, Store

LIVE_ROLES: tuple[Role, ...] = ("interviewer", "candidate", "observer")
DEFAULT_NAMES: dict[Role, str] = {
    "interviewer": "Interviewer",
    "candidate": "Candidate",
    "observer": "Observer",
    "reviewer": "Reviewer",
}


@dataclass(frozen=True)
class CreatedSession:
    record: SessionRecord
    tokens: dict[str, str]
    links: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.record.id, "links": self.links, "tokens": self.tokens}


def main_file_of(record: SessionRecord) -> str:
    """The project's entry file (what Run runs by default; its text is `code.source`)."""
    name = record.meta.get("main_file")
    return name if isinstance(name, str) and name else DEFAULT_MAIN


class SessionError(Exception):
    """A request about a session that cannot be honoured; `status` is the HTTP status to use."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


SESSION_ID_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_session_id() -> str:
    """12 letters and digits (~70 bits): safe in URLs and as a command-line argument (an id may
    never start with "-"), with look-alikes (0/O, 1/l/I) left out so ids can be read aloud."""
    return "".join(secrets.choice(SESSION_ID_ALPHABET) for _ in range(12))


def access_of(record: SessionRecord) -> tuple[str | None, frozenset[str], bool]:
    """Who owns a session (its creator's user id; None when the admin token created it), the
    user ids it is shared with, and whether it is shared with the whole team. Kept in the
    record's meta (`meta["access"]`), so it travels with the record (cache, export, erase)."""
    access = record.meta.get("access") or {}
    owner = access.get("owner")
    return (
        owner if isinstance(owner, str) else None,
        frozenset(str(u) for u in access.get("shared_with", [])),
        bool(access.get("team")),
    )


class SessionChangeListener(Protocol):
    """Told after a record was saved, so other instances drop their cached copy (the fan-out)."""

    async def session_changed(self, session_id: str) -> None: ...


class Sessions:
    def __init__(
        self,
        store: Store,
        signer: TokenSigner,
        settings: Settings,
        *,
        changes: SessionChangeListener,
    ) -> None:
        self.store = store
        self.signer = signer
        self.settings = settings
        self.changes = changes
        self._cache: dict[str, SessionRecord] = {}
        # Bumped whenever a record may have changed (saved, ended, forgotten, reloaded): a
        # decision taken from a record (a socket's right to write, `server/sync/endpoint.py`)
        # holds while the record object and this number are the same.
        self.generation = 0

    def link(self, session_id: str, token: str) -> str:
        return f"{self.settings.base_url()}/s/{session_id}?token={token}"

    def issue(self, session_id: str, role: Role, name: str | None = None) -> str:
        name = (name or DEFAULT_NAMES[role])[: self.settings.max_name_length]
        return self.signer.issue(session_id, role, name, self.settings.token_lifetime_seconds)

    async def create(
        self,
        title: str | None,
        scenario: str | None,
        *,
        mode: str = "code",
        owner_id: str | None = None,
        main_file: str = DEFAULT_MAIN,
        notice: dict[str, Any] | None = None,
    ) -> CreatedSession:
        """`notice`: the candidate notice (version, hash) its candidate must acknowledge
        before joining (`server/org/`), if the organisation shows one."""
        title = (title or "Untitled interview").strip()
        if len(title) > self.settings.max_title_length:
            raise SessionError(422, f"title longer than {self.settings.max_title_length} chars")
        record = SessionRecord(
            id=new_session_id(),
            title=title,
            scenario=scenario,
            created_at_ms=now_ms(),
            # A scenario session waits for the interviewer's Start (the candidate's waiting room).
            state="waiting" if scenario else "live",
            meta={
                "controls": {"editor_locked": False, "run_disabled": False},
                "mode": mode,
                "access": {"owner": owner_id, "shared_with": [], "team": False},
                "main_file": main_file,
                **({"notice": notice} if notice is not None else {}),
            },
        )
        await self.store.create_session(record)
        self._cache[record.id] = record
        tokens: dict[str, str] = {role: self.issue(record.id, role) for role in LIVE_ROLES}
        links = {role: self.link(record.id, token) for role, token in tokens.items()}
        return CreatedSession(record, tokens, links)

    async def get(self, session_id: str) -> SessionRecord | None:
        record = self._cache.get(session_id)
        if record is None:
            record = await self.store.get_session(session_id)
            if record is not None:
                self._cache[session_id] = record
        return record

    async def save(self, record: SessionRecord) -> None:
        self.generation += 1  # callers change the record in place, then save it
        await self.store.update_session(record)
        self._cache[record.id] = record
        await self.changes.session_changed(record.id)

    def invalidate_all(self) -> None:
        """Changes may have been missed (the fan-out reconnected): forget every cached record."""
        self.generation += 1
        self._cache.clear()

    def forget(self, session_id: str) -> None:
        """Read this record again from the store when next needed: another instance changed it,
        or retention deleted it (server/replay)."""
        self.generation += 1
        self._cache.pop(session_id, None)

    async def end(self, session_id: str) -> SessionRecord:
        record = await self.get(session_id)
        if record is None:
            raise SessionError(404, "no such session")
        if record.state != "ended":
            record.state = "ended"
            record.ended_at_ms = now_ms()
            await self.save(record)
        return record

    def chosen_name(self, record: SessionRecord, role: Role) -> str | None:
        """The name a participant gave for their role (the candidate's, on first open)."""
        names: dict[str, str] = record.meta.get("names", {})
        return names.get(role)

    def named(self, record: SessionRecord, capability: Capability) -> Capability:
        """The link's capability under the name its bearer chose, if any: what every run, edit,
        signal and comment they make is recorded under. The link stays the credential."""
        name = self.chosen_name(record, capability.role)
        return capability if name is None else replace(capability, name=name)

    async def set_name(self, record: SessionRecord, role: Role, name: str) -> str:
        """Records `name` for `role`; `SessionError` 422 if it is empty, too long or has
        control characters (it is shown to everyone in the room and in the recording)."""
        name = " ".join(name.split())
        limit = self.settings.max_name_length
        if not name:
            raise SessionError(422, "the name is empty")
        if len(name) > limit:
            raise SessionError(422, f"the name is longer than {limit} characters")
        if any(unicodedata.category(ch).startswith("C") for ch in name):
            raise SessionError(422, "the name has control characters")
        record.meta.setdefault("names", {})[role] = name
        await self.save(record)
        return name

    def rejoin_links(self, record: SessionRecord) -> dict[str, str]:
        """Fresh links for the lobby, re-issued from the server secret instead of kept in a
        browser: the live roles' links while the session is not over, and once it is only a
        reviewer link to its replay (a live link issued after the end would not be revoked by
        it, so none is made)."""
        if record.state == "ended":
            token = self.signer.issue(
                record.id, "reviewer", "Reviewer", self.settings.reviewer_token_lifetime_seconds
            )
            return {"replay": f"{self.settings.base_url()}/replay/{record.id}?token={token}"}
        links: dict[str, str] = {
            role: self.link(record.id, self.issue(record.id, role)) for role in LIVE_ROLES
        }
        interviewer = links["interviewer"].split("?token=", 1)[1]
        links["replay"] = f"{self.settings.base_url()}/replay/{record.id}?token={interviewer}"
        return links

    async def share(self, record: SessionRecord, user_ids: list[str], team: bool | None) -> None:
        """Share with more users (added to those already shared with) and/or the whole team."""
        owner, shared, was_team = access_of(record)
        record.meta["access"] = {
            "owner": owner,
            "shared_with": sorted(shared | set(user_ids)),
            "team": was_team if team is None else team,
        }
        await self.save(record)

    async def unshare(self, record: SessionRecord, user_id: str | None, team: bool) -> None:
        """Stop sharing with one user (`user_id`) and/or with the whole team (`team`)."""
        owner, shared, was_team = access_of(record)
        record.meta["access"] = {
            "owner": owner,
            "shared_with": sorted(shared - {user_id}),
            "team": was_team and not team,
        }
        await self.save(record)

    def controls(self, record: SessionRecord) -> dict[str, bool]:
        controls: dict[str, bool] = record.meta.setdefault(
            "controls", {"editor_locked": False, "run_disabled": False}
        )
        return controls

    def public_view(self, record: SessionRecord, capability: Capability | None) -> dict[str, Any]:
        """Session metadata as the bearer may see it (admin when `capability` is None)."""
        view: dict[str, Any] = {
            "id": record.id,
            "title": record.title,
            "state": record.state,
            "created_at": time.strftime(
                "%Y-%m-%dT%H:%M:%S", time.gmtime(record.created_at_ms / 1000)
            )
            + f".{record.created_at_ms % 1000:03d}Z",
            "ended_at": record.ended_at_ms,
            "scenario": record.scenario,
            "mode": record.meta.get("mode", "code"),
            "main_file": main_file_of(record),
            "controls": dict(self.controls(record)),
            "candidate_name": self.chosen_name(record, "candidate"),
        }
        if capability is not None:
            view["role"] = capability.role
            view["name"] = capability.name
            view["name_chosen"] = self.chosen_name(record, capability.role) is not None
        return view
