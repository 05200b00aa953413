"""The permission table and the running server agree, for every route and every doc.

Cases are generated from `server.permissions`: every API route declares its `Action` (read back
from its `Authorize` dependency, so a route without one fails here), every principal asks, on a
live session and on an ended one, and the answer must be exactly the table's: a refusal with its
status and reason, or an allowed call that gets past authorization (any status but 401/403/5xx;
allowed calls carry a body of the wrong shape, so nothing expensive such as a kernel runs). For
docs, each role opens each doc and writes to it; the handshake and the fate of the write follow
`DOC_READ` and `DOC_WRITE`.
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

from server.api.deps import Authorize, AuthorizeOrg
from server.app import create_app
from server.auth import Capability
from server.documents import DOCS, DocName
from server.permissions import (
    ORG_ACTIONS,
    Action,
    Admin,
    Decision,
    LinkBearer,
    Principal,
    SessionFacts,
    decide,
)
from server.settings import Settings
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until

LINK_ROLES = ("interviewer", "candidate", "observer", "reviewer")


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
    assert len(cases) >= 25  # every route of the sessions, runs, scenario and replay APIs
    return cases


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> list[RouteCase]:
    return declared_routes(tmp_path_factory)


def capability_of(token: str) -> Capability:
    """The payload of a link we were just given (no signature check: the server made it)."""
    body = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    return Capability(body["s"], body["r"], body["n"], body["i"], body["e"])


class Session:
    """A fresh session and a link for each role (the reviewer's shared before any end)."""

    def __init__(self, server: ServerProcess) -> None:
        created = server.create_session(title="permissions")
        self.id: str = created["id"]
        self.tokens: dict[str, str] = dict(created["tokens"])
        shared = httpx.post(
            f"{server.url}/api/sessions/{self.id}/share",
            headers={"Authorization": f"Bearer {self.tokens['interviewer']}"},
        )
        assert shared.status_code == 200, shared.text
        self.tokens["reviewer"] = shared.json()["token"]


def ask(
    server: ServerProcess, case: RouteCase, session_id: str, token: str | None
) -> httpx.Response:
    path = case.path.format(session_id=session_id, run_id="r0", event_id="e0", hint_id="h0")
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    # A JSON list is the wrong shape for every body this API takes: an allowed call stops at
    # validation (422) instead of doing the work.
    return httpx.request(
        case.method, f"{server.url}{path}", headers=headers, json=[], params={"at": 0}, timeout=30
    )


def expect(response: httpx.Response, decision: Decision, what: str) -> None:
    if decision.allowed:
        assert response.status_code not in (401, 403) and response.status_code < 500, (
            f"{what}: allowed by the table, got {response.status_code} {response.text}"
        )
    else:
        got = (response.status_code, response.json().get("detail"))
        assert got == (decision.status, decision.reason), f"{what}: {got}"


def principals(session: Session) -> list[tuple[str, str, Principal]]:
    out: list[tuple[str, str, Principal]] = [("admin", ADMIN_TOKEN, Admin())]
    for role in LINK_ROLES:
        token = session.tokens[role]
        out.append((role, token, LinkBearer(capability_of(token))))
    return out


def test_every_route_on_a_live_session_answers_each_principal_as_the_table_says(
    server: ServerProcess, routes: list[RouteCase]
) -> None:
    facts = SessionFacts(state="live")
    for case in routes:
        what = f"{case.method} {case.path}"
        for name in ("admin", *LINK_ROLES):
            # A session of its own per call: an allowed End must not change the next answer.
            session = Session(server)
            token = ADMIN_TOKEN if name == "admin" else session.tokens[name]
            principal: Principal = Admin() if name == "admin" else LinkBearer(capability_of(token))
            decision = (
                decide(principal, case.action)
                if case.action in ORG_ACTIONS and isinstance(principal, Admin)
                else decide(principal, case.action, facts)
            )
            expect(ask(server, case, session.id, token), decision, f"{what} as {name}")
        session = Session(server)
        anonymous = ask(server, case, session.id, None)
        assert (anonymous.status_code, anonymous.json()["detail"]) == (401, "missing bearer token")
        if case.action not in ORG_ACTIONS:
            foreign = ask(server, case, session.id, Session(server).tokens["interviewer"])
            got = (foreign.status_code, foreign.json()["detail"])
            assert got == (403, "token is for another session"), what


def test_every_route_on_an_ended_session_keeps_only_what_the_table_keeps(
    server: ServerProcess, routes: list[RouteCase]
) -> None:
    session = Session(server)
    ended = httpx.post(
        f"{server.url}/api/sessions/{session.id}/end",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert ended.status_code == 200
    facts = SessionFacts(state="ended", ended_at_ms=int(ended.json()["ended_at"]))
    for case in routes:
        for name, token, principal in principals(session):
            org_admin = case.action in ORG_ACTIONS and isinstance(principal, Admin)
            decision = decide(principal, case.action, None if org_admin else facts)
            response = ask(server, case, session.id, token)
            expect(response, decision, f"{case.method} {case.path} as {name} after the end")


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


async def handshake_status(url: str) -> int:
    try:
        async with websockets.connect(url):
            return 101
    except websockets.InvalidStatus as exc:
        return int(exc.response.status_code)


async def test_every_doc_admits_and_applies_writes_exactly_as_the_table_says(
    server: ServerProcess,
) -> None:
    session = Session(server)
    facts = SessionFacts(state="live")

    def ws(doc: str, token: str) -> str:
        return f"{server.ws_url}/ws/{session.id}/{doc}?token={token}"

    for doc in DOCS:
        assert await handshake_status(ws(doc, ADMIN_TOKEN)) == 403  # the admin has no room
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


async def test_unknown_docs_are_refused_at_the_handshake(server: ServerProcess) -> None:
    session = Session(server)
    url = f"{server.ws_url}/ws/{session.id}/secrets?token={session.tokens['interviewer']}"
    assert await handshake_status(url) == 403
