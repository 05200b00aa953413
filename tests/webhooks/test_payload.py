"""What a delivery says (pure): rubric levels in the rubric's order with their labels, the
latest grade without test messages, the scorecard's recommendation and summary."""

from __future__ import annotations

import json

from server.scenarios import library
from server.scorecard import Scorecard
from server.store.base import SessionRecord
from server.webhooks.model import Event
from server.webhooks.payload import body

RECORD = SessionRecord("s1", "Attention — Ada", "attention-numpy", 1000, "ended", 9000, {})
GRADES = {
    "old": {"id": "old", "at": 10, "passed": 1, "total": 2, "score": 50.0, "results": []},
    "new": {
        "id": "new", "at": 20, "passed": 2, "total": 2, "score": 100.0, "by": "Ann",
        "results": [{"id": "t1", "name": "Mask", "passed": True, "weight": 1.0,
                     "message": "candidate output: secret"}],
    },
}  # fmt: skip


def test_the_body_carries_levels_the_latest_grade_and_the_scorecard() -> None:
    scenario = library.get("attention-numpy")
    card = Scorecard("sc_1", 30, "Ann", "interviewer", {"shapes": 2, "correctness": 4},
                     "strong_hire", "Great.")  # fmt: skip
    sent = json.loads(
        body(
            Event.SCORECARD_SUBMITTED,
            "evt_1",
            40,
            RECORD,
            scenario,
            candidate_name="Ada",
            notes_rubric={"correctness": 1},
            grades=GRADES,
            scorecard=card,
            replay_url="https://x/replay/s1?token=t",
        )
    )
    assert [(r["criterion"], r["level"], r["label"]) for r in sent["rubric"]] == [
        ("correctness", 4, "Excellent"),
        ("shapes", 2, sent["rubric"][1]["label"]),
    ]
    assert sent["grade"] == {
        "id": "new", "at": 20, "passed": 2, "total": 2, "score": 100.0,
        "results": [{"id": "t1", "name": "Mask", "passed": True, "weight": 1.0}],
    }  # fmt: skip
    assert (sent["recommendation"], sent["notes_summary"]) == ("strong_hire", "Great.")
    assert sent["session"] == {
        "id": "s1", "title": "Attention — Ada", "state": "ended", "ended_at": 9000,
        "scenario": {"id": "attention-numpy", "title": scenario.title if scenario else None},
        "candidate_name": "Ada",
    }  # fmt: skip
    assert (sent["event"], sent["event_id"], sent["created_at"]) == (
        "scorecard.submitted",
        "evt_1",
        40,
    )


def test_session_ended_takes_the_panels_levels_and_has_no_recommendation() -> None:
    scenario = library.get("attention-numpy")
    sent = json.loads(
        body(
            Event.SESSION_ENDED,
            "evt_2",
            40,
            RECORD,
            scenario,
            candidate_name=None,
            notes_rubric={"correctness": 1, "unknown": 3},
            grades={},
            scorecard=None,
            replay_url="u",
        )
    )
    assert [(r["criterion"], r["level"], r["label"]) for r in sent["rubric"]] == [
        ("correctness", 1, "Broken")
    ]
    assert (sent["grade"], sent["scorecard"], sent["recommendation"]) == (None, None, None)
