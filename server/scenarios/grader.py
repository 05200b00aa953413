"""Hidden-test grading, pure: build the grader program, parse what it printed into a report.

The program runs in a fresh grader kernel after the scenario's setup code. The candidate's code
and each test are passed as string literals and `exec`'d, so a syntax error in the candidate's
code is one reported failure rather than a broken grader. Each test gets a shallow copy of the
candidate's globals (a test that rebinds a name cannot break the next one) and a wall-clock
alarm. The result is one line of JSON behind a per-run random marker; output the candidate's
code prints cannot be mistaken for it unless it guesses the marker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from server.scenarios.model import HiddenTest

_TEMPLATE = """
def __pairboard_grade():
    import json as _json, signal as _signal, traceback as _tb, io as _io, contextlib as _cl
    _tests = _json.loads({tests!r})
    _results = []

    class _Timeout(BaseException):
        pass

    def _on_alarm(signum, frame):
        raise _Timeout()

    def _limit(seconds):
        _signal.signal(_signal.SIGALRM, _on_alarm)
        _signal.setitimer(_signal.ITIMER_REAL, seconds)

    def _clear():
        _signal.setitimer(_signal.ITIMER_REAL, 0)

    def _short(exc):
        lines = _tb.format_exception_only(type(exc), exc)
        return "".join(lines).strip()[:{max_message}]

    _ns = dict(globals())
    _ns["__name__"] = "solution"
    _load_error = None
    try:
        _limit({timeout})
        with _cl.redirect_stdout(_io.StringIO()):
            exec(compile({candidate!r}, "solution.py", "exec"), _ns)
    except _Timeout:
        _load_error = "the candidate's code did not finish loading within {timeout}s"
    except BaseException as exc:
        _load_error = "the candidate's code raised: " + _short(exc)
    finally:
        _clear()
    _base = dict(_ns)
    if _load_error is None:
        try:
            _limit({timeout})
            with _cl.redirect_stdout(_io.StringIO()):
                exec(compile({helpers!r}, "helpers.py", "exec"), _base)
        except BaseException as exc:
            _load_error = "the scenario's test helpers raised: " + _short(exc)
        finally:
            _clear()
    for _t in _tests:
        if _load_error is not None:
            _results.append({{"id": _t["id"], "passed": False, "message": _load_error}})
            continue
        _env = dict(_base)
        try:
            _limit({timeout})
            with _cl.redirect_stdout(_io.StringIO()):
                exec(compile(_t["code"], "test_" + _t["id"] + ".py", "exec"), _env)
            _results.append({{"id": _t["id"], "passed": True, "message": ""}})
        except _Timeout:
            _results.append(
                {{"id": _t["id"], "passed": False, "message": "timed out after {timeout}s"}}
            )
        except BaseException as exc:
            _results.append({{"id": _t["id"], "passed": False, "message": _short(exc)}})
        finally:
            _clear()
    print({marker!r} + _json.dumps(_results), flush=True)

__pairboard_grade()
del __pairboard_grade
"""


def build_program(
    tests: list[HiddenTest],
    candidate_code: str,
    marker: str,
    helpers: str,
    timeout_s: float,
    max_message: int = 500,
) -> str:
    """The Python the grader kernel executes (after the scenario's setup code)."""
    payload = json.dumps([{"id": t.id, "code": t.code} for t in tests])
    return _TEMPLATE.format(
        tests=payload,
        candidate=candidate_code,
        helpers=helpers,
        marker=marker,
        timeout=float(timeout_s),
        max_message=max_message,
    )


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


def parse_output(tests: list[HiddenTest], stdout: str, marker: str) -> GradeReport:
    """The report from the grader program's stdout; a missing or garbled line fails all tests."""
    line = next((ln for ln in reversed(stdout.splitlines()) if ln.startswith(marker)), None)
    if line is None:
        return failed_report(tests, "the grader produced no result")
    try:
        raw = json.loads(line[len(marker) :])
        by_id = {str(item["id"]): item for item in raw}
    except (ValueError, TypeError, KeyError):
        return failed_report(tests, "the grader's result was not readable")
    results = []
    for t in tests:
        item = by_id.get(t.id)
        if item is None:
            results.append(TestResult(t.id, t.name, t.weight, False, "no result for this test"))
        else:
            passed = item.get("passed") is True
            message = str(item.get("message") or "")
            results.append(TestResult(t.id, t.name, t.weight, passed, message))
    return GradeReport(results=results, score=weighted_score(results))
