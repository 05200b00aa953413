"""A hostile candidate against a scenario's hidden kernel state (issue 11, section 4), in
`data-drift-crisis` sessions on a real server with real kernels: its setup builds the data, and
its `shift-now` event injects the fault (`_drift_events` gains "app-release").

Which hidden steps a kernel ran is the server's record, keyed by the kernel process; whatever the
candidate writes into the kernel changes nothing. And the setup leaves no source behind: its
comment that gives the answer away ("the new iOS app sends amounts in cents") is searched for
in every place a candidate can look.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.scenarios.loader import load_library
from tests.security import hidden_search
from tests.security.scenario_server import (
    call,
    grade,
    messages,
    new_session,
    run,
    scenario_server,
    stdout_of,
)
from tests.support.server import ServerProcess

DRIFT = load_library()["data-drift-crisis"]
SETUP_COMMENTS = [m.strip() for m in re.findall(r"#([^\n]+)", DRIFT.setup)]
STATE = "print(sorted(_drift_events), type(reference).__name__, len(reference))"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from scenario_server(Path(tmp_path_factory.mktemp("hidden-kernel-attacks")))


def started_session(server: ServerProcess) -> tuple[str, str, str]:
    """A started data-drift-crisis session: (id, interviewer token, candidate token)."""
    sid, tokens = new_session(server, "data-drift-crisis")
    r = call(server, "POST", f"/api/sessions/{sid}/scenario/start", tokens["interviewer"])
    assert r.status_code == 200, r.text
    return sid, tokens["interviewer"], tokens["candidate"]


def fire(server: ServerProcess, sid: str, interviewer: str, event: str) -> None:
    r = call(server, "POST", f"/api/sessions/{sid}/scenario/events/{event}/fire", interviewer)
    assert r.status_code == 200, r.text


def test_step_names_written_into_the_kernel_never_stop_a_fault(server: ServerProcess) -> None:
    sid, interviewer, candidate = started_session(server)
    claim = (
        "import builtins\n"
        "steps = ['setup', 'app-release', 'shift-now']\n"
        "builtins._pairboard_scenario_steps = list(steps)\n"
        "builtins.__dict__.setdefault('_pairboard_steps', []).extend(steps)\n" + STATE
    )
    assert stdout_of(run(server, sid, candidate, claim)) == "[] DataFrame 5000\n"
    fire(server, sid, interviewer, "shift-now")
    assert stdout_of(run(server, sid, candidate, STATE)) == "['app-release'] DataFrame 5000\n"


def test_a_restarted_kernel_gets_setup_and_every_fired_action_again(
    server: ServerProcess,
) -> None:
    sid, interviewer, candidate = started_session(server)
    fire(server, sid, interviewer, "shift-now")
    assert stdout_of(run(server, sid, candidate, STATE)) == "['app-release'] DataFrame 5000\n"
    r = call(server, "POST", f"/api/sessions/{sid}/kernel/restart", interviewer)
    assert r.status_code == 200, r.text
    after = run(server, sid, candidate, STATE)
    assert stdout_of(after) == "['app-release'] DataFrame 5000\n", after
    # A kernel the candidate's code killed is a new process too.
    died = run(server, sid, candidate, "import os; os._exit(1)")
    assert died["status"] != "ok"
    assert stdout_of(run(server, sid, candidate, STATE)) == "['app-release'] DataFrame 5000\n"


def test_the_setup_leaves_no_source_in_the_candidates_kernel(server: ServerProcess) -> None:
    assert "the new iOS app sends amounts in cents" in SETUP_COMMENTS
    sid, interviewer, candidate = started_session(server)
    fire(server, sid, interviewer, "shift-now")
    # An error of the candidate's own first: sys.last_traceback is theirs, never the setup's.
    assert run(server, sid, candidate, "1 / 0")["status"] == "error"
    hunt = hidden_search.program(SETUP_COMMENTS) + "\nprint(_json.dumps(search()))\n"
    result = json.loads(stdout_of(run(server, sid, candidate, hunt)))
    assert (result["found"], result["canaries"]) == ([], ["filesystem", "memory"])
    assert result["files"] > 0 and result["strings"] > 10_000


def test_the_setup_leaves_no_source_in_the_grader_kernel(server: ServerProcess) -> None:
    """The grader kernel runs the setup too, before the candidate's code."""
    hunter = hidden_search.program(SETUP_COMMENTS) + (
        "\n\ndef psi(expected, actual, bins=10):\n    raise ValueError(_json.dumps(search()))\n"
    )
    report = grade(server, "data-drift-crisis", hunter)
    searched = [m for m in messages(report).values() if m.startswith("ValueError: {")]
    assert searched != [], messages(report)
    for message in searched:
        result = hidden_search.result_of(message)
        assert (result["found"], result["canaries"]) == ([], ["filesystem", "memory"])
