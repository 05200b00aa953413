"""Bad input to the webhook and scorecard routes is a clear 4xx for that caller, never a 500:
unknown events, missing fields, unknown ids, limits (endpoints, summary size, scorecards per
session), rubric levels the scenario does not have, and the roles that may not submit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import add_users, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess

# The machine these run on is shared and often loaded: a server may take long to come up.
START_TIMEOUT_S = 120.0

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LIMITS = {
    "PAIRBOARD_WEBHOOK_MAX_ENDPOINTS": "2",
    "PAIRBOARD_SCORECARD_SUMMARY_MAX_CHARS": "40",
    "PAIRBOARD_SCORECARDS_PER_SESSION": "2",
}
CARD = {"rubric": {"correctness": 3}, "recommendation": "no_hire", "summary": "ok"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("bad-input")), env=LIMITS)
    proc.start(timeout=START_TIMEOUT_S)
    yield proc
    proc.stop()


def post(
    server: ServerProcess, path: str, body: Any, headers: dict[str, str] = ADMIN
) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=30)


def refused(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()["detail"]


def test_webhook_requests_with_bad_fields_are_422(server: ServerProcess) -> None:
    unknown = post(server, "/api/webhooks", {"url": "https://93.184.216.34/", "events": ["nope"]})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "events", 0]
    empty = post(server, "/api/webhooks", {"url": "https://93.184.216.34/", "events": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "events"]
    missing = post(server, "/api/webhooks", {"events": ["session.ended"]})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "url"]
    surrogate = httpx.post(
        f"{server.url}/api/webhooks", content=b'{"url": "https://\\udc80/"}',
        headers={**ADMIN, "Content-Type": "application/json"},
    )  # fmt: skip
    assert surrogate.status_code == 422
    big = httpx.get(f"{server.url}/api/webhooks/wh_x/deliveries?limit=201", headers=ADMIN)
    assert big.status_code == 422


def test_unknown_webhooks_and_deliveries_are_404(server: ServerProcess) -> None:
    url = server.url
    assert refused(httpx.delete(f"{url}/api/webhooks/wh_nope", headers=ADMIN)) == (
        404, "no such webhook",
    )  # fmt: skip
    assert refused(httpx.get(f"{url}/api/webhooks/wh_nope/deliveries", headers=ADMIN)) == (
        404, "no such webhook",
    )  # fmt: skip
    again = post(server, "/api/webhooks/wh_nope/deliveries/whd_nope/redeliver", None)
    assert refused(again) == (404, "no such delivery")


def test_endpoints_beyond_the_limit_are_409(server: ServerProcess) -> None:
    ids = []
    for n in range(2):
        made = post(server, "/api/webhooks", {"url": f"https://93.184.216.34/{n}"})
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    third = post(server, "/api/webhooks", {"url": "https://93.184.216.34/3"})
    assert refused(third) == (409, "the organisation already has 2 webhooks")
    for webhook_id in ids:
        assert (
            httpx.delete(f"{server.url}/api/webhooks/{webhook_id}", headers=ADMIN).status_code
            == 204
        )


def test_only_owners_the_admin_token_and_a_webhooks_scoped_token_manage_webhooks(
    server: ServerProcess,
) -> None:
    add_users(server, [("boss@example.com", "owner"), ("ivy@example.com", "interviewer")])
    boss, ivy = sign_in(server, "boss@example.com"), sign_in(server, "ivy@example.com")
    listed = httpx.get(f"{server.url}/api/webhooks", headers=ivy.headers())
    assert refused(listed) == (403, "the organisation's interviewers cannot do this")
    scoped = post(server, "/api/tokens", {"name": "ats", "scopes": ["webhooks"]}, boss.headers())
    assert scoped.status_code == 201, scoped.text
    token = {"Authorization": f"Bearer {scoped.json()['token']}"}
    assert httpx.get(f"{server.url}/api/webhooks", headers=token).status_code == 200
    reader = post(server, "/api/tokens", {"name": "r", "scopes": ["sessions:read"]}, boss.headers())
    other = {"Authorization": f"Bearer {reader.json()['token']}"}
    assert refused(httpx.get(f"{server.url}/api/webhooks", headers=other)) == (
        403, "this API token's scopes (sessions:read) do not allow webhook.manage",
    )  # fmt: skip


def test_scorecards_out_of_the_rubric_over_the_limits_or_from_the_wrong_role_are_refused(
    server: ServerProcess,
) -> None:
    created = server.create_session(scenario="attention-numpy")
    path = f"/api/sessions/{created['id']}/scorecard"
    tokens = created["tokens"]
    interviewer = {"Authorization": f"Bearer {tokens['interviewer']}"}
    unknown = post(server, path, {**CARD, "rubric": {"style": 2}}, interviewer)
    assert refused(unknown) == (
        422, "no rubric criterion 'style' (known: correctness, depth, shapes, testing)",
    )  # fmt: skip
    level = post(server, path, {**CARD, "rubric": {"correctness": 9}}, interviewer)
    assert refused(level) == (422, "9 is not a level of 'correctness' (levels: [1, 2, 3, 4])")
    long = post(server, path, {**CARD, "summary": "x" * 41}, interviewer)
    assert refused(long) == (422, "the notes summary is longer than 40 characters")
    bad = post(server, path, {**CARD, "recommendation": "maybe"}, interviewer)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "recommendation"]
    for role in ("candidate", "observer"):
        who = {"Authorization": f"Bearer {tokens[role]}"}
        assert refused(post(server, path, CARD, who)) == (403, f"the {role} role cannot do this")
    assert post(server, path, CARD, interviewer).status_code == 201
    assert post(server, path, CARD, ADMIN).status_code == 201
    assert refused(post(server, path, CARD, interviewer)) == (
        409, "this session already holds 2 scorecards",
    )  # fmt: skip
    blank = server.create_session(title="no scenario")
    scored = post(server, f"/api/sessions/{blank['id']}/scorecard", CARD, ADMIN)
    assert refused(scored) == (422, "this session has no scenario, so no rubric to score")
