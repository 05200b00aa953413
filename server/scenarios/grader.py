"""Hidden-test grading, pure: the messages of a grading and the report built from its verdicts.

A grading has two processes (`grading.py` runs them): the sandboxed grader kernel, where the
candidate's code runs next to the small RPC agent (`grader_agent.py`), and the trusted test
process (`trusted_runner.py`), where the hidden tests run and decide the verdicts. This module
builds what the server sends each of them: the trusted process's job, the program that installs
the agent in the kernel, one kernel program per RPC request; and it reads what comes back: the
one reply line of a kernel execution (handed on unread; only the trusted process decodes it) and
the trusted process's results, which are the report. Nothing the kernel prints is ever read as a
verdict.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.scenarios import grader_agent, rpc_codec, rpc_pandas
from server.scenarios.model import HiddenTest, Scenario

AGENT_NAME = "__pairboard_agent"
AGENT_MODULES = (
    ("server.scenarios.rpc_codec", rpc_codec),
    ("server.scenarios.rpc_pandas", rpc_pandas),
    ("server.scenarios.grader_agent", grader_agent),
)
"""Sent into the grader kernel in this order, under their own names (they import each other)."""

_INSTALL = """\
def __pairboard_install(sources):
    import sys, types
    for package in ("server", "server.scenarios"):
        if package not in sys.modules:
            sys.modules[package] = types.ModuleType(package)
            sys.modules[package].__path__ = []
    for name, source in sources:
        module = types.ModuleType(name)
        sys.modules[name] = module
        exec(compile(source, "<" + name + ">", "exec"), module.__dict__)
        setattr(sys.modules["server.scenarios"], name.rsplit(".", 1)[1], module)
    agent = sys.modules["server.scenarios.grader_agent"]
    return agent.Agent(sys.modules["server.scenarios.rpc_codec"], globals(), sys.stdout)
{agent} = __pairboard_install({sources!r})
del __pairboard_install
"""


def agent_program() -> str:
    """The kernel program that installs the agent (run after setup, before the candidate's code,
    so the agent's snapshot of the namespace is the setup's)."""
    sources = [(name, Path(str(module.__file__)).read_text()) for name, module in AGENT_MODULES]
    return _INSTALL.format(agent=AGENT_NAME, sources=sources)


def rpc_program(request: dict[str, Any]) -> str:
    """The kernel program for one request of the trusted process."""
    return f"{AGENT_NAME}.serve({json.dumps(request)!r})"


def rpc_reply(stdout: str) -> str | None:
    """The payload of the execution's one reply line; None for none or several (a candidate who
    prints reply lines of their own makes the reply unreadable, never forged)."""
    lines = [ln for ln in stdout.splitlines() if ln.startswith(grader_agent.MARKER)]
    return lines[0][len(grader_agent.MARKER) :] if len(lines) == 1 else None


@dataclass(frozen=True)
class Submission:
    """What is graded: the entry file's text and, for a project, its other files.

    `files` maps relative paths to text (the entry file not among them); they are written into
    the grader kernel's working directory before the entry file runs, so `from features import
    f` works there, and the hidden tests can import the project's modules too
    (`module_names`)."""

    source: str
    files: Mapping[str, str] = field(default_factory=dict)
    entry: str = "main.py"

    @property
    def project(self) -> dict[str, str]:
        """Every file, the entry file first (what `project_files.mirror_program` writes)."""
        return {self.entry: self.source, **{p: t for p, t in self.files.items() if p != self.entry}}

    def module_names(self) -> list[str]:
        """The importable modules of the files besides the entry file, sorted."""
        names = {module_name(path) for path in self.files if path != self.entry}
        return sorted(name for name in names if name is not None)


def module_name(path: str) -> str | None:
    """`features.py` -> `features`, `pkg/io.py` -> `pkg.io`, `pkg/__init__.py` -> `pkg`; None
    for a file Python cannot import by name (not `.py`, a part that is no identifier)."""
    if not path.endswith(".py"):
        return None
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    ok = parts and all(p.isidentifier() and not keyword.iskeyword(p) for p in parts)
    return ".".join(parts) if ok else None


def starter_submission(scenario: Scenario) -> Submission:
    """The starter as a candidate who changed nothing submits it: the starter's files, or in
    notebook mode the seeded notebook's code cells as one script (as `script_of` gives)."""
    if scenario.mode == "notebook":
        return Submission("\n\n".join(c.source for c in scenario.notebook if c.type == "code"))
    main = scenario.starter.main
    others = {p: t for p, t in scenario.starter.files.items() if p != main}
    return Submission(scenario.starter_source, others, main)


def reference_submission(scenario: Scenario) -> Submission:
    """The reference solution: `reference_solution` as the entry file, the starter's other files
    overlaid by `reference_files` (notebook mode: the reference is one script)."""
    if scenario.mode == "notebook":
        return Submission(scenario.reference_solution)
    main = scenario.starter.main
    others = {p: t for p, t in scenario.starter.files.items() if p != main}
    return Submission(scenario.reference_solution, {**others, **scenario.reference_files}, main)


def job(
    scenario: Scenario,
    candidate: Submission,
    timeout_s: float,
    setup_timeout_s: float,
    max_message: int = 500,
) -> dict[str, Any]:
    """The trusted process's job (its first line of input): the project's module names, never
    its files' text (only the kernel runs them)."""
    return {
        "setup": scenario.setup,
        "helpers": scenario.test_helpers,
        "tests": [{"id": t.id, "code": t.code} for t in scenario.tests],
        "timeout": float(timeout_s),
        "setup_timeout": float(setup_timeout_s),
        "candidate": candidate.source,
        "modules": candidate.module_names(),
        "max_message": max_message,
    }


@dataclass(frozen=True)
class TestResult:
    id: str
    name: str
    weight: float
    passed: bool
    message: str


@dataclass(frozen=True)
class GradeReport:
    """Per-test results and the weighted score in percent (0 to 100)."""

    results: list[TestResult]
    score: float
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "error": self.error,
            "passed": sum(r.passed for r in self.results),
            "total": len(self.results),
            "results": [
                {
                    "id": r.id,
                    "name": r.name,
                    "weight": r.weight,
                    "passed": r.passed,
                    "message": r.message,
                }
                for r in self.results
            ],
        }


def failed_report(tests: list[HiddenTest], error: str) -> GradeReport:
    """Every test failed for one reason (setup broke, the kernel died, no result line)."""
    results = [TestResult(t.id, t.name, t.weight, False, error) for t in tests]
    return GradeReport(results=results, score=0.0, error=error)


def weighted_score(results: list[TestResult]) -> float:
    total = sum(r.weight for r in results)
    if total <= 0:
        return 0.0
    return round(100.0 * sum(r.weight for r in results if r.passed) / total, 2)


def report(tests: list[HiddenTest], results: Any) -> GradeReport:
    """The report from the trusted process's results; a test without a result failed."""
    by_id: dict[str, dict[str, Any]] = {}
    if isinstance(results, list):
        by_id = {str(r.get("id")): r for r in results if isinstance(r, dict)}
    out = []
    for t in tests:
        item = by_id.get(t.id)
        if item is None:
            out.append(TestResult(t.id, t.name, t.weight, False, "no result for this test"))
        else:
            passed = item.get("passed") is True
            out.append(TestResult(t.id, t.name, t.weight, passed, str(item.get("message") or "")))
    return GradeReport(results=out, score=weighted_score(out))
