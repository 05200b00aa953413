"""A doc's state at an instant, and its plain-JSON view: what `GET .../state?at=MS` answers.

Seeking costs one checkpoint plus the merged tail after it, never a replay from the start: the
store finds the last seq stamped at or before the instant (an index seek), the latest checkpoint
at or before that seq (a primary-key seek), and the updates between the two (bounded by the
checkpoint interval while the room was live). The tail is merged into one update and applied once.

The JSON views follow the doc contract in docs/ARCHITECTURE.md; they are pure functions of a doc,
so tests compare a client's own doc against the server's answer with the same code path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pycrdt import Array, Doc, Map

from server.documents import (
    BOARD_ELEMENTS,
    CODE_FILES,
    CODE_SOURCE,
    CONSOLE_CONTROLS,
    CONSOLE_EVENTS,
    CONSOLE_KERNEL,
    CONSOLE_RUNS,
    DOCS,
    NOTES_GRADES,
    NOTES_RUBRIC,
    NOTES_TEXT,
    DocName,
)
from server.notebook import notebook_json
from server.project_files import DEFAULT_MAIN, project_of
from server.store.base import SeekingStore, Store
from server.sync.updates import rebuild


async def doc_at_time(store: Store, session_id: str, doc_name: str, ts_ms: int) -> Doc[Any]:
    """The doc as it was at wall-clock `ts_ms` (every update stamped at or before it)."""
    if isinstance(store, SeekingStore):  # SQLite: the three look-ups in one trip to its thread
        checkpoint, tail = await store.seek_at(session_id, doc_name, ts_ms)
    else:
        seq = await store.seq_at(session_id, doc_name, ts_ms)
        checkpoint = await store.checkpoint_at_or_before(session_id, doc_name, seq) if seq else None
        after = checkpoint.seq if checkpoint else 0
        tail = await store.read_log_range(session_id, doc_name, after, seq, kind="update")
    doc: Doc[Any] = Doc()
    rebuild(doc, checkpoint, tail)
    return doc


def board_elements(elements: dict[str, Any]) -> list[dict[str, Any]]:
    """Excalidraw's scene order: by fractional `index`, elements without one last, ties by id.

    The same rule as `byIndex` in web/src/board/reconcile.ts, so the server and browser agree.
    """

    def key(el: dict[str, Any]) -> tuple[int, str, str]:
        index = el.get("index")
        return (1, "", str(el.get("id", ""))) if index is None else (0, str(index), str(el["id"]))

    return sorted((el for el in elements.values() if isinstance(el, dict)), key=key)


def as_json(root: Map[Any] | Array[Any]) -> Any:
    """A root type as plain JSON. `str()` of a Map/Array is JSON encoded by yrs in Rust: ~20x
    faster than `to_py()` on a console with 100 runs, and integers stay integers."""
    return json.loads(str(root))


def code_view(doc: Doc[Any], main_file: str = DEFAULT_MAIN) -> dict[str, Any]:
    """The entry file's text (`source`), the other files as the doc holds them (`files`), and
    the project's file tree as a run would write it (`tree`: path -> text, the entry file
    `main_file` first, then the others by path; paths a run would not write left out)."""
    return {
        CODE_SOURCE.key: str(CODE_SOURCE.of(doc)),
        CODE_FILES.key: as_json(CODE_FILES.of(doc)),
        "main_file": main_file,
        "tree": project_of(doc, main_file),
    }


def board_view(doc: Doc[Any]) -> dict[str, Any]:
    return {BOARD_ELEMENTS.key: board_elements(as_json(BOARD_ELEMENTS.of(doc)))}


def console_view(doc: Doc[Any]) -> dict[str, Any]:
    roots = (CONSOLE_RUNS, CONSOLE_EVENTS, CONSOLE_KERNEL, CONSOLE_CONTROLS)
    return {root.key: as_json(root.of(doc)) for root in roots}


def notes_view(doc: Doc[Any]) -> dict[str, Any]:
    return {
        NOTES_TEXT.key: str(NOTES_TEXT.of(doc)),
        NOTES_RUBRIC.key: as_json(NOTES_RUBRIC.of(doc)),
        NOTES_GRADES.key: as_json(NOTES_GRADES.of(doc)),
    }


# The notebook's view needs the console too (its outputs), the code's the entry file's name:
# see `state_at`.
VIEWS: dict[DocName, Callable[[Doc[Any]], dict[str, Any]]] = {
    DocName.BOARD: board_view,
    DocName.CONSOLE: console_view,
    DocName.NOTES: notes_view,
}


async def state_at(
    store: Store,
    session_id: str,
    created_at_ms: int,
    at_ms: int,
    *,
    with_notes: bool,
    main_file: str = DEFAULT_MAIN,
) -> dict[str, Any]:
    """The `state?at=` answer: every replayed doc at `created_at_ms + at_ms`; the code doc with
    its file tree, the notebook as `.ipynb` JSON with the outputs of its cells' runs so far."""
    ts = created_at_ms + at_ms
    result: dict[str, Any] = {"at": at_ms}
    docs: dict[DocName, Doc[Any]] = {}
    for name in DOCS:
        if name is DocName.NOTES and not with_notes:
            continue
        docs[name] = await doc_at_time(store, session_id, name, ts)
    for name, doc in docs.items():
        if name is DocName.NOTEBOOK:
            # The cells with the outputs of their runs so far: the console at the same instant.
            result[name.value] = {"ipynb": notebook_json(doc, docs[DocName.CONSOLE])}
        elif name is DocName.CODE:
            result[name.value] = code_view(doc, main_file)
        else:
            result[name.value] = VIEWS[name](doc)
    return result
