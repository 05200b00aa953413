"""Routes' one call into the audit log: who (the principal the permission table saw), from
where (the client address as this server sees it) and what.

The address is the TCP peer's, which behind a reverse proxy is the proxy's own, unless the
server runs with uvicorn's `--proxy-headers` and `--forwarded-allow-ips` naming the proxy, in
which case uvicorn puts the `X-Forwarded-For` client there (docs/AUDIT.md). It is never read
from a header here: a client could write any address into one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request

from server.api.deps import services_of
from server.audit.model import Actor, AuditKind
from server.permissions import Principal


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def audit(
    request: Request,
    kind: AuditKind,
    who: Principal | Actor,
    *,
    resource: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    await services_of(request).audit.record(
        kind, who, ip=client_ip(request), resource=resource, details=details
    )
