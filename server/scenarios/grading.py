"""Grade a candidate's code: hidden tests in a fresh, short-lived grader kernel.

The I/O edge around the pure `grader` module: take a kernel from the provider, run the
scenario's setup, run the grader program, collect stdout, shut the kernel down. The grader
kernel is never the session's kernel, so grading cannot disturb the candidate's state and the
candidate's state cannot leak into the grade.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from kernels.provider import Error, Finished, KernelHandle, KernelProvider, Stream
from server.scenarios.grader import GradeReport, build_program, failed_report, parse_output
from server.scenarios.model import Scenario

DEFAULT_TEST_TIMEOUT_SECONDS = 10.0


async def _run(kernel: KernelHandle, code: str) -> tuple[str, Finished | None, Error | None]:
    """Stdout of one execution, its final status and the first error it raised."""
    out: list[str] = []
    finished: Finished | None = None
    error: Error | None = None
    async for event in kernel.execute(code):
        if isinstance(event, Stream) and event.name == "stdout":
            out.append(event.text)
        elif isinstance(event, Error) and error is None:
            error = event
        elif isinstance(event, Finished):
            finished = event
    return "".join(out), finished, error


async def grade(
    provider: KernelProvider,
    scenario: Scenario,
    candidate_code: str,
    test_timeout_s: float = DEFAULT_TEST_TIMEOUT_SECONDS,
) -> GradeReport:
    """Run `scenario`'s hidden tests against `candidate_code` in a fresh grader kernel."""
    if not scenario.tests:
        return GradeReport(results=[], score=0.0, error="this scenario has no hidden tests")
    kernel = await provider.acquire(f"grader-{uuid.uuid4().hex[:12]}")
    try:
        if scenario.setup.strip():
            _, finished, error = await _run(kernel, scenario.setup)
            if error is not None or finished is None or finished.status != "ok":
                reason = error.ename if error is not None else _status(finished)
                return failed_report(scenario.tests, f"the scenario's setup failed: {reason}")
        marker = f"@@pairboard-grade-{secrets.token_hex(12)}@@"
        program = build_program(
            scenario.tests,
            candidate_code,
            marker,
            helpers=scenario.test_helpers,
            timeout_s=test_timeout_s,
        )
        stdout, finished, _ = await _run(kernel, program)
        report = parse_output(scenario.tests, stdout, marker)
        if report.error and finished is not None and finished.status != "ok":
            return failed_report(scenario.tests, f"grading stopped: {_status(finished)}")
        return report
    finally:
        await _shutdown(provider, kernel)


def _status(finished: Finished | None) -> str:
    if finished is None:
        return "the kernel ended the run without a status"
    return f"{finished.status} {finished.reason}".strip()


async def _shutdown(provider: KernelProvider, kernel: KernelHandle) -> None:
    release: Any = getattr(provider, "release", None)
    if callable(release):
        await release(kernel)
    else:
        await kernel.shutdown()
