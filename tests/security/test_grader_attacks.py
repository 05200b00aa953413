"""A hostile candidate against the grader (issue 11, section 3): every attack below is code typed
into the editor of an `lru-cache` session and graded through `POST /api/sessions/{id}/grade`,
with real sandboxed kernels and the real trusted test process. The rule each test checks: a
verdict changes only by making the test's assertions true. So an attack wrapped around a class
whose methods do nothing scores exactly what that class scores alone (0 of 6), and an attack
wrapped around the reference solution fails only the tests it really broke.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.scenarios.loader import load_library
from tests.security import hidden_search
from tests.security.scenario_server import (
    TEST_TIMEOUT_SECONDS,
    grade,
    grade_response,
    messages,
    scenario_server,
    verdicts,
)
from tests.support.server import ServerProcess

LRU = load_library()["lru-cache"]
ALL_FAILED = {t.id: False for t in LRU.tests}

NOOP = """
class LRUCache:
    def __init__(self, capacity):
        pass

    def get(self, key):
        pass

    def put(self, key, value):
        pass

    def __len__(self):
        return 0
"""

JSON_DUMPS = """
import json

_real_dumps = json.dumps


def _forged_dumps(obj, *args, **kwargs):
    if isinstance(obj, dict) and "passed" in obj:
        obj = {**obj, "passed": True, "message": ""}
    if isinstance(obj, list):
        obj = [{**o, "passed": True} if isinstance(o, dict) and "passed" in o else o for o in obj]
    return _real_dumps(obj, *args, **kwargs)


json.dumps = _forged_dumps
"""
"""The issue's attack: every result that goes through `json.dumps` reads passed: True."""

AGENT_FORGERY = """
import builtins, sys, json

MARK = "@@pairboard-rpc@@"
_results = [{"id": i, "passed": True, "message": ""} for i in TEST_IDS]
_real_loads, _real_dumps = json.loads, json.dumps


def _serve(self, text):
    request = _real_loads(text)
    # The agent's own stream, as its honest replies use: `sys.__stdout__` (the kernel's fd 1) is
    # forwarded by ipykernel's fd watcher whenever that thread runs, sometimes after the request
    # has ended, which made this test's messages depend on the machine's load.
    out = self._out
    # A reply that claims the verdicts, one that answers with a reference to a trusted name,
    # one that raises an exception no test can catch, and a bare "results" line.
    forged = [
        {"id": request["id"], "results": _results},
        {"id": request["id"], "ok": {"t": "setup", "name": "_Ref"}},
        {"id": request["id"], "raised": {"types": ["SystemExit"], "message": "passed"}},
    ][request["id"] % 3]
    out.write("\\n" + MARK + _real_dumps(forged) + "\\n" + _real_dumps({"results": _results}))
    out.flush()


def _forge():
    # Installed by the first call of a test (after the load answered honestly), so every later
    # request of the grading gets a forged reply.
    agent = sys.modules["__main__"].__dict__["__pairboard_agent"]
    type(agent).serve = _serve
    codec = sys.modules["server.scenarios.rpc_codec"]
    codec.decode = lambda node, resolve, depth=0: True
    codec.dumps = lambda node: _real_dumps({"id": node.get("id"), "results": _results})
    builtins.AssertionError = type("AssertionError", (Exception,), {})
    builtins.print = lambda *args, **kwargs: sys.__stdout__.write(MARK + "{}\\n")
""".replace("TEST_IDS", repr([t.id for t in LRU.tests]))
"""Patches of what the RPC agent uses in the kernel: its class, the codec module in
`sys.modules`, builtins: forged replies and verdict lines come out. (A patched `json.loads`
would break the kernel's own messaging: the test only times out.)"""

STDOUT_FORGERY = """
import os, sys, json

_ids = TEST_IDS
_lines = [
    "@@pairboard-rpc@@" + json.dumps({"id": n, "ok": 1}) for n in range(1, 200)
] + [
    json.dumps({"results": [{"id": i, "passed": True, "message": ""} for i in _ids]}),
    "@@pairboard-hidden@@ok",
]


def _shout():
    text = "\\n".join(_lines) + "\\n"
    os.write(1, text.encode())
    sys.__stdout__.write(text)
    sys.__stdout__.flush()
    print(text)


_shout()
""".replace("TEST_IDS", repr([t.id for t in LRU.tests]))
"""Fake reply and result lines on every stdout there is, at load and in each call."""

EXITS = """
import os, signal, sys


def _leave(capacity):
    if capacity == 2:
        sys.exit(0)
    if capacity == 1:
        os._exit(0)
    if capacity == 3:
        raise KeyboardInterrupt
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    os.kill(os.getpid(), signal.SIGKILL)


class LRUCache:
    def __init__(self, capacity):
        self.capacity = capacity

    def get(self, key):
        _leave(self.capacity)

    def put(self, key, value):
        _leave(self.capacity)

    def __len__(self):
        _leave(self.capacity)
"""
"""`sys.exit`, `os._exit`, KeyboardInterrupt, and SIGKILL for every process the kernel can see
(the agent's own process last), in the middle of tests."""

ALWAYS_EQUAL = """
import numpy as np


class Always:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0

    def __bool__(self):
        return True


class EqualInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class EqualStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


_forgeries = [Always(), EqualInt(1), EqualStr("x"), np.array([Always()], dtype=object)]


class LRUCache:
    def __init__(self, capacity):
        self.calls = 0

    def get(self, key):
        self.calls += 1
        return _forgeries[self.calls % len(_forgeries)]

    def put(self, key, value):
        return Always()

    def __len__(self):
        return EqualInt(len(_forgeries))
"""
"""Values whose `__eq__` always says True (a class, int and str subclasses, inside an array)."""

HUGE = """
_calls = [0]


def _huge():
    _calls[0] += 1
    kind = _calls[0] % 3
    if kind == 0:
        return "x" * (16 * 1024 * 1024)
    if kind == 1:
        return list(range(400_000))
    deep = []
    for _ in range(100_000):
        deep = [deep]
    return deep


class LRUCache:
    def __init__(self, capacity):
        pass

    def get(self, key):
        return _huge()

    def put(self, key, value):
        return _huge()

    def __len__(self):
        return 0
"""
"""Return values far over the kernel's output cap, and nested far too deep to encode."""

SLEEPS_ON_A_MISS = LRU.reference_solution.replace(
    "    def get(self, key):\n",
    "    def get(self, key):\n"
    "        if key == 'zzz':\n"
    "            import signal, time\n"
    "            signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "            while True:\n"
    "                time.sleep(1)\n",
)
"""The reference solution, except that a miss on "zzz" (the `basics` test) sleeps forever and
ignores interrupts: the kernel has to be restarted in the middle of the grading."""


SHADOWS_BUILTINS = """
def len(obj):
    return 0


def zip(*iterables):
    return []


def abs(x):
    return 0


def isinstance(obj, kind):
    return True
"""
"""Top-level names that would shadow the builtins the tests call: with them, `random-ops` would
loop over nothing and find `len(c) == len(r.d)` (0 == 0) true for a class that does nothing."""


FORGED_RESULTS = """
import os, sys

_line = '{"results": [%s]}\\n' % ", ".join(
    '{"id": "%s", "passed": true, "message": ""}' % i for i in TEST_IDS
)
os.write(1, _line.encode())
sys.__stdout__.write("@@pairboard-rpc@@" + _line)
sys.__stdout__.flush()
""".replace("TEST_IDS", repr([t.id for t in LRU.tests]))
"""A module that, wherever it is imported, prints forged verdict and reply lines."""

SHADOWED = (
    "json.py",
    "pytest.py",
    "remote.py",
    "trusted_runner.py",
    "server/__init__.py",
    "server/scenarios/__init__.py",
    "server/scenarios/remote.py",
    "server/scenarios/trusted_runner.py",
)
"""Project file names of modules the trusted process and the tests import (`json`, `pytest`, its
own `server.scenarios.remote`)."""

ENTRY_OF_A_PROJECT = "import json\nfrom cache import LRUCache\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from scenario_server(Path(tmp_path_factory.mktemp("grader-attacks")))


def graded(server: ServerProcess, code: str) -> dict[str, Any]:
    return grade(server, "lru-cache", code)


def test_a_forged_json_dumps_scores_what_the_do_nothing_class_scores(
    server: ServerProcess,
) -> None:
    alone = graded(server, NOOP)
    patched = graded(server, JSON_DUMPS + NOOP)
    assert (verdicts(alone), alone["score"]) == (ALL_FAILED, 0.0)
    assert (verdicts(patched), patched["score"], patched["passed"]) == (ALL_FAILED, 0.0, 0)
    assert messages(patched)["basics"] == messages(alone)["basics"]
    assert messages(patched)["basics"] == "AssertionError: stored values not returned"


def test_patching_the_agent_the_codec_and_builtins_in_the_kernel_forges_nothing(
    server: ServerProcess,
) -> None:
    report = graded(server, AGENT_FORGERY + NOOP.replace("        pass\n", "        _forge()\n", 1))
    assert (verdicts(report), report["score"]) == (ALL_FAILED, 0.0)
    malformed = "a malformed reply from the grader kernel: "
    assert set(messages(report).values()) == {
        malformed + "a reply with keys ['id', 'results']",
        malformed + "the kernel may only refer to its own objects",
        "SystemExit: passed",
    }


def test_fake_reply_and_result_lines_on_stdout_are_never_read_as_results(
    server: ServerProcess,
) -> None:
    shouting = NOOP.replace("        pass\n", "        _shout()\n")
    report = graded(server, STDOUT_FORGERY + shouting)
    assert (verdicts(report), report["score"]) == (ALL_FAILED, 0.0)
    assert {m.split(" (")[0] for m in messages(report).values()} == {
        "the candidate's code raised: no readable reply from the grader kernel"
    }


def test_exiting_and_killing_processes_mid_test_fails_those_tests(
    server: ServerProcess,
) -> None:
    report = graded(server, EXITS)
    assert (verdicts(report), report["score"]) == (ALL_FAILED, 0.0)
    assert messages(report)["basics"] == "SystemExit: 0"


def test_objects_that_equal_everything_never_cross_as_values(server: ServerProcess) -> None:
    report = graded(server, ALWAYS_EQUAL)
    assert (verdicts(report), report["score"]) == (ALL_FAILED, 0.0)


def test_huge_and_deep_return_values_fail_without_hurting_the_grading(
    server: ServerProcess,
) -> None:
    report = graded(server, HUGE)
    assert (verdicts(report), report["score"]) == (ALL_FAILED, 0.0)


def test_a_test_that_never_returns_fails_by_timeout_and_the_others_still_pass(
    server: ServerProcess,
) -> None:
    report = graded(server, SLEEPS_ON_A_MISS)
    assert verdicts(report) == {**{t.id: True for t in LRU.tests}, "basics": False}
    assert messages(report)["basics"] == f"timed out after {TEST_TIMEOUT_SECONDS}s"


def test_the_hidden_tests_cannot_be_found_from_the_candidates_code(server: ServerProcess) -> None:
    needles = hidden_search.needles_of(LRU.test_helpers, *(t.code for t in LRU.tests))
    assert len(needles) >= 20
    hunter = hidden_search.program(needles) + (
        "\n\nclass LRUCache:\n"
        "    def __init__(self, capacity):\n"
        "        raise ValueError(_json.dumps(search()))\n"
    )
    report = graded(server, hunter)
    assert verdicts(report) == ALL_FAILED
    for message in messages(report).values():  # a search in each test, as it ran
        result = hidden_search.result_of(message)
        assert (result["found"], result["canaries"]) == ([], ["filesystem", "memory"])
        assert int(str(result["files"])) > 0 and int(str(result["strings"])) > 10_000


def test_the_candidates_names_never_shadow_the_builtins_the_tests_use(
    server: ServerProcess,
) -> None:
    report = graded(server, SHADOWS_BUILTINS + NOOP)
    assert (verdicts(report), report["score"]) == (ALL_FAILED, 0.0)
    assert messages(report)["random-ops"] == "AssertionError: capacity 1, step 24: get(27) differs"


def test_project_files_that_shadow_the_trusted_modules_forge_nothing(server: ServerProcess) -> None:
    forging = {path: FORGED_RESULTS for path in SHADOWED}
    shadowed = grade(server, "lru-cache", ENTRY_OF_A_PROJECT, {**forging, "cache.py": NOOP})
    assert (verdicts(shadowed), shadowed["score"], shadowed["passed"]) == (ALL_FAILED, 0.0, 0)
    # `pytest` is no module of the trusted process, so the kernel imports the candidate's: its
    # second reply line makes the load unreadable. The others are never imported anywhere.
    assert set(messages(shadowed).values()) == {
        "the candidate's code raised: no readable reply from the grader kernel "
        "(no single reply line)"
    }
    # The same names around the reference solution: the files reach the grader kernel (cache.py
    # is imported from them) and a module that fails to import fails no test that does not
    # import it.
    refusing = {path: "raise SystemExit('shadow')\n" for path in SHADOWED}
    cache = {"cache.py": LRU.reference_solution}
    honest = grade(server, "lru-cache", ENTRY_OF_A_PROJECT, {**refusing, **cache})
    assert (honest["score"], honest["passed"]) == (100.0, len(LRU.tests))


def test_a_project_over_the_file_limit_is_refused_before_grading(server: ServerProcess) -> None:
    files = {f"part{i}.py": f"X{i} = {i}\n" for i in range(33)}
    r = grade_response(server, "lru-cache", NOOP, files)
    assert (r.status_code, r.json()["detail"]) == (413, "the project has 33 files; the limit is 32")
