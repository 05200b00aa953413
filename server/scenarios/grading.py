"""Grade a candidate's code: hidden tests in a trusted process, the candidate's code in a kernel.

The I/O edge of grading (the messages are `grader.py`'s). Two processes per grading:
- a fresh grader kernel from the provider (sandboxed like any kernel, never the session's) that
  runs the scenario's setup, the RPC agent and the candidate's code (`grader_kernel.py`);
- a short-lived trusted Python process (`trusted_runner.py`, the kernels' Python, for NumPy and
  pandas) that runs the setup too, the helpers and the hidden tests, and decides the verdicts.
The server relays the trusted process's requests to the kernel and the kernel's reply lines
back, unread, then takes the report from the trusted process. So a verdict changes only when a
test's assertions hold in a process the candidate's code never ran in; hidden tests and helpers
never enter the kernel; what the kernel prints is never read as a result.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from kernels.provider import KernelHandle, KernelProvider
from kernels.settings import KernelSettings
from server.scenarios import grader, library
from server.scenarios.grader import GradeReport, Submission, failed_report
from server.scenarios.grader_kernel import GraderKernel
from server.scenarios.model import Scenario

DEFAULT_TEST_TIMEOUT_SECONDS = 10.0
SETUP_TIMEOUT_SECONDS = 120.0
"""Wall time of the scenario's setup in the trusted process (in the kernel, the kernel's run limit
applies)."""
TRUSTED_LINE_MAX_BYTES = 256 * 1024 * 1024
"""Largest request line the trusted process may send (arrays passed to the candidate's code)."""
_ROOT = Path(__file__).resolve().parents[2]
_BOOT = (
    f"import sys; sys.path.insert(0, {str(_ROOT)!r}); "
    "from server.scenarios.trusted_runner import main; main()"
)
_ENV = {
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
"""The trusted process's whole environment (with PATH): none of the server's settings."""


def trusted_python(settings: KernelSettings | None = None) -> Path:
    """The kernels' Python when this host has it (the tests want NumPy and pandas), else ours."""
    python = (settings or KernelSettings()).env_dir / "bin" / "python"
    return python if python.exists() else Path(sys.executable)


async def grade(
    provider: KernelProvider,
    scenario: Scenario,
    candidate: str | Submission,
    test_timeout_s: float = DEFAULT_TEST_TIMEOUT_SECONDS,
    *,
    python: Path | None = None,
    setup_timeout_s: float = SETUP_TIMEOUT_SECONDS,
) -> GradeReport:
    """Run `scenario`'s hidden tests against `candidate` (see the module docstring): one file's
    code, or a project (the caller checked it against the project limits)."""
    tests = scenario.tests
    if not tests:
        return GradeReport(results=[], score=0.0, error="this scenario has no hidden tests")
    submission = candidate if isinstance(candidate, Submission) else Submission(candidate)
    job = grader.job(scenario, submission, test_timeout_s, setup_timeout_s)
    # Every test may use its time, plus the load, the helpers, the setup and some slack.
    budget = setup_timeout_s + (len(tests) + 3) * (test_timeout_s + 5.0)
    kernel = await provider.acquire(f"grader-{uuid.uuid4().hex[:12]}")
    with tempfile.TemporaryDirectory(prefix="pairboard-grading-") as workdir:
        # The scenario's data files, for its setup in both processes: the kernel's read-only
        # `data/`, and the trusted process's own copy (it never reads the kernel's).
        files = await asyncio.to_thread(library.data_files, scenario) if scenario.data else {}
        for name, content in files.items():
            (Path(workdir) / "data").mkdir(exist_ok=True)
            (Path(workdir) / "data" / name).write_bytes(content)
        trusted = await _start_trusted(python or trusted_python(), Path(workdir))
        try:
            if files:
                await kernel.put_data(files)
            await _send(trusted, job)
            project = submission.project if submission.files else None
            grader_kernel = GraderKernel(kernel, scenario.setup, project)
            error = await grader_kernel.start()
            if error:
                return failed_report(tests, error)
            try:
                async with asyncio.timeout(budget):
                    return await _relay(trusted, grader_kernel, tests)
            except TimeoutError:
                return failed_report(tests, f"grading did not finish within {budget:g}s")
        finally:
            await _stop(trusted)
            await _shutdown(provider, kernel)


class _Trusted:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr: collections.deque[str] = collections.deque(maxlen=20)
        self.drain = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.stderr.append(line.decode(errors="replace").rstrip())


async def _start_trusted(python: Path, workdir: Path) -> _Trusted:
    process = await asyncio.create_subprocess_exec(
        str(python),
        "-I",
        "-c",
        _BOOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=workdir,
        env={**_ENV, "PATH": os.defpath},
        limit=TRUSTED_LINE_MAX_BYTES,
    )
    return _Trusted(process)


async def _send(trusted: _Trusted, message: dict[str, Any]) -> None:
    assert trusted.process.stdin is not None
    trusted.process.stdin.write(json.dumps(message).encode() + b"\n")
    await trusted.process.stdin.drain()


async def _relay(trusted: _Trusted, kernel: GraderKernel, tests: list[Any]) -> GradeReport:
    """Requests to the kernel and replies back, until the trusted process reports."""
    process = trusted.process
    assert process.stdout is not None
    while line := await process.stdout.readline():
        message = json.loads(line)
        if "results" in message:
            return grader.report(tests, message["results"])
        reply = await kernel.call(message["rpc"], float(message["timeout"]))
        await _send(trusted, reply)
    await process.wait()
    await trusted.drain
    tail = " | ".join(list(trusted.stderr)[-3:]) or f"exit status {process.returncode}"
    return failed_report(tests, f"the trusted test process ended without a report: {tail}")


async def _stop(trusted: _Trusted) -> None:
    if trusted.process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            trusted.process.kill()
    await trusted.process.wait()
    trusted.drain.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await trusted.drain


async def _shutdown(provider: KernelProvider, kernel: KernelHandle) -> None:
    release: Any = getattr(provider, "release", None)
    if callable(release):
        await release(kernel)
    else:
        await kernel.shutdown()
