"""Malformed scenario files: every error names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.scenarios.loader import ScenarioFileError, load_file

VALID = """\
id: tiny
title: Tiny
kind: coding
level: junior
duration_min: 20
summary: A tiny scenario.
brief: Do it.
starter:
  main: main.py
  files:
    main.py: "x = 1\\n"
tests:
  - id: t1
    name: x is 2
    code: assert x == 2
reference_solution: "x = 2\\n"
rubric:
  - id: quality
    title: Quality
    levels:
      - {score: 1, label: Low, description: Poor.}
      - {score: 2, label: High, description: Good.}
timeline:
  - id: banner
    title: A banner
    at: 5m
    actions:
      - type: banner
        text: Hello
"""


def problems(tmp_path: Path, text: str, name: str = "tiny.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioFileError) as info:
        load_file(path)
    return [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems]


def test_the_valid_fixture_loads(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load_file(path).id == "tiny"


def test_wrong_enum_value_names_its_line(tmp_path: Path) -> None:
    text = VALID.replace("kind: coding", "kind: quiz")
    assert problems(tmp_path, text) == [
        "tiny.yaml:3: kind: Input should be 'coding', 'ml-coding', 'system-design', "
        "'crisis' or 'behavioural'"
    ]


def test_missing_nested_field_names_the_mapping_that_lacks_it(tmp_path: Path) -> None:
    text = VALID.replace("      - type: banner\n        text: Hello\n", "      - type: banner\n")
    assert problems(tmp_path, text) == ["tiny.yaml:28: timeline[0].actions[0].text: Field required"]


def test_unknown_key_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = VALID.replace("    name: x is 2\n", "    name: x is 2\n    wieght: 3\n")
    assert problems(tmp_path, text) == [
        "tiny.yaml:15: tests[0].wieght: Extra inputs are not permitted"
    ]


def test_bad_duration_and_wrong_type(tmp_path: Path) -> None:
    text = VALID.replace("at: 5m", "at: soon").replace("duration_min: 20", "duration_min: long")
    assert problems(tmp_path, text) == [
        "tiny.yaml:5: duration_min: Input should be a valid integer, unable to parse string "
        "as an integer",
        "tiny.yaml:26: timeline[0].at: String should match pattern "
        "'^([0-9]+h)?([0-9]+m)?([0-9]+s)?$'",
    ]


def test_unknown_action_type(tmp_path: Path) -> None:
    text = VALID.replace("      - type: banner\n", "      - type: confetti\n")
    assert problems(tmp_path, text) == [
        "tiny.yaml:28: timeline[0].actions[0]: Input tag 'confetti' found using 'type' does "
        "not match any of the expected tags: 'banner', 'console', 'kernel', 'reveal', 'hint', "
        "'board'"
    ]


def test_cross_field_rules_name_their_field(tmp_path: Path) -> None:
    text = VALID.replace(
        "      - type: banner\n        text: Hello\n",
        "      - type: reveal\n        section: part-two\n",
    ).replace('reference_solution: "x = 2\\n"\n', "")
    assert problems(tmp_path, text) == [
        "tiny.yaml:1: reference_solution: a coding scenario needs a reference solution",
        "tiny.yaml:28: timeline[0].actions[0].section: no brief section 'part-two'",
    ]


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    assert problems(tmp_path, VALID, name="other.yaml") == [
        "other.yaml:1: id: must equal the file name 'other'"
    ]


def test_event_after_the_end_and_duplicate_ids(tmp_path: Path) -> None:
    text = VALID.replace("at: 5m", "at: 1h").replace("  - id: quality\n", "  - id: t1\n")
    text = text.replace(
        "rubric:\n",
        "rubric:\n  - id: t1\n    title: Again\n    levels:\n"
        "      - {score: 1, label: A, description: B}\n"
        "      - {score: 2, label: C, description: D}\n",
    )
    assert problems(tmp_path, text) == [
        "tiny.yaml:23: rubric[1].id: duplicate id 't1'",
        "tiny.yaml:31: timeline[0].at: 1h is after the 20m end",
    ]


def test_yaml_syntax_error_and_duplicate_keys(tmp_path: Path) -> None:
    assert problems(tmp_path, VALID.replace("title: Tiny", "title: [Tiny")) == [
        "tiny.yaml:3: YAML: expected ',' or ']', but got ':'"
    ]
    assert problems(tmp_path, VALID.replace("level: junior", "level: junior\nlevel: mid")) == [
        "tiny.yaml:5: level: duplicate key"
    ]


def test_a_projects_file_paths_and_reference_files_are_checked(tmp_path: Path) -> None:
    text = VALID.replace(
        '    main.py: "x = 1\\n"\n',
        '    main.py: "x = 1\\n"\n    ../escape.py: "y = 1\\n"\n',
    ).replace(
        'reference_solution: "x = 2\\n"\n',
        'reference_solution: "x = 2\\n"\n'
        "reference_files:\n"
        '  main.py: "x = 3\\n"\n'
        '  data/leak.py: "z = 1\\n"\n'
        '  utils.py: "def f(): return 2\\n"\n',
    )
    found = problems(tmp_path, text)
    assert [p.split(": ", 1)[1] for p in found] == [
        "starter.files.../escape.py: '..' is not a usable file or folder name (letters, digits, "
        "_ - . ; not starting with . or -)",
        "reference_files.main.py: the entry file's reference is `reference_solution`",
        "reference_files.data/leak.py: data/ holds the session's read-only data files: choose "
        "another folder",
    ]
