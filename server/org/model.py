"""What an organisation's settings are (pure): the fields, their limits, the notice's identity.

`OrgSettings` is the one shape the REST API takes and answers, the store keeps (as JSON) and
the retention task and the candidate notice read. Every field is validated by pydantic with a
named limit; the notice's size limit is a server setting (`PAIRBOARD_ORG_NOTICE_MAX_BYTES`),
handed to validation as context (`validate_settings`, which the route always calls), so an
operator can raise it without a code change.

The candidate notice is identified by a version (1, 2, ... one per distinct text and link the
organisation ever showed, kept in `org_notices`) and a hash of exactly what the candidate sees
(text and privacy link): an acknowledgement names both, so what a candidate agreed to is known
exactly even after the notice changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from server.text import encodable

DAY_MS = 24 * 3600 * 1000
MAX_RETENTION_DAYS = 3650.0  # ten years: beyond it, "keep" (null) says what is meant
PRIVACY_URL_MAX_CHARS = 1000  # before and after fit one audit entry's details (4 KiB)
DEFAULT_NOTICE = (
    "**This interview is recorded.** What you type in the editor, the whiteboard and the notebook, "
    "the code you run and its output are kept so that the hiring team can review the interview. "
    "Your page also reports when you paste text (its size, never its content) and when it "
    "loses focus."
)


class OrgSettings(BaseModel):
    """The organisation's privacy settings (`GET` and `PUT /api/org/settings`)."""

    model_config = ConfigDict(extra="forbid")

    notice_enabled: bool = Field(
        False, description="Show the candidate notice before a candidate may join the room."
    )
    notice_text: str = Field(
        DEFAULT_NOTICE,
        description="The notice, in Markdown (at most PAIRBOARD_ORG_NOTICE_MAX_BYTES bytes).",
    )
    privacy_policy_url: str | None = Field(
        None,
        max_length=PRIVACY_URL_MAX_CHARS,
        description="The organisation's privacy policy (https only), linked from the notice.",
    )
    recording_retention_days: float | None = Field(
        None,
        gt=0,
        le=MAX_RETENTION_DAYS,
        description="Delete recordings this many days after the session ended; null keeps them.",
    )
    signal_retention_days: float | None = Field(
        None,
        gt=0,
        le=MAX_RETENTION_DAYS,
        description=(
            "Delete integrity signals (paste sizes, focus changes) this many days after the "
            "session ended, at most the recording's retention; null keeps them with the recording."
        ),
    )

    @field_validator("notice_text")
    @classmethod
    def _notice_fits(cls, value: str, info: ValidationInfo) -> str:
        encodable(value)
        if not isinstance(info.context, dict):  # FastAPI's first pass: the route asks again
            return value
        limit = int(info.context["notice_max_bytes"])
        size = len(value.encode("utf-8"))
        if size > limit:
            raise ValueError(f"the notice is {size} bytes, over the limit of {limit} bytes")
        return value

    @field_validator("privacy_policy_url")
    @classmethod
    def _https_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        encodable(value)
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("the privacy-policy link must be an https:// address")
        if any(ch.isspace() for ch in value):
            raise ValueError("the privacy-policy link may not contain spaces")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> OrgSettings:
        if self.notice_enabled and not self.notice_text.strip():
            raise ValueError("the notice is enabled but its text is empty")
        recording, signals = self.recording_retention_days, self.signal_retention_days
        if recording is not None and signals is not None and signals > recording:
            raise ValueError(
                "integrity signals cannot be kept longer than the recording they belong to "
                f"({signals:g} > {recording:g} days)"
            )
        return self


def validate_settings(data: Any, *, notice_max_bytes: int) -> OrgSettings:
    """`data` (a JSON object) as settings, or pydantic's ValidationError saying which field."""
    return OrgSettings.model_validate(data, context={"notice_max_bytes": notice_max_bytes})


def notice_hash(text: str, privacy_url: str | None) -> str:
    """SHA-256 of exactly what the candidate is shown (the text, then the link)."""
    shown = text + "\n" + (privacy_url or "")
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NoticeVersion:
    """One notice the organisation showed: what the candidate read and acknowledged."""

    version: int
    hash: str
    text: str
    privacy_url: str | None
    created_at_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "hash": self.hash,
            "text": self.text,
            "privacy_policy_url": self.privacy_url,
        }


@dataclass(frozen=True, slots=True)
class StoredOrgSettings:
    """The settings as saved: who saved them last, when, and the notice version they show."""

    settings: OrgSettings
    notice_version: int
    updated_at_ms: int
    updated_by: str | None


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long recordings and their integrity signals are kept (None: for ever). Signals go
    no later than their recording: a recording's deletion takes its signals with it."""

    recording_days: float | None
    signal_days: float | None

    @property
    def effective_signal_days(self) -> float | None:
        if self.signal_days is None:
            return None
        if self.recording_days is not None and self.recording_days <= self.signal_days:
            return None  # the recording goes first (or with them): nothing to do separately
        return self.signal_days

    def deletes_at(self, ended_at_ms: int | None) -> int | None:
        """When an ended session's recording will be deleted (ms), or None."""
        if ended_at_ms is None or self.recording_days is None:
            return None
        return ended_at_ms + int(self.recording_days * DAY_MS)


def policy_of(
    stored: StoredOrgSettings | None, default_recording_days: float | None
) -> RetentionPolicy:
    """The organisation's retention; before any owner saved settings, the operator's
    `PAIRBOARD_RECORDING_RETENTION_DAYS`."""
    if stored is None:
        return RetentionPolicy(default_recording_days, None)
    s = stored.settings
    return RetentionPolicy(s.recording_retention_days, s.signal_retention_days)


def audit_view(settings: OrgSettings) -> dict[str, Any]:
    """The settings as an audit entry keeps them: the notice by its hash and size (its text is
    kept, versioned, in `org_notices`; an entry's details stay small)."""
    body = settings.model_dump()
    text = body.pop("notice_text")
    body["notice_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    body["notice_bytes"] = len(text.encode("utf-8"))
    return body


def changed_fields(before: OrgSettings, after: OrgSettings) -> list[str]:
    old, new = before.model_dump(), after.model_dump()
    return sorted(k for k in new if old.get(k) != new[k])


def session_notice(meta: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The notice a session asks its candidate to acknowledge (`meta["notice"]`: version and
    hash) and the acknowledgement (`meta["notice_ack"]`: version, hash, at), each or None."""
    notice = meta.get("notice")
    ack = meta.get("notice_ack")
    return (
        notice if isinstance(notice, dict) else None,
        ack if isinstance(ack, dict) else None,
    )


def notice_pending(meta: dict[str, Any]) -> bool:
    """The session shows a notice its candidate has not acknowledged yet."""
    notice, ack = session_notice(meta)
    return notice is not None and ack is None
