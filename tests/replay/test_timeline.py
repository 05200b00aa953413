"""The timeline marks runs, scenario events, pastes, focus losses, notes and comments; cursors
are sampled into the log."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.replay.live import LiveServer, Recorded, admin, bearer, now_ms

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def test_timeline_has_activity_per_person_and_every_kind_of_marker(
    live: LiveServer, recorded: Recorded
) -> None:
    sid, token = recorded.session_id, recorded.tokens["interviewer"]
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:
        comment = await http.post(
            f"/api/sessions/{sid}/comments", json={"at": 5, "text": "good start"},
            headers=bearer(token),
        )  # fmt: skip
        assert comment.status_code == 201, comment.text
        timeline = (await http.get(f"/api/sessions/{sid}/timeline", headers=bearer(token))).json()
    assert timeline["duration_ms"] >= recorded.instants[-1][0]
    people = {(p["name"], p["role"]): sum(p["counts"]) for p in timeline["people"]}
    assert set(people) == {("Interviewer", "interviewer"), ("Candidate", "candidate")}
    assert all(count > 0 for count in people.values())
    assert len(timeline["busy"]) == len(timeline["people"][0]["counts"])
    markers = timeline["markers"]
    kinds = [m["kind"] for m in markers]
    assert sorted(set(kinds)) == ["blur", "comment", "event", "note", "paste", "run"]
    run = next(m for m in markers if m["kind"] == "run")
    assert run["status"] == "ok" and run["id"] == recorded.run_id
    assert recorded.instants[1][0] < run["t"] <= recorded.instants[2][0]
    paste = next(m for m in markers if m["kind"] == "paste")
    assert paste["size"] == 120 and paste["author"] == "Candidate"
    event = next(m for m in markers if m["kind"] == "event")
    assert event["text"] == "p99 tripled" and event["event_kind"] == "banner"
    assert next(m for m in markers if m["kind"] == "comment")["t"] == 5


async def test_cursor_states_are_sampled_into_the_awareness_log(
    live: LiveServer, recorded: Recorded
) -> None:
    sid, token = recorded.session_id, recorded.tokens["observer"]
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:

        async def samples_of(client: int) -> list[dict[str, Any]]:
            response = await http.get(
                f"/api/sessions/{sid}/log", params={"doc": "awareness"}, headers=bearer(token)
            )
            assert response.status_code == 200, response.text
            return [e for e in response.json()["entries"] if e["value"]["client"] == client]

        # Sampled while connected, then removed when the socket closed (browsers send no goodbye).
        deadline = time.monotonic() + 10
        while not ((mine := await samples_of(4242)) and mine[-1]["value"]["state"] is None):
            assert time.monotonic() < deadline, f"cursor removal never sampled: {mine}"
            await asyncio.sleep(0.05)
    assert [e["author"] for e in mine] == ["Candidate", "Candidate"]
    assert [e["value"] for e in mine] == [
        {"doc": "code", "client": 4242,
         "state": {"user": {"name": "Candidate"}, "cursor": {"anchor": 3}}},
        {"doc": "code", "client": 4242, "state": None},
    ]  # fmt: skip


async def test_a_scenario_event_fired_by_the_runner_is_marked_and_replayed(
    live: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        created = await http.post(
            "/api/sessions", json={"scenario": "data-drift-crisis"}, headers=admin()
        )
        assert created.status_code == 201, created.text
        sid, token = created.json()["id"], created.json()["tokens"]["interviewer"]
        record = await live.app.state.services.sessions.get(sid)
        before = now_ms() - record.created_at_ms
        await asyncio.sleep(0.002)  # the firing is stamped in a later millisecond than `before`
        fired = await http.post(
            f"/api/sessions/{sid}/scenario/events/support-banner/fire", headers=bearer(token)
        )
        assert fired.status_code == 200, fired.text
        timeline = (await http.get(f"/api/sessions/{sid}/timeline", headers=bearer(token))).json()
        events = [m for m in timeline["markers"] if m["kind"] == "event"]
        # The scenario's brief is seeded at creation; the fired banner is stamped when fired.
        assert [m["id"] for m in events] == ["brief", "support-banner:0"]
        fired_at = events[1]["t"]
        assert "blocked card payments" in events[1]["text"] and fired_at > before >= events[0]["t"]

        def banners(state: dict[str, Any]) -> list[str]:
            return [e["id"] for e in state["console"]["events"]]

        url = f"/api/sessions/{sid}/state"
        earlier = (await http.get(url, params={"at": before}, headers=bearer(token))).json()
        later = (await http.get(url, params={"at": fired_at}, headers=bearer(token))).json()
        assert banners(earlier) == ["brief"]
        assert banners(later) == ["brief", "support-banner:0"]
