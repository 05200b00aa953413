"""Who may read the replay: reviewers read and comment but never edit; candidates never see
another session's replay, the notes, the signals or the comments."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pycrdt import Text

from server.sync import protocol
from tests.replay.live import LiveServer, Recorded, admin, bearer
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def test_reviewer_reads_and_comments_but_its_edits_are_dropped_even_after_the_end(
    live: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:
        created = (await http.post("/api/sessions", json={}, headers=admin())).json()
        sid, tokens = created["id"], created["tokens"]
        shared = await http.post(
            f"/api/sessions/{sid}/share", json={"name": "Rita"},
            headers=bearer(tokens["interviewer"]),
        )  # fmt: skip
        assert shared.status_code == 200, shared.text
        reviewer = shared.json()["token"]
        assert shared.json()["link"] == f"{live.url}/replay/{sid}?token={reviewer}"
        refused = await http.post(f"/api/sessions/{sid}/share", headers=bearer(tokens["candidate"]))
        assert refused.status_code == 403

        async with (
            YClient(live.ws(sid, "code", tokens["interviewer"])) as writer,
            YClient(live.ws(sid, "code", reviewer)) as spy,
        ):
            await asyncio.gather(writer.synced.wait(), spy.synced.wait())
            writer.text.insert(0, "kept")
            await wait_until(lambda: str(spy.text) == "kept", what="reviewer watches live")
            spy.text.insert(0, "reviewer was here ")
            # Frames of one socket are handled in order: once the server answers this SyncStep1,
            # it has handled (and dropped) the reviewer's update sent before it.
            spy.synced.clear()
            await spy.send_raw(protocol.encode_sync_step1(spy.doc.get_state()))
            await spy.synced.wait()
            assert spy.close_code is None
        room_doc = await live.app.state.services.rooms.read(sid, "code")
        assert str(room_doc.get("source", type=Text)) == "kept"

        ended = await http.post(f"/api/sessions/{sid}/end", headers=bearer(tokens["interviewer"]))
        assert ended.status_code == 200
        at = (await http.get(f"/api/sessions/{sid}/timeline", headers=admin())).json()[
            "duration_ms"
        ]
        state = await http.get(f"/api/sessions/{sid}/state?at={at}", headers=bearer(reviewer))
        assert state.status_code == 200
        assert state.json()["code"]["tree"] == {"main.py": "kept"} and "notes" in state.json()
        comment = await http.post(
            f"/api/sessions/{sid}/comments", json={"at": at, "text": "solid"},
            headers=bearer(reviewer),
        )  # fmt: skip
        assert comment.status_code == 201
        comments = (
            await http.get(f"/api/sessions/{sid}/comments", headers=bearer(reviewer))
        ).json()
        assert [(c["author"], c["role"], c["at"], c["text"]) for c in comments] == [
            ("Rita", "reviewer", at, "solid")
        ]
        # Live participants' tokens were revoked by the end; the admin can still share.
        gone = await http.get(
            f"/api/sessions/{sid}/state?at=0", headers=bearer(tokens["candidate"])
        )
        assert gone.status_code == 403 and gone.json()["detail"] == "session has ended"
        late = await http.post(f"/api/sessions/{sid}/share", headers=admin())
        assert late.status_code == 200
        log = await http.get(
            f"/api/sessions/{sid}/log?doc=notes", headers=bearer(late.json()["token"])
        )
        assert log.status_code == 200


async def test_candidate_cannot_read_another_sessions_replay_nor_notes_signals_comments(
    live: LiveServer, recorded: Recorded
) -> None:
    sid, candidate = recorded.session_id, recorded.tokens["candidate"]
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:
        other = (await http.post("/api/sessions", json={}, headers=admin())).json()
        foreign = await http.get(
            f"/api/sessions/{other['id']}/state?at=0", headers=bearer(candidate)
        )
        assert foreign.status_code == 403
        assert foreign.json()["detail"] == "token is for another session"
        for path in ("timeline", "log?doc=code", "comments", "export"):
            response = await http.get(
                f"/api/sessions/{other['id']}/{path}", headers=bearer(candidate)
            )
            assert response.status_code == 403, path

        at = recorded.instants[-1][0]
        own = (
            await http.get(f"/api/sessions/{sid}/state?at={at}", headers=bearer(candidate))
        ).json()
        expected = dict(recorded.instants[-1][1])
        del expected["notes"]
        assert own == expected
        for doc in ("notes", "signals", "comments"):
            response = await http.get(
                f"/api/sessions/{sid}/log?doc={doc}", headers=bearer(candidate)
            )
            assert response.status_code == 403, doc
        assert (
            await http.get(f"/api/sessions/{sid}/log?doc=code", headers=bearer(candidate))
        ).status_code == 200
        for method, path in (("GET", "comments"), ("POST", "comments"), ("GET", "export")):
            response = await http.request(
                method, f"/api/sessions/{sid}/{path}", json={"at": 0, "text": "x"},
                headers=bearer(candidate),
            )  # fmt: skip
            assert response.status_code == 403, path
        timeline = (
            await http.get(f"/api/sessions/{sid}/timeline", headers=bearer(candidate))
        ).json()
        assert {m["kind"] for m in timeline["markers"]} == {"run", "event"}


async def test_signals_are_limited_in_rate_size_and_role(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:
        created = (await http.post("/api/sessions", json={}, headers=admin())).json()
        sid, tokens = created["id"], created["tokens"]
        url = f"/api/sessions/{sid}/signals"
        too_big = await http.post(url, json={"kind": "paste", "size": 10**9},
                                  headers=bearer(tokens["candidate"]))  # fmt: skip
        assert too_big.status_code == 422
        unknown = await http.post(
            url, json={"kind": "screenshot"}, headers=bearer(tokens["candidate"])
        )
        assert unknown.status_code == 422
        observer = await http.post(url, json={"kind": "blur"}, headers=bearer(tokens["observer"]))
        assert observer.status_code == 403
        limit = live.settings.signals_per_minute
        codes = [
            (
                await http.post(url, json={"kind": "focus"}, headers=bearer(tokens["candidate"]))
            ).status_code
            for _ in range(limit + 1)
        ]
        assert codes == [201] * limit + [429]
        # One participant's limit is theirs alone.
        other = await http.post(url, json={"kind": "focus"}, headers=bearer(tokens["interviewer"]))
        assert other.status_code == 201
