"""What a client may leave in the `notebook` doc: checked on a shadow copy before it is stored.

pycrdt validates that an update decodes; it says nothing about what the update does to
JupyterLab's notebook model. `@jupyter/ydoc` builds a cell model for every cell of the doc and
throws on a cell type it does not know (`createCellModelFromSharedType`), so one client writing
`cell_type: "foo"` used to break the notebook on every page, and for every later joiner, for good
(the update is in the log). A client could also write outputs under a cell (a fake "all tests
pass": outputs are the server's, `server/notebook.py`), or a cell of megabytes.

Each notebook room keeps a `NotebookGuard`: a shadow copy of the room's doc. A client update is
applied to the shadow first; the cells it touched (read from the shadow's deep events, so a
keystroke checks one cell, not the notebook) must be well-formed and within the named limits
(`notebook_max_cells`, `notebook_max_cell_source_bytes`, `notebook_max_metadata_bytes`). A
refused update never reaches the room's doc, the log or anyone else; the shadow, which did take
it, is dropped and rebuilt from the room's doc when the next update comes. Server edits and
other instances' updates are applied to the shadow too (`follow`), so it stays the room's doc.

A well-formed cell is what `YNotebook.create_ycell` and `@jupyter/ydoc`'s `createCell` build: a
map with a string `id` (nbformat's pattern, unique in the notebook), a known `cell_type`, a
`source` text and a `metadata` map; a code cell's `outputs` is an empty array and its
`execution_count` null (both are the server's to show, through the console's runs); Markdown and
raw cells may carry `attachments`. No other keys.

Cost: the shadow holds as much memory as the loaded doc (built lazily, on a room's first client
update); per update, one more `apply_update` and the touched cells' checks
(`bench/notebook_guard.py`, `docs/PERFORMANCE.md`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pycrdt import Array, Doc, Map, Text

from server.documents import NOTEBOOK_CELLS, NOTEBOOK_META, NOTEBOOK_STATE
from server.notebook import CELL_TYPES
from server.settings import Settings

# nbformat 4.5's cell id: 1 to 64 letters, digits, - and _.
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
BASE_KEYS = frozenset({"id", "cell_type", "source", "metadata"})
CODE_KEYS = BASE_KEYS | {"outputs", "execution_count", "execution_state"}
TEXT_KEYS = BASE_KEYS | {"attachments"}
EXECUTION_STATES = frozenset({"idle", "running"})


@dataclass(frozen=True, slots=True)
class NotebookGuardLimits:
    max_cells: int
    max_cell_source_bytes: int
    max_metadata_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> NotebookGuardLimits:
        return cls(
            max_cells=settings.notebook_max_cells,
            max_cell_source_bytes=settings.notebook_max_cell_source_bytes,
            max_metadata_bytes=settings.notebook_max_metadata_bytes,
        )


def _json_bytes(value: Map[Any] | Array[Any]) -> int:
    """A shared type's size as JSON (`str()` is encoded by yrs)."""
    return len(str(value).encode("utf-8", "surrogatepass"))


def source_problem(source: Any, limits: NotebookGuardLimits) -> str | None:
    if not isinstance(source, Text):
        return "a cell's source must be a text"
    if len(source) > limits.max_cell_source_bytes:  # pycrdt counts a text's UTF-8 bytes
        return f"a cell's source may take {limits.max_cell_source_bytes} bytes"
    return None


def metadata_problem(value: Any, what: str, limits: NotebookGuardLimits) -> str | None:
    """A cell's `metadata` (or a Markdown cell's `attachments`): a map within the limit."""
    if not isinstance(value, Map):
        return f"a cell's {what} must be a map"
    if _json_bytes(value) > limits.max_metadata_bytes:
        return f"a cell's {what} may take {limits.max_metadata_bytes} bytes"
    return None


def cell_problem(cell: Any, limits: NotebookGuardLimits) -> str | None:
    """Why `cell` is not a cell JupyterLab's model can take within the limits (None if it is)."""
    if not isinstance(cell, Map):
        return "a cell must be a map"
    cell_type = cell.get("cell_type")
    if cell_type not in CELL_TYPES:
        return f"unknown cell type {str(cell_type)[:40]!r}"
    unknown = set(cell.keys()) - (CODE_KEYS if cell_type == "code" else TEXT_KEYS)
    if unknown:
        return f"a {cell_type} cell has no key {sorted(unknown)[0][:40]!r}"
    if not isinstance(cell_id := cell.get("id"), str) or not CELL_ID.match(cell_id):
        return "a cell id is 1 to 64 letters, digits, - or _"
    problem = source_problem(cell.get("source"), limits) or metadata_problem(
        cell.get("metadata"), "metadata", limits
    )
    if problem is None and "attachments" in cell:
        problem = metadata_problem(cell["attachments"], "attachments", limits)
    if problem is not None:
        return problem
    if cell_type == "code":
        outputs = cell.get("outputs")
        if not isinstance(outputs, Array):
            return "a code cell's outputs must be an array"
        if len(outputs) > 0 or cell.get("execution_count") is not None:
            return OUTPUTS
        state = cell.get("execution_state")
        if state is not None and state not in EXECUTION_STATES:
            return "a cell's execution state is idle or running"
    return None


OUTPUTS = "outputs are written by the server only"


def _id_of(cell: Any) -> str | None:
    cell_id = cell.get("id") if isinstance(cell, Map) else None
    return cell_id if isinstance(cell_id, str) else None


class NotebookGuard:
    """One notebook room's shadow doc and the checks of every client update (module docstring).

    What an update touched is read from the shadow's deep events, by path under `cells`:
    `[]` cells inserted, deleted or moved (the inserted ones are checked whole); `[i]` a key of
    cell i (checked whole); `[i, "source"]` its text (its size only); `[i, "metadata", ...]` or
    `[i, "attachments", ...]` (their size only); `[i, "outputs", ...]` a client writing outputs.
    The cells' ids are mirrored in order from the same events, so a duplicate id is found
    without reading every cell."""

    def __init__(self, limits: NotebookGuardLimits) -> None:
        self.limits = limits
        self._shadow: Doc[Any] | None = None
        self._roots: list[Array[Any] | Map[Any]] = []
        self._ids: list[str | None] = []
        self._reset()

    def _reset(self) -> None:
        """Forget what the last update touched: index -> the touched object (None: read it
        from the cells by index, which walks the array)."""
        self._whole: dict[int, Any] = {}
        self._sources: dict[int, Any] = {}
        self._metadata: dict[int, tuple[str, Any]] = {}
        self._outputs: set[int] = set()
        self._structure = False  # cells inserted, deleted or moved, or an id changed
        self._meta = False

    def _build(self, doc: Doc[Any]) -> Doc[Any]:
        shadow: Doc[Any] = Doc()
        shadow.apply_update(doc.get_update())
        cells = NOTEBOOK_CELLS.of(shadow)
        meta, state = NOTEBOOK_META.of(shadow), NOTEBOOK_STATE.of(shadow)
        # The roots are kept: a subscription lives as long as the object it was made on.
        self._roots = [cells, meta, state]
        # Read as JSON (encoded by yrs in one pass): indexing walks the array, O(n) a cell.
        self._ids = [
            c.get("id") if isinstance(c, dict) and isinstance(c.get("id"), str) else None
            for c in json.loads(str(cells))
        ]
        cells.observe_deep(self._on_cells)
        meta.observe_deep(self._on_meta)
        state.observe_deep(self._on_meta)
        return shadow

    def _on_cells(self, events: list[Any]) -> None:
        # The array's own event first: its delta is against the ids before the change, the
        # others' paths are indices after it.
        for event in events:
            if not event.path:
                self._structure = True
                self._splice(event.delta)
        for event in events:
            path = event.path
            if not path:
                continue
            index = int(path[0])
            if len(path) == 1:
                self._whole[index] = event.target
                if "id" in event.keys and index < len(self._ids):
                    self._structure = True
                    self._ids[index] = _id_of(event.target)
            elif path[1] == "source" and len(path) == 2:
                self._sources[index] = event.target
            elif path[1] in ("metadata", "attachments"):
                self._metadata[index] = (str(path[1]), event.target if len(path) == 2 else None)
            elif path[1] == "outputs":
                self._outputs.add(index)
            else:  # something nested the model has no place for
                self._whole.setdefault(index, None)

    def _splice(self, delta: list[dict[str, Any]]) -> None:
        """Apply a cells-array event to the id mirror; inserted cells are checked whole."""
        old, ids, at = self._ids, list[str | None](), 0
        for op in delta:
            if "retain" in op:
                n = int(op["retain"])
                ids.extend(old[at : at + n])
                at += n
            elif "delete" in op:
                at += int(op["delete"])
            elif "insert" in op:
                for cell in op["insert"]:
                    self._whole[len(ids)] = cell
                    ids.append(_id_of(cell))
        ids.extend(old[at:])
        self._ids = ids

    def _on_meta(self, events: list[Any]) -> None:
        self._meta = True

    @property
    def shadowing(self) -> bool:
        """Whether a shadow copy is held now (memory, tests)."""
        return self._shadow is not None

    def admit(self, doc: Doc[Any], update: bytes) -> str | None:
        """None if the room may take `update` (the shadow has it now), else why not, in words for
        its writer (the shadow is then dropped: it took an update the room will not)."""
        shadow = self._shadow if self._shadow is not None else self._build(doc)
        self._shadow = shadow
        self._reset()
        shadow.apply_update(update)
        with shadow.transaction():  # one for every read below (each would open its own)
            problem = self._problem(shadow)
        self._reset()
        if problem is not None:
            self.forget()
            return f"edit not saved: {problem}"
        return None

    def _problem(self, shadow: Doc[Any]) -> str | None:
        limits = self.limits
        cells = NOTEBOOK_CELLS.of(shadow)
        count = len(cells)
        if self._structure and count > limits.max_cells:
            return f"a notebook holds {limits.max_cells} cells at most"
        for index in sorted(self._outputs):
            return f"cell {index + 1}: {OUTPUTS}"
        checks: list[tuple[int, str, Any]] = [(i, "cell", c) for i, c in self._whole.items()]
        checks += [(i, "source", t) for i, t in self._sources.items() if i not in self._whole]
        checks += [(i, what, m) for i, (what, m) in self._metadata.items() if i not in self._whole]
        for index, what, target in sorted(checks, key=lambda check: check[0]):
            if index >= count:
                continue
            if target is None:
                cell = cells[index]
                target = cell if what == "cell" else cell.get(what)
            if what == "cell":
                problem = cell_problem(target, limits)
            elif what == "source":
                problem = source_problem(target, limits)
            else:
                problem = metadata_problem(target, what, limits)
            if problem is not None:
                return f"cell {index + 1}: {problem}"
        if self._structure:
            seen: set[str] = set()
            for index, cell_id in enumerate(self._ids):
                if cell_id is not None:
                    if cell_id in seen:
                        return f"cell {index + 1}: another cell has the id {cell_id!r}"
                    seen.add(cell_id)
        if self._meta:
            for root in (NOTEBOOK_META, NOTEBOOK_STATE):
                if _json_bytes(root.of(shadow)) > limits.max_metadata_bytes:
                    return f"the notebook's {root.key} may take {limits.max_metadata_bytes} bytes"
        return None

    def follow(self, update: bytes) -> None:
        """An update the room's doc took without `admit` (a server edit, another instance's)."""
        if self._shadow is not None:
            self._shadow.apply_update(update)
            self._reset()

    def forget(self) -> None:
        """The room did not take an admitted update after all (its append failed)."""
        self._shadow, self._roots, self._ids = None, [], []
