"""Property-based fuzzing of the REST API against its own OpenAPI schema (schemathesis): no
generated request, whoever sends it, makes the server answer 5xx.

The app's own schema (the one the server serves at /openapi.json): every route is covered as
soon as it exists. Each generated case is sent to the real server process with one of the
credentials a real caller has (the admin token, each role's session link, a reviewer link, a
forged token, none) and, for routes of a session, mostly at a real session (live, or ended)
rather than the random id the generator would pick, so the authenticated code paths run too.
Each case also has a twin carrying the inputs that used to be 500s (lone surrogates, NUL,
10**30) in its body and query, sent with the admin's or the interviewer's credential. Runs
reach the real kernels. The cases are derandomized: CI fuzzes the same inputs every time.
"""

from __future__ import annotations

import itertools
import json
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.core import NotSet

from server.app import create_app
from server.settings import Settings
from tests.security.live import admin
from tests.support.server import ADMIN_TOKEN, ServerProcess

MAX_EXAMPLES = 10  # per operation (28, and the methods they refuse): about 1,300 requests
CASES: Counter[str] = Counter()
SECONDS: Counter[str] = Counter()  # wall time of each operation's requests


def app_openapi() -> dict[str, Any]:
    """The app's own OpenAPI document (built, never served: nothing is opened or written but an
    empty data dir, removed at once)."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), admin_token="a" * 32, secret="s" * 32)
        app = create_app(settings)
        return app.openapi()


SPEC = app_openapi()
schema = schemathesis.openapi.from_dict(SPEC)


def test_the_fuzzed_schema_is_the_one_the_server_serves(server: ServerProcess) -> None:
    assert httpx.get(f"{server.url}/openapi.json").json() == SPEC


@dataclass
class Callers:
    tokens: Iterator[str | None]
    sessions: Iterator[str]
    strong: tuple[str, str]


@pytest.fixture(scope="module")
def callers(server: ServerProcess) -> Iterator[Callers]:
    """Endless cycles of credentials and of session ids to put in the generated requests, and
    the two credentials that may do the most (a spiked twin is sent with them)."""
    live = server.create_session(title="fuzz")
    ended = server.create_session(title="fuzz ended")
    share = httpx.post(f"{server.url}/api/sessions/{live['id']}/share", json={}, headers=admin())
    assert share.status_code == 200, share.text
    tokens: list[str | None] = [ADMIN_TOKEN, *live["tokens"].values(), share.json()["token"]]
    tokens += [*ended["tokens"].values(), "e30.forged", None]
    ended_end = httpx.post(f"{server.url}/api/sessions/{ended['id']}/end", headers=admin())
    assert ended_end.status_code == 200, ended_end.text
    sessions = [live["id"], live["id"], ended["id"], ""]  # "": keep the generated id
    strong = (ADMIN_TOKEN, live["tokens"]["interviewer"])  # signals refuse the admin
    yield Callers(itertools.cycle(tokens), itertools.cycle(sessions), strong)
    total = sum(CASES.values())
    documented = {f"{m.upper()} {p}" for p, ops in SPEC["paths"].items() for m in ops}
    on_routes = sum(n for op, n in CASES.items() if op in documented)
    slowest = ", ".join(f"{op} {t:.1f} s" for op, t in SECONDS.most_common(4))
    print(
        f"\nschemathesis: {total} cases, no 5xx: {on_routes} on the {len(documented)} "
        f"documented operations, {total - on_routes} with methods they do not allow; "
        f"{sum(SECONDS.values()):.0f} s in requests, slowest: {slowest}"
    )


# The generator's strings are valid Unicode and its numbers small: each case has a twin with
# the inputs that used to be 500s planted in its body and query (each string gains a lone
# surrogate or a NUL, or each integer becomes 10**30), in turn per operation.
SPIKES: tuple[str | int, ...] = ("\udc80", 10**30, "\x00")


def spiked(value: Any, spike: str | int) -> Any:
    """`value` with `spike` planted in each string (str spike) or each integer (int spike)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value + spike if isinstance(spike, str) else value
    if isinstance(value, int):
        return spike if isinstance(spike, int) else value
    if isinstance(value, dict):
        return {k: spiked(v, spike) for k, v in value.items()}
    if isinstance(value, list):
        return [spiked(v, spike) for v in value]
    return value


def send_spiked(
    case: Any, server: ServerProcess, headers: dict[str, str], spike: str | int
) -> tuple[int, str]:
    """The case with `spike` planted, sent as JSON (a lone surrogate as its `\\u` escape;
    a URL cannot carry one, so the query gets the other spikes only)."""
    query = case.query if spike == "\udc80" else spiked(case.query, spike)
    kwargs: dict[str, Any] = {"params": query, "headers": dict(headers)}
    if isinstance(case.body, bytes):  # a body the generator made not to be JSON: as it is
        kwargs["content"] = case.body
        kwargs["headers"]["Content-Type"] = case.media_type or "application/octet-stream"
    elif not isinstance(case.body, NotSet):
        kwargs["content"] = json.dumps(spiked(case.body, spike)).encode("ascii")
        kwargs["headers"]["Content-Type"] = "application/json"
    response = httpx.request(
        case.method, f"{server.url}{case.formatted_path}", timeout=60, **kwargs
    )
    return response.status_code, response.content.decode("utf-8", "replace")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_5xx(
    case: Any,
    server: ServerProcess,
    callers: Callers,
) -> None:
    if case.path_parameters and "session_id" in case.path_parameters:
        session_id = next(callers.sessions)
        if session_id:
            case.path_parameters["session_id"] = session_id
    operation = f"{case.method} {case.path}"
    n = CASES[operation]
    CASES[operation] += 1
    started = time.monotonic()
    token = next(callers.tokens)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = case.call(base_url=server.url, headers=headers, timeout=60)
    text = response.content.decode("utf-8", "replace")
    assert response.status_code < 500, (
        f"{operation} {case.formatted_path} {case.query or ''} {case.body!r:.300} "
        f"(token {token!r}) -> {response.status_code}: {text[:500]}"
    )
    spike, strong = SPIKES[n % 3], callers.strong[n // 3 % 2]
    status, text = send_spiked(case, server, {"Authorization": f"Bearer {strong}"}, spike)
    assert status < 500, (
        f"{operation} {case.formatted_path} {case.query or ''} {case.body!r:.300} "
        f"(spike {spike!r}, token {strong!r}) -> {status}: {text[:500]}"
    )
    SECONDS[operation] += time.monotonic() - started
