"""The console form of a run (pure): event mapping, stream merging, the REST view."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map

from kernels.provider import Display, Error, Finished, InputRequest, Notice, Stream
from server.permissions import Decision, input_refusal
from server.run_entries import (
    coalesce,
    find_run,
    input_output,
    output_of,
    run_view,
    stdin_entry,
)


def test_events_map_to_the_documented_console_objects() -> None:
    assert output_of(Stream("stderr", "x")) == {"type": "stream", "name": "stderr", "text": "x"}
    assert output_of(Display("result", {"text/plain": "1"})) == {
        "type": "result",
        "data": {"text/plain": "1"},
    }
    assert output_of(Error("E", "v", ["tb"])) == {
        "type": "error",
        "ename": "E",
        "evalue": "v",
        "traceback": ["tb"],
    }
    assert output_of(Notice("n")) == {"type": "notice", "text": "n"}
    assert output_of(Finished("ok", 1)) is None


def test_consecutive_chunks_of_one_stream_merge_and_order_is_kept() -> None:
    outs: list[dict[str, Any]] = [
        {"type": "stream", "name": "stdout", "text": "a"},
        {"type": "stream", "name": "stdout", "text": "b"},
        {"type": "stream", "name": "stderr", "text": "c"},
        {"type": "notice", "text": "n"},
        {"type": "stream", "name": "stdout", "text": "d"},
    ]
    assert coalesce(outs) == [
        {"type": "stream", "name": "stdout", "text": "ab"},
        {"type": "stream", "name": "stderr", "text": "c"},
        {"type": "notice", "text": "n"},
        {"type": "stream", "name": "stdout", "text": "d"},
    ]


def test_a_running_entry_reports_elapsed_time_and_is_found_by_id() -> None:
    doc: Doc[Any] = Doc()
    runs = doc.get("runs", type=Array)
    runs.append(
        Map({"id": "a", "status": "ok", "started_at": 0, "duration_ms": 5, "outputs": Array()})
    )
    runs.append(
        Map(
            {
                "id": "b",
                "status": "running",
                "started_at": 1,
                "duration_ms": None,
                "outputs": Array(),
            }
        )
    )
    entry = find_run(doc, "b")
    assert entry is not None
    view = run_view(entry)
    assert (view["id"], view["status"], view["outputs"]) == ("b", "running", [])
    assert view["duration_ms"] > 0
    found = find_run(doc, "a")
    assert found is not None and run_view(found)["duration_ms"] == 5
    assert find_run(doc, "zzz") is None


def test_an_input_request_and_its_answer_as_the_console_holds_them() -> None:
    request = stdin_entry(InputRequest("Name? ", False), 1234)
    assert request == {"prompt": "Name? ", "password": False, "at": 1234}
    assert input_output(request, "Ada", "Candidate") == {
        "type": "input",
        "prompt": "Name? ",
        "password": False,
        "value": "Ada",
        "author": "Candidate",
    }


def test_a_password_answer_is_never_in_the_console() -> None:
    request = stdin_entry(InputRequest("Key: ", True), 1)
    assert input_output(request, "hunter2", "Interviewer")["value"] is None
    assert "hunter2" not in str(input_output(request, "hunter2", "Interviewer"))


def test_only_the_role_that_ran_answers_its_input() -> None:
    assert input_refusal("candidate", "candidate") is None
    assert input_refusal("interviewer", "candidate") == Decision(
        False, 403, "only the person who ran this (candidate) can answer it"
    )
