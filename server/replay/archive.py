"""The recording file: a session's log and checkpoints as gzip'd JSON lines.

The format is documented in docs/RECORDING_FORMAT.md.

Writing streams: the log is read in chunks and compressed as it goes, so exporting a long session
holds one chunk in memory, and the HTTP export is the same byte stream as the CLI's file. Reading
checks the format name, the version and the trailer's counts, so a truncated or foreign file is
refused with a message instead of importing half a session.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pycrdt import merge_updates

from server.sessions import new_session_id
from server.settings import Settings
from server.store.base import Checkpoint, LogEntry, SessionRecord, Store

FORMAT = "pairboard-recording"
VERSION = 1
CHUNK = 2000  # log entries read from the store per query while exporting

Progress = Callable[[int, int], None]  # (done, total) in log entries + checkpoints


class RecordingError(ValueError):
    """The file is not a recording this server can import; the message says why."""


class RecordingTooLarge(RecordingError):
    """The recording exceeds an import limit (expanded bytes, records): HTTP 413."""


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """What one imported recording may cost, checked while it streams in (settings
    `import_max_expanded_bytes`, `import_max_entries`): a 1 MiB gzip bomb that expands to 1 GiB
    stops at the first limit instead of filling memory."""

    expanded_bytes: int = 256 * 1024 * 1024
    records: int = 2_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        return cls(settings.import_max_expanded_bytes, settings.import_max_entries)


def _bounded_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes]:
    """The stream's lines, never reading more than `max_bytes` in all (a line is cut there, so a
    single endless line costs no more than the limit either)."""
    total = 0
    while True:
        line = stream.readline(max_bytes - total + 1)
        if not line:
            return
        total += len(line)
        if total > max_bytes:
            raise RecordingTooLarge(f"recording larger than {max_bytes} bytes once decompressed")
        yield line


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8") + b"\n"


def session_json(record: SessionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "scenario": record.scenario,
        "created_at_ms": record.created_at_ms,
        "state": record.state,
        "ended_at_ms": record.ended_at_ms,
        "meta": record.meta,
    }


async def export_lines(
    store: Store,
    record: SessionRecord,
    progress: Progress | None = None,
    *,
    with_checkpoints: bool = False,
) -> AsyncIterator[bytes]:
    """The recording as uncompressed JSON lines: header, entries, checkpoints, trailer.

    Checkpoints are left out by default: they are a function of the log, a 60-minute session's
    checkpoints are ~10x the size of its log, and the importer rebuilds them (`with_checkpoints`
    keeps them, e.g. for a reader without a Yjs library that wants states)."""
    docs = await store.log_docs(record.id)
    totals = {doc: await store.last_seq(record.id, doc) for doc in docs}
    checkpoints = {
        doc: await store.list_checkpoints(record.id, doc) if with_checkpoints else []
        for doc in docs
    }
    total = sum(totals.values()) + sum(len(c) for c in checkpoints.values())
    yield _line(
        {
            "format": FORMAT,
            "version": VERSION,
            "session": session_json(record),
            "docs": sorted(docs),
        }
    )
    done = entries = 0
    for doc in docs:
        after = 0
        while True:
            chunk = await store.read_log_range(record.id, doc, after, limit=CHUNK)
            if not chunk:
                break
            yield b"".join(
                _line(
                    {
                        "t": "e",
                        "doc": e.doc,
                        "seq": e.seq,
                        "ts": e.ts_ms,
                        "author": e.author,
                        "role": e.role,
                        "kind": e.kind,
                        "data": _b64(e.data),
                    }
                )
                for e in chunk
            )
            after = chunk[-1].seq
            entries += len(chunk)
            done += len(chunk)
            if progress:
                progress(min(done, total), total)
    count = 0
    for doc in docs:
        for c in checkpoints[doc]:
            yield _line({"t": "c", "doc": c.doc, "seq": c.seq, "state": _b64(c.state)})
            count += 1
            done += 1
        if progress:
            progress(min(done, total), total)
    yield _line({"t": "end", "entries": entries, "checkpoints": count})
    if progress:
        progress(total, total)


async def export_gzip(
    store: Store,
    record: SessionRecord,
    progress: Progress | None = None,
    *,
    with_checkpoints: bool = False,
) -> AsyncIterator[bytes]:
    """`export_lines` gzip-compressed on the fly (a standard .gz stream)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    async for raw in export_lines(store, record, progress, with_checkpoints=with_checkpoints):
        out = compressor.compress(raw)
        if out:
            yield out
    yield compressor.flush()


@dataclass
class Recording:
    record: SessionRecord
    entries: list[LogEntry] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)


def _session_from(obj: Any) -> SessionRecord:
    try:
        return SessionRecord(
            id=str(obj["id"]),
            title=str(obj["title"]),
            scenario=None if obj.get("scenario") is None else str(obj["scenario"]),
            created_at_ms=int(obj["created_at_ms"]),
            state=str(obj["state"]),
            ended_at_ms=None if obj.get("ended_at_ms") is None else int(obj["ended_at_ms"]),
            meta=dict(obj.get("meta") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"bad session header: {exc}") from exc


def rebuild_checkpoints(entries: list[LogEntry], interval: int) -> list[Checkpoint]:
    """A checkpoint every `interval` updates of each doc, as the live rooms write them: each is
    the previous one merged with the updates since (no doc is built, so this stays cheap)."""
    by_doc: dict[str, list[LogEntry]] = {}
    for e in entries:
        if e.kind == "update":
            by_doc.setdefault(e.doc, []).append(e)
    out: list[Checkpoint] = []
    for doc, updates in by_doc.items():
        updates.sort(key=lambda e: e.seq)
        state: bytes | None = None
        for start in range(0, len(updates) - interval + 1, interval):
            chunk = updates[start : start + interval]
            state = merge_updates(*([state] if state else []), *(e.data for e in chunk))
            out.append(Checkpoint(chunk[-1].session_id, doc, chunk[-1].seq, state))
    return out


def parse_lines(
    lines: Iterable[bytes],
    *,
    new_id: bool = False,
    checkpoint_interval: int = 400,
    max_records: int = 2_000_000,
) -> Recording:
    """Read a recording; `new_id` imports it under a fresh session id (the original is kept in
    `meta.imported_from`). More than `max_records` entries and checkpoints: `RecordingTooLarge`."""
    it = iter(lines)
    try:
        header = json.loads(next(it))
    except StopIteration as exc:
        raise RecordingError("empty file") from exc
    except ValueError as exc:
        raise RecordingError("not a recording: the first line is not JSON") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RecordingError(f"not a {FORMAT} file")
    if header.get("version") != VERSION:
        raise RecordingError(f"unsupported recording version {header.get('version')!r}")
    record = _session_from(header.get("session"))
    original = record.id
    if new_id:
        record.id = new_session_id()
        record.meta["imported_from"] = original
    rec = Recording(record)
    trailer: dict[str, Any] | None = None
    for number, raw in enumerate(it, start=2):
        if not raw.strip():
            continue
        if trailer is not None:
            raise RecordingError(f"line {number}: data after the end marker")
        if len(rec.entries) + len(rec.checkpoints) > max_records:
            raise RecordingTooLarge(f"recording holds more than {max_records} records")
        try:
            obj = json.loads(raw)
            t = obj["t"]
            if t == "e":
                rec.entries.append(
                    LogEntry(record.id, str(obj["doc"]), int(obj["seq"]), int(obj["ts"]),
                             str(obj["author"]), str(obj["role"]), str(obj["kind"]),
                             base64.b64decode(obj["data"], validate=True))
                )  # fmt: skip
            elif t == "c":
                rec.checkpoints.append(
                    Checkpoint(record.id, str(obj["doc"]), int(obj["seq"]),
                               base64.b64decode(obj["state"], validate=True))
                )  # fmt: skip
            elif t == "end":
                trailer = obj
            else:
                raise RecordingError(f"line {number}: unknown record type {t!r}")
        except RecordingError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise RecordingError(f"line {number}: malformed record ({exc})") from exc
    if trailer is None:
        raise RecordingError("truncated file: no end marker")
    if trailer.get("entries") != len(rec.entries) or trailer.get("checkpoints") != len(
        rec.checkpoints
    ):
        raise RecordingError("the end marker's counts do not match the file's records")
    if not rec.checkpoints:
        rec.checkpoints = rebuild_checkpoints(rec.entries, checkpoint_interval)
    if record.state != "ended" or record.ended_at_ms is None:
        # A recording is a finished thing on the importing server: nobody can join it live.
        last = max((e.ts_ms for e in rec.entries), default=record.created_at_ms)
        record.state, record.ended_at_ms = "ended", record.ended_at_ms or last
    return rec


def read_file(
    f: IO[bytes],
    *,
    new_id: bool = False,
    checkpoint_interval: int = 400,
    limits: ImportLimits | None = None,
) -> Recording:
    """Parse a gzip'd recording (a plain JSON-lines file is accepted too), decompressing as it
    goes and stopping at the first of `limits` it crosses."""
    limits = limits or ImportLimits()
    head = f.read(2)
    f.seek(0)
    stream: IO[bytes] = gzip.GzipFile(fileobj=f, mode="rb") if head == b"\x1f\x8b" else f  # type: ignore[assignment]
    try:
        return parse_lines(
            _bounded_lines(stream, limits.expanded_bytes),
            new_id=new_id,
            checkpoint_interval=checkpoint_interval,
            max_records=limits.records,
        )
    except (OSError, EOFError, zlib.error) as exc:
        raise RecordingError(f"corrupt gzip stream: {exc}") from exc


async def import_recording(store: Store, rec: Recording) -> SessionRecord:
    if await store.get_session(rec.record.id) is not None:
        raise RecordingError(
            f"session {rec.record.id} already exists here (import with a new id instead)"
        )
    try:
        await store.import_session(rec.record, rec.entries, rec.checkpoints)
    except ValueError as exc:
        raise RecordingError(str(exc)) from exc
    return rec.record
