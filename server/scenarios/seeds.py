"""Seeding a new session from its scenario: written once, at creation, as logged updates.

Never "seed if empty" on load (two instances loading at once would both seed): the seed is the
first entry of each doc's update log, so a replay shows it and a reload cannot seed twice. Only
what the candidate may see goes into the shared docs: starter code, whiteboard seed, and the
public brief.
"""

from __future__ import annotations

import time
from typing import Any

from pycrdt import Doc, Text

from server.documents import (
    BOARD_ELEMENTS,
    CODE_FILES,
    CODE_SOURCE,
    CONSOLE_EVENTS,
    CONSOLE_SCENARIO,
    DocName,
)
from server.notebook import set_cells
from server.scenarios.excalidraw import expand
from server.scenarios.model import Scenario
from server.sync.rooms import RoomRegistry


def brief_event(scenario: Scenario, now_ms: int) -> dict[str, Any]:
    """The brief as the first `console.events` entry everyone sees."""
    return {
        "id": "brief",
        "at": now_ms,
        "kind": "brief",
        "title": scenario.title,
        "text": scenario.brief,
        "level": "info",
    }


def seed_code(scenario: Scenario) -> Any:
    """The entry file into `source`, the starter's other files into `files` (a project)."""
    others = {p: t for p, t in scenario.starter.files.items() if p != scenario.starter.main}

    def change(doc: Doc[Any]) -> None:
        source = CODE_SOURCE.of(doc)
        if scenario.starter_source:
            source.insert(0, scenario.starter_source)
        files = CODE_FILES.of(doc)
        for path, text in sorted(others.items()):
            files[path] = Text(text)

    return change


def seed_board(scenario: Scenario) -> Any:
    elements = expand(scenario.whiteboard)

    def change(doc: Doc[Any]) -> None:
        board = BOARD_ELEMENTS.of(doc)
        for element in elements:
            board[element["id"]] = element

    return change


def seed_console(scenario: Scenario, now_ms: int | None = None) -> Any:
    event = brief_event(scenario, now_ms if now_ms is not None else int(time.time() * 1000))

    def change(doc: Doc[Any]) -> None:
        CONSOLE_EVENTS.of(doc).append(event)
        scenario_map = CONSOLE_SCENARIO.of(doc)
        scenario_map["id"] = scenario.id
        scenario_map["title"] = scenario.title
        scenario_map["kind"] = scenario.kind
        scenario_map["duration_min"] = scenario.duration_min
        scenario_map["clock"] = {
            "state": "waiting",
            "started_at": None,
            "paused_at": None,
            "paused_total": 0,
        }

    return change


def notebook_cells(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's notebook cells in `server.notebook.set_cells` form."""
    return [
        {
            "id": cell.id or f"cell-{i}",
            "cell_type": cell.type,
            "source": cell.source,
            "metadata": {},
        }
        for i, cell in enumerate(scenario.notebook, start=1)
    ]


async def seed_session(rooms: RoomRegistry, session_id: str, scenario: Scenario) -> None:
    """Write the seeds through the room registry (logged like every other update)."""
    if scenario.notebook:
        cells = notebook_cells(scenario)
        await rooms.edit(
            session_id, DocName.NOTEBOOK, lambda doc: set_cells(doc, cells), author="scenario"
        )
    await rooms.edit(session_id, DocName.CODE, seed_code(scenario), author="scenario")
    if scenario.whiteboard:
        await rooms.edit(session_id, DocName.BOARD, seed_board(scenario), author="scenario")
    await rooms.edit(session_id, DocName.CONSOLE, seed_console(scenario), author="scenario")
