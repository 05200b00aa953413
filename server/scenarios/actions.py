"""What a fired timeline event writes, as pure data for the runner to apply.

`console.events` entries follow the contract in docs/ARCHITECTURE.md
(`{"id", "at", "kind": "banner" | "message" | "reveal", "text", "level"}`); kernel code is
returned separately because it runs in the session's kernel and is never shown to anyone;
board additions are expanded Excalidraw elements for `board.elements`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.scenarios.excalidraw import expand
from server.scenarios.model import (
    BannerAction,
    BoardAction,
    ConsoleAction,
    HintAction,
    KernelAction,
    RevealAction,
    Scenario,
    TimelineEvent,
)


@dataclass
class Effects:
    """Everything one event does, grouped by where it goes."""

    console_events: list[dict[str, Any]] = field(default_factory=list)
    kernel_code: list[str] = field(default_factory=list)
    board_elements: list[dict[str, Any]] = field(default_factory=list)


def reveal_entry(scenario: Scenario, section_id: str, event_id: str, now_ms: int) -> dict[str, Any]:
    section = next(s for s in scenario.brief_sections if s.id == section_id)
    return {
        "id": f"{event_id}:reveal:{section_id}",
        "at": now_ms,
        "kind": "reveal",
        "title": section.title,
        "text": section.body,
        "level": "info",
    }


def hint_entry(scenario: Scenario, hint_id: str, event_id: str, now_ms: int) -> dict[str, Any]:
    hint = next(h for h in scenario.hints if h.id == hint_id)
    return {
        "id": f"{event_id}:hint:{hint_id}",
        "at": now_ms,
        "kind": "message",
        "text": f"Hint: {hint.text}",
        "level": "info",
    }


def effects_of(scenario: Scenario, event: TimelineEvent, now_ms: int) -> Effects:
    """The effects of firing `event` at server time `now_ms` (loaded scenarios are valid)."""
    out = Effects()
    for i, action in enumerate(event.actions):
        entry_id = f"{event.id}:{i}"
        if isinstance(action, BannerAction):
            out.console_events.append(
                {
                    "id": entry_id,
                    "at": now_ms,
                    "kind": "banner",
                    "text": action.text,
                    "level": action.level,
                }
            )
        elif isinstance(action, ConsoleAction):
            out.console_events.append(
                {
                    "id": entry_id,
                    "at": now_ms,
                    "kind": "message",
                    "text": action.text,
                    "level": "info",
                }
            )
        elif isinstance(action, RevealAction):
            out.console_events.append(reveal_entry(scenario, action.section, event.id, now_ms))
        elif isinstance(action, HintAction):
            out.console_events.append(hint_entry(scenario, action.hint, event.id, now_ms))
        elif isinstance(action, KernelAction):
            out.kernel_code.append(action.code)
        elif isinstance(action, BoardAction):
            out.board_elements.extend(expand(action.elements))
    return out


def claim_key(event_id: str) -> str:
    """The store claim that makes an event fire (or be skipped) at most once per session."""
    return f"scenario-event:{event_id}"
