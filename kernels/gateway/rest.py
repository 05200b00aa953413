"""The kernel gateway's REST API (`/api/kernels`), as thin async calls over one httpx client.

Every call carries the gateway token and a timeout from `GatewaySettings`; a gateway that is down or
slow surfaces as `GatewayError` with the operation named, never as a bare transport exception.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx

from kernels.gateway.settings import GatewaySettings


class GatewayError(RuntimeError):
    """The gateway refused or failed an operation; the message says which and why."""


class KernelNotFound(GatewayError):
    """The gateway does not know this kernel id (never started, shut down, or culled)."""


class GatewayRest:
    """REST calls for kernels; one instance (one connection pool) per provider."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.url.rstrip("/"),
            headers=self.auth_headers(),
            timeout=settings.request_timeout_s,
        )

    def channels_url(self, kernel_id: str, session: str) -> str:
        """The websocket URL of a kernel's channels (`http` becomes `ws`, `https` becomes `wss`)."""
        base = self.settings.url.rstrip("/")
        base = "ws" + base[4:] if base.startswith("http") else base
        return f"{base}/api/kernels/{quote(kernel_id)}/channels?session_id={quote(session)}"

    def auth_headers(self) -> dict[str, str]:
        token = self.settings.auth_token
        return {"Authorization": f"token {token}"} if token else {}

    async def start_kernel(self, env: dict[str, str] | None = None) -> str:
        """Start a kernel and return its id; the gateway answers once the kernel is up."""
        body: dict[str, Any] = {}
        if self.settings.kernel_name:
            body["name"] = self.settings.kernel_name
        if env:
            body["env"] = env
        reply = await self._call(
            "start a kernel",
            "POST",
            "/api/kernels",
            json=body,
            limit_s=self.settings.start_timeout_s,
        )
        return str(reply["id"])

    async def get_kernel(self, kernel_id: str) -> dict[str, Any]:
        """The gateway's model of a kernel (`execution_state`, `last_activity`, ...)."""
        reply: dict[str, Any] = await self._call(
            "look up kernel", "GET", f"/api/kernels/{quote(kernel_id)}"
        )
        return reply

    async def version(self) -> str:
        """The gateway's API version: proves it is reachable and accepts our token."""
        reply = await self._call("ask the gateway its version", "GET", "/api")
        return str(reply.get("version", ""))

    async def list_kernels(self) -> list[dict[str, Any]]:
        reply: Any = await self._call("list kernels", "GET", "/api/kernels")
        return list(reply)

    async def interrupt(self, kernel_id: str) -> None:
        await self._call("interrupt kernel", "POST", f"/api/kernels/{quote(kernel_id)}/interrupt")

    async def restart(self, kernel_id: str) -> None:
        await self._call(
            "restart kernel",
            "POST",
            f"/api/kernels/{quote(kernel_id)}/restart",
            limit_s=self.settings.start_timeout_s,
        )

    async def delete(self, kernel_id: str) -> None:
        """Shut a kernel down; a kernel that is already gone counts as shut down.

        Jupyter Server answers 500 (`InvalidStateError`) to a shutdown that lands while its
        restarter is bringing a dead kernel back, so failures are retried until the restart
        settles, within `start_timeout_s`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.start_timeout_s
        while True:
            try:
                await self._call("shut down kernel", "DELETE", f"/api/kernels/{quote(kernel_id)}")
                return
            except KernelNotFound:
                return
            except GatewayError:
                if loop.time() >= deadline:
                    raise
            await asyncio.sleep(0.1)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(
        self, what: str, method: str, path: str, *, json: Any = None, limit_s: float | None = None
    ) -> Any:
        try:
            resp = await self._http.request(
                method,
                path,
                json=json,
                timeout=limit_s if limit_s is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise GatewayError(f"{what}: the gateway did not answer in time ({exc!r})") from exc
        except httpx.HTTPError as exc:
            raise GatewayError(f"{what}: cannot reach the gateway at {self.settings.url}") from exc
        if resp.status_code == 404:
            raise KernelNotFound(f"{what}: the gateway has no such kernel ({path})")
        if resp.status_code >= 400:
            raise GatewayError(f"{what}: gateway answered {resp.status_code}: {_reason(resp)}")
        if resp.status_code == 204 or not resp.content:
            return {}
        return resp.json()


def _reason(resp: httpx.Response) -> str:
    """The useful part of a gateway error: its message and the last line of its traceback."""
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:300]
    if not isinstance(body, dict):
        return resp.text[:300]
    lines = str(body.get("traceback") or "").strip().splitlines()
    last = f" ({lines[-1]})" if lines else ""
    return f"{body.get('message') or body.get('reason') or ''}{last}"[:500]
