"""A run as the `console` doc holds it, as pure functions (no I/O, no kernel).

`console.runs[i]` is a Y.Map (docs/ARCHITECTURE.md): these functions turn kernel events into
its plain-object outputs, merge stream chunks, find an entry and shape it for the REST API.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from kernels.provider import Display, Error, Event, InputRequest, Notice, Stream
from server.clock import now_ms
from server.documents import CONSOLE_RUNS


def output_of(event: Event) -> dict[str, Any] | None:
    """The console doc's plain-object form of an event (docs/ARCHITECTURE.md); None for Finished."""
    if isinstance(event, Stream):
        return {"type": "stream", "name": event.name, "text": event.text}
    if isinstance(event, Display):
        return {"type": event.kind, "data": event.data}
    if isinstance(event, Error):
        return {
            "type": "error",
            "ename": event.ename,
            "evalue": event.evalue,
            "traceback": event.traceback,
        }
    if isinstance(event, Notice):
        return {"type": "notice", "text": event.text}
    return None


def stdin_entry(request: InputRequest, at_ms: int) -> dict[str, Any]:
    """`console.runs[i].stdin` while the run waits for input: what the console's prompt shows."""
    return {"prompt": request.prompt, "password": request.password, "at": at_ms}


def input_output(request: dict[str, Any], value: str, author: str) -> dict[str, Any]:
    """The console output recording an answer. A password (getpass) is never recorded: the
    recording and every viewer get the prompt and who answered, not what was typed."""
    password = bool(request.get("password"))
    return {
        "type": "input",
        "prompt": str(request.get("prompt", "")),
        "password": password,
        "value": None if password else value,
        "author": author,
    }


def coalesce(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge consecutive stream outputs of the same name (pure): fewer, larger console items."""
    merged: list[dict[str, Any]] = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and out["type"] == "stream"
            and last["type"] == "stream"
            and last["name"] == out["name"]
        ):
            merged[-1] = {**last, "text": last["text"] + out["text"]}
        else:
            merged.append(out)
    return merged


def find_run(doc: Doc[Any], run_id: str) -> Map[Any] | None:
    runs = CONSOLE_RUNS.of(doc)
    for i in range(len(runs) - 1, -1, -1):
        entry = runs[i]
        if isinstance(entry, Map) and entry.get("id") == run_id:
            return entry
    return None


def run_view(entry: Map[Any]) -> dict[str, Any]:
    """GET /runs/{id}: {"status", "outputs", "duration_ms", ...} from the console entry."""
    data = entry.to_py() or {}
    duration = data.get("duration_ms")
    if duration is None and data.get("started_at") is not None:
        duration = now_ms() - int(data["started_at"])
    return {
        "id": data.get("id"),
        "status": data.get("status"),
        "outputs": list(data.get("outputs") or []),
        "duration_ms": int(duration or 0),
        "author": data.get("author"),
        "role": data.get("role"),
        "code": data.get("code"),
        "started_at": data.get("started_at"),
        "finished_at": data.get("finished_at"),
    }
