"""A live session's scenario state, as plain data in the session record's `meta["scenario"]`.

Pure: reading and writing the record's JSON, and the two views of it (the interviewer's and the
candidate's). The runner (`runner.py`) is the only writer. What is stored is what a restart
needs: the clock, which events are done (fired or skipped, when, by whom), the order in which
kernel actions fired (a fresh kernel replays setup + those, in order), and what has been revealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.scenarios import timeline
from server.scenarios.model import KernelAction, Scenario, TimelineEvent
from server.scenarios.timeline import Clock

META_KEY = "scenario"
SETUP_STEP = "setup"
"""The kernel step name of the scenario's setup code (event ids are slugs, never this)."""


@dataclass
class Done:
    how: str  # "fired" | "skipped"; "revealed" under "hint:{id}" for hints the interviewer gave
    at: int  # server ms
    by: str  # "timeline" or the interviewer's name


@dataclass
class ScenarioState:
    clock: Clock = field(default_factory=Clock)
    done: dict[str, Done] = field(default_factory=dict)
    kernel_steps: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    @property
    def done_ids(self) -> set[str]:
        return set(self.done)

    def fired(self) -> list[str]:
        """Fired event ids in firing order (skipped ones excluded)."""
        fired = [(d.at, i) for i, d in self.done.items() if d.how == "fired"]
        return [i for _, i in sorted(fired)]


def load(meta: dict[str, Any]) -> ScenarioState:
    raw = meta.get(META_KEY) or {}
    clock = raw.get("clock") or {}
    return ScenarioState(
        clock=Clock(
            started_at=clock.get("started_at"),
            paused_at=clock.get("paused_at"),
            paused_total=int(clock.get("paused_total") or 0),
        ),
        done={
            k: Done(v["how"], int(v["at"]), str(v["by"])) for k, v in raw.get("done", {}).items()
        },
        kernel_steps=list(raw.get("kernel_steps", [])),
        hints=list(raw.get("hints", [])),
        sections=list(raw.get("sections", [])),
    )


def dump(state: ScenarioState) -> dict[str, Any]:
    return {
        "clock": clock_json(state.clock),
        "done": {k: {"how": d.how, "at": d.at, "by": d.by} for k, d in state.done.items()},
        "kernel_steps": list(state.kernel_steps),
        "hints": list(state.hints),
        "sections": list(state.sections),
    }


def clock_json(clock: Clock) -> dict[str, Any]:
    """The clock as the console doc mirrors it (nothing secret: no event times)."""
    return {
        "state": clock.state,
        "started_at": clock.started_at,
        "paused_at": clock.paused_at,
        "paused_total": clock.paused_total,
    }


def clock_view(clock: Clock, now_ms: int) -> dict[str, Any]:
    return {**clock_json(clock), "elapsed_ms": timeline.elapsed_ms(clock, now_ms)}


def has_kernel_work(scenario: Scenario) -> bool:
    """Whether the session's kernel ever needs hidden code (setup or a kernel action)."""
    return bool(scenario.setup.strip()) or any(kernel_code(e) for e in scenario.timeline)


def kernel_code(event: TimelineEvent) -> str:
    """An event's kernel actions as one program ("" when it has none)."""
    return "\n".join(a.code for a in event.actions if isinstance(a, KernelAction))


def wanted_steps(scenario: Scenario, state: ScenarioState) -> list[str]:
    """The hidden steps a kernel of this session should have run, in order."""
    steps = [SETUP_STEP] if scenario.setup.strip() else []
    return steps + list(state.kernel_steps)


def step_code(scenario: Scenario, step: str) -> str:
    if step == SETUP_STEP:
        return scenario.setup
    event = next((e for e in scenario.timeline if e.id == step), None)
    return "" if event is None else kernel_code(event)


def missing_steps(wanted: list[str], applied: list[str]) -> list[str]:
    """Steps still to run in a kernel that has run `applied` (order of `wanted` kept)."""
    seen = set(applied)
    return [s for s in wanted if s not in seen]


def interviewer_view(scenario: Scenario, state: ScenarioState, now_ms: int) -> dict[str, Any]:
    """Everything the interviewer's panel needs, including what the candidate must never see."""
    events = []
    for e in scenario.timeline:
        done = state.done.get(e.id)
        events.append(
            {
                "id": e.id,
                "title": e.title,
                "at_seconds": e.at_seconds,
                "trigger": e.trigger,
                "status": "upcoming" if done is None else done.how,
                "done_at": None if done is None else done.at,
                "done_by": None if done is None else done.by,
                "actions": [a.type for a in e.actions],
            }
        )
    return {
        **_common(scenario, state, now_ms),
        "level": scenario.level,
        "upcoming": [e.id for e in timeline.upcoming(scenario.timeline, state.done_ids)],
        "events": events,
        "brief_sections": [
            {"id": s.id, "title": s.title, "body": s.body, "revealed": s.id in state.sections}
            for s in scenario.brief_sections
        ],
        "hints": [
            {"id": h.id, "text": h.text, "when": h.when, "revealed": h.id in state.hints}
            for h in scenario.hints
        ],
        "rubric": [c.model_dump() for c in scenario.rubric],
        "notes": scenario.notes,
        "tests": [{"id": t.id, "name": t.name, "weight": t.weight} for t in scenario.tests],
    }


def candidate_view(scenario: Scenario, state: ScenarioState, now_ms: int) -> dict[str, Any]:
    """What a candidate (or observer) may see: the brief, revealed sections and hints only."""
    return {
        **_common(scenario, state, now_ms),
        "sections": [
            {"id": s.id, "title": s.title, "body": s.body}
            for s in scenario.brief_sections
            if s.id in state.sections
        ],
        "hints": [{"id": h.id, "text": h.text} for h in scenario.hints if h.id in state.hints],
    }


def _common(scenario: Scenario, state: ScenarioState, now_ms: int) -> dict[str, Any]:
    return {
        "id": scenario.id,
        "title": scenario.title,
        "kind": scenario.kind,
        "duration_min": scenario.duration_min,
        "brief": scenario.brief,
        "clock": clock_view(state.clock, now_ms),
    }
