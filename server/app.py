"""The FastAPI application factory: builds the services, mounts the routes, owns their lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from kernels.sandbox.layers import sandbox_report
from kernels.settings import KernelSettings
from server.accounts.service import AccountError
from server.api import audit as audit_api
from server.api import auth as auth_api
from server.api import data as data_api
from server.api import notebook as notebook_api
from server.api import org as org_api
from server.api import privacy as privacy_api
from server.api import recordings as recordings_api
from server.api import replay as replay_api
from server.api import review as review_api
from server.api import runs as runs_api
from server.api import scenario as scenario_session_api
from server.api import scenarios as scenarios_api
from server.api import sessions as sessions_api
from server.api import tokens as tokens_api
from server.api.errors import validation_error_response
from server.auth import token_refusal
from server.http_limits import BodyLimitMiddleware, BodyLimits
from server.scenarios.runner import ScenarioError
from server.services import Services
from server.settings import Settings
from server.sync import endpoint as sync_endpoint
from server.web import mount_web

StartupHook = Callable[[Services], Awaitable[None]]


async def account_error_response(request: Request, exc: Exception) -> JSONResponse:
    """A refused sign-in or account request: its status and why, like every other refusal."""
    assert isinstance(exc, AccountError)
    return JSONResponse({"detail": str(exc)}, status_code=exc.status)


def create_app(
    settings: Settings | None = None,
    kernel_settings: KernelSettings | None = None,
    *,
    on_startup: Sequence[StartupHook] = (),
) -> FastAPI:
    """The app; `on_startup` hooks run once the store is open (the CLI prints links there)."""
    services = Services.build(settings or Settings(), kernel_settings or KernelSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.start()
        for hook in on_startup:
            await hook(services)
        try:
            yield
        finally:
            await services.close()

    app = FastAPI(title="Pairboard", lifespan=lifespan)
    app.state.services = services
    # Outermost: a request without one of our tokens, or with a body over its route's limit, is
    # refused before a byte of the body is read (server/http_limits.py).
    app.add_middleware(
        BodyLimitMiddleware,
        limits=BodyLimits.from_settings(services.settings),
        check_token=lambda token: token_refusal(
            token, services.admin_token, services.sessions.signer
        ),
    )
    app.include_router(sessions_api.router)
    app.include_router(runs_api.router)
    app.include_router(notebook_api.router)
    app.include_router(data_api.router)
    app.include_router(sync_endpoint.router)
    app.include_router(scenarios_api.router)
    app.include_router(scenario_session_api.router)
    app.add_exception_handler(ScenarioError, scenario_session_api.scenario_error_response)
    app.include_router(auth_api.router)
    app.include_router(tokens_api.router)
    app.add_exception_handler(AccountError, account_error_response)
    app.add_exception_handler(RequestValidationError, validation_error_response)
    for router in (
        replay_api.router,
        review_api.router,
        recordings_api.router,
        audit_api.router,
        privacy_api.router,
        org_api.router,
    ):
        app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok", "rooms": len(services.rooms.rooms)}
        kernel_settings = services.kernel_settings
        body["kernels"] = {"provider": kernel_settings.provider}
        if kernel_settings.provider == "local" and services.runs.started:
            body["kernels"]["sandbox"] = sandbox_report(kernel_settings).as_dict()
        return body

    mount_web(app, services.settings.web_dist)
    return app
