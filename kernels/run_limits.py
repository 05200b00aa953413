"""The limits every run is held to, and the one ladder that enforces them in either provider.

`RunLimits` is a plain value object so the run logic can be tested and reused without reading the
environment; the providers build it from the kernel settings (`PAIRBOARD_*`), where each default
is documented.

`LimitsLadder` is how a run is held to them, as a pure state machine (no I/O, no clock, no
asyncio) that both providers drive from their own I/O loops, so they cannot drift apart in what a
user sees. The ladder: past the wall time (or once the output cap is crossed) the run is
interrupted; if it is still going `grace_s` after the interrupt (code can swallow
KeyboardInterrupt) the kernel is restarted and the run ends. A kernel found dead, or restarted or
lost from outside, ends the run at once.

The driver feeds it what happened (`Tick`, `CapCrossed`, `Completed`, `Died`, `Ended`, each
stamped with the driver's monotonic time) and carries out the actions it answers (`Notice` to
show, `Interrupt`, `Restart`, and exactly one `Finish`, always the last action of a run). Between
inputs the driver waits at most `wait_s(now)`; when that wait passes with nothing to report it
checks the kernel is alive (the death poll) and feeds `Tick` or `Died`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernels.provider import Notice, RunStatus
from kernels.settings import KernelSettings

RESTART_NOTICE = "kernel restarted: the code kept running after the interrupt"


@dataclass(frozen=True)
class RunLimits:
    """Defaults equal `KernelSettings`' documented ones.

    wall_time_s: a run longer than this is interrupted. grace_s: if the kernel is still busy
    this long after the interrupt (code can swallow KeyboardInterrupt), it is restarted.
    output_limit_bytes: output past this is dropped with a notice and the run is interrupted."""

    wall_time_s: float = 30.0
    grace_s: float = 3.0
    output_limit_bytes: int = 1 << 20

    @classmethod
    def from_settings(cls, settings: KernelSettings) -> RunLimits:
        """The `PAIRBOARD_KERNEL_*` limits, shared with the local provider."""
        return cls(
            wall_time_s=settings.run_timeout_seconds,
            grace_s=settings.interrupt_grace_seconds,
            output_limit_bytes=settings.output_limit_bytes,
        )


# --- inputs: what the driver saw, at its monotonic time `at` -----------------------------------


@dataclass(frozen=True)
class Tick:
    """Time passed and the kernel is alive (the death poll found it so, or a message arrived)."""

    at: float


@dataclass(frozen=True)
class CapCrossed:
    """The run's output just crossed the cap (`RunTracker.wants_interrupt`)."""

    at: float


@dataclass(frozen=True)
class Completed:
    """The kernel finished the run by itself: its reply and its idle status are both in."""

    at: float


@dataclass(frozen=True)
class Died:
    """The death poll found the kernel's process dead; `reason` is what the user is told."""

    at: float
    reason: str


@dataclass(frozen=True)
class Ended:
    """The run's kernel went away from outside (restarted by a user, lost by the transport)."""

    at: float
    status: RunStatus
    reason: str


Input = Tick | CapCrossed | Completed | Died | Ended


# --- actions: what the driver must do, in order ------------------------------------------------


@dataclass(frozen=True)
class Interrupt:
    """Interrupt the kernel (the grace period has started)."""


@dataclass(frozen=True)
class Restart:
    """Restart the kernel: the code kept running through the grace period."""


@dataclass(frozen=True)
class Finish:
    """End the run. `status` None: the kernel's own reply decides (`RunTracker.finished`)."""

    status: RunStatus | None
    reason: str = ""


Action = Notice | Interrupt | Restart | Finish


class LimitsLadder:
    """One run's limits, from `started` (see the module docstring). Inputs after the `Finish`
    are ignored, so a driver may feed whatever arrives late without checking first."""

    def __init__(self, limits: RunLimits, started: float, poll_s: float) -> None:
        self._limits = limits
        self._deadline = started + limits.wall_time_s
        self._poll_s = poll_s
        self._grace_until: float | None = None
        self._capped = False
        self._status: RunStatus | None = None
        self._reason = ""
        self.finished = False

    def feed(self, event: Input) -> list[Action]:
        """The actions `event` calls for, in the order the driver must carry them out."""
        if self.finished:
            return []
        if isinstance(event, Completed):
            return self._finish(self._status, self._reason)
        if isinstance(event, Died):
            return self._finish("killed", event.reason)
        if isinstance(event, Ended):
            return self._finish(event.status, event.reason)
        if isinstance(event, CapCrossed):
            self._capped = True
        return self._climb(event.at)

    def wait_s(self, now: float) -> float:
        """How long the driver may wait for the next input: until the next rung of the ladder,
        but never longer than the death poll's interval."""
        until = self._grace_until if self._grace_until is not None else self._deadline
        return max(0.0, min(until - now, self._poll_s))

    def _climb(self, now: float) -> list[Action]:
        if self._grace_until is not None:
            if now < self._grace_until:
                return []
            return [Notice(RESTART_NOTICE), Restart(), *self._finish(self._status, self._reason)]
        if not (now >= self._deadline or self._capped):
            return []
        actions: list[Action] = []
        if now >= self._deadline:
            self._status = "timeout"
            self._reason = f"wall time limit of {self._limits.wall_time_s:g} s exceeded"
            actions.append(Notice(f"run interrupted: {self._reason}"))
        self._grace_until = now + self._limits.grace_s
        return [*actions, Interrupt()]

    def _finish(self, status: RunStatus | None, reason: str) -> list[Action]:
        self.finished = True
        return [Finish(status, reason)]
