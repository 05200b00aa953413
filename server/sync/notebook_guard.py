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

Cost: the shadow holds about as much memory as the doc (built lazily, on a room's first client
update); per update, one more `apply_update` and the touched cells' checks
(`bench/notebook_guard.py`, `docs/PERFORMANCE.md`).
"""

from __future__ import annotations

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
    cell_id = cell.get("id")
    if not isinstance(cell_id, str) or not CELL_ID.match(cell_id):
        return "a cell id is 1 to 64 letters, digits, - or _"
    source, metadata = cell.get("source"), cell.get("metadata")
    if not isinstance(source, Text):
        return "a cell's source must be a text"
    if not isinstance(metadata, Map):
        return "a cell's metadata must be a map"
    if len(str(source).encode("utf-8", "surrogatepass")) > limits.max_cell_source_bytes:
        return f"a cell's source may take {limits.max_cell_source_bytes} bytes"
    size = _json_bytes(metadata)
    attachments = cell.get("attachments")
    if attachments is not None:
        size += _json_bytes(attachments) if isinstance(attachments, Map | Array) else 1 << 62
    if size > limits.max_metadata_bytes:
        return f"a cell's metadata may take {limits.max_metadata_bytes} bytes"
    if cell_type == "code":
        outputs = cell.get("outputs")
        if not isinstance(outputs, Array):
            return "a code cell's outputs must be an array"
        if len(outputs) > 0 or cell.get("execution_count") is not None:
            return "outputs are written by the server only"
        state = cell.get("execution_state")
        if state is not None and state not in EXECUTION_STATES:
            return "a cell's execution state is idle or running"
    return None


def _inserted(delta: list[dict[str, Any]]) -> list[int]:
    """The indices (in the array after the change) of the items an array event inserted."""
    at, out = 0, list[int]()
    for op in delta:
        if "retain" in op:
            at += int(op["retain"])
        elif "insert" in op:
            n = len(op["insert"])
            out.extend(range(at, at + n))
            at += n
    return out


class NotebookGuard:
    """One notebook room's shadow doc and the checks of every client update (module docstring)."""

    def __init__(self, limits: NotebookGuardLimits) -> None:
        self.limits = limits
        self._shadow: Doc[Any] | None = None
        self._roots: list[Array[Any] | Map[Any]] = []
        # Filled by the shadow's observers while an update is applied to it.
        self._cells: set[int] = set()
        self._structure = False  # cells inserted, deleted or a cell's own keys changed
        self._meta = False

    def _build(self, doc: Doc[Any]) -> Doc[Any]:
        shadow: Doc[Any] = Doc()
        shadow.apply_update(doc.get_update())
        # The roots are kept: a subscription lives as long as the object it was made on.
        self._roots = [
            NOTEBOOK_CELLS.of(shadow),
            NOTEBOOK_META.of(shadow),
            NOTEBOOK_STATE.of(shadow),
        ]
        self._roots[0].observe_deep(self._on_cells)
        self._roots[1].observe_deep(self._on_meta)
        self._roots[2].observe_deep(self._on_meta)
        return shadow

    def _on_cells(self, events: list[Any]) -> None:
        for event in events:
            path = event.path
            if not path:  # the cells array itself: cells inserted, deleted or moved
                self._structure = True
                self._cells.update(_inserted(event.delta))
            else:
                self._cells.add(int(path[0]))
                if len(path) == 1:  # a key of the cell map (its id, type, outputs...)
                    self._structure = True

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
        self._cells, self._structure, self._meta = set(), False, False
        shadow.apply_update(update)
        problem = self._problem(shadow)
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
        for index in sorted(self._cells):
            if index < count and (problem := cell_problem(cells[index], limits)) is not None:
                return f"cell {index + 1}: {problem}"
        if self._structure:
            seen: set[str] = set()
            for index in range(count):
                cell = cells[index]
                cell_id = cell.get("id") if isinstance(cell, Map) else None
                if isinstance(cell_id, str):
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

    def forget(self) -> None:
        """The room did not take an admitted update after all (its append failed)."""
        self._shadow, self._roots = None, []
