"""`GET /api/sessions` filters and pages in the store, on SQLite and on PostgreSQL alike, and the
share list and revocation (`GET/DELETE /api/sessions/{id}/access`) of the dashboard.

One real server per store holds six sessions made by three people (ids s1..s6, oldest first);
each case names the exact ids, in order, and the exact `X-Total-Count`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.accounts.service import COOKIE, CSRF_HEADER
from server.permissions import NOT_YOURS
from tests.scale.postgres import fresh_database
from tests.support.server import ADMIN_TOKEN, ServerProcess

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SCENARIO = "attention-numpy"
PEOPLE = {
    "olga": ("olga@example.com", "owner"),
    "ann": ("ann@example.com", "interviewer"),
    "bob": ("bob@example.com", "interviewer"),
    "rita": ("rita@example.com", "reviewer"),
}


@dataclass
class Person:
    id: str
    headers: dict[str, str]


@dataclass
class World:
    server: ServerProcess
    people: dict[str, Person]
    ids: dict[str, str]  # s1..s6 -> session id
    created: dict[str, str]  # s1..s6 -> created_at as listed
    tokens: dict[str, dict[str, str]]

    def get(self, who: str, **params: Any) -> httpx.Response:
        headers = ADMIN if who == "admin" else self.people[who].headers
        return httpx.get(
            f"{self.server.url}/api/sessions", params=params, headers=headers, timeout=30
        )

    def listed(self, who: str, **params: Any) -> tuple[list[str], int]:
        """The listing as s-names, in order, and its X-Total-Count."""
        response = self.get(who, **params)
        assert response.status_code == 200, response.text
        names = {v: k for k, v in self.ids.items()}
        return [names[s["id"]] for s in response.json()], int(response.headers["X-Total-Count"])


def _member(server: ServerProcess, email: str, role: str) -> Person:
    """Invited by the admin token and signed in by redeeming the invite, all through the API."""
    made = httpx.post(
        f"{server.url}/api/users", json={"email": email, "role": role}, headers=ADMIN, timeout=30
    )
    assert made.status_code == 201, made.text
    token = made.json()["invite_link"].split("#invite=")[1]
    redeemed = httpx.post(
        f"{server.url}/api/auth/invite",
        json={"token": token, "password": "a long enough password"},
        timeout=30,
    )
    assert redeemed.status_code == 200, redeemed.text
    cookie = redeemed.cookies[COOKIE]
    headers = {"Cookie": f"{COOKIE}={cookie}", CSRF_HEADER: redeemed.json()["csrf_token"]}
    return Person(made.json()["user"]["id"], headers)


def _build(server: ServerProcess) -> World:
    people = {k: _member(server, *v) for k, v in PEOPLE.items()}
    plan: list[tuple[str, dict[str, Any], str | None]] = [
        ("ann", {"title": "one"}, "Alice Martin"),
        ("ann", {"title": "two", "scenario": SCENARIO}, "Bob Stone"),
        ("bob", {"title": "three", "scenario": SCENARIO}, "alicia keys"),
        ("bob", {"title": "four"}, None),
        ("admin", {"title": "five"}, "ÉLODIE Durand"),
        ("bob", {"title": "six"}, None),
    ]
    ids: dict[str, str] = {}
    tokens: dict[str, dict[str, str]] = {}
    for n, (who, body, candidate) in enumerate(plan, start=1):
        headers = ADMIN if who == "admin" else people[who].headers
        made = httpx.post(f"{server.url}/api/sessions", json=body, headers=headers, timeout=30)
        assert made.status_code == 201, made.text
        ids[f"s{n}"] = made.json()["id"]
        tokens[f"s{n}"] = made.json()["tokens"]
        if candidate is not None:
            named = httpx.post(
                f"{server.url}/api/sessions/{ids[f's{n}']}/name",
                json={"name": candidate},
                headers={"Authorization": f"Bearer {made.json()['tokens']['candidate']}"},
                timeout=30,
            )
            assert named.status_code == 200, named.text
        time.sleep(0.01)  # distinct creation instants: the date filters cut between them

    def share(s: str, who: str, body: dict[str, Any]) -> None:
        url = f"{server.url}/api/sessions/{ids[s]}/access"
        shared = httpx.post(url, json=body, headers=people[who].headers, timeout=30)
        assert shared.status_code == 200, shared.text

    share("s3", "bob", {"emails": ["ann@example.com"]})
    share("s4", "bob", {"team": True})
    share("s6", "bob", {"emails": ["rita@example.com"]})
    for s in ("s1", "s4"):
        ended = httpx.post(f"{server.url}/api/sessions/{ids[s]}/end", headers=ADMIN, timeout=30)
        assert ended.status_code == 200
    listed = httpx.get(f"{server.url}/api/sessions", headers=ADMIN, timeout=30).json()
    created = {k: next(s["created_at"] for s in listed if s["id"] == v) for k, v in ids.items()}
    return World(server, people, ids, created, tokens)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    env: dict[str, str] = {}
    databases: Iterator[str] | None = None
    if request.param == "postgres":
        databases = fresh_database()
        env["PAIRBOARD_DATABASE_URL"] = next(databases)
    server = ServerProcess(Path(tmp_path_factory.mktemp(f"listing-{request.param}")), env=env)
    server.start()
    try:
        yield _build(server)
    finally:
        server.stop()
        if databases is not None:
            next(databases, None)  # drops the database


def test_each_member_lists_exactly_their_own_and_whats_shared_with_them(world: World) -> None:
    assert world.listed("ann") == (["s4", "s3", "s2", "s1"], 4)  # hers, Bob's shared, the team's
    assert world.listed("ann", scope="mine") == (["s2", "s1"], 2)
    assert world.listed("ann", scope="shared") == (["s4", "s3"], 2)
    assert world.listed("bob", scope="mine") == (["s6", "s4", "s3"], 3)
    assert world.listed("bob", scope="shared") == ([], 0)  # his own team share is "mine"
    assert world.listed("rita") == (["s6", "s4"], 2)  # an ended team share is still listed
    assert world.listed("rita", scope="mine") == ([], 0)  # reviewers own nothing
    assert world.listed("olga") == (["s6", "s5", "s4", "s3", "s2", "s1"], 6)
    assert world.listed("olga", scope="all") == (["s6", "s5", "s4", "s3", "s2", "s1"], 6)
    assert world.listed("olga", scope="shared") == (["s4"], 1)
    assert world.listed("admin") == (["s6", "s5", "s4", "s3", "s2", "s1"], 6)


def test_links_come_only_with_the_sessions_the_caller_may_hand_out(world: World) -> None:
    by_id = {s["id"]: s for s in world.get("ann").json()}
    assert set(by_id[world.ids["s2"]]["links"]) == {
        "interviewer", "candidate", "observer", "replay"
    }  # fmt: skip
    assert set(by_id[world.ids["s1"]]["links"]) == {"replay"}  # ended: the replay alone
    assert "links" not in by_id[world.ids["s3"]]  # shared with her: she reads, not hands out
    assert by_id[world.ids["s3"]]["owner_id"] == world.people["bob"].id
    assert by_id[world.ids["s3"]]["shared"] is True


def test_filters_narrow_the_listing_in_the_store(world: World) -> None:
    assert world.listed("admin", state="ended") == (["s4", "s1"], 2)
    assert world.listed("admin", state="live") == (["s6", "s5", "s3", "s2"], 4)  # waiting too
    assert world.listed("admin", scenario=SCENARIO) == (["s3", "s2"], 2)
    assert world.listed("admin", candidate="ALI") == (["s3", "s1"], 2)
    assert world.listed("admin", candidate="élodie") == (["s5"], 1)  # beyond ASCII
    assert world.listed("admin", candidate="%") == ([], 0)  # LIKE's wildcards are literal
    assert world.listed("admin", candidate="_") == ([], 0)
    assert world.listed("ann", scope="shared", state="ended") == (["s4"], 1)
    assert world.listed("ann", candidate="alic", state="live") == (["s3"], 1)


def test_creation_dates_cut_by_day_and_by_instant(world: World) -> None:
    today = datetime.now(UTC).date()
    assert world.listed("admin", created_from=str(today)) == (
        ["s6", "s5", "s4", "s3", "s2", "s1"], 6
    )  # fmt: skip
    assert world.listed("admin", created_to=str(today)) == (
        ["s6", "s5", "s4", "s3", "s2", "s1"], 6
    )  # fmt: skip  # a date is the whole day
    assert world.listed("admin", created_from=str(today + timedelta(days=1))) == ([], 0)
    assert world.listed("admin", created_to=str(today - timedelta(days=1))) == ([], 0)
    # An instant: from is inclusive, to exclusive.
    assert world.listed("admin", created_from=world.created["s3"]) == (
        ["s6", "s5", "s4", "s3"], 4
    )  # fmt: skip
    assert world.listed("admin", created_to=world.created["s3"]) == (["s2", "s1"], 2)
    between = {"created_from": world.created["s2"], "created_to": world.created["s5"]}
    assert world.listed("admin", **between) == (["s4", "s3", "s2"], 3)


def test_pages_follow_each_other_and_the_total_counts_every_match(world: World) -> None:
    assert world.listed("admin", limit=2) == (["s6", "s5"], 6)
    assert world.listed("admin", limit=2, offset=2) == (["s4", "s3"], 6)
    assert world.listed("admin", limit=2, offset=4) == (["s2", "s1"], 6)
    assert world.listed("admin", limit=2, offset=6) == ([], 6)
    assert world.listed("ann", limit=3, offset=1) == (["s3", "s2", "s1"], 4)
    assert world.listed("admin", state="live", limit=1, offset=1) == (["s5"], 4)


@pytest.mark.parametrize(
    ("who", "params", "status", "detail"),
    [
        ("admin", {"state": "paused"}, 422, "state must be live or ended"),
        ("admin", {"limit": "0"}, 422, "limit must be between 1 and 200"),
        ("admin", {"limit": "201"}, 422, "limit must be between 1 and 200"),
        ("admin", {"limit": "ten"}, 422, "limit must be a whole number, not 'ten'"),
        ("admin", {"offset": "-1"}, 422, f"offset must be between 0 and {2**53 - 1}"),
        ("admin", {"created_from": "tomorrow"}, 422,
         "created_from must be a date (YYYY-MM-DD) or an ISO date-time"),
        ("admin", {"created_to": "2026-12-03T10:00:00"}, 422,
         "created_to must say its time zone (e.g. 2026-12-03T09:00:00Z)"),
        ("admin", {"created_from": "2026-12-04", "created_to": "2026-12-03"}, 422,
         "created_from is after created_to"),
        ("admin", {"created_to": "9999-12-31"}, 422,
         "created_to must be a date (YYYY-MM-DD) or an ISO date-time"),
        ("admin", {"candidate": " "}, 422, "candidate is empty"),
        ("admin", {"candidate": "x" * 201}, 422, "candidate is longer than 200 characters"),
        ("admin", {"scenario": "a\x01"}, 422, "scenario has control characters"),
        ("admin", {"sort": "title"}, 422, "unknown filter 'sort' (filters: candidate, "
         "created_from, created_to, limit, offset, scenario, scope, state)"),
        ("admin", {"scope": "everything"}, 422, "scope must be one of mine, shared, all"),
        ("admin", {"scope": "mine"}, 422,
         "scope=mine needs a signed-in member: the admin token owns nothing"),
        ("ann", {"scope": "all"}, 403,
         "scope=all lists every session: for the organisation's owners"),
        ("rita", {"scope": "all"}, 403,
         "scope=all lists every session: for the organisation's owners"),
    ],
)  # fmt: skip
def test_a_bad_filter_is_refused_with_its_reason(
    world: World, who: str, params: dict[str, str], status: int, detail: str
) -> None:
    response = world.get(who, **params)
    assert (response.status_code, response.json()["detail"]) == (status, detail)


def test_links_and_anonymous_callers_list_nothing(world: World) -> None:
    link = {"Authorization": f"Bearer {world.tokens['s2']['interviewer']}"}
    url = f"{world.server.url}/api/sessions"
    refused = httpx.get(url, headers=link, timeout=30)
    assert (refused.status_code, refused.json()["detail"]) == (
        403, "the interviewer role cannot do this"
    )  # fmt: skip
    anonymous = httpx.get(url, timeout=30)
    assert (anonymous.status_code, anonymous.json()["detail"]) == (401, "missing bearer token")


def test_shares_are_listed_and_revoked_one_by_one_each_revocation_audited(world: World) -> None:
    s2 = world.ids["s2"]
    url = f"{world.server.url}/api/sessions/{s2}/access"
    ann, rita = world.people["ann"], world.people["rita"]
    shared = httpx.post(
        url, json={"emails": ["rita@example.com"], "team": True}, headers=ann.headers, timeout=30
    )
    assert shared.status_code == 200, shared.text
    assert world.listed("rita") == (["s6", "s4", "s2"], 3)
    listing = httpx.get(url, headers=ann.headers, timeout=30).json()
    assert listing == {
        "owner": {"id": ann.id, "email": "ann@example.com", "name": "ann", "role": "interviewer"},
        "shared_with": [
            {"id": rita.id, "email": "rita@example.com", "name": "rita", "role": "reviewer"}
        ],
        "team": True,
    }
    # Bob sits on it as a reviewer now (the team share): reviewers read, they do not share.
    refused = httpx.get(url, headers=world.people["bob"].headers, timeout=30)
    assert (refused.status_code, refused.json()["detail"]) == (
        403, "the reviewer role cannot do this"
    )  # fmt: skip
    s1 = f"{world.server.url}/api/sessions/{world.ids['s1']}/access"
    foreign = httpx.get(s1, headers=world.people["bob"].headers, timeout=30)
    assert (foreign.status_code, foreign.json()["detail"]) == (403, NOT_YOURS)

    gone = httpx.delete(f"{url}/RITA@example.com", headers=ann.headers, timeout=30)
    assert gone.json() == {"owner": ann.id, "shared_with": [], "team": True}
    assert world.listed("rita") == (["s6", "s4", "s2"], 3)  # still: the team share
    team = httpx.delete(f"{url}/team", headers=ann.headers, timeout=30)
    assert team.json() == {"owner": ann.id, "shared_with": [], "team": False}
    assert world.listed("rita") == (["s6", "s4"], 2)
    assert httpx.get(url, headers=ann.headers, timeout=30).json()["team"] is False

    again = httpx.delete(f"{url}/team", headers=ann.headers, timeout=30)
    assert (again.status_code, again.json()["detail"]) == (
        404, "this session is not shared with the team"
    )  # fmt: skip
    nobody = httpx.delete(f"{url}/{rita.id}", headers=ann.headers, timeout=30)
    assert (nobody.status_code, nobody.json()["detail"]) == (
        404, f"this session is not shared with {rita.id!r}"
    )  # fmt: skip
    log = httpx.get(
        f"{world.server.url}/api/audit",
        params={"kind": "session.access_revoked", "resource": s2},
        headers=world.people["olga"].headers,
        timeout=30,
    ).json()["entries"]
    assert [(e["actor"]["id"], e["details"]) for e in log] == [
        (ann.id, {"team": True}),
        (ann.id, {"users": [rita.id]}),
    ]
