"""Request bodies: a size limit per class of route, and credentials before any body is read.

Without this a request body is buffered whole before anything looks at it: a 300 MB body with no
token to `POST /api/sessions/{id}/comments` cost 2.4 GiB of RSS and stalled every other request
for 10 s before it was refused. Here, in front of every HTTP route:

1. An `/api/` request without a credential (`Authorization: Bearer`, `?token=`, or the sign-in
   cookie) is answered 401, and one whose token is neither the admin token nor signed by us
   (forged, expired) 403, before a byte of its body is read. A cookie needs a look-up, so it is
   checked by the route; the sign-in routes (`/api/auth/`) take no credential and have their
   own small limit (`auth_max_body_bytes`).
2. A declared `Content-Length` above the route's limit is answered 413 at once.
3. Otherwise the body is counted as it arrives; the chunk that crosses the limit raises
   `BodyTooLarge` (a 413 with a JSON `detail`) in whoever is reading it.

Every refusal carries `Connection: close`, so the server stops reading the rest of the body
instead of draining it to keep the connection alive; so does any answer given before the body
was read to its end (a route that takes no body). The rules (`BodyLimits.rule`) are a pure
function of method and path; the token check is handed in by the app.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.settings import Settings

# The refusal of a token, or None when it is one of ours (admin, or signed and unexpired).
TokenCheck = Callable[[str], str | None]

CLOSE = {"Connection": "close"}
ATTACHMENT_PATH = re.compile(r"/api/sessions/[^/]+/data/[^/]+")
CLOSE_HEADER = (b"connection", b"close")


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body crosses its limit; FastAPI answers it as a 413."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(413, f"{what} larger than {limit} bytes", headers=CLOSE)


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int
    what: str  # names the body in the refusal
    needs_credential: bool


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """The limit of each class of route (see the settings of the same names)."""

    api_bytes: int
    import_bytes: int
    attachment_bytes: int
    auth_bytes: int = 16 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        return cls(
            api_bytes=settings.api_max_body_bytes,
            import_bytes=settings.import_max_bytes,
            auth_bytes=settings.auth_max_body_bytes,
            attachment_bytes=settings.attachment_max_bytes,
        )

    def rule(self, method: str, path: str) -> Rule:
        if method == "POST" and path.rstrip("/") == "/api/recordings":
            return Rule(self.import_bytes, "recording", needs_credential=True)
        if path.startswith("/api/auth/"):
            return Rule(self.auth_bytes, "sign-in request", needs_credential=False)
        if method == "PUT" and ATTACHMENT_PATH.fullmatch(path):
            return Rule(self.attachment_bytes, "attachment", needs_credential=True)
        if path.startswith("/api/"):
            return Rule(self.api_bytes, "request body", needs_credential=True)
        # The web client, /healthz and the websocket handshake take no body: the API's limit
        # is a generous bound for them.
        return Rule(self.api_bytes, "request body", needs_credential=False)


def credential(scope: Scope) -> str | None:
    """The bearer token of a request, where `server.api.deps.bearer_token` looks for it."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text: str = value.decode("latin-1")
            if text.lower().startswith("bearer ") and text[7:].strip():
                return text[7:].strip()
    query: str = scope.get("query_string", b"").decode("latin-1")
    tokens: list[str] = parse_qs(query).get("token", [])
    return tokens[0] if tokens and tokens[0] else None


def has_sign_in_cookie(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"cookie" and b"pairboard_session=" in value:
            return True
    return False


def declared_length(scope: Scope) -> int | None:
    """The `Content-Length` header as a number; None when absent or not a number (uvicorn
    refuses a malformed one itself)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def has_body(scope: Scope) -> bool:
    """Whether the request says a body follows (a length above 0, or chunked)."""
    for name, value in scope.get("headers", []):
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
    return False


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """The ASGI middleware applying `BodyLimits` and the credential check (module docstring)."""

    def __init__(self, app: ASGIApp, *, limits: BodyLimits, check_token: TokenCheck) -> None:
        self.app = app
        self.limits = limits
        self.check_token = check_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = self.limits.rule(scope["method"], scope["path"])
        if rule.needs_credential:
            token = credential(scope)
            if token is None and not has_sign_in_cookie(scope):
                await _refuse(send, 401, "missing bearer token")
                return
            refusal = None if token is None else self.check_token(token)
            if refusal is not None:
                await _refuse(send, 403, refusal)
                return
        declared = declared_length(scope)
        if declared is not None and declared > rule.limit:
            await _refuse(send, 413, f"{rule.what} larger than {rule.limit} bytes")
            return

        received = 0
        started = False
        body_done = not has_body(scope)

        async def counted_receive() -> Message:
            nonlocal received, body_done
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > rule.limit:
                    raise BodyTooLarge(rule.what, rule.limit)
                body_done = not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not body_done:
                    # The route answered without reading its whole body: close instead of
                    # draining the rest (uvicorn would read and discard it, however long).
                    message = {**message, "headers": [*message.get("headers", []), CLOSE_HEADER]}
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            if started:  # a streaming route already answered: nothing better can be said now
                raise
            await _refuse(send, 413, exc.detail)
