"""What the attack tests share: the server process's memory, and raw HTTP with a body that keeps
coming (a client library would not let a test send 300 MB nobody asked for).

Every attack runs against a real `pairboard serve` process (the `server` fixture of
tests/conftest.py, one per module); memory is the kernel's own account of that process.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.server import ADMIN_TOKEN, ServerProcess

MiB = 1024 * 1024


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def pid_of(server: ServerProcess) -> int:
    assert server.proc is not None
    return server.proc.pid


def rss_mib(server: ServerProcess) -> float:
    return _status_kib(pid_of(server), "VmRSS") / 1024


def reset_peak_rss(server: ServerProcess) -> None:
    """Start the peak (VmHWM) over from the current RSS (Linux: `clear_refs` 5)."""
    Path(f"/proc/{pid_of(server)}/clear_refs").write_text("5")


def peak_rss_mib(server: ServerProcess) -> float:
    return _status_kib(pid_of(server), "VmHWM") / 1024


@dataclass
class RawResult:
    status: int
    body: bytes
    sent: int  # body bytes the server's socket took before it answered or closed
    healthz: int | None  # /healthz's status, asked while the body was still being sent


def post_streaming(
    server: ServerProcess,
    path: str,
    total: int,
    *,
    token: str | None = None,
    chunked: bool = False,
    declared: int | None = None,
) -> RawResult:
    """POST `total` bytes of body to `path` from a sender thread, as fast as the server takes
    them, while this thread asks /healthz once and then reads the answer.

    `Content-Length` is `declared` (default: `total`) unless `chunked`."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    head.append("Content-Type: application/json")
    if token is not None:
        head.append(f"Authorization: Bearer {token}")
    if chunked:
        head.append("Transfer-Encoding: chunked")
    else:
        head.append(f"Content-Length: {total if declared is None else declared}")
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("ascii"))
    sent = 0
    started = threading.Event()
    block = b'{"at": 1, "text": "' + b"x" * (MiB - 32)

    def send_body() -> None:
        nonlocal sent
        try:
            while sent < total:
                piece = block[: min(len(block), total - sent)]
                data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
                sock.sendall(data)
                sent += len(piece)
                if sent >= 4 * MiB:
                    started.set()
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: exactly what a refusal does
        finally:
            started.set()

    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    started.wait(60)
    healthz = httpx.get(f"{server.url}/healthz", timeout=30).status_code if sent < total else None
    response = b""
    try:
        while b"\r\n\r\n" not in response:
            data = sock.recv(65536)
            if not data:
                break
            response += data
        head_text, _, body = response.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head_text.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            data = sock.recv(65536)
            if not data:
                break
            body += data
    finally:
        sender.join(120)
        sock.close()
    assert response, "the server closed the connection without an answer"
    status = int(response.split(b" ", 2)[1])
    return RawResult(status, body, sent, healthz)
