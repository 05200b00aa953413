"""The data-subject export of one session: everything recorded about the candidate, one file.

A zip (stored, not compressed again) holding:
- `recording.jsonl.gz`: the recording file, exactly what `GET /api/sessions/{id}/export` and
  `pairboard export` write (`server/replay/archive.py`, format in `docs/RECORDING_FORMAT.md`):
  code, board, console, notebook, notes, cursor samples, signals and comments, replayable;
- `notes.json`: the interviewer's notes, rubric levels and grades as they stand at the end;
- `signals.json`: the integrity signals (paste, blur, focus) with their times: evidence shown
  to people, never a verdict;
- `comments.json`: the reviewers' comments;
- `session.json`: the session's metadata (title, times, scenario, the candidate's name);
- `README.txt`: what each file is.

The parts are read from the store, never from a live room, so exporting an interview in
progress does not load or hold its rooms. Built in a spooled temporary file (in memory up to
16 MiB, then on disk), then streamed.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import AsyncIterator
from typing import IO, Any

from server.clock import now_ms
from server.documents import DocName
from server.replay.archive import export_gzip
from server.replay.records import SIGNALS_DOC, list_comments
from server.replay.state import doc_at_time, notes_view
from server.store.base import SessionRecord, Store

SPOOL_BYTES = 16 * 1024 * 1024
READ_CHUNK = 256 * 1024

README = """Pairboard data-subject export of session {id}, made {made} (ms since the epoch, UTC).

recording.jsonl.gz  the whole recording: every edit of the code, whiteboard, notebook and notes,
                    every run and its output, cursor samples, integrity signals and comments,
                    in Pairboard's recording format (docs/RECORDING_FORMAT.md); `pairboard
                    import` replays it
notes.json          the interviewer's notes, rubric levels and grades at the end
signals.json        integrity signals (paste, blur, focus): evidence shown to the interviewer,
                    never a verdict
comments.json       reviewers' comments pinned to moments of the recording
session.json        the session's record: title, times, scenario, the candidate's chosen name
"""


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")


async def signals(store: Store, session_id: str) -> list[dict[str, Any]]:
    entries = await store.read_log_range(session_id, SIGNALS_DOC, 0, kind="signal")
    return [
        {"seq": e.seq, "ts_ms": e.ts_ms, "author": e.author, "role": e.role, **json.loads(e.data)}
        for e in entries
    ]


def session_summary(record: SessionRecord) -> dict[str, Any]:
    """What the record says about the interview and the candidate (the recording's header
    carries the whole record; this is the readable part)."""
    names = record.meta.get("names") or {}
    return {
        "id": record.id,
        "title": record.title,
        "scenario": record.scenario,
        "state": record.state,
        "created_at_ms": record.created_at_ms,
        "ended_at_ms": record.ended_at_ms,
        "candidate_name": names.get("candidate"),
    }


async def build(store: Store, record: SessionRecord) -> IO[bytes]:
    """The export as a rewound file object; the caller closes it."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    try:
        notes = notes_view(await doc_at_time(store, record.id, DocName.NOTES, 2**53 - 1))
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            with archive.open("recording.jsonl.gz", "w", force_zip64=True) as member:
                async for chunk in export_gzip(store, record):
                    member.write(chunk)
            archive.writestr("notes.json", _json(notes))
            archive.writestr("signals.json", _json(await signals(store, record.id)))
            archive.writestr("comments.json", _json(await list_comments(store, record.id)))
            archive.writestr("session.json", _json(session_summary(record)))
            archive.writestr("README.txt", README.format(id=record.id, made=now_ms()))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


async def stream(file: IO[bytes]) -> AsyncIterator[bytes]:
    """The built file's bytes, then the file is closed."""
    try:
        while chunk := file.read(READ_CHUNK):
            yield chunk
    finally:
        file.close()
