"""The notice is enforced where the room is: a candidate's websocket handshake is refused (403,
with the reason in its body) on every doc until the notice is acknowledged, then the same link
joins and edits; the interviewer was never held up; the candidate sees their acknowledgement
in the console doc (the recording) like everyone in the room."""

from __future__ import annotations

import json

import httpx
import websockets
from pycrdt import Array

from server.documents import DOCS, DocName
from server.permissions import NOTICE_REFUSAL
from tests.org.conftest import ADMIN, Org
from tests.support.yclient import YClient, wait_until


async def refusal(url: str) -> tuple[int, dict[str, str]]:
    try:
        async with websockets.connect(url):
            raise AssertionError(f"{url} was admitted")
    except websockets.InvalidStatus as exc:
        return exc.response.status_code, json.loads(exc.response.body or b"{}")


async def test_the_candidate_is_refused_every_doc_until_acknowledging_then_joins_and_edits(
    sqlite_org: Org,
) -> None:
    org = sqlite_org
    org.settings(notice_enabled=True, notice_text="We record everything you type.")
    made = httpx.post(f"{org.url}/api/sessions", json={}, headers=ADMIN).json()
    sid, tokens = made["id"], made["tokens"]

    def ws(doc: str, role: str) -> str:
        return f"{org.server.ws_url}/ws/{sid}/{doc}?token={tokens[role]}"

    for doc in DOCS:
        if doc is DocName.NOTES:
            continue  # never the candidate's, notice or not
        assert await refusal(ws(doc, "candidate")) == (403, {"detail": NOTICE_REFUSAL}), doc
    async with YClient(ws("code", "interviewer")) as interviewer:
        await wait_until(interviewer.synced.is_set, what="the interviewer's sync")
        interviewer.text.insert(0, "def f():\n")
        candidate_link = {"Authorization": f"Bearer {tokens['candidate']}"}
        view = httpx.get(f"{org.url}/api/sessions/{sid}", headers=candidate_link).json()
        notice = view["notice"]
        ack = httpx.post(
            f"{org.url}/api/sessions/{sid}/notice/ack",
            json={"version": notice["version"], "hash": notice["hash"]},
            headers=candidate_link,
        )
        assert ack.status_code == 200, ack.text
        async with YClient(ws("code", "candidate")) as candidate:
            await wait_until(lambda: str(candidate.text) == "def f():\n", what="candidate sync")
            candidate.text.insert(len(candidate.text), "    return 1\n")
            await wait_until(
                lambda: str(interviewer.text) == "def f():\n    return 1\n", what="the edit"
            )
        async with YClient(ws("console", "candidate")) as console:
            await wait_until(console.synced.is_set, what="the console's sync")
            events = console.doc.get("events", type=Array).to_py() or []
            assert [e["id"] for e in events] == ["notice:ack"]


async def test_a_session_without_a_notice_admits_its_candidate_at_once(sqlite_org: Org) -> None:
    org = sqlite_org
    org.settings(notice_enabled=False)
    made = httpx.post(f"{org.url}/api/sessions", json={}, headers=ADMIN).json()
    url = f"{org.server.ws_url}/ws/{made['id']}/code?token={made['tokens']['candidate']}"
    async with YClient(url) as candidate:
        await wait_until(candidate.synced.is_set, what="the candidate's sync")
