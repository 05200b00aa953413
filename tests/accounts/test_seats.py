"""Where a member sits on a session (pure table facts the matrix test relies on)."""

from __future__ import annotations

from server.permissions import Action, Member, SessionFacts, decide, seat_of

ANN = Member("ann", "interviewer", "Ann")
BOB = Member("bob", "interviewer", "Bob")
RITA = Member("rita", "reviewer", "Rita")
OWNER = Member("olga", "owner", "Olga")


def test_the_creator_sits_as_interviewer_shares_as_reviewers_and_the_team_share_covers_all() -> (
    None
):
    mine = SessionFacts(state="live", owner_id="ann")
    assert [seat_of(m, mine) for m in (ANN, BOB, RITA)] == ["interviewer", None, None]
    shared = SessionFacts(state="live", owner_id="ann", shared_with=frozenset({"bob", "rita"}))
    assert [seat_of(m, shared) for m in (ANN, BOB, RITA)] == ["interviewer", "reviewer", "reviewer"]
    team = SessionFacts(state="live", owner_id="ann", team_shared=True)
    assert [seat_of(m, team) for m in (ANN, BOB, RITA)] == ["interviewer", "reviewer", "reviewer"]


def test_a_reviewer_that_created_nothing_never_sits_as_interviewer() -> None:
    # A reviewer cannot create sessions; even a record naming one as owner gives no seat.
    facts = SessionFacts(state="live", owner_id="rita")
    assert seat_of(RITA, facts) is None
    assert (
        decide(RITA, Action.SESSION_CREATE).reason == "the organisation's reviewers cannot do this"
    )


def test_after_the_end_a_seat_keeps_only_the_recording_and_the_org_owner_keeps_the_admins() -> None:
    ended = SessionFacts(
        state="ended", ended_at_ms=10, owner_id="ann", shared_with=frozenset({"rita"})
    )
    assert decide(RITA, Action.REPLAY_READ, ended).allowed
    assert decide(ANN, Action.SESSION_CONTROL, ended).reason == "session has ended"
    assert decide(OWNER, Action.SESSION_SHARE, ended).allowed
    assert decide(OWNER, Action.RUN_START, ended).status == 409  # a run needs a live kernel
    assert decide(BOB, Action.REPLAY_READ, ended).reason == (
        "this session is neither yours nor shared with you"
    )
