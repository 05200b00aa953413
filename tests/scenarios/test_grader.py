"""The pure grader: what is sent to the kernel and the trusted process, and how results become a
weighted report."""

from __future__ import annotations

from server.scenarios import grader
from server.scenarios.grader_agent import MARKER
from server.scenarios.loader import load_library
from server.scenarios.model import HiddenTest

TESTS = [
    HiddenTest(id="a", name="A", weight=1, code="assert f() == 1, 'f() should be 1'"),
    HiddenTest(id="b", name="B", weight=3, code="assert g() == 2"),
]


def test_the_report_weights_passed_tests_and_a_test_without_a_result_failed() -> None:
    report = grader.report(TESTS, [{"id": "b", "passed": True, "message": ""}])
    assert [(r.id, r.passed, r.message) for r in report.results] == [
        ("a", False, "no result for this test"),
        ("b", True, ""),
    ]
    assert report.score == 75.0
    assert grader.report(TESTS, [{"id": "a", "passed": "yes"}]).score == 0.0  # only True passes


def test_a_kernel_execution_has_one_reply_line_or_none_that_counts() -> None:
    assert grader.rpc_reply(f"noise\n{MARKER}{{}}\nmore") == "{}"
    assert grader.rpc_reply("no reply at all\n") is None
    assert grader.rpc_reply(f"{MARKER}{{}}\n{MARKER}{{}}\n") is None  # a candidate's forgery


def test_nothing_sent_to_the_kernel_carries_hidden_tests_or_helpers() -> None:
    scenario = load_library()["lru-cache"]
    job = grader.job(scenario, "class LRUCache: pass", 10.0, 60.0)
    request = {"id": 1, "op": "load", "source": job["candidate"]}
    sent = grader.agent_program() + grader.rpc_program(request)
    lines = [ln.strip() for t in scenario.tests for ln in t.code.splitlines()]
    lines += [ln.strip() for ln in scenario.test_helpers.splitlines()]
    assert [ln for ln in lines if len(ln) >= 20 and ln in sent] == []
    assert [t["code"] for t in job["tests"]] == [t.code for t in scenario.tests]
