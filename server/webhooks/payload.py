"""What a delivery's JSON body says (pure): the session, the rubric levels, the latest grade,
the recommendation and notes summary of a submitted scorecard, and a replay link.

The rubric levels are the submitted scorecard's when there is one, else the levels the
interviewer's panel holds (the `notes` doc) when the session ended. The grade is the latest
`POST /grade` report, each hidden test by id, name, weight and outcome (never its message,
which may quote the candidate's output). The replay link is a reviewer link (it reads the
recording after the end, and nothing else) issued for this delivery: whoever the ATS shows it
to can watch the recording, which is what it is for. Its body is fixed when the delivery is
queued, so every attempt (and a redelivery) sends and signs the same bytes, and `event_id`
lets a receiver drop a repeat.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from server.scenarios.model import Scenario
from server.scorecard import Scorecard
from server.store.base import SessionRecord
from server.webhooks.model import Event


def rubric_levels(scenario: Scenario | None, levels: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each scored criterion with its score and the level's label, in the rubric's order."""
    out: list[dict[str, Any]] = []
    for criterion in scenario.rubric if scenario is not None else []:
        value = levels.get(criterion.id)
        if value is None:
            continue
        label = next((lv.label for lv in criterion.levels if lv.score == value), None)
        out.append(
            {"criterion": criterion.id, "title": criterion.title, "level": value, "label": label}
        )
    return out


def latest_grade(grades: Mapping[str, Any]) -> dict[str, Any] | None:
    reports = [g for g in grades.values() if isinstance(g, dict) and "at" in g]
    if not reports:
        return None
    g = max(reports, key=lambda r: r["at"])
    return {
        "id": g.get("id"),
        "at": g.get("at"),
        "passed": g.get("passed"),
        "total": g.get("total"),
        "score": g.get("score"),
        "results": [
            {
                "id": r.get("id"),
                "name": r.get("name"),
                "passed": r.get("passed"),
                "weight": r.get("weight"),
            }
            for r in g.get("results", [])
            if isinstance(r, dict)
        ],
    }


def body(
    event: Event,
    event_id: str,
    at_ms: int,
    record: SessionRecord,
    scenario: Scenario | None,
    *,
    candidate_name: str | None,
    notes_rubric: Mapping[str, Any],
    grades: Mapping[str, Any],
    scorecard: Scorecard | None,
    replay_url: str,
) -> str:
    levels = scorecard.rubric if scorecard is not None else notes_rubric
    document = {
        "event": str(event),
        "event_id": event_id,
        "created_at": at_ms,
        "session": {
            "id": record.id,
            "title": record.title,
            "state": record.state,
            "ended_at": record.ended_at_ms,
            "scenario": None if scenario is None else {"id": scenario.id, "title": scenario.title},
            "candidate_name": candidate_name,
        },
        "rubric": rubric_levels(scenario, levels),
        "grade": latest_grade(grades),
        "scorecard": None
        if scorecard is None
        else {
            "id": scorecard.id,
            "at": scorecard.at_ms,
            "by": scorecard.by,
            "recommendation": scorecard.recommendation,
        },
        "recommendation": None if scorecard is None else scorecard.recommendation,
        "notes_summary": None if scorecard is None else scorecard.summary,
        "replay_url": replay_url,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
