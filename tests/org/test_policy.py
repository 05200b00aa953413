"""The organisation's settings and the notice as pure policy: validation with named limits, the
notice's identity, retention's arithmetic and the permission table's gate before the notice."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from server.auth import Capability
from server.org.model import (
    DAY_MS,
    MAX_RETENTION_DAYS,
    PRIVACY_URL_MAX_CHARS,
    OrgSettings,
    RetentionPolicy,
    StoredOrgSettings,
    audit_view,
    changed_fields,
    notice_hash,
    notice_pending,
    policy_of,
    validate_settings,
)
from server.permissions import (
    BEFORE_NOTICE,
    NOTICE_REFUSAL,
    ORG_ACTIONS,
    Action,
    Admin,
    LinkBearer,
    Member,
    SessionFacts,
    decide,
)
from server.replay.retention import expired
from server.store.base import SessionRecord


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [e["msg"] for e in exc.value.errors()]


def test_a_notice_over_the_servers_byte_limit_is_refused_with_both_numbers() -> None:
    text = "é" * 600  # 1200 bytes in UTF-8, 600 characters
    assert validate_settings({"notice_text": text}, notice_max_bytes=1200).notice_text == text
    with pytest.raises(ValidationError) as exc:
        validate_settings({"notice_text": text}, notice_max_bytes=1199)
    assert messages(exc) == ["Value error, the notice is 1200 bytes, over the limit of 1199 bytes"]


@pytest.mark.parametrize(
    "url",
    ["http://example.com/privacy", "javascript:alert(1)", "https://", "ftp://x.org", "https://a b"],
)
def test_the_privacy_link_must_be_an_https_address(url: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_settings({"privacy_policy_url": url}, notice_max_bytes=100)
    assert len(messages(exc)) == 1
    assert "https://" in messages(exc)[0] or "spaces" in messages(exc)[0]


def test_an_https_link_is_kept_and_an_empty_one_means_none() -> None:
    ok = validate_settings({"privacy_policy_url": "https://ex.org/p?q=1"}, notice_max_bytes=9)
    assert ok.privacy_policy_url == "https://ex.org/p?q=1"
    assert (
        validate_settings({"privacy_policy_url": ""}, notice_max_bytes=9).privacy_policy_url is None
    )
    with pytest.raises(ValidationError):
        validate_settings(
            {"privacy_policy_url": "https://e.org/" + "a" * PRIVACY_URL_MAX_CHARS},
            notice_max_bytes=9,
        )


def test_signals_cannot_outlive_their_recording_and_days_are_bounded() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_settings(
            {"recording_retention_days": 30, "signal_retention_days": 31}, notice_max_bytes=9
        )
    assert messages(exc) == [
        "Value error, integrity signals cannot be kept longer than the recording they belong "
        "to (31 > 30 days)"
    ]
    for bad in (0, -1, MAX_RETENTION_DAYS + 1):
        with pytest.raises(ValidationError):
            validate_settings({"recording_retention_days": bad}, notice_max_bytes=9)
    same = validate_settings(
        {"recording_retention_days": 30, "signal_retention_days": 30}, notice_max_bytes=9
    )
    assert (same.recording_retention_days, same.signal_retention_days) == (30, 30)


def test_an_enabled_notice_needs_text_and_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_settings({"notice_enabled": True, "notice_text": "  "}, notice_max_bytes=9)
    assert messages(exc) == ["Value error, the notice is enabled but its text is empty"]
    with pytest.raises(ValidationError):
        validate_settings({"notice_colour": "red"}, notice_max_bytes=9)


def test_the_notice_hash_covers_exactly_the_text_and_the_link() -> None:
    base = notice_hash("We record.", "https://ex.org/p")
    assert base == notice_hash("We record.", "https://ex.org/p")
    assert base != notice_hash("We record!", "https://ex.org/p")
    assert base != notice_hash("We record.", "https://ex.org/q")
    assert len(base) == 64


def test_retention_falls_back_to_the_operators_default_until_an_owner_saves() -> None:
    assert policy_of(None, 7.0) == RetentionPolicy(7.0, None)
    saved = StoredOrgSettings(
        OrgSettings(recording_retention_days=None, signal_retention_days=3), 1, 0, None
    )
    assert policy_of(saved, 7.0) == RetentionPolicy(None, 3)


def test_signals_are_purged_separately_only_when_they_go_before_the_recording() -> None:
    assert RetentionPolicy(30, 7).effective_signal_days == 7
    assert RetentionPolicy(30, 30).effective_signal_days is None  # the recording takes them
    assert RetentionPolicy(None, 7).effective_signal_days == 7
    assert RetentionPolicy(30, None).effective_signal_days is None


def test_deletes_at_is_the_end_plus_the_recording_retention() -> None:
    assert RetentionPolicy(2, None).deletes_at(1000) == 1000 + 2 * DAY_MS
    assert RetentionPolicy(2, None).deletes_at(None) is None
    assert RetentionPolicy(None, 1).deletes_at(1000) is None


def test_signal_retention_looks_at_ended_sessions_only() -> None:
    now = 100 * DAY_MS
    ended = SessionRecord("e", "t", None, 0, "ended", ended_at_ms=now - 8 * DAY_MS)
    live = SessionRecord("l", "t", None, 0, "live")
    assert expired([ended, live], now, 7) == ["e", "l"]
    assert expired([ended, live], now, 7, ended_only=True) == ["e"]


def test_the_audit_view_keeps_the_notice_by_hash_and_size_and_names_changes() -> None:
    before = OrgSettings(notice_text="a")
    after = OrgSettings(notice_text="bb", notice_enabled=True)
    view = audit_view(after)
    assert "notice_text" not in view
    assert view["notice_bytes"] == 2 and len(view["notice_sha256"]) == 64
    assert changed_fields(before, after) == ["notice_enabled", "notice_text"]


def candidate(issued: int = 1) -> LinkBearer:
    return LinkBearer(Capability("s", "candidate", "C", issued_at_ms=issued, expires_at=2**40))


def test_a_candidate_with_a_pending_notice_may_only_read_the_session_and_acknowledge() -> None:
    pending = SessionFacts(state="live", notice_pending=True)
    allowed = {
        a for a in Action if a not in ORG_ACTIONS and decide(candidate(), a, pending).allowed
    }
    assert allowed == set(BEFORE_NOTICE) == {Action.SESSION_READ, Action.NOTICE_ACK}
    refused = decide(candidate(), Action.DOC_READ, pending)
    assert (refused.status, refused.reason) == (403, NOTICE_REFUSAL)
    assert decide(candidate(), Action.RUN_START, pending).reason == NOTICE_REFUSAL
    assert decide(candidate(), Action.SESSION_NAME, pending).reason == NOTICE_REFUSAL


def test_once_acknowledged_the_candidate_has_the_room_and_others_never_waited() -> None:
    done = SessionFacts(state="live", notice_pending=False)
    assert decide(candidate(), Action.DOC_READ, done).allowed
    pending = SessionFacts(state="live", notice_pending=True)
    interviewer = LinkBearer(Capability("s", "interviewer", "I", 1, 2**40))
    assert decide(interviewer, Action.DOC_READ, pending).allowed
    assert decide(Admin(), Action.RUN_START, pending).allowed


def test_only_the_candidates_link_acknowledges_and_owners_manage_settings() -> None:
    facts = SessionFacts(state="live")
    owner = Member("u", "owner", "O")
    reviewer = Member("r", "reviewer", "R")
    assert decide(Admin(), Action.NOTICE_ACK, facts).reason == (
        "the candidate acknowledges the notice from their link"
    )
    assert not decide(owner, Action.NOTICE_ACK, facts).allowed
    assert decide(owner, Action.ORG_SETTINGS_MANAGE).allowed
    assert decide(Admin(), Action.ORG_SETTINGS_MANAGE).allowed
    assert decide(reviewer, Action.ORG_SETTINGS_READ).allowed
    assert decide(reviewer, Action.ORG_SETTINGS_MANAGE).reason == (
        "the organisation's reviewers cannot do this"
    )
    scoped = Member("u", "owner", "O", frozenset({"org:settings"}))
    assert decide(scoped, Action.ORG_SETTINGS_MANAGE).allowed
    assert not decide(scoped, Action.SESSION_LIST).allowed


def test_a_session_is_pending_until_its_notice_is_acknowledged() -> None:
    assert not notice_pending({})
    assert notice_pending({"notice": {"version": 1, "hash": "h"}})
    assert not notice_pending(
        {"notice": {"version": 1, "hash": "h"}, "notice_ack": {"version": 1, "hash": "h", "at": 5}}
    )
