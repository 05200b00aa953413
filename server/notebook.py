"""A session's notebook: JupyterLab's shared model for the cells, the console for the outputs.

The `notebook` doc is `jupyter_ydoc.YNotebook`'s schema (the one JupyterLab and `@jupyter/ydoc`
use), so cells, their sources and metadata are edited by the participants exactly as in a
JupyterLab collaborative session. What JupyterLab also keeps in that doc, and we do not, is the
outputs: in JupyterLab anyone who can edit a cell can also write its outputs, so a candidate
could paste a fake "all tests pass" under a cell and nobody could tell. Here a cell's run is an
entry of the server-only `console.runs` (`server/runs.py`), tagged with the cell's id and its
execution count: the server alone writes it, it is logged and replayed like any run, and the
page shows the latest run of each cell under it. Whatever a client puts into a cell's `outputs`
is ignored: never rendered, never exported.

This module holds the pure parts: the plain-data cells of a doc, console outputs as nbformat
outputs, the `.ipynb` export (validated by `nbformat`) and import (parsed, validated and bounded
by `NotebookLimits`). Its one error type is `NotebookError` (a 4xx with its message).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from pycrdt import Array, Doc, Map, Text

from server.documents import CONSOLE_RUNS, NOTEBOOK_CELLS, NOTEBOOK_META

CELL_TYPES = frozenset({"code", "markdown", "raw"})


class NotebookError(Exception):
    """An `.ipynb` that cannot be taken (malformed, invalid or over a limit), or a bad cell."""


@dataclass(frozen=True, slots=True)
class NotebookLimits:
    """What an imported or seeded notebook may hold.

    `max_bytes` bounds the `.ipynb` file (the request body limit already stops larger bodies);
    `max_cells` the number of cells; `max_cell_source_bytes` one cell's source.
    """

    max_bytes: int = 8 * 1024 * 1024
    max_cells: int = 1000
    max_cell_source_bytes: int = 256 * 1024


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as plain data (what a run or an export needs of it)."""

    id: str
    cell_type: str
    source: str
    metadata: dict[str, Any]


def cells_of(doc: Doc[Any]) -> list[Cell]:
    """The cells of a notebook doc, in order; cells without an id or a known type, and later
    cells repeating an id, are skipped (a client can write anything into the doc: such a cell
    cannot be run or exported).

    Read with pycrdt directly rather than through `jupyter_ydoc.YNotebook`, whose constructor
    attaches an undo manager to the doc: one per read would pile up on a live room's doc."""
    raw = NOTEBOOK_CELLS.of(doc).to_py() or []
    cells: list[Cell] = []
    seen: set[str] = set()
    for cell in raw:
        if not isinstance(cell, dict):
            continue
        cell_id, cell_type = cell.get("id"), cell.get("cell_type")
        if not isinstance(cell_id, str) or not cell_id or cell_type not in CELL_TYPES:
            continue
        if cell_id in seen:
            continue
        seen.add(cell_id)
        source = cell.get("source", "")
        metadata = cell.get("metadata") or {}
        cells.append(
            Cell(
                id=cell_id,
                cell_type=str(cell_type),
                source=_source_text(source),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
        )
    return cells


def find_cell(doc: Doc[Any], cell_id: str) -> Cell | None:
    return cells_by_id(doc, {cell_id}).get(cell_id)


def _source_text(source: Any) -> str:
    """A cell's source: a string, nbformat's list of lines, anything else a client wrote: ""."""
    if isinstance(source, str):
        return source
    return "".join(map(str, source)) if isinstance(source, list) else ""


def _plain(value: Any) -> Any:
    return value.to_py() if isinstance(value, Text | Map | Array) else value


def cells_by_id(doc: Doc[Any], wanted: Collection[str]) -> dict[str, Cell]:
    """The cells with these ids, exactly as `cells_of` gives them, reading only the id and type
    of every other cell: converting a 200-cell notebook's every source and metadata to run one
    cell (Shift-Enter) took ~30 ms of the event loop (`bench/notebook.py`), this ~6."""
    found: dict[str, Cell] = {}
    seen: set[str] = set()
    with doc.transaction():
        for raw in NOTEBOOK_CELLS.of(doc):
            if not isinstance(raw, Map | dict):
                continue
            cell_id, cell_type = _plain(raw.get("id")), _plain(raw.get("cell_type"))
            if not isinstance(cell_id, str) or not cell_id or cell_type not in CELL_TYPES:
                continue
            if cell_id in seen:
                continue
            seen.add(cell_id)
            if cell_id in wanted:
                source = _plain(raw.get("source", ""))
                metadata = _plain(raw.get("metadata")) or {}
                found[cell_id] = Cell(
                    id=cell_id,
                    cell_type=str(cell_type),
                    source=_source_text(source),
                    metadata=metadata if isinstance(metadata, dict) else {},
                )
    return found


def latest_runs(console: Doc[Any]) -> dict[str, dict[str, Any]]:
    """cell id -> the plain data of that cell's latest run entry in `console.runs`."""
    runs = CONSOLE_RUNS.of(console)
    latest: dict[str, dict[str, Any]] = {}
    for i in range(len(runs)):
        entry = runs[i]
        if not isinstance(entry, Map):
            continue
        cell_id = entry.get("cell_id")
        if isinstance(cell_id, str):
            latest[cell_id] = entry.to_py() or {}
    return latest


def nbformat_output(out: dict[str, Any], execution_count: int | None) -> dict[str, Any]:
    """One console output (`server/run_entries.output_of`) as an nbformat v4 output."""
    kind = out.get("type")
    if kind == "stream":
        return {"output_type": "stream", "name": out["name"], "text": out["text"]}
    if kind == "display":
        return {"output_type": "display_data", "data": out["data"], "metadata": {}}
    if kind == "result":
        return {
            "output_type": "execute_result",
            "data": out["data"],
            "metadata": {},
            "execution_count": execution_count,
        }
    if kind == "error":
        return {
            "output_type": "error",
            "ename": out["ename"],
            "evalue": out["evalue"],
            "traceback": list(out["traceback"]),
        }
    # A sandbox notice (output truncated, kernel restarted): kept, as the user saw it.
    return {"output_type": "stream", "name": "stderr", "text": f"[pairboard] {out.get('text')}\n"}


def notebook_json(notebook: Doc[Any], console: Doc[Any]) -> dict[str, Any]:
    """The session's notebook in nbformat v4 shape, each code cell with its latest run's
    outputs, as the docs hold it (not validated: `to_ipynb` is the file a user downloads).
    The replay's `state?at=` answers this."""
    meta = (NOTEBOOK_META.of(notebook).to_py() or {}).get("metadata") or {}
    runs = latest_runs(console)
    cells: list[dict[str, Any]] = []
    for cell in cells_of(notebook):
        base: dict[str, Any] = {
            "id": cell.id,
            "cell_type": cell.cell_type,
            "source": cell.source,
            "metadata": cell.metadata,
        }
        if cell.cell_type == "code":
            run = runs.get(cell.id)
            count = _count(run.get("execution_count")) if run else None
            outputs = [nbformat_output(o, count) for o in (run or {}).get("outputs") or []]
            base.update(execution_count=count, outputs=outputs)
        cells.append(base)
    metadata = {
        **(meta if isinstance(meta, dict) else {}),
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
        "language_info": {"name": "python"},
    }
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells}


def to_ipynb(notebook: Doc[Any], console: Doc[Any]) -> dict[str, Any]:
    """`notebook_json`, validated by nbformat: a file JupyterLab opens. Metadata is the
    participants' to write, so it may not fit nbformat's schema (`"tags": 3`): then the file is
    exported without it, rather than refused."""
    nb = notebook_json(notebook, console)
    nbformat = _nbformat()
    try:
        nbformat.validate(nbformat.from_dict(nb))
        return nb
    except nbformat.ValidationError:
        bare = {
            **nb,
            "metadata": {k: nb["metadata"][k] for k in ("kernelspec", "language_info")},
            "cells": [{**cell, "metadata": {}} for cell in nb["cells"]],
        }
        nbformat.validate(nbformat.from_dict(bare))
        return bare


def _nbformat() -> Any:
    """`nbformat`, imported on first use: it imports `jsonschema`, whose format checkers can take
    seconds to build (rfc3987-syntax compiles a grammar at import), which no server start
    should wait for."""
    import nbformat

    return nbformat


def preload() -> None:
    """Import nbformat now (the composition root does it in a thread at start-up)."""
    _nbformat()


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def parse_ipynb(raw: bytes, limits: NotebookLimits) -> list[dict[str, Any]]:
    """The cells of an uploaded `.ipynb`, ready for `set_cells` (outputs dropped: outputs come
    from runs in this session only). Any nbformat version `nbformat` can convert is taken."""
    if len(raw) > limits.max_bytes:
        raise NotebookError(f"the notebook is over {limits.max_bytes} bytes")
    nbformat = _nbformat()
    try:
        text = raw.decode("utf-8")
        node = nbformat.reads(text, as_version=4)
        nbformat.validate(node)
    except UnicodeDecodeError as exc:
        raise NotebookError("the notebook is not UTF-8") from exc
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise NotebookError("the notebook is not JSON") from exc
    except nbformat.ValidationError as exc:
        raise NotebookError(f"the notebook does not validate: {exc.message}") from exc
    except Exception as exc:  # nbformat raises bare errors for unknown versions and shapes
        raise NotebookError(f"the notebook cannot be read: {exc}") from exc
    cells = [_plain_cell(c) for c in node.cells]
    check_cells(cells, limits)
    return cells


def _plain_cell(cell: Any) -> dict[str, Any]:
    source = cell.get("source", "")
    return {
        "id": str(cell.get("id") or uuid4()),
        "cell_type": str(cell.get("cell_type")),
        "source": source if isinstance(source, str) else "".join(source),
        "metadata": dict(cell.get("metadata") or {}),
    }


def check_cells(cells: list[dict[str, Any]], limits: NotebookLimits) -> None:
    """Seeded or imported cells: known types, unique ids, within the limits."""
    if len(cells) > limits.max_cells:
        raise NotebookError(f"the notebook has {len(cells)} cells; the limit is {limits.max_cells}")
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        if cell["cell_type"] not in CELL_TYPES:
            raise NotebookError(f"cell {i}: unknown cell type {cell['cell_type']!r}")
        if cell["id"] in seen:
            raise NotebookError(f"cell {i}: duplicate cell id {cell['id']!r}")
        seen.add(cell["id"])
        if len(cell["source"].encode("utf-8", "surrogatepass")) > limits.max_cell_source_bytes:
            raise NotebookError(f"cell {i}: source over {limits.max_cell_source_bytes} bytes")


def set_cells(doc: Doc[Any], cells: list[dict[str, Any]]) -> None:
    """Replace the notebook's cells (an import or a scenario's seed) with new cell maps of
    `YNotebook.create_ycell`'s shape; called inside the room's transaction (`RoomRegistry.edit`),
    where `YNotebook` itself cannot be built (see `cells_of`)."""
    meta = NOTEBOOK_META.of(doc)
    meta["nbformat"] = 4
    meta["nbformat_minor"] = 5
    meta["metadata"] = Map(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
        }
    )
    ycells = NOTEBOOK_CELLS.of(doc)
    ycells.clear()
    for cell in cells:
        ycell: dict[str, Any] = {
            "id": cell["id"],
            "cell_type": cell["cell_type"],
            "source": Text(cell["source"]),
            "metadata": Map(cell.get("metadata") or {}),
        }
        if cell["cell_type"] == "code":
            ycell.update(outputs=Array(), execution_count=None, execution_state="idle")
        ycells.append(Map(ycell))


def script_of(doc: Doc[Any]) -> str:
    """The notebook's code cells as one script, top to bottom (what `jupyter nbconvert --to
    script` gives, without the markers): what the grader takes as the candidate's code."""
    return "\n\n".join(c.source for c in cells_of(doc) if c.cell_type == "code")


def code_cell_ids(doc: Doc[Any]) -> list[str]:
    """Every code cell's id, in order (Run all)."""
    return [c.id for c in cells_of(doc) if c.cell_type == "code"]
