"""The session's timeline: duration, per-person activity buckets, and markers.

Markers come from the log, not from what docs claim about themselves: a run's marker sits where
its entry first appeared in the console doc's log (its final status is read from the end state),
a scenario event's where it was appended to `console.events`, a paste/blur/focus where the
client's signal reached the server, a note where a burst of notes edits began, a comment where
its author pinned it. Times are milliseconds since the session's creation, like `state?at=`.
"""

from __future__ import annotations

import json
from typing import Any

from pycrdt import Doc

from server.documents import CONSOLE_EVENTS, CONSOLE_RUNS, DOCS, DocName
from server.replay.records import COMMENTS_DOC, SIGNALS_DOC
from server.sessions import main_file_of
from server.store.base import LogEntry, SessionRecord, Store

# Notes edits closer together than this are one "note" marker (someone typing a paragraph).
NOTE_BURST_GAP_MS = 30_000
MAX_BUCKETS = 2000


async def last_ts(store: Store, session_id: str) -> int | None:
    """The timestamp of the session's latest log entry of any doc."""
    latest: int | None = None
    for doc in await store.log_docs(session_id):
        seq = await store.last_seq(session_id, doc)
        if seq:
            tail = await store.read_log_range(session_id, doc, seq - 1, seq)
            if tail:
                latest = max(latest or 0, tail[-1].ts_ms)
    return latest


def console_markers(entries: list[LogEntry], origin_ms: int) -> list[dict[str, Any]]:
    """Runs and scenario events, each at the log time it first appeared (pure: replays updates)."""
    doc: Doc[Any] = Doc()
    runs = CONSOLE_RUNS.of(doc)
    events = CONSOLE_EVENTS.of(doc)
    run_first_seen: list[int] = []
    event_first_seen: list[int] = []
    for entry in entries:
        try:
            doc.apply_update(entry.data)
        except ValueError:
            continue
        run_first_seen += [entry.ts_ms] * (len(runs) - len(run_first_seen))
        event_first_seen += [entry.ts_ms] * (len(events) - len(event_first_seen))
    markers: list[dict[str, Any]] = []
    for run, ts in zip(runs.to_py() or [], run_first_seen, strict=False):
        markers.append(
            {
                "t": ts - origin_ms,
                "kind": "run",
                "id": run.get("id"),
                "status": run.get("status"),
                "author": run.get("author"),
                "duration_ms": run.get("duration_ms"),
            }
        )
    for event, ts in zip(events.to_py() or [], event_first_seen, strict=False):
        markers.append(
            {
                "t": ts - origin_ms,
                "kind": "event",
                "id": event.get("id"),
                "event_kind": event.get("kind"),
                "text": event.get("text"),
                "level": event.get("level"),
            }
        )
    return markers


def note_markers(entries: list[LogEntry], origin_ms: int) -> list[dict[str, Any]]:
    markers: list[dict[str, Any]] = []
    last = None
    for e in entries:
        if last is None or e.ts_ms - last > NOTE_BURST_GAP_MS:
            markers.append({"t": e.ts_ms - origin_ms, "kind": "note", "author": e.author})
        last = e.ts_ms
    return markers


def signal_markers(entries: list[LogEntry], origin_ms: int) -> list[dict[str, Any]]:
    markers = []
    for e in entries:
        data = json.loads(e.data)
        marker = {"t": e.ts_ms - origin_ms, "kind": data["kind"], "author": e.author}
        if "size" in data:
            marker["size"] = data["size"]
        markers.append(marker)
    return markers


def comment_markers(entries: list[LogEntry]) -> list[dict[str, Any]]:
    return [
        {"t": json.loads(e.data)["at"], "kind": "comment", "id": e.seq, "author": e.author}
        for e in entries
    ]


def activity_series(
    rows: list[tuple[str, str, str, int, int]], buckets: int
) -> tuple[list[dict[str, Any]], list[int]]:
    """Per-person edit counts per bucket (server-written entries excluded), and all-activity."""
    people: dict[tuple[str, str], list[int]] = {}
    busy = [0] * buckets
    for author, role, _doc, bucket, count in rows:
        b = min(max(bucket, 0), buckets - 1)
        busy[b] += count
        if role == "system":
            continue
        people.setdefault((author, role), [0] * buckets)[b] += count
    series = [{"name": a, "role": r, "counts": c} for (a, r), c in sorted(people.items())]
    return series, busy


async def timeline(
    store: Store, record: SessionRecord, *, privileged: bool, buckets: int = 200
) -> dict[str, Any]:
    """The `GET .../timeline` answer; `privileged` (interviewer, reviewer, admin) adds notes,
    integrity signals and comments."""
    origin = record.created_at_ms
    end = max(record.ended_at_ms or 0, await last_ts(store, record.id) or origin)
    duration = max(end - origin, 0)
    buckets = min(max(buckets, 1), MAX_BUCKETS)
    bucket_ms = max(1000, -(-duration // buckets)) if duration else 1000
    buckets = max(1, -(-duration // bucket_ms)) if duration else 1
    docs: list[str] = [d for d in DOCS if privileged or d is not DocName.NOTES]
    rows = await store.activity(record.id, origin, bucket_ms, docs)
    people, busy = activity_series(rows, buckets)

    console = await store.read_log_range(record.id, DocName.CONSOLE, 0, kind="update")
    markers = console_markers(console, origin)
    if privileged:
        notes = await store.read_log_range(record.id, DocName.NOTES, 0, kind="update")
        markers += note_markers(notes, origin)
        signals = await store.read_log_range(record.id, SIGNALS_DOC, 0, kind="signal")
        markers += signal_markers(signals, origin)
        comments = await store.read_log_range(record.id, COMMENTS_DOC, 0, kind="comment")
        markers += comment_markers(comments)
    markers.sort(key=lambda m: (m["t"], m["kind"]))
    return {
        "id": record.id,
        "title": record.title,
        "state": record.state,
        # What the player shows: the notebook (notebook sessions) and the project's entry file.
        "mode": record.meta.get("mode", "code"),
        "main_file": main_file_of(record),
        "created_at_ms": origin,
        "duration_ms": duration,
        "bucket_ms": bucket_ms,
        "people": people,
        "busy": busy,
        "markers": markers,
    }
