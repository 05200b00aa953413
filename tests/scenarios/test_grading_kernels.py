"""Hidden tests in real sandboxed kernels, through the project's local kernel provider: for
every scenario with hidden tests, the reference solution scores 100 % and the starter code does
not (a project's whole set of files, a notebook's code cells). One provider for the module;
scenarios run one after another."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from kernels.local.provider import LocalProvider
from kernels.settings import KernelSettings
from server.scenarios.grader import Submission, reference_submission, starter_submission
from server.scenarios.grading import grade
from server.scenarios.loader import load_library
from server.scenarios.model import Scenario

GRADED = sorted((s for s in load_library().values() if s.tests), key=lambda s: s.id)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def provider() -> AsyncIterator[LocalProvider]:
    settings = KernelSettings()
    if not (settings.env_dir / "bin" / "python").exists():
        reason = f"no kernel env at {settings.env_dir}: run `make kernel-env`"
        if os.environ.get("PAIRBOARD_REQUIRE_KERNELS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    p = LocalProvider(settings)
    await p.start()
    yield p
    await p.close()


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize("scenario", GRADED, ids=[s.id for s in GRADED])
async def test_reference_scores_100_and_starter_scores_below(
    provider: LocalProvider, scenario: Scenario
) -> None:
    reference = await grade(provider, scenario, reference_submission(scenario))
    failing = {r.id: r.message for r in reference.results if not r.passed}
    assert failing == {}
    assert reference.score == 100.0
    starter = await grade(provider, scenario, starter_submission(scenario))
    assert starter.score < 100.0
    assert len(starter.results) == len(scenario.tests)


async def test_candidate_syntax_error_fails_every_test_with_the_reason(
    provider: LocalProvider,
) -> None:
    scenario = load_library()["lru-cache"]
    report = await grade(provider, scenario, "class LRUCache(:\n")
    assert report.score == 0.0
    assert {r.passed for r in report.results} == {False}
    assert all("SyntaxError" in r.message for r in report.results)


async def test_a_test_that_hangs_times_out_alone(provider: LocalProvider) -> None:
    scenario = load_library()["lru-cache"]
    hanging = scenario.reference_solution.replace(
        "    def __len__(self):\n",
        "    def __len__(self):\n        while len(self.map) == 1:\n            pass\n",
    )
    report = await grade(provider, scenario, hanging, test_timeout_s=1.0)
    by_id = {r.id: r for r in report.results}
    assert by_id["capacity-one"].passed is False
    assert by_id["capacity-one"].message == "timed out after 1.0s"
    assert by_id["eviction-order"].passed is True


async def test_a_project_module_that_does_not_import_fails_only_the_tests_importing_it(
    provider: LocalProvider,
) -> None:
    scenario = load_library()["feature-pipeline-refactor"]
    reference = reference_submission(scenario)
    broken = {**reference.files, "pipeline.py": "raise ValueError('half-way through a rename')\n"}
    entry = "from features import tenure_bucket\n"  # main.py without the pipeline
    report = await grade(provider, scenario, Submission(entry, broken, "main.py"))
    assert {r.id: (r.passed, r.message) for r in report.results} == {
        "features-edge-cases": (True, ""),
        "fit-on-train-only": (False, "ValueError: half-way through a rename"),
        "transform-needs-fit": (False, "ValueError: half-way through a rename"),
        "main-wires-the-pipeline": (False, "NameError: name 'build_features' is not defined"),
        # main's tenure_bucket is features' own: one handle on one object, whichever name.
        "one-definition": (True, ""),
    }
