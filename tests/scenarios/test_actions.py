"""Timeline event effects as pure data: console entries, hidden kernel code, board additions."""

from __future__ import annotations

from server.scenarios.actions import claim_key, effects_of
from server.scenarios.library import library


def test_crisis_effects_keep_kernel_code_out_of_the_console() -> None:
    drift = library()["data-drift-crisis"]
    events = {e.id: e for e in drift.timeline}
    shift = effects_of(drift, events["app-release"], 1000)
    assert shift.console_events == []
    assert len(shift.kernel_code) == 1 and "_drift_events.append" in shift.kernel_code[0]
    note = effects_of(drift, events["incident-note"], 2000)
    assert [e["kind"] for e in note.console_events] == ["reveal", "message"]
    assert note.console_events[0]["title"] == "Write the incident note"
    assert note.console_events[1] == {
        "id": "incident-note:1",
        "at": 2000,
        "kind": "message",
        "text": "Fraud-ops are waiting for an incident note.",
        "level": "info",
    }
    assert claim_key("app-release") == "scenario-event:app-release"


def test_board_action_expands_to_excalidraw_elements() -> None:
    recsys = library()["recsys-serving"]
    fallback = next(e for e in recsys.timeline if e.id == "fallback-box")
    effects = effects_of(recsys, fallback, 5)
    assert [e["id"] for e in effects.board_elements] == ["fallback", "fallback-label"]
    assert effects.board_elements[1]["containerId"] == "fallback"
