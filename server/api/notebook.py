"""The notebook REST API: run cells, export the notebook as `.ipynb`, import one.

Editing cells needs no route: the `notebook` doc is a room like the code doc (its writers are
the permission table's). Running a cell is `RUN_START` (as Run is), so a candidate cannot run
cells while Run is disabled or before Start. Outputs come back in the `console` doc, one run
entry per cell (`server/notebook.py` says why they are not in the notebook doc).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from server.access import Access
from server.api.deps import Authorize, services_of
from server.api.runs import run_role
from server.documents import DocName
from server.notebook import (
    NotebookError,
    NotebookLimits,
    code_cell_ids,
    parse_ipynb,
    set_cells,
    to_ipynb,
)
from server.permissions import Action
from server.project_files import ProjectTooLarge
from server.runs import CodeTooLarge, RunConflict, UnknownCell
from server.text import Text

router = APIRouter(prefix="/api/sessions")


def limits_of(request: Request) -> NotebookLimits:
    settings = services_of(request).settings
    return NotebookLimits(
        max_bytes=settings.notebook_max_bytes,
        max_cells=settings.notebook_max_cells,
        max_cell_source_bytes=settings.notebook_max_cell_source_bytes,
    )


class RunCells(BaseModel):
    cells: list[Text] | None = Field(
        None,
        max_length=10_000,
        description="Cell ids to run, in this order (Shift-Enter sends one).",
    )
    all: bool = Field(False, description="Run every code cell, top to bottom (Run all).")


@router.post("/{session_id}/notebook/runs", status_code=202)
async def run_cells(
    session_id: str,
    body: RunCells,
    request: Request,
    access: Access = Depends(Authorize(Action.RUN_START)),
) -> dict[str, list[str]]:
    services = services_of(request)
    if body.all == (body.cells is not None):
        raise HTTPException(422, "give either `cells` or `all`, not both or neither")
    cell_ids = body.cells
    if body.all:
        cell_ids = code_cell_ids(await services.rooms.read(session_id, DocName.NOTEBOOK))
    assert cell_ids is not None
    role = run_role(access)
    try:
        run_ids = await services.runs.start_cells(
            session_id,
            access.name,
            role,
            cell_ids,
            max_code_bytes=services.settings.run_max_code_bytes,
        )
    except RunConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except UnknownCell as exc:
        raise HTTPException(422, str(exc)) from exc
    except (CodeTooLarge, ProjectTooLarge) as exc:
        raise HTTPException(413, str(exc)) from exc
    return {"run_ids": run_ids}


@router.get("/{session_id}/notebook.ipynb")
async def export_notebook(
    session_id: str, request: Request, _: Access = Depends(Authorize(Action.NOTEBOOK_EXPORT))
) -> JSONResponse:
    rooms = services_of(request).rooms
    notebook = await rooms.read(session_id, DocName.NOTEBOOK)
    console = await rooms.read(session_id, DocName.CONSOLE)
    content: dict[str, Any] = to_ipynb(notebook, console)
    return JSONResponse(
        content,
        media_type="application/x-ipynb+json",
        headers={"content-disposition": f'attachment; filename="{session_id}.ipynb"'},
    )


@router.put("/{session_id}/notebook")
async def import_notebook(
    session_id: str, request: Request, _: Access = Depends(Authorize(Action.NOTEBOOK_IMPORT))
) -> dict[str, int]:
    limits = limits_of(request)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limits.max_bytes:
            raise HTTPException(413, f"the notebook is over {limits.max_bytes} bytes")
    try:
        cells = parse_ipynb(bytes(raw), limits)
    except NotebookError as exc:
        raise HTTPException(422, str(exc)) from exc
    await services_of(request).rooms.edit(
        session_id, DocName.NOTEBOOK, lambda doc: set_cells(doc, cells), author="import"
    )
    return {"cells": len(cells)}
