"""The application's long-lived parts, built once at startup and shared by every request.

Routes reach them as `request.app.state.services`; tests build the same object through
`server.app.create_app`, so nothing here is a test double.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.sessions import Sessions
from server.settings import Settings
from server.store.base import Store
from server.sync.rooms import RoomRegistry

if TYPE_CHECKING:
    from server.scenarios.runner import ScenarioRunner


@dataclass
class Services:
    settings: Settings
    store: Store
    sessions: Sessions
    rooms: RoomRegistry
    admin_token: str
    scenarios: ScenarioRunner | None = None  # set by create_app (server/scenarios/runner.py)
