"""The run-limits ladder as a pure state machine: exact actions for each rung, and properties that
hold for every sequence of inputs a driver can feed it (no kernel, no clock)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.provider import Notice
from kernels.run_limits import (
    Action,
    CapCrossed,
    Completed,
    Died,
    Ended,
    Finish,
    Input,
    Interrupt,
    LimitsLadder,
    Restart,
    RunLimits,
    Tick,
)

TIMEOUT_NOTICE = Notice("run interrupted: wall time limit of 10 s exceeded")
TIMEOUT_REASON = "wall time limit of 10 s exceeded"
RESTART_NOTICE = Notice("kernel restarted: the code kept running after the interrupt")
DEATH = "kernel died: out of memory (limit 1 GiB); restarted"


def ladder(wall: float = 10.0, grace: float = 3.0, poll: float = 0.5) -> LimitsLadder:
    """A run started at t=100."""
    return LimitsLadder(RunLimits(wall_time_s=wall, grace_s=grace), started=100.0, poll_s=poll)


def test_a_run_the_kernel_completes_in_time_finishes_as_the_kernel_replied() -> None:
    run = ladder()
    assert run.feed(Tick(101.0)) == []
    assert run.feed(Completed(109.9)) == [Finish(None, "")]


def test_at_the_wall_time_the_run_is_interrupted_and_ends_as_timeout() -> None:
    run = ladder()
    assert run.feed(Tick(109.99)) == []
    assert run.feed(Tick(110.0)) == [TIMEOUT_NOTICE, Interrupt()]
    assert run.feed(Completed(110.2)) == [Finish("timeout", TIMEOUT_REASON)]
    assert run.finished


def test_code_still_running_after_the_grace_period_gets_its_kernel_restarted() -> None:
    run = ladder()
    assert run.feed(Tick(110.5)) == [TIMEOUT_NOTICE, Interrupt()]
    assert run.feed(Tick(113.49)) == []
    assert run.feed(Tick(113.5)) == [RESTART_NOTICE, Restart(), Finish("timeout", TIMEOUT_REASON)]


def test_crossing_the_output_cap_interrupts_once_and_leaves_the_status_to_the_kernel() -> None:
    run = ladder(grace=30.0)
    assert run.feed(CapCrossed(101.0)) == [Interrupt()]
    assert run.feed(CapCrossed(102.0)) == []
    assert run.feed(Tick(111.0)) == []  # past the wall time, but the run is already interrupted
    assert run.feed(Tick(131.0)) == [RESTART_NOTICE, Restart(), Finish(None, "")]


def test_a_dead_kernel_ends_the_run_as_killed_with_its_reason_even_mid_grace() -> None:
    assert ladder().feed(Died(105.0, DEATH)) == [Finish("killed", DEATH)]
    run = ladder()
    run.feed(Tick(110.0))
    assert run.feed(Died(111.0, DEATH)) == [Finish("killed", DEATH)]


def test_a_kernel_restarted_from_outside_ends_the_run_with_the_status_given() -> None:
    run = ladder()
    run.feed(Tick(110.0))
    assert run.feed(Ended(110.1, "interrupted", "kernel restarted")) == [
        Finish("interrupted", "kernel restarted")
    ]


def test_inputs_after_the_finish_are_ignored() -> None:
    run = ladder()
    run.feed(Completed(101.0))
    for late in (Tick(200.0), CapCrossed(200.0), Died(200.0, DEATH), Completed(200.0)):
        assert run.feed(late) == []


def test_the_driver_waits_until_the_next_rung_but_no_longer_than_the_death_poll() -> None:
    run = ladder(poll=0.5)
    assert run.wait_s(100.0) == 0.5
    assert run.wait_s(109.8) == 110.0 - 109.8
    assert run.wait_s(111.0) == 0.0  # overdue: feed the next input at once
    run.feed(Tick(110.0))
    assert run.wait_s(112.75) == 113.0 - 112.75  # the end of the grace period


def test_the_wall_time_is_written_the_way_it_was_configured() -> None:
    run = LimitsLadder(RunLimits(wall_time_s=0.5), started=0.0, poll_s=1.0)
    assert run.feed(Tick(0.5)) == [
        Notice("run interrupted: wall time limit of 0.5 s exceeded"),
        Interrupt(),
    ]


# --- every sequence a well-behaved driver can feed ---------------------------------------------


@dataclass
class Trace:
    """What a driver saw while feeding one run: each input with the actions it produced."""

    steps: list[tuple[Input, list[Action]]] = field(default_factory=list)

    @property
    def actions(self) -> list[Action]:
        return [action for _, answer in self.steps for action in answer]


KINDS = st.sampled_from(["tick", "tick", "tick", "cap", "completed", "died", "ended"])


def drive(wall: float, grace: float, poll: float, script: list[tuple[str, float]]) -> Trace:
    """Feed `script` (each input after waiting a fraction of what `wait_s` allows), then keep
    ticking on schedule, as a driver with a quiet live kernel does, until the run finishes."""
    run = LimitsLadder(RunLimits(wall_time_s=wall, grace_s=grace), started=0.0, poll_s=poll)
    trace = Trace()
    now = 0.0
    make = {
        "tick": Tick,
        "cap": CapCrossed,
        "completed": Completed,
        "died": lambda at: Died(at, DEATH),
        "ended": lambda at: Ended(at, "error", "lost the connection to the kernel gateway"),
    }
    for kind, fraction in script:
        now += fraction * run.wait_s(now)
        event: Input = make[kind](now)
        trace.steps.append((event, run.feed(event)))
    for _ in range(10_000):
        if run.finished:
            break
        now += run.wait_s(now)
        event = Tick(now)
        trace.steps.append((event, run.feed(event)))
    return trace


scripts = st.lists(st.tuples(KINDS, st.floats(0.0, 1.0)), max_size=40)
walls = st.floats(0.0, 60.0)
graces = st.floats(0.0, 10.0)
polls = st.floats(0.25, 5.0)


@settings(max_examples=400, deadline=None)
@given(walls, graces, polls, scripts)
def test_every_run_ends_in_exactly_one_finish_and_nothing_after_it(
    wall: float, grace: float, poll: float, script: list[tuple[str, float]]
) -> None:
    actions = drive(wall, grace, poll, script).actions
    finishes = [i for i, action in enumerate(actions) if isinstance(action, Finish)]
    assert finishes == [len(actions) - 1]


@settings(max_examples=400, deadline=None)
@given(walls, graces, polls, scripts)
def test_no_run_outlives_its_wall_time_plus_grace(
    wall: float, grace: float, poll: float, script: list[tuple[str, float]]
) -> None:
    trace = drive(wall, grace, poll, script)
    finished_at = next(e.at for e, answer in trace.steps if Finish in map(type, answer))
    assert finished_at <= wall + grace + 1e-9


@settings(max_examples=400, deadline=None)
@given(walls, graces, polls, scripts)
def test_the_ladder_is_climbed_in_order_interrupt_once_then_restart_and_finish(
    wall: float, grace: float, poll: float, script: list[tuple[str, float]]
) -> None:
    actions = drive(wall, grace, poll, script).actions
    interrupts = [i for i, a in enumerate(actions) if isinstance(a, Interrupt)]
    restarts = [i for i, a in enumerate(actions) if isinstance(a, Restart)]
    assert len(interrupts) <= 1 and len(restarts) <= 1
    for r in restarts:
        assert interrupts and interrupts[0] < r
        assert actions[r - 1] == RESTART_NOTICE
        assert isinstance(actions[r + 1], Finish)
    notices = [a for a in actions if isinstance(a, Notice)]
    timeout = Notice(f"run interrupted: wall time limit of {wall:g} s exceeded")
    assert set(notices) <= {timeout, RESTART_NOTICE}
    if timeout in notices:
        assert actions[actions.index(timeout) + 1] == Interrupt()


@settings(max_examples=400, deadline=None)
@given(walls, graces, polls, scripts)
def test_the_finish_says_who_ended_the_run(
    wall: float, grace: float, poll: float, script: list[tuple[str, float]]
) -> None:
    trace = drive(wall, grace, poll, script)
    event, answer = next((e, a) for e, a in trace.steps if a and isinstance(a[-1], Finish))
    finish = answer[-1]
    timed_out = Notice(f"run interrupted: wall time limit of {wall:g} s exceeded") in trace.actions
    if isinstance(event, Died):
        assert finish == Finish("killed", DEATH)
    elif isinstance(event, Ended):
        assert finish == Finish("error", "lost the connection to the kernel gateway")
    elif timed_out:
        assert finish == Finish("timeout", f"wall time limit of {wall:g} s exceeded")
    else:
        assert finish == Finish(None, "")
    interrupted = [e for e, a in trace.steps if Interrupt() in a]
    first_cap = next((e for e, _ in trace.steps if isinstance(e, CapCrossed)), None)
    for e in interrupted:  # nothing but the wall time or the cap interrupts a run
        assert e.at >= wall or e is first_cap
