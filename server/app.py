"""The FastAPI application factory: builds the services, mounts the routes, owns their lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from kernels.sandbox.layers import sandbox_report
from kernels.settings import KernelSettings
from server.api import recordings as recordings_api
from server.api import replay as replay_api
from server.api import review as review_api
from server.api import runs as runs_api
from server.api import scenario as scenario_session_api
from server.api import scenarios as scenarios_api
from server.api import sessions as sessions_api
from server.auth import TokenSigner, load_admin_token, load_secret
from server.private_files import private_dir
from server.replay.service import ReplayService
from server.runs import Runs, build_provider
from server.scale.build import build_store_and_fanout
from server.scenarios.runner import ScenarioError, ScenarioRunner
from server.services import Services
from server.sessions import Sessions
from server.settings import Settings
from server.sync import endpoint as sync_endpoint
from server.sync.rooms import RoomRegistry
from server.web import mount_web

log = logging.getLogger("pairboard")


def build_services(settings: Settings) -> Services:
    private_dir(settings.data_dir)
    # Embedded: SQLite + in-process fan-out. With PAIRBOARD_REDIS_URL: Redis streams + the shared
    # durable store, and a fan-out that follows other instances (server/scale).
    store, fanout = build_store_and_fanout(settings)
    signer = TokenSigner(load_secret(settings.data_dir, settings.secret))
    return Services(
        settings=settings,
        store=store,
        sessions=Sessions(store, signer, settings),
        rooms=RoomRegistry(store, settings, fanout),
        admin_token=load_admin_token(settings.data_dir, settings.admin_token),
    )


StartupHook = Callable[[Services], Awaitable[None]]


def create_app(
    settings: Settings | None = None, *, on_startup: Sequence[StartupHook] = ()
) -> FastAPI:
    """The app; `on_startup` hooks run once the store is open (the CLI prints links there)."""
    settings = settings or Settings()
    services = build_services(settings)
    # Recording extras (cursor samples, retention); the update log itself is the rooms' own.
    replay = ReplayService(services)
    services.rooms.awareness_observer = replay.observe_awareness
    kernel_settings = KernelSettings()
    runs = Runs(services.rooms, services.sessions, build_provider(kernel_settings))
    # The scenario clock and timeline; hidden kernel code reaches the session's kernel through
    # the runs' lock (setup and fired kernel actions are brought in before every run).
    scenarios = ScenarioRunner(
        services.store, services.sessions, services.rooms, settings, runs.sync_hidden
    )
    runs.prepare = scenarios.prepare
    services.scenarios = scenarios
    # Scale-out: a session's kernel is found by id from any instance (gateway provider only).
    runs.shared_kernels = bool(settings.redis_url) and kernel_settings.provider == "gateway"
    if settings.redis_url and kernel_settings.provider != "gateway":
        log.warning(
            "PAIRBOARD_REDIS_URL is set but kernels are local: a session's kernel lives on the "
            "instance that started it. Set PAIRBOARD_KERNEL_PROVIDER=gateway (docs/DEPLOY.md)."
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.store.open()
        await services.rooms.fanout.start(services.sessions)
        services.rooms.start()
        await replay.start()
        await runs.start()  # logs the sandbox layers; warms the kernel pool in the background
        await scenarios.start()  # resumes the clocks of live sessions
        for hook in on_startup:
            await hook(services)
        try:
            yield
        finally:
            await scenarios.close()
            await runs.close()
            await replay.stop()
            await services.rooms.close()
            await services.rooms.fanout.close()
            await services.store.close()

    app = FastAPI(title="Pairboard", lifespan=lifespan)
    app.state.services = services
    app.state.replay = replay
    app.state.runs = runs
    app.state.scenarios = scenarios
    app.include_router(sessions_api.router)
    app.include_router(runs_api.router)
    app.include_router(sync_endpoint.router)
    app.include_router(scenarios_api.router)
    app.include_router(scenario_session_api.router)
    app.add_exception_handler(ScenarioError, scenario_session_api.scenario_error_response)
    for router in (replay_api.router, review_api.router, recordings_api.router):
        app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok", "rooms": len(services.rooms.rooms)}
        body["kernels"] = {"provider": kernel_settings.provider}
        if kernel_settings.provider == "local" and runs.started:
            body["kernels"]["sandbox"] = sandbox_report(kernel_settings).as_dict()
        return body

    mount_web(app, settings.web_dist)
    return app
