"""The pure grader: what is sent to the kernel and the trusted process, and how results become a
weighted report."""

from __future__ import annotations

import importlib.util
import json

import pytest

from server.scenarios import grader
from server.scenarios.grader import Submission
from server.scenarios.grader_agent import MARKER
from server.scenarios.loader import load_library
from server.scenarios.model import HiddenTest
from server.scenarios.project_modules import ProjectModules, servable
from server.scenarios.remote import RemoteError

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
    job = grader.job(scenario, Submission("class LRUCache: pass"), 10.0, 60.0)
    request = {"id": 1, "op": "load", "source": job["candidate"]}
    sent = grader.agent_program() + grader.rpc_program(request)
    lines = [ln.strip() for t in scenario.tests for ln in t.code.splitlines()]
    lines += [ln.strip() for ln in scenario.test_helpers.splitlines()]
    assert [ln for ln in lines if len(ln) >= 20 and ln in sent] == []
    assert [t["code"] for t in job["tests"]] == [t.code for t in scenario.tests]


def test_module_names_of_a_projects_files() -> None:
    files = {
        "features.py": "",
        "pkg/__init__.py": "",
        "pkg/io.py": "",
        "notes.md": "",
        "my-utils.py": "",
        "class.py": "",
        "main.py": "",
    }
    assert Submission("", files, "main.py").module_names() == ["features", "pkg", "pkg.io"]
    assert grader.module_name("a/b/c.py") == "a.b.c"
    assert grader.module_name("__init__.py") is None


def test_the_trusted_job_names_a_projects_modules_and_carries_none_of_its_files() -> None:
    scenario = load_library()["feature-pipeline-refactor"]
    submission = grader.reference_submission(scenario)
    job = grader.job(scenario, submission, 10.0, 60.0)
    assert job["candidate"] == scenario.reference_solution
    assert job["modules"] == ["features", "pipeline"]
    sent = json.dumps(job)
    assert [p for p, text in submission.files.items() if text.strip() in sent] == []
    assert list(submission.project) == ["main.py", "features.py", "pipeline.py"]


def test_starter_and_reference_of_a_project() -> None:
    project = load_library()["feature-pipeline-refactor"]
    starter = grader.starter_submission(project)
    assert (starter.entry, sorted(starter.files)) == ("main.py", ["features.py", "pipeline.py"])
    assert starter.files["features.py"] == project.starter.files["features.py"]
    reference = grader.reference_submission(project)
    assert reference.files["features.py"] == project.reference_files["features.py"]


def test_a_notebooks_submission_is_its_code_cells_top_to_bottom() -> None:
    notebook = load_library()["pytorch-training-loop-bugs"]
    assert notebook.mode == "notebook"
    code = [c for c in notebook.notebook if c.type == "code"]
    assert [c.id for c in code] == ["imports", "standardize", "train", "run"]
    starter = grader.starter_submission(notebook)
    assert starter == Submission("\n\n".join(c.source for c in code))
    assert grader.reference_submission(notebook) == Submission(notebook.reference_solution)
    assert starter.module_names() == []


def test_a_candidate_module_named_like_one_the_trusted_process_has_is_never_served() -> None:
    names = [
        "json",
        "pytest",
        "server.scenarios.remote",
        "pydantic",
        "features",
        "pkg.io",
        "__main__",
    ]
    assert servable(names) == ["features", "pkg.io"]


def test_project_modules_hand_out_the_names_or_raise_what_the_import_raised() -> None:
    finder = ProjectModules({"features": {"f": 1}, "pkg.bad": RemoteError("Boom: no")})
    assert finder.find_spec("json") is None
    features_spec = finder.find_spec("features")
    package_spec = finder.find_spec("pkg")
    bad_spec = finder.find_spec("pkg.bad")
    assert features_spec is not None and package_spec is not None and bad_spec is not None
    assert package_spec.submodule_search_locations == []
    features = importlib.util.module_from_spec(features_spec)
    finder.exec_module(features)
    assert (features.__name__, features.f) == ("features", 1)
    bad = importlib.util.module_from_spec(bad_spec)
    with pytest.raises(RemoteError, match="Boom: no"):
        finder.exec_module(bad)
