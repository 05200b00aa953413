"""The notebook doc's content checks (server/sync/notebook_guard.py), with real websocket clients.

Before: a client writing a cell of an unknown type was stored and relayed, and `@jupyter/ydoc`
threw on it in every page, for every later joiner too. Now each client update to `notebook` is
applied to a shadow copy first; one that leaves an unknown cell type, a malformed cell, outputs
written by a client or a cell over the limits is refused to its writer alone (a y-websocket
permission-denied message, the socket stays open), nothing of it is stored, and the others go
on editing and converge. The limits are small here (PAIRBOARD_NOTEBOOK_MAX_*), so crossing them
costs little.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from jupyter_ydoc import YNotebook
from pycrdt import Array, Map, Text

from server.sync import protocol
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

MAX_CELLS = 6
MAX_SOURCE = 2000
MAX_METADATA = 1000
SEED = [
    {"id": "md", "cell_type": "markdown", "source": "# Title", "metadata": {}},
    {"id": "a", "cell_type": "code", "source": "x = 1", "metadata": {}},
    {"id": "b", "cell_type": "code", "source": "x + 1", "metadata": {}},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("notebook-guard")),
        env={
            "PAIRBOARD_NOTEBOOK_MAX_CELLS": str(MAX_CELLS),
            "PAIRBOARD_NOTEBOOK_MAX_CELL_SOURCE_BYTES": str(MAX_SOURCE),
            "PAIRBOARD_NOTEBOOK_MAX_METADATA_BYTES": str(MAX_METADATA),
        },
    )
    proc.start()
    yield proc
    proc.stop()


class Pair:
    """A session's candidate and interviewer on its seeded notebook."""

    def __init__(self, server: ServerProcess, sid: str, tokens: dict[str, str]) -> None:
        self.server, self.sid, self.tokens = server, sid, tokens
        self.candidate = YClient(self.url("candidate"))
        self.interviewer = YClient(self.url("interviewer"))

    def url(self, role: str) -> str:
        return f"{self.server.ws_url}/ws/{self.sid}/notebook?token={self.tokens[role]}"

    def stored_seq(self) -> int:
        """The notebook log's last seq: what the server has made durable."""
        r = httpx.get(
            f"{self.server.url}/api/sessions/{self.sid}/log",
            params={"doc": "notebook", "limit": 1},
            headers={"Authorization": f"Bearer {self.tokens['interviewer']}"},
            timeout=10,
        )
        r.raise_for_status()
        seq: int = r.json()["last_seq"]
        return seq

    async def barrier(self, client: YClient) -> None:
        """Every frame `client` sent so far has been handled (and any refusal of it heard): one
        connection's frames are handled in order, so the answer to a sync step 1 comes after."""
        client.synced.clear()
        await client.send_raw(protocol.encode_sync_step1(client.doc.get_state()))
        await wait_until(client.synced.is_set, what="barrier answered")

    async def fresh_cells(self, role: str = "observer") -> list[dict[str, Any]]:
        """The cells a participant joining now receives."""
        async with YClient(self.url(role)) as late:
            await wait_until(late.synced.is_set, what="late joiner synced")
            cells: list[dict[str, Any]] = YNotebook(late.doc).get()["cells"]
            return cells


@pytest_asyncio.fixture
async def pair(server: ServerProcess) -> AsyncIterator[Pair]:
    created = server.create_session(mode="notebook", title="guard")
    p = Pair(server, created["id"], created["tokens"])
    await server_seed(server, p)
    await p.candidate.connect()
    await p.interviewer.connect()
    await wait_until(p.candidate.synced.is_set, what="candidate synced")
    await wait_until(p.interviewer.synced.is_set, what="interviewer synced")
    await wait_until(lambda: YNotebook(p.candidate.doc).cell_number == len(SEED), what="seed")
    yield p
    await p.candidate.close()
    await p.interviewer.close()


async def server_seed(server: ServerProcess, p: Pair) -> None:
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {**c, **({"outputs": [], "execution_count": None} if c["cell_type"] == "code" else {})}
            for c in SEED
        ],
    }
    r = httpx.put(
        f"{server.url}/api/sessions/{p.sid}/notebook",
        json=nb,
        headers={"Authorization": f"Bearer {p.tokens['interviewer']}"},
        timeout=60,
    )
    assert r.status_code == 200, r.text


def sources(cells: list[dict[str, Any]]) -> list[str]:
    return [c["source"] for c in cells]


async def refused(p: Pair, change: Callable[[YNotebook], None]) -> list[str]:
    """The candidate makes `change`; what it was told. Nothing may be stored or reach the
    interviewer, who then types into a cell: the candidate (still connected) receives that
    edit, and a late joiner sees the interviewer's notebook, not the candidate's."""
    before = p.stored_seq()
    seen_by_interviewer = YNotebook(p.interviewer.doc).get()["cells"]
    p.candidate.denied.clear()
    change(YNotebook(p.candidate.doc))
    await p.barrier(p.candidate)
    assert p.stored_seq() == before
    assert YNotebook(p.interviewer.doc).get()["cells"] == seen_by_interviewer
    assert p.candidate.close_code is None
    source = YNotebook(p.interviewer.doc).ycells[1]["source"]
    source.insert(len(str(source)), " # ok")
    want = str(source)
    await wait_until(
        lambda: str(YNotebook(p.candidate.doc).ycells[1]["source"]) == want,
        what="the interviewer's edit reached the refused candidate",
    )
    assert p.interviewer.denied == []
    assert (await p.fresh_cells())[1]["source"] == want
    return list(p.candidate.denied)


def append_raw(cell: dict[str, Any]) -> Callable[[YNotebook], None]:
    """A cell map written as a hostile client would: straight into the cells array."""
    return lambda nb: nb.ycells.append(Map(cell))


def good(cell_id: str, cell_type: str = "code", **extra: Any) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "id": cell_id,
        "cell_type": cell_type,
        "source": Text(""),
        "metadata": Map(),
    }
    if cell_type == "code":
        cell.update(outputs=Array(), execution_count=None)
    return {**cell, **extra}


async def test_an_unknown_cell_type_is_refused_to_its_writer_and_others_converge(
    pair: Pair,
) -> None:
    denied = await refused(pair, append_raw(good("bad", "foo")))
    assert denied == ["edit not saved: cell 4: unknown cell type 'foo'"]
    cells = await pair.fresh_cells()
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda nb: nb.ycells.append("not a map"), "cell 4: a cell must be a map"),
        (append_raw(good("s", source="plain str")), "cell 4: a cell's source must be a text"),
        (append_raw(good("m", metadata={"a": 1})), "cell 4: a cell's metadata must be a map"),
        (append_raw(good("bad id!")), "cell 4: a cell id is 1 to 64 letters, digits, - or _"),
        (append_raw(good("a")), "cell 4: another cell has the id 'a'"),
        (append_raw(good("k", extra_key=1)), "cell 4: a code cell has no key 'extra_key'"),
        (
            lambda nb: nb.ycells[2].__setitem__("cell_type", "sql"),
            "cell 3: unknown cell type 'sql'",
        ),
        (
            lambda nb: nb.ycells[0].__setitem__("cell_type", "code"),
            "cell 1: a code cell's outputs must be an array",
        ),
    ],
    ids=[
        "not-a-map",
        "str-source",
        "dict-metadata",
        "bad-id",
        "dup-id",
        "extra-key",
        "retype",
        "md-to-code-without-outputs",
    ],
)
async def test_a_malformed_cell_is_refused(
    pair: Pair, change: Callable[[YNotebook], None], reason: str
) -> None:
    assert await refused(pair, change) == [f"edit not saved: {reason}"]


@pytest.mark.parametrize(
    "change",
    [
        lambda nb: nb.ycells[1]["outputs"].append(
            Map({"output_type": "stream", "name": "stdout", "text": "all tests pass\n"})
        ),
        lambda nb: nb.ycells[1].__setitem__("execution_count", 7),
        append_raw(
            good("o", outputs=Array([{"output_type": "stream", "name": "stdout", "text": "x"}]))
        ),
    ],
    ids=["append-output", "execution-count", "new-cell-with-outputs"],
)
async def test_outputs_written_by_a_client_are_refused(
    pair: Pair, change: Callable[[YNotebook], None]
) -> None:
    denied = await refused(pair, change)
    assert len(denied) == 1 and denied[0].endswith("outputs are written by the server only")


async def test_cells_past_notebook_max_cells_are_refused(pair: Pair) -> None:
    nb = YNotebook(pair.candidate.doc)
    for i in range(MAX_CELLS - len(SEED)):
        nb.append_cell({"id": f"n{i}", "cell_type": "code", "source": "", "metadata": {}})
    await pair.barrier(pair.candidate)
    assert pair.candidate.denied == []
    await wait_until(lambda: YNotebook(pair.interviewer.doc).cell_number == MAX_CELLS, what="n")
    one_more = {"id": "over", "cell_type": "code", "source": "", "metadata": {}}
    denied = await refused(pair, lambda nb: nb.append_cell(one_more))
    assert denied == [f"edit not saved: a notebook holds {MAX_CELLS} cells at most"]
    assert len(await pair.fresh_cells()) == MAX_CELLS


async def test_a_source_past_the_cell_limit_is_refused_and_up_to_it_taken(pair: Pair) -> None:
    nb = YNotebook(pair.candidate.doc)
    source = nb.ycells[2]["source"]
    source.insert(len(str(source)), "#" * (MAX_SOURCE - len(str(source))))  # exactly the limit
    await pair.barrier(pair.candidate)
    assert pair.candidate.denied == []
    await wait_until(
        lambda: len(str(YNotebook(pair.interviewer.doc).ycells[2]["source"])) == MAX_SOURCE,
        what="the cell at its limit relayed",
    )
    denied = await refused(pair, lambda nb: nb.ycells[2]["source"].insert(0, "é"))
    assert denied == [f"edit not saved: cell 3: a cell's source may take {MAX_SOURCE} bytes"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda nb: nb.ycells[1]["metadata"].__setitem__("tags", ["t" * MAX_METADATA]),
            f"cell 2: a cell's metadata may take {MAX_METADATA} bytes",
        ),
        (
            append_raw(good("att", "markdown", attachments=Map({"i.png": "A" * MAX_METADATA}))),
            f"cell 4: a cell's attachments may take {MAX_METADATA} bytes",
        ),
        (
            lambda nb: nb._ymeta.__setitem__("metadata", Map({"big": "m" * MAX_METADATA})),
            f"the notebook's meta may take {MAX_METADATA} bytes",
        ),
    ],
    ids=["cell-metadata", "attachments", "notebook-metadata"],
)
async def test_metadata_past_its_limit_is_refused(
    pair: Pair, change: Callable[[YNotebook], None], reason: str
) -> None:
    assert await refused(pair, change) == [f"edit not saved: {reason}"]


def move(nb: YNotebook, frm: int, to: int) -> None:
    """A cell moved as `@jupyter/ydoc`'s moveCells does: deleted, and a copy made from its
    JSON inserted, in one transaction."""
    with nb.ydoc.transaction():
        cell = nb.get_cell(frm)
        nb.ycells.pop(frm)
        nb.ycells.insert(to, nb.create_ycell(cell))


async def test_every_edit_jupyterlab_makes_still_passes_and_converges(pair: Pair) -> None:
    """Type, add, move, retype (delete and insert, as the page does), tag, delete: by both."""
    mine, theirs = YNotebook(pair.candidate.doc), YNotebook(pair.interviewer.doc)
    mine.ycells[1]["source"].insert(5, "0")  # x = 10
    theirs.append_cell({"id": "c", "cell_type": "code", "source": "print(x)", "metadata": {}})
    await wait_until(lambda: mine.cell_number == 4, what="the new cell relayed")
    move(mine, 3, 1)  # print(x) second
    mine.ycells[2]["metadata"]["tags"] = ["setup"]
    await wait_until(
        lambda: sources(theirs.get()["cells"]) == ["# Title", "print(x)", "x = 10", "x + 1"],
        what="the move relayed",
    )
    with theirs.ydoc.transaction():  # markdown -> code, keeping its id
        theirs.ycells.pop(0)
        theirs.ycells.insert(
            0,
            theirs.create_ycell(
                {"id": "md", "cell_type": "code", "source": "# Title", "metadata": {}}
            ),
        )
    theirs.append_cell({"id": "r", "cell_type": "raw", "source": "raw text", "metadata": {}})
    await wait_until(lambda: mine.cell_number == 5, what="the raw cell relayed")
    mine.append_cell({"id": "m2", "cell_type": "markdown", "source": "*notes*", "metadata": {}})
    await wait_until(lambda: theirs.cell_number == 6, what="the markdown cell relayed")
    theirs.ycells.pop(5)
    want = ["# Title", "print(x)", "x = 10", "x + 1", "raw text"]
    await wait_until(
        lambda: sources(mine.get()["cells"]) == sources(theirs.get()["cells"]) == want,
        what=f"converged {sources(mine.get()['cells'])} {sources(theirs.get()['cells'])}",
    )
    await pair.barrier(pair.candidate)
    await pair.barrier(pair.interviewer)
    assert (pair.candidate.denied, pair.interviewer.denied) == ([], [])
    late = await pair.fresh_cells()
    assert sources(late) == want
    assert [c["cell_type"] for c in late] == ["code", "code", "code", "code", "raw"]
    assert late[2]["metadata"] == {"tags": ["setup"]}
