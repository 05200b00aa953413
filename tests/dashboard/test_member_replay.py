"""A signed-in member opens a recording with their sign-in cookie, no link token: every replay
route the player calls (state at an instant, the timeline, the chunked logs, comments,
scorecards) answers each principal exactly as the one permission table seats them, a cookie's
state-changing request still needs its CSRF token, and a cookie's viewing is audited by name
like a link's.

One real server; one ended session made by an interviewer (ann) with code typed through its
interviewer link, shared with a reviewer (rita), then with the team, then unshared.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from server.access import CSRF_REFUSAL
from server.permissions import NOT_YOURS
from tests.support.accounts import SignedIn, add_users, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until

CODE = "def solve(xs):\n    return sorted(xs)\n"
PEOPLE = [
    ("olga@example.com", "owner"),
    ("ann@example.com", "interviewer"),
    ("rita@example.com", "reviewer"),
    ("vera@example.com", "reviewer"),
    ("tess@example.com", "reviewer"),
]


@dataclass
class World:
    server: ServerProcess
    sid: str
    duration_ms: int
    people: dict[str, SignedIn]

    def call(
        self, who: str | None, method: str, path: str, *, csrf: bool = True, **kw: object
    ) -> httpx.Response:
        headers = {} if who is None else self.people[who].headers(csrf=csrf)
        url = f"{self.server.url}/api/sessions/{self.sid}{path}"
        return httpx.request(method, url, headers=headers, timeout=30, **kw)  # type: ignore[arg-type]


async def _type_code(server: ServerProcess, sid: str, token: str) -> None:
    """Typed through the interviewer's link; kept once another reader of the room sees it (the
    log is written before the relay)."""
    url = f"{server.ws_url}/ws/{sid}/code?token={token}"
    async with YClient(url) as writer, YClient(url) as reader:
        await asyncio.gather(writer.synced.wait(), reader.synced.wait())
        writer.text.insert(0, CODE)
        await wait_until(lambda: str(reader.text) == CODE, what="the room keeps the code")


@pytest.fixture(scope="module")
def world(server: ServerProcess) -> Iterator[World]:
    add_users(server, PEOPLE)
    people = {email.split("@")[0]: sign_in(server, email) for email, _ in PEOPLE}
    ann = people["ann"]
    made = httpx.post(
        f"{server.url}/api/sessions", json={"title": "Sorting"}, headers=ann.headers(), timeout=30
    )
    assert made.status_code == 201, made.text
    sid, tokens = made.json()["id"], made.json()["tokens"]
    asyncio.run(_type_code(server, sid, tokens["interviewer"]))
    ended = httpx.post(f"{server.url}/api/sessions/{sid}/end", headers=ann.headers(), timeout=30)
    assert ended.status_code == 200, ended.text
    shared = httpx.post(
        f"{server.url}/api/sessions/{sid}/access",
        json={"emails": ["rita@example.com"]},
        headers=ann.headers(),
        timeout=30,
    )
    assert shared.status_code == 200, shared.text
    timeline = httpx.get(
        f"{server.url}/api/sessions/{sid}/timeline", headers=ann.headers(), timeout=30
    )
    assert timeline.status_code == 200, timeline.text
    yield World(server, sid, timeline.json()["duration_ms"], people)


def _state(w: World) -> str:
    return f"/state?at={w.duration_ms}"


def _fixed(path: str) -> Callable[[World], str]:
    return lambda _: path


# What the player reads, each as a route of the session (the state takes the recording's end).
READS: list[tuple[str, Callable[[World], str]]] = [
    ("state", _state),
    ("timeline", _fixed("/timeline")),
    ("code log", _fixed("/log?doc=code")),
    ("notes log", _fixed("/log?doc=notes")),
    ("comments", _fixed("/comments")),
    ("scorecards", _fixed("/scorecards")),
]


@pytest.mark.parametrize("who", ["olga", "ann", "rita"])
def test_the_org_owner_the_session_owner_and_the_shared_reviewer_read_the_recording_by_cookie(
    world: World, who: str
) -> None:
    for name, path in READS:
        response = world.call(who, "GET", path(world), csrf=False)
        assert response.status_code == 200, (name, response.text)
    state = world.call(who, "GET", f"/state?at={world.duration_ms}", csrf=False).json()
    assert state["code"]["tree"] == {"main.py": CODE}
    assert "notes" in state  # the hiring team's private parts: a seat as reviewer or better


def test_a_cookie_comment_and_scorecard_need_the_csrf_token_and_carry_the_members_seat(
    world: World,
) -> None:
    body = {"at": 1, "text": "clean solution"}
    forged = world.call("rita", "POST", "/comments", csrf=False, json=body)
    assert (forged.status_code, forged.json()["detail"]) == (403, CSRF_REFUSAL)
    posted = world.call("rita", "POST", "/comments", json=body)
    assert posted.status_code == 201, posted.text
    comments = world.call("rita", "GET", "/comments").json()
    assert [(c["author"], c["role"], c["text"]) for c in comments] == [
        ("rita", "reviewer", "clean solution")
    ]
    card = {"rubric": {}, "recommendation": "hire", "summary": "sorted it"}
    forged = world.call("rita", "POST", "/scorecard", csrf=False, json=card)
    assert (forged.status_code, forged.json()["detail"]) == (403, CSRF_REFUSAL)
    submitted = world.call("rita", "POST", "/scorecard", json=card)
    assert submitted.status_code == 201, submitted.text
    cards = world.call("ann", "GET", "/scorecards").json()
    assert [(c["by"], c["role"], c["recommendation"]) for c in cards] == [
        ("rita", "reviewer", "hire")
    ]


def test_opening_the_replay_by_cookie_is_audited_as_the_member_viewing_the_recording(
    world: World,
) -> None:
    assert world.call("rita", "GET", "/timeline").status_code == 200
    audit = httpx.get(
        f"{world.server.url}/api/audit",
        params={"kind": "recording.viewed", "resource": world.sid},
        headers=world.people["olga"].headers(),
        timeout=30,
    )
    assert audit.status_code == 200, audit.text
    viewers = {e["actor"]["email"] for e in audit.json()["entries"]}
    assert "rita@example.com" in viewers
    rita = next(e for e in audit.json()["entries"] if e["actor"]["email"] == "rita@example.com")
    assert rita["actor"]["id"] == world.people["rita"].user_id
    assert rita["kind"] == "recording.viewed" and rita["resource"] == world.sid


def test_an_unshared_reviewer_is_refused_every_replay_route_with_the_tables_reason(
    world: World,
) -> None:
    for name, path in READS:
        response = world.call("vera", "GET", path(world), csrf=False)
        assert (response.status_code, response.json()["detail"]) == (403, NOT_YOURS), name
    comment = world.call("vera", "POST", "/comments", json={"at": 1, "text": "x"})
    assert (comment.status_code, comment.json()["detail"]) == (403, NOT_YOURS)


def test_a_team_share_opens_it_to_every_member_and_revoking_shares_closes_it_again(
    world: World,
) -> None:
    ann = world.people["ann"]
    assert world.call("tess", "GET", "/timeline").status_code == 403
    team = world.call("ann", "POST", "/access", json={"team": True})
    assert team.status_code == 200, team.text
    for name, path in READS:
        response = world.call("tess", "GET", path(world), csrf=False)
        assert response.status_code == 200, (name, response.text)
    try:
        revoked = world.call("ann", "DELETE", "/access/team")
        assert revoked.status_code == 200, revoked.text
        revoked = world.call("ann", "DELETE", "/access/rita@example.com")
        assert revoked.status_code == 200, revoked.text
        for who in ("tess", "rita"):
            for name, path in READS:
                response = world.call(who, "GET", path(world), csrf=False)
                assert (response.status_code, response.json()["detail"]) == (403, NOT_YOURS), (
                    who,
                    name,
                )
    finally:  # leave rita's share as the other tests found it
        httpx.post(
            f"{world.server.url}/api/sessions/{world.sid}/access",
            json={"emails": ["rita@example.com"]},
            headers=ann.headers(),
            timeout=30,
        )


def test_signed_out_or_without_any_credential_the_replay_routes_answer_401(
    world: World,
) -> None:
    for name, path in READS:
        response = world.call(None, "GET", path(world))
        assert response.status_code == 401, name
    gone = sign_in(world.server, "vera@example.com")
    out = httpx.post(
        f"{world.server.url}/api/auth/sign-out", json={}, headers=gone.headers(), timeout=30
    )
    assert out.status_code in (200, 204), out.text
    for name, path in READS:
        response = httpx.get(
            f"{world.server.url}/api/sessions/{world.sid}{path(world)}",
            headers=gone.headers(csrf=False),
            timeout=30,
        )
        assert (response.status_code, response.json()["detail"]) == (
            401,
            "signed out or expired: sign in again",
        ), name


def _listed_replay(world: World, who: str) -> dict[str, str | None]:
    response = httpx.get(
        f"{world.server.url}/api/sessions", headers=world.people[who].headers(), timeout=30
    )
    assert response.status_code == 200, response.text
    return {s["id"]: s.get("replay_url") for s in response.json()}


def test_the_listing_gives_each_member_who_may_read_the_recording_a_tokenless_replay_url(
    world: World,
) -> None:
    url = f"{world.server.url}/replay/{world.sid}"
    for who in ("olga", "ann", "rita"):
        assert _listed_replay(world, who) == {world.sid: url}, who
    assert _listed_replay(world, "vera") == {}  # not listed: nothing to open
    admin = httpx.get(
        f"{world.server.url}/api/sessions",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=30,
    )
    assert [s.get("replay_url") for s in admin.json()] == [None]  # no sign-in to open it with
    assert "token=" in admin.json()[0]["links"]["replay"]
