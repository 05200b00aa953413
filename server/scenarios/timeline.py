"""The scenario clock and which timeline events are due, as pure functions of recorded state.

The runner stores the clock (when it started, whether and since when it is paused, how much
paused time has accumulated) and which events are done (fired or skipped). Everything here
derives from that, so after a restart the runner computes the same answer: fired events are not
due again, and events whose time passed while the server was down are due exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from server.scenarios.model import TimelineEvent


@dataclass(frozen=True)
class Clock:
    """Scenario clock state in server milliseconds; `started_at is None` means not started."""

    started_at: int | None = None
    paused_at: int | None = None
    paused_total: int = 0

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.paused_at is None

    @property
    def state(self) -> str:
        if self.started_at is None:
            return "waiting"
        return "paused" if self.paused_at is not None else "running"


class ClockError(ValueError):
    """A clock transition that makes no sense in the current state (pause twice, ...)."""


def start(clock: Clock, now_ms: int) -> Clock:
    if clock.started_at is not None:
        raise ClockError("the scenario clock has already started")
    return replace(clock, started_at=now_ms)


def pause(clock: Clock, now_ms: int) -> Clock:
    if not clock.running:
        raise ClockError(f"cannot pause a clock that is {clock.state}")
    return replace(clock, paused_at=now_ms)


def resume(clock: Clock, now_ms: int) -> Clock:
    if clock.paused_at is None:
        raise ClockError(f"cannot resume a clock that is {clock.state}")
    paused_for = max(0, now_ms - clock.paused_at)
    return replace(clock, paused_at=None, paused_total=clock.paused_total + paused_for)


def elapsed_ms(clock: Clock, now_ms: int) -> int:
    """Scenario time: wall time since start minus time spent paused; frozen while paused."""
    if clock.started_at is None:
        return 0
    until = clock.paused_at if clock.paused_at is not None else now_ms
    return max(0, until - clock.started_at - clock.paused_total)


def due_events(
    events: list[TimelineEvent], clock: Clock, now_ms: int, done: set[str]
) -> list[TimelineEvent]:
    """Timed events whose time has come and that are neither fired nor skipped, in time order.

    Nothing is due while the clock waits or is paused.
    """
    if not clock.running:
        return []
    now = elapsed_ms(clock, now_ms)
    due = [
        e
        for e in events
        if e.at_seconds is not None and e.id not in done and e.at_seconds * 1000 <= now
    ]
    return sorted(due, key=lambda e: (e.at_seconds or 0, events.index(e)))


def next_due_in_ms(
    events: list[TimelineEvent], clock: Clock, now_ms: int, done: set[str]
) -> int | None:
    """Milliseconds of wall time until the next timed event is due; None if none can be."""
    if not clock.running:
        return None
    now = elapsed_ms(clock, now_ms)
    pending = [
        e.at_seconds * 1000 - now for e in events if e.at_seconds is not None and e.id not in done
    ]
    return max(0, min(pending)) if pending else None


def upcoming(events: list[TimelineEvent], done: set[str]) -> list[TimelineEvent]:
    """Events not yet fired or skipped: timed ones by time, then manual ones in file order."""
    timed = [e for e in events if e.at_seconds is not None and e.id not in done]
    manual = [e for e in events if e.at_seconds is None and e.id not in done]
    return sorted(timed, key=lambda e: e.at_seconds or 0) + manual
