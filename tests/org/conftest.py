"""A real server per deployment kind (SQLite alone; PostgreSQL as the durable store), with an
owner, an interviewer and a reviewer signed in through the real API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.scale.postgres import fresh_database
from tests.support.accounts import SignedIn, add_users, sign_in
from tests.support.server import ADMIN_TOKEN, ServerProcess

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
NOTICE_MAX_BYTES = 2048
ENV = {"PAIRBOARD_ORG_NOTICE_MAX_BYTES": str(NOTICE_MAX_BYTES)}


@dataclass
class Org:
    server: ServerProcess
    owner: SignedIn
    interviewer: SignedIn
    reviewer: SignedIn

    @property
    def url(self) -> str:
        return self.server.url

    def put(self, who: SignedIn | dict[str, str], **settings: Any) -> httpx.Response:
        headers = who if isinstance(who, dict) else who.headers()
        return httpx.put(f"{self.url}/api/org/settings", json=settings, headers=headers, timeout=30)

    def settings(self, **changes: Any) -> dict[str, Any]:
        """Save the defaults with `changes` as the owner; the answer."""
        body = {
            "notice_enabled": False,
            "notice_text": "We record this interview.",
            "privacy_policy_url": None,
            "recording_retention_days": None,
            "signal_retention_days": None,
            **changes,
        }
        answer = self.put(self.owner, **body)
        assert answer.status_code == 200, answer.text
        saved: dict[str, Any] = answer.json()
        return saved

    def audit(self, **params: Any) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.url}/api/audit", params=params, headers=self.owner.headers())
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["entries"]
        return found


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def start_org(workdir: Path, env: dict[str, str]) -> Iterator[Org]:
    server = ServerProcess(workdir, env={**ENV, **env})
    server.start()
    try:
        with environment(env):  # `pairboard users add` opens the same durable store
            add_users(
                server,
                [("olga@example.com", "owner"), ("ivan@example.com", "interviewer"),
                 ("rita@example.com", "reviewer")],
            )  # fmt: skip
        yield Org(
            server,
            sign_in(server, "olga@example.com"),
            sign_in(server, "ivan@example.com"),
            sign_in(server, "rita@example.com"),
        )
    finally:
        server.stop()


def org_on(kind: str, workdir: Path, env: dict[str, str]) -> Iterator[Org]:
    if kind == "sqlite":
        yield from start_org(workdir, env)
        return
    for dsn in fresh_database():
        yield from start_org(workdir, {**env, "PAIRBOARD_DATABASE_URL": dsn})


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """The same organisation on each durable store."""
    yield from org_on(request.param, tmp_path_factory.mktemp(f"org-{request.param}"), {})


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def retaining_org(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Org]:
    """An organisation whose retention task looks every 0.3 s."""
    workdir = tmp_path_factory.mktemp(f"retain-{request.param}")
    yield from org_on(request.param, workdir, {"PAIRBOARD_RETENTION_CHECK_SECONDS": "0.3"})


@pytest.fixture(scope="module")
def sqlite_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    yield from start_org(tmp_path_factory.mktemp("org-ws"), {})
