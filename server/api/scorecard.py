"""Submitting a scorecard (`SCORECARD_SUBMIT`) and reading them (`SCORECARD_READ`).

`POST /api/sessions/{id}/scorecard {"rubric": {criterion: score}, "recommendation", "summary"}`:
the hiring team (the interviewer who ran it, reviewers it is shared with, the admin token, an
owner), live or from the recording. The levels are checked against the scenario's rubric (422),
the summary against `scorecard_summary_max_chars` (422), the session's count against
`scorecards_per_session` (409). The submission is kept in the session record, audited (its
recommendation, never its summary: audit entries hold no candidate data) and sent to the
webhooks subscribed to `scorecard.submitted`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from server.access import Access
from server.api.audited import audit
from server.api.deps import Authorize, services_of
from server.audit.model import AuditKind
from server.clock import now_ms
from server.permissions import Action, Admin, LinkBearer, Member, seat_of
from server.scenarios import library
from server.scorecard import (
    Recommendation,
    Scorecard,
    ScorecardError,
    add_scorecard,
    check_rubric,
    check_summary,
    new_id,
    scorecards_of,
)
from server.text import Text

router = APIRouter(prefix="/api/sessions")

RUBRIC_MAX_CRITERIA = 100


class Submission(BaseModel):
    rubric: dict[Text, int] = Field(
        default_factory=dict,
        max_length=RUBRIC_MAX_CRITERIA,
        description="Criterion id -> the chosen level's score (the scenario's rubric).",
    )
    recommendation: Recommendation
    summary: Text = Field("", description="The notes summary (scorecard_summary_max_chars).")


def seat_name(access: Access) -> str:
    principal = access.principal
    if isinstance(principal, LinkBearer):
        return principal.role
    if isinstance(principal, Member):
        return seat_of(principal, access.facts) or principal.role
    return "admin" if isinstance(principal, Admin) else "anonymous"


@router.post("/{session_id}/scorecard", status_code=201)
async def submit_scorecard(
    body: Submission,
    request: Request,
    access: Access = Depends(Authorize(Action.SCORECARD_SUBMIT)),
) -> dict[str, Any]:
    services = services_of(request)
    settings = services.settings
    record = access.record
    scenario = None if record.scenario is None else library.get(record.scenario)
    try:
        check_rubric(body.rubric, scenario)
        summary = check_summary(body.summary, settings.scorecard_summary_max_chars)
        scorecard = Scorecard(
            new_id(), now_ms(), access.name, seat_name(access), dict(body.rubric),
            body.recommendation, summary,
        )  # fmt: skip
        add_scorecard(record, scorecard, settings.scorecards_per_session)
    except ScorecardError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    await services.sessions.save(record)
    await audit(
        request, AuditKind.SCORECARD_SUBMITTED, access.principal, resource=record.id,
        details={"scorecard": scorecard.id, "recommendation": scorecard.recommendation},
    )  # fmt: skip
    queued = await services.webhooks.scorecard_submitted(record, scorecard)
    return {**scorecard.to_json(), "webhook_deliveries": queued}


@router.get("/{session_id}/scorecards")
async def list_scorecards(
    access: Access = Depends(Authorize(Action.SCORECARD_READ)),
) -> list[dict[str, Any]]:
    """Every submission, oldest first (the last is the decision)."""
    return [s.to_json() for s in scorecards_of(access.record)]
