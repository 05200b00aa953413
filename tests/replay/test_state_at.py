"""`state?at=` gives back exactly what the live clients had at recorded instants."""

from __future__ import annotations

import httpx
import pytest

from tests.replay.live import LiveServer, Recorded, admin, bearer

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def test_state_at_each_recorded_instant_equals_the_clients_docs(
    live: LiveServer, recorded: Recorded
) -> None:
    assert len(recorded.instants) == 4
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:
        for at, expected in recorded.instants:
            response = await http.get(
                f"/api/sessions/{recorded.session_id}/state", params={"at": at}, headers=admin()
            )
            assert response.status_code == 200, response.text
            assert response.json() == expected


async def test_state_before_anything_happened_is_empty(
    live: LiveServer, recorded: Recorded
) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as http:
        response = await http.get(
            f"/api/sessions/{recorded.session_id}/state",
            params={"at": 0},
            headers=bearer(recorded.tokens["interviewer"]),
        )
    state = response.json()
    assert state["code"] == {
        "source": "",
        "files": {},
        "main_file": "main.py",
        "tree": {"main.py": ""},
    }
    assert state["board"] == {"elements": []}
    assert state["console"]["runs"] == [] and state["console"]["events"] == []
    assert state["notes"]["notes"] == ""


async def test_the_final_instant_shows_the_run_the_banner_and_both_authors_code(
    recorded: Recorded,
) -> None:
    _, final = recorded.instants[-1]
    assert final["code"]["source"] == "# pasted header\ndef f(x):\n    return 2 * x\n"
    assert [e["id"] for e in final["board"]["elements"]] == ["e2", "e1"]
    assert final["board"]["elements"][1]["version"] == 2
    run = final["console"]["runs"][0]
    assert run["id"] == recorded.run_id and run["role"] == "candidate"
    if recorded.real_run:  # the real runs API with a sandboxed kernel (make test has the env)
        assert run["code"] == "print(2)" and final["console"]["kernel"]["status"] == "idle"
    assert run["status"] == "ok" and run["outputs"] == [
        {"type": "stream", "name": "stdout", "text": "2\n"}
    ]
    assert final["console"]["events"][0]["text"] == "p99 tripled"
    assert final["notes"]["notes"] == "Clear naming. "
