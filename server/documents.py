"""The document schema: which Yjs docs a session has, and the shared types at the root of each.

Named once here for the server and once in `web/src/sync/schema.ts` for the browser;
`tests/web/test_schema_agrees.py` checks that the two say the same. Every server module reaches
a doc's contents through these `Root`s instead of string literals, so a renamed key is a type
error, not a silently empty map.

- `code`: `source` (Text), the entry file's text; `files` (Map path -> Text), the project's
  other files (`server/project_files.py`).
- `board`: `elements` (Map id -> Excalidraw element), `files` (Map id -> image file data).
- `console`: `runs` (Array of run entries), `kernel` (Map: status, message), `controls` (Map:
  editor_locked, run_disabled), `scenario` (Map: the clock mirror), `events` (Array of banners
  and console notices), `session` (Map: state, ended_at, ended_by; written when the session
  ends, so every page in the room turns read-only at once). Written by the server only.
- `notes`: `notes` (Text, private notes), `rubric` (Map criterion -> level), `grades` (Map id ->
  grade report). Never opened by a candidate.
- `notebook`: JupyterLab's shared notebook model (`jupyter_ydoc.YNotebook`, the same schema as
  `@jupyter/ydoc` in the browser): `cells` (Array of cell Maps: id, cell_type, source Text,
  metadata), `meta` (Map: nbformat, nbformat_minor, metadata), `state` (Map). Written by the
  participants like the code doc. Cell outputs do not live here: a cell's run is a `console.runs`
  entry with its `cell_id`, written by the server only (`server/notebook.py` says why).

Besides the four live docs, the update log holds three record streams under doc names of their
own that are never websocket rooms (`server/replay/records.py`): `awareness`, `signals`,
`comments`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pycrdt import Array, Doc, Map, Text


class DocName(StrEnum):
    """A live document of a session: a websocket room and a stream in the update log."""

    CODE = "code"
    BOARD = "board"
    CONSOLE = "console"
    NOTES = "notes"
    NOTEBOOK = "notebook"


class RecordDoc(StrEnum):
    """A log-only stream of non-Yjs records (cursor samples, integrity signals, comments)."""

    AWARENESS = "awareness"
    SIGNALS = "signals"
    COMMENTS = "comments"


DOCS: tuple[DocName, ...] = tuple(DocName)
RECORD_DOCS: tuple[RecordDoc, ...] = tuple(RecordDoc)

SharedT = TypeVar("SharedT", Text, Map[Any], Array[Any])


@dataclass(frozen=True, slots=True)
class Root(Generic[SharedT]):
    """One root-level shared type of one doc: `CONSOLE_RUNS.of(doc)` is that doc's runs array."""

    doc: DocName
    key: str
    kind: type[SharedT]

    def of(self, doc: Doc[Any]) -> SharedT:
        shared: SharedT = doc.get(self.key, type=self.kind)
        return shared


CODE_SOURCE = Root(DocName.CODE, "source", Text)
CODE_FILES: Root[Map[Any]] = Root(DocName.CODE, "files", Map)
BOARD_ELEMENTS: Root[Map[Any]] = Root(DocName.BOARD, "elements", Map)
BOARD_FILES: Root[Map[Any]] = Root(DocName.BOARD, "files", Map)
CONSOLE_RUNS: Root[Array[Any]] = Root(DocName.CONSOLE, "runs", Array)
CONSOLE_KERNEL: Root[Map[Any]] = Root(DocName.CONSOLE, "kernel", Map)
CONSOLE_CONTROLS: Root[Map[Any]] = Root(DocName.CONSOLE, "controls", Map)
CONSOLE_SCENARIO: Root[Map[Any]] = Root(DocName.CONSOLE, "scenario", Map)
CONSOLE_EVENTS: Root[Array[Any]] = Root(DocName.CONSOLE, "events", Array)
CONSOLE_SESSION: Root[Map[Any]] = Root(DocName.CONSOLE, "session", Map)
NOTES_TEXT = Root(DocName.NOTES, "notes", Text)
NOTES_RUBRIC: Root[Map[Any]] = Root(DocName.NOTES, "rubric", Map)
NOTES_GRADES: Root[Map[Any]] = Root(DocName.NOTES, "grades", Map)
NOTEBOOK_CELLS: Root[Array[Any]] = Root(DocName.NOTEBOOK, "cells", Array)
NOTEBOOK_META: Root[Map[Any]] = Root(DocName.NOTEBOOK, "meta", Map)
NOTEBOOK_STATE: Root[Map[Any]] = Root(DocName.NOTEBOOK, "state", Map)

ROOTS: tuple[Root[Any], ...] = (
    CODE_SOURCE,
    CODE_FILES,
    BOARD_ELEMENTS,
    BOARD_FILES,
    CONSOLE_RUNS,
    CONSOLE_KERNEL,
    CONSOLE_CONTROLS,
    CONSOLE_SCENARIO,
    CONSOLE_EVENTS,
    CONSOLE_SESSION,
    NOTES_TEXT,
    NOTES_RUBRIC,
    NOTES_GRADES,
    NOTEBOOK_CELLS,
    NOTEBOOK_META,
    NOTEBOOK_STATE,
)


def schema() -> dict[str, dict[str, str]]:
    """The schema as plain data, doc -> root key -> shared type name (what the web side mirrors)."""
    out: dict[str, dict[str, str]] = {name.value: {} for name in DOCS}
    for root in ROOTS:
        out[root.doc.value][root.key] = root.kind.__name__
    return out
