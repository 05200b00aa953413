"""input() in real sandboxed kernels: a run asks, the answer is sent back, Stop still works.

The local provider end to end (ZMQ stdin channel, ipykernel's `_input_request`); the REST side
and the console doc are in tests/kernels/test_runs_input.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from kernels.local.provider import LocalProvider, SessionKernel
from kernels.provider import Event, Finished, InputRequest
from kernels.sandbox.layers import SandboxReport
from tests.kernels.local_support import Run, quick_settings, run

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kernel(sandbox_layers: SandboxReport) -> AsyncIterator[SessionKernel]:
    provider = LocalProvider(quick_settings(pool_size=1, run_timeout_seconds=20.0))
    await provider.start()
    handle = await provider.acquire("stdin")
    yield handle
    await provider.close()


async def answering(kernel: SessionKernel, code: str, answers: list[str]) -> Run:
    """Runs `code` with stdin, answering each input request with the next of `answers`."""
    events: list[Event] = []
    async for event in kernel.execute(code, stdin=True):
        events.append(event)
        if isinstance(event, InputRequest):
            assert await kernel.answer_input(answers.pop(0)) is True
    return Run(events)


async def test_input_is_requested_with_its_prompt_and_gets_the_answer(
    kernel: SessionKernel,
) -> None:
    result = await answering(kernel, "name = input('Your name: ')\nprint('hello', name)", ["Ada"])
    assert [e for e in result.events if isinstance(e, InputRequest)] == [
        InputRequest("Your name: ", False)
    ]
    assert result.text() == "hello Ada\n"
    assert result.status == "ok"


async def test_two_reads_in_one_run_are_two_requests_answered_in_turn(
    kernel: SessionKernel,
) -> None:
    code = "a = int(input('a? '))\nb = int(input('b? '))\nprint(a + b)"
    result = await answering(kernel, code, ["40", "2"])
    prompts = [e.prompt for e in result.events if isinstance(e, InputRequest)]
    assert (prompts, result.text(), result.status) == (["a? ", "b? "], "42\n", "ok")


async def test_getpass_is_a_password_request(kernel: SessionKernel) -> None:
    code = "import getpass\nsecret = getpass.getpass('Token: ')\nprint(len(secret))"
    result = await answering(kernel, code, ["hunter2"])
    assert [e for e in result.events if isinstance(e, InputRequest)] == [
        InputRequest("Token: ", True)
    ]
    assert result.text() == "7\n"


async def test_an_interrupt_ends_a_run_waiting_for_input(kernel: SessionKernel) -> None:
    events: list[Event] = []
    async for event in kernel.execute("input('waiting: ')\nprint('never')", stdin=True):
        events.append(event)
        if isinstance(event, InputRequest):
            await kernel.interrupt()
    last = events[-1]
    assert isinstance(last, Finished) and last.status == "interrupted"
    assert "never" not in Run(events).text()
    # The kernel is usable afterwards, and nothing is waiting any more.
    assert await kernel.answer_input("late") is False
    assert (await run(kernel, "print('after')")).text() == "after\n"


async def test_without_stdin_input_raises_instead_of_waiting(kernel: SessionKernel) -> None:
    result = await asyncio.wait_for(run(kernel, "input('nobody can answer: ')"), 15)
    assert [e.ename for e in result.errors] == ["StdinNotImplementedError"]
    assert not any(isinstance(e, InputRequest) for e in result.events)


async def test_silent_code_never_gets_stdin(kernel: SessionKernel) -> None:
    events = [e async for e in kernel.execute("input('hidden: ')", silent=True, stdin=True)]
    assert not any(isinstance(e, InputRequest) for e in events)
    last = events[-1]
    assert isinstance(last, Finished) and last.status == "error"
