"""The composition root: every long-lived part of a server, built once, in dependency order.

`Services.build` is the one place that knows how the parts connect. Each part receives its
collaborators through its constructor, typed by the small `Protocol` it needs (a room needs an
`AwarenessSink` and its `RoomPeers`, the runs need a `KernelPreparer`, the scenario runner a
`KernelSync`), so reading a constructor tells what a part depends on, and nothing is wired by
assigning to an attribute afterwards. Routes reach this object as `request.app.state.services`
(the only thing `app.state` holds); tests build the same object through `server.app.create_app`,
so nothing here is a test double.

Build order, and why:
1. the store and the fan-out (embedded: SQLite + in-process; scale-out: Redis streams),
2. sessions (they tell the fan-out when a record changed, so other instances re-read it),
3. the awareness sampler, then the rooms (every accepted cursor change is sampled),
4. the audit log on the durable store (it names users from the accounts), the organisation's
   settings (they re-point sessions at a new candidate notice and mark it in their console),
   then the recorder's upkeep (retention needs the rooms to know what is in use and reads how
   old is too old from the organisation's settings),
5. the kernel provider, the attachments, the scenario's hidden kernel state, then the runs
   (which bring a session's kernel up to date with its scenario and its data files before
   every run),
6. the scenario runner (which asks the runs to sync a kernel when an event changes data),
7. the accounts on the durable store (never only in Redis), the OpenID client when configured,
   and the `Gate` every REST route and websocket asks (sessions + accounts + the admin token);
8. the eraser,
   which reaches into every part that holds something of a session (kernels, rooms, the
   durable store, Redis streams when the store has them, attachments on disk).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from kernels.provider import KernelProvider, SharedKernelProvider
from kernels.settings import KernelSettings
from server import notebook
from server.access import Gate
from server.accounts.oidc import OidcSignIn
from server.accounts.service import Accounts
from server.attachments import Attachments
from server.audit.service import Audit
from server.auth import TokenSigner, load_admin_token, load_secret
from server.org.service import OrgSettingsService
from server.privacy.erase import Eraser, SessionStreams
from server.private_files import private_dir
from server.project_files import ProjectLimits
from server.replay.records import AwarenessSampler
from server.replay.service import ReplayService
from server.runs import Runs
from server.scale.build import build_store_and_fanout
from server.scale.fanout import Fanout
from server.scenarios.hidden import HiddenKernelState
from server.scenarios.runner import ScenarioRunner
from server.sessions import Sessions
from server.settings import Settings
from server.store.base import Store
from server.store.select import DurableStore
from server.sync.admission import ConnectionCaps, ConnectionSlots
from server.sync.rooms import RoomRegistry

log = logging.getLogger("pairboard")


@dataclass(frozen=True, slots=True)
class Providers:
    """The kernel provider, and the same object again when its kernels can be shared between
    instances (the gateway provider with Redis): typed by that ability, or None."""

    provider: KernelProvider
    shared: SharedKernelProvider | None


def build_providers(settings: Settings, kernel_settings: KernelSettings) -> Providers:
    if kernel_settings.provider == "gateway":
        from kernels.gateway.provider import GatewayProvider
        from kernels.run_limits import RunLimits

        gateway = GatewayProvider(limits=RunLimits.from_settings(kernel_settings))
        # Scale-out: a session's kernel is found by id from any instance.
        return Providers(gateway, gateway if settings.redis_url else None)
    from kernels.local.provider import LocalProvider

    if settings.redis_url:
        log.warning(
            "PAIRBOARD_REDIS_URL is set but kernels are local: a session's kernel lives on the "
            "instance that started it. Set PAIRBOARD_KERNEL_PROVIDER=gateway (docs/DEPLOY.md)."
        )
    return Providers(LocalProvider(kernel_settings), None)


@dataclass(frozen=True)
class Services:
    settings: Settings
    kernel_settings: KernelSettings
    store: Store
    durable: DurableStore
    fanout: Fanout
    sessions: Sessions
    rooms: RoomRegistry
    admin_token: str
    accounts: Accounts
    oidc: OidcSignIn | None  # single sign-on, when PAIRBOARD_OIDC_ISSUER is set
    gate: Gate
    replay: ReplayService
    runs: Runs
    scenarios: ScenarioRunner
    attachments: Attachments
    connection_slots: ConnectionSlots
    audit: Audit
    org: OrgSettingsService
    eraser: Eraser
    _background: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, kernel_settings: KernelSettings) -> Services:
        private_dir(settings.data_dir)
        store, fanout, durable = build_store_and_fanout(settings)
        signer = TokenSigner(load_secret(settings.data_dir, settings.secret))
        sessions = Sessions(store, signer, settings, changes=fanout)
        sampler = AwarenessSampler(
            store,
            per_second=settings.awareness_samples_per_second,
            max_bytes=settings.awareness_sample_max_bytes,
        )
        rooms = RoomRegistry(store, settings, fanout, awareness=sampler)
        audit = Audit(durable, durable)
        org = OrgSettingsService(durable, sessions, rooms, audit, settings)
        replay = ReplayService(store, settings, sessions, rooms, sampler, audit, retention=org)
        providers = build_providers(settings, kernel_settings)
        attachments = Attachments(
            settings.data_dir / "attachments",
            max_bytes=settings.attachment_max_bytes,
            max_files=settings.attachments_per_session,
        )
        hidden = HiddenKernelState(sessions, attachments)
        runs = Runs(
            rooms,
            sessions,
            providers.provider,
            preparer=hidden,
            max_code_bytes=settings.run_max_code_bytes,
            shared=providers.shared,
            project_limits=ProjectLimits(
                max_files=settings.project_max_files,
                max_file_bytes=settings.project_max_file_bytes,
                max_bytes=settings.project_max_bytes,
            ),
        )
        scenarios = ScenarioRunner(store, sessions, rooms, settings, kernels=runs)
        admin_token = load_admin_token(settings.data_dir, settings.admin_token)
        accounts = Accounts(durable, settings)
        return cls(
            settings=settings,
            kernel_settings=kernel_settings,
            store=store,
            durable=durable,
            fanout=fanout,
            sessions=sessions,
            rooms=rooms,
            admin_token=admin_token,
            accounts=accounts,
            oidc=OidcSignIn(settings, durable, accounts) if settings.oidc_issuer else None,
            gate=Gate(sessions, accounts, admin_token),
            replay=replay,
            runs=runs,
            scenarios=scenarios,
            attachments=attachments,
            connection_slots=ConnectionSlots(ConnectionCaps.from_settings(settings)),
            audit=audit,
            org=org,
            eraser=Eraser(
                sessions,
                rooms,
                runs,
                hidden,
                attachments,
                audit,
                streams=store if isinstance(store, SessionStreams) else None,
            ),
        )

    async def start(self) -> None:
        """Open the store, then start each part after the ones it uses."""
        await self.store.open()
        await self.fanout.start(self.sessions)
        self.rooms.start()
        await self.replay.start()
        await self.runs.start()  # logs the sandbox layers; warms the kernel pool in the background
        await self.scenarios.start()  # resumes the clocks of live sessions
        # nbformat takes a second or more to import (see server/notebook.py): off the start path,
        # in a thread, so the first notebook export or import does not wait for it.
        self._background.append(asyncio.create_task(asyncio.to_thread(notebook.preload)))

    async def close(self) -> None:
        """Stop in the reverse order: nothing is closed while a part that uses it still runs."""
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.scenarios.close()
        await self.runs.close()
        await self.replay.stop()
        await self.rooms.close()
        await self.fanout.close()
        await self.store.close()
