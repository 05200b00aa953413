"""The scenario library: every file validates, the mix of kinds is what the issue asks for,
and the committed JSON Schema is the one the model generates."""

from __future__ import annotations

from server.scenarios.excalidraw import expand
from server.scenarios.loader import library_files, load_library
from server.scenarios.model import CODING_KINDS
from server.scenarios.schema import SCHEMA_PATH, render_schema


def test_every_library_scenario_validates_and_ids_match_file_names() -> None:
    library = load_library()
    assert len(library) >= 12
    assert sorted(library) == sorted(p.stem for p in library_files())


def test_library_covers_every_kind_and_coding_scenarios_carry_tests_and_a_reference() -> None:
    library = load_library()
    kinds = {s.kind for s in library.values()}
    assert kinds == {"coding", "ml-coding", "system-design", "crisis", "behavioural"}
    for scenario in library.values():
        assert scenario.rubric, scenario.id
        if scenario.kind in CODING_KINDS:
            assert scenario.tests and scenario.reference_solution.strip(), scenario.id
            starter = scenario.starter_source
            if scenario.mode == "notebook":  # the seeded cells are the starter
                starter = "".join(c.source for c in scenario.notebook if c.type == "code")
            assert starter.strip(), scenario.id


def test_a_crisis_scenario_changes_kernel_data_on_its_timeline() -> None:
    drift = load_library()["data-drift-crisis"]
    timed = [e for e in drift.timeline if e.at is not None]
    assert any(a.type == "kernel" for e in timed for a in e.actions)


def test_committed_schema_json_is_up_to_date() -> None:
    stale = "scenarios/schema.json is stale: run `python -m server.scenarios.schema`"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), stale


def test_whiteboard_seeds_expand_to_excalidraw_elements_with_bound_labels() -> None:
    recsys = load_library()["recsys-serving"]
    elements = expand(recsys.whiteboard)
    by_id = {e["id"]: e for e in elements}
    assert len(by_id) == len(elements)
    required = {"id", "type", "x", "y", "width", "height", "version", "versionNonce", "seed"}
    for element in elements:
        assert required <= set(element), element["id"]
        assert element["isDeleted"] is False
    assert by_id["app-label"]["containerId"] == "app"
    assert {"id": "app-label", "type": "text"} in by_id["app"]["boundElements"]
    arrow = by_id["a1"]
    assert arrow["startBinding"]["elementId"] == "app"
    assert arrow["endBinding"]["elementId"] == "gateway"
    assert expand(recsys.whiteboard) == elements  # deterministic: same seeds and nonces
