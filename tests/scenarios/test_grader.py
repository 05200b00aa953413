"""The pure grader: the program it builds and how its output becomes a weighted report."""

from __future__ import annotations

import json
import subprocess
import sys

from server.scenarios.grader import build_program, parse_output
from server.scenarios.model import HiddenTest

TESTS = [
    HiddenTest(id="a", name="A", weight=1, code="assert f() == 1, 'f() should be 1'"),
    HiddenTest(id="b", name="B", weight=3, code="assert g() == 2"),
]
MARKER = "@@m@@"


def run_program(candidate: str) -> str:
    program = build_program(TESTS, candidate, MARKER, helpers="", timeout_s=5)
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_weighted_score_and_messages_from_a_real_run() -> None:
    stdout = run_program("def f():\n    print('noise')\n    return 1\ndef g():\n    return 3\n")
    report = parse_output(TESTS, stdout, MARKER)
    assert [(r.id, r.passed) for r in report.results] == [("a", True), ("b", False)]
    assert report.results[1].message == "AssertionError"
    assert report.score == 25.0
    assert "noise" not in stdout  # the candidate's prints are not mixed into the result


def test_candidate_code_that_raises_fails_every_test() -> None:
    report = parse_output(TESTS, run_program("raise SystemExit(3)"), MARKER)
    assert report.score == 0.0
    assert {r.message for r in report.results} == {"the candidate's code raised: SystemExit: 3"}


def test_forged_lines_without_the_marker_are_ignored_and_missing_output_fails_all() -> None:
    forged = json.dumps([{"id": "a", "passed": True}, {"id": "b", "passed": True}])
    assert parse_output(TESTS, "@@other@@" + forged, MARKER).score == 0.0
    report = parse_output(TESTS, "", MARKER)
    assert report.error == "the grader produced no result"
    assert [r.passed for r in report.results] == [False, False]


def test_a_test_missing_from_the_result_counts_as_failed() -> None:
    report = parse_output(TESTS, MARKER + json.dumps([{"id": "a", "passed": True}]), MARKER)
    assert [(r.id, r.passed, r.message) for r in report.results] == [
        ("a", True, ""),
        ("b", False, "no result for this test"),
    ]
    assert report.score == 25.0
