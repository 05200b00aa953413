"""The scenario library a running server offers: loaded once, looked up by id.

The directory comes from `PAIRBOARD_SCENARIOS_DIR` (default: the repository's `scenarios/`).
Loaded on first use and cached; a bad file raises `ScenarioFileError` listing every problem rather
than silently hiding a scenario (`pairboard scenarios validate` shows the same list).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from server.scenarios.loader import DEFAULT_LIBRARY, load_library, read_data
from server.scenarios.model import Scenario

ENV_DIR = "PAIRBOARD_SCENARIOS_DIR"


def library_dir() -> Path:
    configured = os.environ.get(ENV_DIR)
    return Path(configured) if configured else DEFAULT_LIBRARY


@lru_cache(maxsize=4)
def _load(directory: Path) -> dict[str, Scenario]:
    return load_library(directory)


def library() -> dict[str, Scenario]:
    """Scenarios by id, sorted by id."""
    return dict(sorted(_load(library_dir()).items()))


def get(scenario_id: str) -> Scenario | None:
    return library().get(scenario_id)


def data_files(scenario: Scenario) -> dict[str, bytes]:
    """The scenario's shipped data files (read and re-verified on each call: a few MB at most,
    read once per kernel that needs them)."""
    return read_data(scenario, library_dir())
