"""Users of a test server: added through the real CLI, signed in through the real API."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import httpx

from server.accounts.service import COOKIE, CSRF_HEADER
from tests.support.server import ServerProcess

PASSWORD = "correct horse battery staple"


def add_users(
    server: ServerProcess, users: list[tuple[str, str]], password: str = PASSWORD
) -> None:
    """`pairboard users add EMAIL --role ROLE` on the server's data dir, password on stdin, for
    each (email, role), the commands running side by side."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "server.cli", "users", "add", email, "--role", role,
             "--data-dir", str(server.data_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for email, role in users
    ]  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(password + "\n", timeout=120)
        assert proc.returncode == 0, err


def add_user(server: ServerProcess, email: str, role: str, password: str = PASSWORD) -> None:
    add_users(server, [(email, role)], password)


@dataclass
class SignedIn:
    """A browser's sign-in: its cookie, its CSRF token and who it is."""

    cookie: str
    csrf: str
    user_id: str
    role: str
    name: str

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        headers = {"Cookie": f"{COOKIE}={self.cookie}"}
        if csrf:
            headers[CSRF_HEADER] = self.csrf
        return headers


def sign_in(server: ServerProcess, email: str, password: str = PASSWORD) -> SignedIn:
    response = httpx.post(
        f"{server.url}/api/auth/sign-in", json={"email": email, "password": password}, timeout=30
    )
    assert response.status_code == 200, response.text
    body = response.json()
    user = body["user"]
    return SignedIn(
        response.cookies[COOKIE], body["csrf_token"], user["id"], user["role"], user["name"]
    )
