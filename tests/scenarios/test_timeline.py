"""The scenario clock and due events, as pure functions (pause/resume, restart, skips)."""

from __future__ import annotations

import pytest

from server.scenarios.model import BannerAction, TimelineEvent
from server.scenarios.timeline import (
    Clock,
    ClockError,
    due_events,
    elapsed_ms,
    next_due_in_ms,
    pause,
    resume,
    start,
    upcoming,
)


def event(event_id: str, at: str | None) -> TimelineEvent:
    return TimelineEvent(
        id=event_id,
        title=event_id,
        at=at,
        trigger=None if at else "manual",
        actions=[BannerAction(type="banner", text=event_id)],
    )


EVENTS = [event("late", "10m"), event("early", "1m"), event("manual", None), event("mid", "5m")]


def ids(events: list[TimelineEvent]) -> list[str]:
    return [e.id for e in events]


def test_nothing_is_due_before_the_clock_starts() -> None:
    assert elapsed_ms(Clock(), 10**9) == 0
    assert due_events(EVENTS, Clock(), 10**9, set()) == []
    assert next_due_in_ms(EVENTS, Clock(), 10**9, set()) is None


def test_due_events_in_time_order_once_their_time_passes() -> None:
    clock = start(Clock(), 1_000)
    assert ids(due_events(EVENTS, clock, 1_000 + 59_999, set())) == []
    assert ids(due_events(EVENTS, clock, 1_000 + 60_000, set())) == ["early"]
    assert ids(due_events(EVENTS, clock, 1_000 + 11 * 60_000, set())) == ["early", "mid", "late"]
    assert next_due_in_ms(EVENTS, clock, 1_000 + 30_000, set()) == 30_000


def test_done_events_are_never_due_again_and_manual_ones_never_by_time() -> None:
    clock = start(Clock(), 0)
    done = {"early", "mid"}
    assert ids(due_events(EVENTS, clock, 20 * 60_000, done)) == ["late"]
    assert ids(due_events(EVENTS, clock, 20 * 60_000, done | {"late"})) == []
    assert next_due_in_ms(EVENTS, clock, 0, {"early", "mid", "late"}) is None


def test_pause_freezes_scenario_time_and_resume_shifts_every_deadline() -> None:
    clock = start(Clock(), 0)
    clock = pause(clock, 30_000)
    assert elapsed_ms(clock, 10 * 60_000) == 30_000
    assert due_events(EVENTS, clock, 10 * 60_000, set()) == []
    assert next_due_in_ms(EVENTS, clock, 10 * 60_000, set()) is None
    clock = resume(clock, 100_000)  # paused for 70 s
    assert elapsed_ms(clock, 100_000) == 30_000
    assert ids(due_events(EVENTS, clock, 129_999, set())) == []
    assert ids(due_events(EVENTS, clock, 130_000, set())) == ["early"]
    clock = resume(pause(clock, 200_000), 260_000)  # a second pause of 60 s adds up
    assert clock.paused_total == 130_000
    assert elapsed_ms(clock, 260_000) == 130_000


def test_events_missed_while_the_server_was_down_are_due_once_after_restart() -> None:
    clock = start(Clock(), 0)  # the stored clock survives the restart
    fired_before_crash = {"early"}
    now = 30 * 60_000
    assert ids(due_events(EVENTS, clock, now, fired_before_crash)) == ["mid", "late"]


def test_invalid_transitions_raise() -> None:
    with pytest.raises(ClockError):
        pause(Clock(), 0)
    with pytest.raises(ClockError):
        resume(start(Clock(), 0), 1)
    with pytest.raises(ClockError):
        start(start(Clock(), 0), 1)
    assert start(Clock(), 5).state == "running"
    assert pause(start(Clock(), 5), 6).state == "paused"


def test_upcoming_lists_timed_by_time_then_manual() -> None:
    assert ids(upcoming(EVENTS, {"early"})) == ["mid", "late", "manual"]
