"""Every websocket doc x every principal x a live and an ended session, through real handshakes,
each answered exactly as the permission table (`server.permissions.decide`) says.

Principals: the organisation's owner, the interviewer who owns the session, an interviewer who
does not, a reviewer it is shared with and one it is not (each by their sign-in cookie, as a
browser would send it); the four session links (interviewer, candidate, observer, reviewer); the
owning interviewer's personal API token; the admin token; and anonymous. A refusal must be HTTP
403 at the handshake with the table's reason as the body's `detail`; an admission must be 101,
and a write over it must be applied or dropped (socket left open) as `DOC_WRITE` says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
import websockets
from pycrdt import Text

from server.documents import DOCS, DocName
from server.permissions import (
    MEMBER_REFUSAL,
    Action,
    Admin,
    Anonymous,
    Decision,
    LinkBearer,
    Principal,
    SessionFacts,
    decide,
)
from tests.support.server import ADMIN_TOKEN, ServerProcess
from tests.support.yclient import YClient, wait_until
from tests.sync.test_permission_table import MEMBERS, Members, Session, capability_of

LINK_ROLES = ("interviewer", "candidate", "observer", "reviewer")


@dataclass(frozen=True)
class Caller:
    """One principal and the credential its browser or script sends on the websocket."""

    what: str
    principal: Principal
    token: str | None = None  # `?token=`
    cookie: str | None = None  # the sign-in cookie header


@pytest.fixture(scope="module")
def members(server: ServerProcess) -> Members:
    return Members(server)


def callers(session: Session, members: Members) -> list[Caller]:
    out = [Caller(f"{role} link", LinkBearer(capability_of(session.tokens[role])),
                  token=session.tokens[role]) for role in LINK_ROLES]  # fmt: skip
    for name in MEMBERS:
        cookie = members.signed[name].headers(csrf=False)["Cookie"]
        out.append(Caller(name, members.principal(name), cookie=cookie))
    out.append(Caller("API token", members.read_token_principal, token=members.read_token))
    out.append(Caller("admin token", Admin(), token=ADMIN_TOKEN))
    out.append(Caller("anonymous", Anonymous()))
    return out


async def handshake(server: ServerProcess, session_id: str, doc: str, caller: Caller) -> Decision:
    """The server's answer to the handshake, as a decision: 101 is an admission; a refusal is
    403 with the reason the server gave in its body."""
    url = f"{server.ws_url}/ws/{session_id}/{doc}"
    if caller.token is not None:
        url += f"?token={caller.token}"
    headers = {} if caller.cookie is None else {"Cookie": caller.cookie}
    try:
        async with websockets.connect(url, additional_headers=headers):
            return Decision(True)
    except websockets.InvalidStatus as exc:
        body = json.loads(exc.response.body or b"{}")
        return Decision(False, int(exc.response.status_code), str(body.get("detail")))


def at_the_handshake(decision: Decision) -> Decision:
    """Every refusal is a 403 at the handshake (the stock client treats them alike)."""
    return decision if decision.allowed else Decision(False, 403, decision.reason)


async def check_write(
    server: ServerProcess, session: Session, doc: str, caller: Caller, facts: SessionFacts
) -> None:
    """An admitted caller writes a mark; the interviewer link's witness sees it iff allowed."""
    base = f"{server.ws_url}/ws/{session.id}/{doc}?token="
    async with (
        YClient(base + session.tokens["interviewer"]) as witness,
        YClient(base + (caller.token or "")) as client,
    ):
        await witness.synced.wait()
        await client.synced.wait()
        mark = f"{caller.what} wrote {doc};"
        client.doc.get("probe", type=Text).insert(0, mark)
        probe = witness.doc.get("probe", type=Text)
        if decide(caller.principal, Action.DOC_WRITE, facts, DocName(doc)).allowed:
            await wait_until(lambda: mark in str(probe), what=mark)
        else:
            await asyncio.sleep(0.3)
            assert mark not in str(probe), f"{caller.what}'s write to {doc} was applied"
            assert client.close_code is None  # dropped silently, the socket stays open


async def walk(
    server: ServerProcess,
    session: Session,
    members: Members,
    facts: SessionFacts,
    on_admitted: Callable[[str, Caller], Awaitable[None]] | None,
) -> list[Decision]:
    seen: list[Decision] = []
    for doc in DOCS:
        for caller in callers(session, members):
            want = at_the_handshake(decide(caller.principal, Action.DOC_READ, facts, DocName(doc)))
            got = await handshake(server, session.id, doc, caller)
            assert got == want, f"{caller.what} opening {doc} ({facts.state}): {got}"
            seen.append(got)
            if got.allowed and on_admitted is not None:
                await on_admitted(doc, caller)
    return seen


async def test_every_doc_answers_every_principal_on_a_live_session_as_the_table_says(
    server: ServerProcess, members: Members
) -> None:
    session = Session(server, members)
    facts = session.facts("live")

    async def write(doc: str, caller: Caller) -> None:
        await check_write(server, session, doc, caller, facts)

    seen = await walk(server, session, members, facts, write)
    admitted = sum(d.allowed for d in seen)
    # The links' readers per doc: 4 roles on code, board, console, notebook; 2 on notes.
    assert admitted == 4 * 4 + 2
    reasons = {d.reason for d in seen if not d.allowed}
    assert reasons == {
        "the candidate role cannot do this",
        "the observer role cannot do this",
        MEMBER_REFUSAL,
        "the admin token opens no room",
        "missing bearer token",
    }


async def test_every_doc_refuses_every_principal_once_the_session_has_ended(
    server: ServerProcess, members: Members
) -> None:
    session = Session(server, members)
    ended = httpx.post(
        f"{server.url}/api/sessions/{session.id}/end",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=30,
    )
    assert ended.status_code == 200, ended.text
    facts = session.facts("ended", int(ended.json()["ended_at"]))
    seen = await walk(server, session, members, facts, None)
    assert not any(d.allowed for d in seen)  # a room is live work: the replay reads the log
    assert {d.reason for d in seen} == {
        "session has ended",
        MEMBER_REFUSAL,
        "the admin token opens no room",
        "missing bearer token",
    }
