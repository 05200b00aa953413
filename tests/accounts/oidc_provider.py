"""The `oidc-provider` npm package (tests/oidc/provider.js) started on loopback for a test module.

Skips when Node or `tests/oidc/node_modules` (`make oidc-deps`) is missing, and fails instead
with PAIRBOARD_REQUIRE_OIDC=1 (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

HERE = Path(__file__).resolve().parent.parent / "oidc"
CLIENT_ID = "pairboard"
CLIENT_SECRET = "a-test-only-client-secret"


def _unavailable(reason: str) -> None:
    if os.environ.get("PAIRBOARD_REQUIRE_OIDC") == "1":
        pytest.fail(f"{reason} (PAIRBOARD_REQUIRE_OIDC=1)")
    pytest.skip(reason)


class OidcProvider:
    def __init__(self, port: int) -> None:
        self.port = port

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tamper(self, mode: str | None) -> None:
        """Have the next token responses carry a changed ID token (provider.js), or stop."""
        response = httpx.post(f"{self.issuer}/__test/tamper", json={"mode": mode}, timeout=10)
        assert response.status_code == 200, response.text


def start_provider(redirect_uri: str, log: Path) -> Iterator[OidcProvider]:
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js is not installed: the OpenID provider tests need it")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        _unavailable("tests/oidc/node_modules is missing: run `make oidc-deps`")
    port = free_port()
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect_uri]}
    ]
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENTS": json.dumps(clients)}
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(node), str(HERE / "provider.js")], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    provider = OidcProvider(port)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"oidc-provider exited: {log.read_text()[-2000:]}")
            try:
                url = f"{provider.issuer}/.well-known/openid-configuration"
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"oidc-provider did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield provider
    finally:
        proc.terminate()
        proc.wait(10)
