"""The scenario state kept in a session record, pure: round trip, which hidden steps a kernel
lacks, and the two views (the candidate's holds only public and revealed parts)."""

from __future__ import annotations

import json
from pathlib import Path

from server.scenarios import state as st
from server.scenarios.loader import load_library
from server.scenarios.timeline import Clock

DRILL = load_library(Path(__file__).parent / "runtime_library")["runtime-drill"]


def test_state_round_trips_through_the_record_as_json() -> None:
    s = st.ScenarioState(
        clock=Clock(started_at=1000, paused_at=5000, paused_total=200),
        done={
            "shift": st.Done("fired", 3200, "timeline"),
            "never": st.Done("skipped", 4000, "Ann"),
        },
        kernel_steps=["shift"],
        hints=["given"],
        sections=["part-two"],
    )
    meta = json.loads(json.dumps({st.META_KEY: st.dump(s)}))
    assert st.load(meta) == s
    assert st.load({}) == st.ScenarioState()


def test_fired_lists_fired_events_in_firing_order_without_skipped_ones() -> None:
    s = st.ScenarioState(
        done={
            "b": st.Done("fired", 20, "timeline"),
            "a": st.Done("fired", 10, "Ann"),
            "c": st.Done("skipped", 5, "Ann"),
        }
    )
    assert s.fired() == ["a", "b"]


def test_a_fresh_kernel_lacks_setup_and_every_fired_kernel_action_in_order() -> None:
    s = st.ScenarioState(kernel_steps=["shift", "later"])
    wanted = st.wanted_steps(DRILL, s)
    assert wanted == ["setup", "shift", "later"]
    assert st.missing_steps(wanted, []) == ["setup", "shift", "later"]
    assert st.missing_steps(wanted, ["setup", "shift"]) == ["later"]
    assert st.missing_steps(wanted, ["setup", "shift", "later"]) == []
    assert st.step_code(DRILL, "setup") == DRILL.setup
    assert st.step_code(DRILL, "shift") == "readings.append(99)  # SECRET-KERNEL-ACTION"
    assert st.has_kernel_work(DRILL) is True


def test_the_candidate_view_holds_only_public_and_revealed_parts() -> None:
    s = st.ScenarioState(clock=Clock(started_at=1000), hints=["given"], sections=["part-two"])
    view = st.candidate_view(DRILL, s, now_ms=4000)
    assert view == {
        "id": "runtime-drill",
        "title": "Runtime drill",
        "kind": "coding",
        "duration_min": 5,
        "brief": DRILL.brief,
        "clock": {
            "state": "running",
            "started_at": 1000,
            "paused_at": None,
            "paused_total": 0,
            "elapsed_ms": 3000,
        },
        "sections": [{"id": "part-two", "title": "Part two", "body": DRILL.brief_sections[0].body}],
        "hints": [{"id": "given", "text": "HINT-REVEALED-TEXT multiply by two"}],
    }
    assert "SECRET" not in json.dumps(view)


def test_the_interviewer_view_lists_upcoming_events_hints_and_the_rubric() -> None:
    s = st.ScenarioState(
        clock=Clock(started_at=0),
        done={"shift": st.Done("fired", 2000, "timeline"), "never": st.Done("skipped", 10, "Ann")},
    )
    view = st.interviewer_view(DRILL, s, now_ms=2500)
    assert view["upcoming"] == ["later", "add-box", "reveal-two"]
    assert {e["id"]: e["status"] for e in view["events"]} == {
        "shift": "fired",
        "later": "upcoming",
        "add-box": "upcoming",
        "reveal-two": "upcoming",
        "never": "skipped",
    }
    assert [h["revealed"] for h in view["hints"]] == [False, False]
    assert view["rubric"][0]["levels"][0]["description"] == "SECRET-RUBRIC-WEAK-DESCRIPTION"
    assert view["tests"] == [
        {"id": "doubles", "name": "doubles positive numbers", "weight": 1.0},
        {"id": "negative", "name": "doubles negative numbers", "weight": 3.0},
    ]
