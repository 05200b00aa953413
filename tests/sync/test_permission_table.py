"""The permission table and the running server agree, for every route and every doc.

Cases are generated from `server.permissions`: every API route declares its `Action` (read back
from its `Authorize` dependency, so a route without one fails here), every principal asks, on a
live session and on an ended one, and the answer must be exactly the table's: a refusal with its
status and reason, or an allowed call that gets past authorization (any status but 401/403/5xx;
allowed calls carry a body of the wrong shape, so nothing expensive such as a kernel runs). For
docs, each role opens each doc and writes to it; the handshake and the fate of the write follow
`DOC_READ` and `DOC_WRITE`.

Principals: the admin token; the four link roles; signed-in members through their sign-in
cookie and CSRF token (the organisation's owner, the interviewer who created the session, an
interviewer who did not, a reviewer it is shared with, a reviewer it is not); the owning
interviewer's read-only personal API token; and anonymous.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import websockets
from fastapi.routing import APIRoute
from pycrdt import Text

from server.access import CSRF_REFUSAL
from server.api.deps import Authorize, AuthorizeOrg
from server.app import create_app
from server.auth import Capability
from server.documents import DOCS, DocName
from server.permissions import (
    DOC_ACTIONS,
    ORG_ACTIONS,
    TABLE,
    Action,
    Admin,
    Anonymous,
    Decision,
    LinkBearer,
    Member,
    Principal,
    SessionFacts,
    decide,
)
from server.settings import Settings
from tests.support.accounts import SignedIn, add_users, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until

LINK_ROLES = ("interviewer", "candidate", "observer", "reviewer")
CLIENT = httpx.Client(timeout=30)  # keep-alive: hundreds of calls, one connection
# Members, by how they stand towards the sessions the test makes (all created by "owning").
MEMBERS = {
    "org owner": ("owner@example.com", "owner"),
    "interviewer who owns": ("ann@example.com", "interviewer"),
    "interviewer who does not": ("bob@example.com", "interviewer"),
    "reviewer shared": ("rita@example.com", "reviewer"),
    "reviewer not shared": ("ray@example.com", "reviewer"),
}


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    action: Action


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """The app's routes, looking inside included routers (FastAPI wraps them)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out.extend(api_routes(route.original_router.routes))
    return out


def declared_routes(tmp_path_factory: pytest.TempPathFactory) -> list[RouteCase]:
    """Every API route of the real app with the action its permission dependency names."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("routes"))
    app = create_app(settings)
    cases: list[RouteCase] = []
    for route in api_routes(app.routes):
        if not route.path.startswith("/api/"):
            continue
        calls = [d.call for d in route.dependant.dependencies]
        actions = [c.action for c in calls if isinstance(c, Authorize | AuthorizeOrg)]
        assert len(actions) == 1, f"{route.path} declares {len(actions)} permission actions"
        for method in sorted(route.methods):
            cases.append(RouteCase(method, route.path, actions[0]))
    assert len(cases) >= 32  # sessions, runs, scenario, replay, and the accounts APIs
    return cases


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> list[RouteCase]:
    return declared_routes(tmp_path_factory)


def capability_of(token: str) -> Capability:
    """The payload of a link we were just given (no signature check: the server made it)."""
    body = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    return Capability(body["s"], body["r"], body["n"], body["i"], body["e"])


class Members:
    """The organisation's users, each signed in; `renew` after a sign-out case revoked one."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        add_users(server, list(MEMBERS.values()))
        self.signed: dict[str, SignedIn] = {k: sign_in(server, v[0]) for k, v in MEMBERS.items()}
        # A read-only personal API token of the interviewer who owns the sessions.
        made = httpx.post(
            f"{server.url}/api/tokens",
            json={"name": "ci", "scopes": ["sessions:read"]},
            headers=self.signed["interviewer who owns"].headers(),
        )
        assert made.status_code == 201, made.text
        self.read_token: str = made.json()["token"]
        owner = self.principal("interviewer who owns")
        self.read_token_principal = Member(
            owner.user_id, owner.role, owner.name, frozenset({"sessions:read"})
        )

    def renew(self, name: str) -> None:
        self.signed[name] = sign_in(self.server, MEMBERS[name][0])

    def principal(self, name: str) -> Member:
        s = self.signed[name]
        return Member(s.user_id, s.role, s.name)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def members(server: ServerProcess) -> Members:
    return Members(server)


class Session:
    """A fresh session created by "interviewer who owns", shared with "reviewer shared", and a
    link for each role (the reviewer's shared before any end)."""

    def __init__(self, server: ServerProcess, members: Members) -> None:
        owner = members.signed["interviewer who owns"]
        created = httpx.post(
            f"{server.url}/api/sessions", json={"title": "permissions"}, headers=owner.headers()
        )
        assert created.status_code == 201, created.text
        self.id: str = created.json()["id"]
        self.tokens: dict[str, str] = dict(created.json()["tokens"])
        shared = httpx.post(
            f"{server.url}/api/sessions/{self.id}/share",
            headers={"Authorization": f"Bearer {self.tokens['interviewer']}"},
        )
        assert shared.status_code == 200, shared.text
        self.tokens["reviewer"] = shared.json()["token"]
        with_user = httpx.post(
            f"{server.url}/api/sessions/{self.id}/access",
            json={"emails": [MEMBERS["reviewer shared"][0]]},
            headers=owner.headers(),
        )
        assert with_user.status_code == 200, with_user.text
        self.owner_id = owner.user_id
        self.shared_with = frozenset({members.signed["reviewer shared"].user_id})

    def facts(self, state: str, ended_at_ms: int | None = None) -> SessionFacts:
        return SessionFacts(
            state=state,
            ended_at_ms=ended_at_ms,
            owner_id=self.owner_id,
            shared_with=self.shared_with,
        )


def ask(
    server: ServerProcess,
    case: RouteCase,
    session_id: str,
    token: str | None,
    signed: SignedIn | None = None,
) -> httpx.Response:
    # An attachment named `.bin` (no such type) is refused with 422 before any work is done.
    path = case.path.format(
        session_id=session_id,
        run_id="r0",
        event_id="e0",
        hint_id="h0",
        token_id="t0",
        user_id="u0",
        member_or_team="u0",
        name="x.bin",
        webhook_id="wh0",
        delivery_id="whd0",
    )
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    if signed is not None:
        headers = signed.headers()
    # A JSON list is the wrong shape for every body this API takes: an allowed call stops at
    # validation (422) instead of doing the work.
    return CLIENT.request(
        case.method, f"{server.url}{path}", headers=headers, json=[], params={"at": 0}
    )


def expect(response: httpx.Response, decision: Decision, what: str) -> None:
    if decision.allowed:
        assert response.status_code not in (401, 403) and response.status_code < 500, (
            f"{what}: allowed by the table, got {response.status_code} {response.text}"
        )
    else:
        got = (response.status_code, response.json().get("detail"))
        assert got == (decision.status, decision.reason), f"{what}: {got}"


def expected(principal: Principal, action: Action, facts: SessionFacts) -> Decision:
    """The table's answer: organisation-wide actions are asked without a session, except by a
    link (checked against its own session, which is the one under test)."""
    if action in ORG_ACTIONS and not isinstance(principal, LinkBearer):
        return decide(principal, action)
    return decide(principal, action, facts)


def ask_everyone(
    server: ServerProcess,
    members: Members,
    case: RouteCase,
    session: Session,
    facts: SessionFacts,
    what: str,
) -> None:
    for role in LINK_ROLES:
        token = session.tokens[role]
        decision = expected(LinkBearer(capability_of(token)), case.action, facts)
        expect(ask(server, case, session.id, token), decision, f"{what} as {role}")
    for name in MEMBERS:
        decision = expected(members.principal(name), case.action, facts)
        response = ask(server, case, session.id, None, members.signed[name])
        expect(response, decision, f"{what} as {name}")
        if case.path == "/api/auth/sign-out" and decision.allowed:
            members.renew(name)
    decision = expected(members.read_token_principal, case.action, facts)
    response = ask(server, case, session.id, members.read_token)
    expect(response, decision, f"{what} with the owner's read-only API token")
    decision = expected(Anonymous(), case.action, facts)
    expect(ask(server, case, session.id, None), decision, f"{what} as anonymous")


def test_every_action_of_the_table_is_a_route_or_a_doc_and_every_route_one_of_its_actions(
    routes: list[RouteCase],
) -> None:
    """The table and the app cannot drift apart: an action without a route (or doc) is dead
    policy, and a route whose action is not in the table could not be decided."""
    declared = {case.action for case in routes}
    assert declared <= set(TABLE)
    # REPLAY_READ_PRIVATE is asked inside the replay routes: what a reader gets, not whether.
    assert set(TABLE) - declared == DOC_ACTIONS | {Action.REPLAY_READ_PRIVATE}
    # The owners-only and privacy routes are among them (erase and its export: issue 13).
    by_path = {(case.method, case.path): case.action for case in routes}
    assert by_path[("GET", "/api/audit")] is Action.AUDIT_READ
    assert by_path[("GET", "/api/audit.jsonl")] is Action.AUDIT_READ
    assert by_path[("POST", "/api/sessions/{session_id}/erase")] is Action.SESSION_ERASE
    assert by_path[("GET", "/api/sessions/{session_id}/subject-export")] is Action.SUBJECT_EXPORT
    # The scorecard and the webhooks (issue 13).
    assert by_path[("POST", "/api/sessions/{session_id}/scorecard")] is Action.SCORECARD_SUBMIT
    assert by_path[("GET", "/api/sessions/{session_id}/scorecards")] is Action.SCORECARD_READ
    for method, path in (
        ("GET", "/api/webhooks"),
        ("POST", "/api/webhooks"),
        ("DELETE", "/api/webhooks/{webhook_id}"),
        ("GET", "/api/webhooks/{webhook_id}/deliveries"),
        ("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"),
    ):
        assert by_path[(method, path)] is Action.WEBHOOK_MANAGE, path


def test_every_route_on_a_live_session_answers_each_principal_as_the_table_says(
    server: ServerProcess, routes: list[RouteCase], members: Members
) -> None:
    # Allowed calls stop at validation, so one session serves every route but End, which is
    # asked by each principal on a live session of its own.
    session = Session(server, members)
    foreign_token = Session(server, members).tokens["interviewer"]
    facts = session.facts("live")
    for case in routes:
        what = f"{case.method} {case.path}"
        if case.action is Action.SESSION_END:
            ask_one_by_one(server, members, case)
            continue
        decision = expected(Admin(), case.action, facts)
        expect(ask(server, case, session.id, ADMIN_TOKEN), decision, f"{what} as admin")
        ask_everyone(server, members, case, session, facts, what)
        if case.action not in ORG_ACTIONS:
            foreign = ask(server, case, session.id, foreign_token)
            got = (foreign.status_code, foreign.json()["detail"])
            assert got == (403, "token is for another session"), what


def ask_one_by_one(server: ServerProcess, members: Members, case: RouteCase) -> None:
    """Ending: every principal on a live session of its own."""
    session = Session(server, members)
    decision = expected(Admin(), case.action, session.facts("live"))
    expect(ask(server, case, session.id, ADMIN_TOKEN), decision, "end as admin")
    for role in LINK_ROLES:
        session = Session(server, members)
        token = session.tokens[role]
        decision = expected(LinkBearer(capability_of(token)), case.action, session.facts("live"))
        expect(ask(server, case, session.id, token), decision, f"end as {role}")
    for name in MEMBERS:
        session = Session(server, members)
        decision = expected(members.principal(name), case.action, session.facts("live"))
        response = ask(server, case, session.id, None, members.signed[name])
        expect(response, decision, f"end as {name}")


def test_every_route_on_an_ended_session_keeps_only_what_the_table_keeps(
    server: ServerProcess, routes: list[RouteCase], members: Members
) -> None:
    session = Session(server, members)
    ended = httpx.post(
        f"{server.url}/api/sessions/{session.id}/end",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert ended.status_code == 200
    facts = session.facts("ended", int(ended.json()["ended_at"]))
    for case in routes:
        what = f"{case.method} {case.path} after the end"
        decision = expected(Admin(), case.action, facts)
        expect(ask(server, case, session.id, ADMIN_TOKEN), decision, f"{what} as admin")
        ask_everyone(server, members, case, session, facts, what)


def test_a_cookie_without_its_csrf_token_changes_nothing_and_one_signed_out_reads_nothing(
    server: ServerProcess, members: Members
) -> None:
    session = Session(server, members)
    owner = members.signed["interviewer who owns"]
    url = f"{server.url}/api/sessions/{session.id}"
    forged = httpx.post(f"{url}/end", headers=owner.headers(csrf=False))
    assert (forged.status_code, forged.json()["detail"]) == (403, CSRF_REFUSAL)
    wrong = httpx.post(f"{url}/end", headers={**owner.headers(csrf=False), "X-CSRF-Token": "guess"})
    assert (wrong.status_code, wrong.json()["detail"]) == (403, CSRF_REFUSAL)
    assert httpx.get(url, headers=owner.headers(csrf=False)).json()["state"] == "live"
    out = httpx.post(f"{server.url}/api/auth/sign-out", headers=owner.headers())
    assert out.status_code == 200
    gone = httpx.get(url, headers=owner.headers())
    assert (gone.status_code, gone.json()["detail"]) == (
        401,
        "signed out or expired: sign in again",
    )
    members.renew("interviewer who owns")


def kept_after_end(role: str) -> set[Action]:
    link = LinkBearer(Capability("s", role, "R", issued_at_ms=1, expires_at=2**40))  # type: ignore[arg-type]
    facts = SessionFacts(state="ended", ended_at_ms=10)
    return {a for a in Action if a not in ORG_ACTIONS and decide(link, a, facts).allowed}


RECORDING = {
    Action.REPLAY_READ,
    Action.REPLAY_READ_PRIVATE,
    Action.COMMENT_READ,
    Action.COMMENT_WRITE,
    Action.RECORDING_EXPORT,
    Action.NOTEBOOK_EXPORT,
    Action.SCENARIO_VIEW,  # the scorecard's rubric criteria
    Action.SCORECARD_SUBMIT,  # the hiring team decides from the recording
    Action.SCORECARD_READ,
}


def test_the_table_keeps_reviewer_links_for_the_recording_and_nothing_else() -> None:
    """What the ended-session matrix relies on, stated plainly."""
    assert kept_after_end("reviewer") == RECORDING


def test_the_interviewers_own_link_keeps_their_recording_and_sharing_it_after_the_end() -> None:
    """The interviewer returns to an ended room and can open, comment on, export and share the
    replay; they can no longer run, control or change anything, and the candidate keeps nothing."""
    assert kept_after_end("interviewer") == RECORDING | {
        Action.SESSION_READ,
        Action.SESSION_SHARE,
    }
    assert kept_after_end("candidate") == set()
    assert kept_after_end("observer") == set()


async def handshake_status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        async with websockets.connect(url, additional_headers=headers):
            return 101
    except websockets.InvalidStatus as exc:
        return int(exc.response.status_code)


async def test_every_doc_admits_and_applies_writes_exactly_as_the_table_says(
    server: ServerProcess, members: Members
) -> None:
    session = Session(server, members)
    facts = SessionFacts(state="live")

    def ws(doc: str, token: str) -> str:
        return f"{server.ws_url}/ws/{session.id}/{doc}?token={token}"

    owner = members.signed["interviewer who owns"]
    for doc in DOCS:
        assert await handshake_status(ws(doc, ADMIN_TOKEN)) == 403  # the admin has no room
        # Nor a member: the browser's sign-in cookie opens no room (links carry the seat).
        bare = f"{server.ws_url}/ws/{session.id}/{doc}"
        assert await handshake_status(bare, {"Cookie": owner.headers()["Cookie"]}) == 403
        member = members.principal("interviewer who owns")
        assert not decide(member, Action.DOC_READ, session.facts("live"), doc).allowed
        assert not decide(Admin(), Action.DOC_READ, facts, doc).allowed
        async with YClient(ws(doc, session.tokens["interviewer"])) as witness:
            await witness.synced.wait()
            for role in LINK_ROLES:
                token = session.tokens[role]
                principal = LinkBearer(capability_of(token))
                readable = decide(principal, Action.DOC_READ, facts, doc).allowed
                status = await handshake_status(ws(doc, token))
                assert status == (101 if readable else 403), f"{role} opening {doc}"
                if not readable:
                    continue
                async with YClient(ws(doc, token)) as client:
                    await client.synced.wait()
                    mark = f"{role} wrote {doc}"
                    client.doc.get("probe", type=Text).insert(0, mark + ";")
                    probe = witness.doc.get("probe", type=Text)
                    if decide(principal, Action.DOC_WRITE, facts, DocName(doc)).allowed:
                        await wait_until(lambda m=mark, p=probe: m in str(p), what=mark)
                    else:
                        await asyncio.sleep(0.3)
                        assert mark not in str(probe), f"{role}'s write to {doc} was applied"
                        assert client.close_code is None  # dropped silently, socket open


async def test_unknown_docs_are_refused_at_the_handshake(
    server: ServerProcess, members: Members
) -> None:
    session = Session(server, members)
    url = f"{server.ws_url}/ws/{session.id}/secrets?token={session.tokens['interviewer']}"
    assert await handshake_status(url) == 403
