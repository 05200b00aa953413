"""Against a real server: the scenario list API and its permissions, sessions seeded from a
scenario at creation, and a scan of everything a candidate receives for interviewer-only text."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from server.scenarios.library import library
from server.scenarios.model import Scenario
from server.sync import protocol
from tests.support.server import ADMIN_TOKEN, ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("scenario-server")))
    proc.start()
    yield proc
    proc.stop()


def get(server: ServerProcess, path: str, token: str) -> httpx.Response:
    return httpx.get(server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_scenario_list_for_admin_and_interviewer_only(server: ServerProcess) -> None:
    expected = [
        {
            "id": s.id,
            "title": s.title,
            "kind": s.kind,
            "level": s.level,
            "duration_min": s.duration_min,
            "summary": s.summary,
        }
        for s in library().values()
    ]
    admin = get(server, "/api/scenarios", ADMIN_TOKEN)
    assert admin.status_code == 200
    assert admin.json() == expected
    session = server.create_session()
    assert get(server, "/api/scenarios", session["tokens"]["interviewer"]).json() == expected
    candidate = get(server, "/api/scenarios", session["tokens"]["candidate"])
    assert candidate.status_code == 403
    assert candidate.json() == {"detail": "the candidate role cannot list scenarios"}
    assert get(server, "/api/scenarios", "forged").status_code == 403


def test_unknown_scenario_is_refused_at_creation(server: ServerProcess) -> None:
    response = httpx.post(
        server.url + "/api/sessions",
        json={"scenario": "no-such-thing"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "no scenario 'no-such-thing' (see GET /api/scenarios)"}


async def receive_doc(server: ServerProcess, session_id: str, doc: str, token: str) -> bytes:
    """Every byte the server sends this connection until its sync step 2 has arrived."""
    url = f"{server.ws_url}/ws/{session_id}/{doc}?token={token}"
    received = b""
    async with websockets.connect(url) as ws:
        await ws.send(protocol.encode_sync_step1(b"\x00"))
        async with asyncio.timeout(10):
            while True:
                frame = await ws.recv()
                assert isinstance(frame, bytes)
                received += frame
                if isinstance(protocol.decode_message(frame), protocol.SyncStep2):
                    return received


def secrets_of(s: Scenario) -> list[str]:
    """Distinctive lines of every interviewer-only field that the public fields do not contain."""
    public = "\n".join(
        [s.title, s.summary, s.brief, *s.starter.files.values()]
        + [c.source for c in s.notebook]
        + [e.label or e.text or "" for e in s.whiteboard]
    )
    hidden = [s.setup, s.test_helpers, s.reference_solution, s.notes, *s.reference_files.values()]
    hidden += [t.code for t in s.tests] + [h.text for h in s.hints]
    hidden += [b.body for b in s.brief_sections]
    hidden += [lv.description for c in s.rubric for lv in c.levels]
    hidden += [a.code for e in s.timeline for a in e.actions if a.type == "kernel"]
    hidden += [a.text for e in s.timeline for a in e.actions if a.type in ("banner", "console")]
    lines = {ln.strip() for text in hidden for ln in text.splitlines()}
    return sorted(ln for ln in lines if len(ln) >= 20 and ln not in public)


@pytest.mark.parametrize(
    "scenario_id", ["data-drift-crisis", "recsys-serving", "feature-pipeline-refactor"]
)
async def test_seeded_session_gives_the_candidate_public_parts_and_no_secret(
    server: ServerProcess, scenario_id: str
) -> None:
    scenario = library()[scenario_id]
    session = server.create_session(scenario=scenario_id, title="Seeded")
    token = session["tokens"]["candidate"]
    received = b""
    for doc in ("code", "board", "console"):
        received += await receive_doc(server, session["id"], doc, token)
    for path in (f"/api/sessions/{session['id']}", "/api/scenarios"):
        received += get(server, path, token).content

    text = received.decode("utf-8", errors="replace")
    assert scenario.starter_source.splitlines()[0] in text
    # Every starter file of a project, in `code.files` from the start.
    assert all(t.splitlines()[0] in text for t in scenario.starter.files.values())
    assert scenario.brief.splitlines()[0] in text
    labels = [e.label for e in scenario.whiteboard if e.label]
    assert all(label in text for label in labels)
    secrets = secrets_of(scenario)
    assert len(secrets) > 20
    leaked = [s for s in secrets if s in text]
    assert leaked == []


async def test_a_notebook_scenario_seeds_its_cells_and_no_secret(server: ServerProcess) -> None:
    scenario = library()["pytorch-training-loop-bugs"]
    session = server.create_session(scenario=scenario.id, title="Seeded notebook")
    token = session["tokens"]["candidate"]
    received = b""
    for doc in ("notebook", "code", "console"):
        received += await receive_doc(server, session["id"], doc, token)
    text = received.decode("utf-8", errors="replace")
    assert [c.id for c in scenario.notebook if c.source.splitlines()[0] not in text] == []
    secrets = secrets_of(scenario)
    assert len(secrets) > 20
    assert [s for s in secrets if s in text] == []
