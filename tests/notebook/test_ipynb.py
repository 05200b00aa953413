"""The notebook's pure parts: the doc's cells, console outputs as nbformat outputs, `.ipynb`
export (valid for nbformat) and import (parsed, validated, bounded)."""

from __future__ import annotations

import json
from typing import Any

import nbformat
import pytest
from jupyter_ydoc import YNotebook
from pycrdt import Array, Doc, Map

from server.documents import CONSOLE_RUNS, NOTEBOOK_CELLS
from server.notebook import (
    NotebookError,
    NotebookLimits,
    cells_by_id,
    cells_of,
    code_cell_ids,
    find_cell,
    parse_ipynb,
    set_cells,
    to_ipynb,
)

CELLS: list[dict[str, Any]] = [
    {"id": "intro", "cell_type": "markdown", "source": "# Fix the loop", "metadata": {}},
    {"id": "load", "cell_type": "code", "source": "x = 6 * 7\nx", "metadata": {"tags": ["a"]}},
    {"id": "plot", "cell_type": "code", "source": "print('hi')", "metadata": {}},
]


def notebook_doc(cells: list[dict[str, Any]] = CELLS) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    set_cells(doc, cells)
    return doc


def console_with(*entries: dict[str, Any]) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    runs = CONSOLE_RUNS.of(doc)
    for entry in entries:
        runs.append(Map({**entry, "outputs": Array(entry.get("outputs", []))}))
    return doc


def ipynb(cells: list[dict[str, Any]], **extra: Any) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict({**c, **extra}) for c in cells]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    return nbformat.writes(nb).encode()


def test_seeded_cells_read_back_in_order_with_their_ids_sources_and_metadata() -> None:
    doc = notebook_doc()
    assert [(c.id, c.cell_type, c.source, c.metadata) for c in cells_of(doc)] == [
        ("intro", "markdown", "# Fix the loop", {}),
        ("load", "code", "x = 6 * 7\nx", {"tags": ["a"]}),
        ("plot", "code", "print('hi')", {}),
    ]
    assert code_cell_ids(doc) == ["load", "plot"]


def test_the_doc_is_jupyterlabs_notebook_model() -> None:
    """The same doc that JupyterLab's YNotebook reads: `cells` is its root array."""
    doc = notebook_doc()
    assert len(NOTEBOOK_CELLS.of(doc)) == 3
    assert YNotebook(doc).get()["cells"][1]["source"] == "x = 6 * 7\nx"


def test_export_takes_each_code_cells_latest_run_and_validates() -> None:
    console = console_with(
        {
            "id": "r1",
            "cell_id": "load",
            "execution_count": 1,
            "status": "ok",
            "outputs": [{"type": "result", "data": {"text/plain": "41"}}],
        },
        {
            "id": "r2",
            "cell_id": "load",
            "execution_count": 2,
            "status": "ok",
            "outputs": [{"type": "result", "data": {"text/plain": "42"}}],
        },
        {
            "id": "r3",
            "status": "ok",
            "outputs": [{"type": "stream", "name": "stdout", "text": "console run\n"}],
        },
        {
            "id": "r4",
            "cell_id": "plot",
            "execution_count": 3,
            "status": "error",
            "outputs": [
                {"type": "stream", "name": "stdout", "text": "hi\n"},
                {"type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["tb"]},
                {"type": "notice", "text": "output truncated"},
            ],
        },
    )
    nb = to_ipynb(notebook_doc(), console)
    nbformat.validate(nbformat.from_dict(nb))
    intro, load, plot = nb["cells"]
    assert intro == {
        "id": "intro",
        "cell_type": "markdown",
        "source": "# Fix the loop",
        "metadata": {},
    }
    assert load["execution_count"] == 2
    assert load["outputs"] == [
        {
            "output_type": "execute_result",
            "data": {"text/plain": "42"},
            "metadata": {},
            "execution_count": 2,
        }
    ]
    assert plot["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "hi\n"},
        {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["tb"]},
        {"output_type": "stream", "name": "stderr", "text": "[pairboard] output truncated\n"},
    ]


def test_outputs_a_client_wrote_into_the_notebook_doc_are_never_exported() -> None:
    doc = notebook_doc()
    forged = Map({"output_type": "stream", "name": "stdout", "text": "all tests passed"})
    NOTEBOOK_CELLS.of(doc)[1]["outputs"].append(forged)
    NOTEBOOK_CELLS.of(doc)[1]["execution_count"] = 99
    nb = to_ipynb(doc, console_with())
    assert nb["cells"][1]["outputs"] == []
    assert nb["cells"][1]["execution_count"] is None


def test_metadata_that_breaks_the_schema_is_dropped_rather_than_the_export_refused() -> None:
    doc = notebook_doc()
    NOTEBOOK_CELLS.of(doc)[1]["metadata"]["tags"] = 3  # nbformat wants a list of strings
    nb = to_ipynb(doc, console_with())
    nbformat.validate(nbformat.from_dict(nb))
    assert [c["metadata"] for c in nb["cells"]] == [{}, {}, {}]


def test_export_then_import_gives_back_the_same_cells() -> None:
    doc = notebook_doc()
    exported = json.dumps(to_ipynb(doc, console_with())).encode()
    again: Doc[Any] = Doc()
    set_cells(again, parse_ipynb(exported, NotebookLimits()))
    assert cells_of(again) == cells_of(doc)


def test_import_drops_outputs_and_keeps_cells() -> None:
    cells = [
        {
            "id": "a",
            "cell_type": "code",
            "source": "1",
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "fake"}],
            "execution_count": 7,
        }
    ]
    parsed = parse_ipynb(ipynb(cells), NotebookLimits())
    assert parsed == [{"id": "a", "cell_type": "code", "source": "1", "metadata": {}}]


def test_an_older_nbformat_is_converted() -> None:
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "input": "print(1)",
                        "outputs": [],
                        "language": "python",
                        "metadata": {},
                    }
                ],
                "metadata": {},
            }
        ],
    }
    parsed = parse_ipynb(json.dumps(v3).encode(), NotebookLimits())
    assert [(c["cell_type"], c["source"]) for c in parsed] == [("code", "print(1)")]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not JSON"),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {},'
            b' "cells": [{"cell_type": "code"}]}',
            "does not validate",
        ),
        (b'{"cells": 1}', "cannot be read"),
    ],
)
def test_a_bad_file_is_refused_with_what_is_wrong(raw: bytes, message: str) -> None:
    with pytest.raises(NotebookError, match=message):
        parse_ipynb(raw, NotebookLimits())


def test_the_limits_hold() -> None:
    cells = [{"id": str(i), "cell_type": "code", "source": "x", "metadata": {}} for i in range(3)]
    with pytest.raises(NotebookError, match="3 cells; the limit is 2"):
        parse_ipynb(ipynb(cells), NotebookLimits(max_cells=2))
    big = [{"id": "a", "cell_type": "code", "source": "x" * 101, "metadata": {}}]
    with pytest.raises(NotebookError, match="source over 100 bytes"):
        parse_ipynb(ipynb(big), NotebookLimits(max_cell_source_bytes=100))
    with pytest.raises(NotebookError, match="over 10 bytes"):
        parse_ipynb(ipynb(cells), NotebookLimits(max_bytes=10))


def test_cells_by_id_reads_the_cells_cells_of_would_give_and_no_others() -> None:
    doc = notebook_doc(
        [
            {"id": "a", "cell_type": "code", "source": "x = 1", "metadata": {"tags": ["t"]}},
            {"id": "b", "cell_type": "markdown", "source": "# B", "metadata": {}},
        ]
    )
    with doc.transaction():
        cells = NOTEBOOK_CELLS.of(doc)
        cells.append({"id": "c", "cell_type": "code", "source": ["y = ", "2"], "metadata": {}})
        cells.append({"id": "a", "cell_type": "code", "source": "a second a", "metadata": {}})
        cells.append({"id": "d", "cell_type": "code", "source": None})
        cells.append({"id": "e", "cell_type": "widget", "source": "z"})
        cells.append("not a cell")
    everything = {c.id: c for c in cells_of(doc)}
    assert list(everything) == ["a", "b", "c", "d"]
    assert cells_by_id(doc, {"a", "c", "d", "e", "zz"}) == {
        k: everything[k] for k in ("a", "c", "d")
    }
    assert everything["c"].source == "y = 2" and everything["d"].source == ""
    assert everything["a"].source == "x = 1"  # the first cell with an id wins
    assert everything["a"].metadata == {"tags": ["t"]}
    assert find_cell(doc, "b") == everything["b"]
