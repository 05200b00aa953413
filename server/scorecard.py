"""A submitted scorecard: the hiring team's decision on a session (pure).

The rubric panel's levels in the `notes` doc are a working draft anyone on the team may still
move; a submission is what someone stands behind: the levels they chose (each a criterion of the
session's scenario, each one of its levels' scores), an overall recommendation and a notes
summary, under their name, at a time. Submissions are kept in the session record
(`meta["scorecards"]`, so an erase takes them with the session), every one of them, oldest
first: the latest is the decision, the earlier ones are how it was reached. Submitting one is
audited and sent to the webhooks (`scorecard.submitted`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal, get_args

from server.scenarios.model import Scenario
from server.store.base import SessionRecord

Recommendation = Literal["strong_hire", "hire", "no_hire", "strong_no_hire"]
RECOMMENDATIONS: tuple[str, ...] = get_args(Recommendation)
META_KEY = "scorecards"


class ScorecardError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Scorecard:
    id: str
    at_ms: int
    by: str  # the submitter's display name
    role: str  # their seat ("interviewer", "reviewer"), "owner" or "admin"
    rubric: dict[str, int]  # criterion id -> the chosen level's score
    recommendation: str
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at_ms,
            "by": self.by,
            "role": self.role,
            "rubric": dict(self.rubric),
            "recommendation": self.recommendation,
            "summary": self.summary,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Scorecard:
        return cls(
            str(raw["id"]),
            int(raw["at"]),
            str(raw["by"]),
            str(raw["role"]),
            {str(k): int(v) for k, v in raw["rubric"].items()},
            str(raw["recommendation"]),
            str(raw["summary"]),
        )


def check_rubric(levels: dict[str, int], scenario: Scenario | None) -> None:
    """Every criterion named is one of the scenario's and every level one of its scores."""
    if scenario is None:
        if levels:
            raise ScorecardError(422, "this session has no scenario, so no rubric to score")
        return
    criteria = {c.id: c for c in scenario.rubric}
    for criterion, score in levels.items():
        found = criteria.get(criterion)
        if found is None:
            known = ", ".join(sorted(criteria))
            raise ScorecardError(422, f"no rubric criterion {criterion!r} (known: {known})")
        scores = sorted(level.score for level in found.levels)
        if score not in scores:
            raise ScorecardError(422, f"{score} is not a level of {criterion!r} (levels: {scores})")


def check_summary(summary: str, max_chars: int) -> str:
    summary = summary.strip()
    if len(summary) > max_chars:
        raise ScorecardError(422, f"the notes summary is longer than {max_chars} characters")
    return summary


def new_id() -> str:
    return "sc_" + secrets.token_hex(6)


def scorecards_of(record: SessionRecord) -> list[Scorecard]:
    return [Scorecard.from_json(raw) for raw in record.meta.get(META_KEY, [])]


def add_scorecard(record: SessionRecord, scorecard: Scorecard, limit: int) -> None:
    """Appended to the record (the caller saves it); 409 once the session holds `limit`."""
    kept: list[dict[str, Any]] = record.meta.setdefault(META_KEY, [])
    if len(kept) >= limit:
        raise ScorecardError(409, f"this session already holds {limit} scorecards")
    kept.append(scorecard.to_json())
