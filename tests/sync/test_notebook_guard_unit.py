"""The notebook guard's shadow copy stays the room's doc: through server edits it is told of
(`follow`), after a refusal (rebuilt), and after an append that failed (`forget`)."""

from __future__ import annotations

from typing import Any

from jupyter_ydoc import YNotebook
from pycrdt import Doc

from server.notebook import set_cells
from server.sync.notebook_guard import NotebookGuard, NotebookGuardLimits

LIMITS = NotebookGuardLimits(max_cells=4, max_cell_source_bytes=100, max_metadata_bytes=200)


def code(cell_id: str, source: str = "") -> dict[str, Any]:
    return {"id": cell_id, "cell_type": "code", "source": source, "metadata": {}}


class Room:
    """A room's doc, its guard, and one client's replica of it."""

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self.guard = NotebookGuard(LIMITS)
        self.server_edit([code("a", "x = 1")])
        self.client: Doc[Any] = Doc()
        self.resync()

    def resync(self) -> None:
        """The client's copy replaced by the server's (as the page does after a refusal)."""
        self.client = Doc()
        self.client.apply_update(self.doc.get_update())

    def server_edit(self, cells: list[dict[str, Any]]) -> None:
        before = self.doc.get_state()
        with self.doc.transaction():
            set_cells(self.doc, cells)
        self.guard.follow(self.doc.get_update(before))

    def client_edit(self, change: Any) -> str | None:
        before = self.client.get_state()
        change(YNotebook(self.client))
        update = self.client.get_update(before)
        refusal = self.guard.admit(self.doc, update)
        if refusal is None:
            self.doc.apply_update(update)
        else:
            self.resync()
        return refusal


def test_cells_a_server_edit_replaced_are_checked_as_the_room_holds_them() -> None:
    room = Room()
    assert room.client_edit(lambda nb: nb.ycells[0]["source"].insert(0, "#")) is None
    assert room.guard.shadowing
    room.server_edit([code("p"), code("q"), code("r")])  # an import: new cells, same count - 1
    room.resync()
    # The shadow has the import: a fourth cell is the limit, a fifth is over it.
    assert room.client_edit(lambda nb: nb.append_cell(code("s"))) is None
    over = room.client_edit(lambda nb: nb.append_cell(code("t")))
    assert over == "edit not saved: a notebook holds 4 cells at most"

    # An id the import brought is taken.
    def replace_last(nb: YNotebook) -> None:
        nb.ycells.pop(3)
        nb.append_cell(code("q"))

    dup = room.client_edit(replace_last)
    assert dup == "edit not saved: cell 4: another cell has the id 'q'"


def test_after_a_refusal_the_rebuilt_shadow_takes_the_next_valid_edit() -> None:
    room = Room()
    refused = room.client_edit(lambda nb: nb.ycells[0]["source"].insert(0, "y" * 200))
    assert refused == "edit not saved: cell 1: a cell's source may take 100 bytes"
    assert not room.guard.shadowing  # it took the refused update: dropped
    assert room.client_edit(lambda nb: nb.ycells[0]["source"].insert(0, "y" * 90)) is None
    assert str(YNotebook(room.doc).ycells[0]["source"]) == "y" * 90 + "x = 1"
    # The count still holds on the rebuilt shadow (its id mirror was rebuilt too).
    assert room.client_edit(lambda nb: nb.append_cell(code("a"))) == (
        "edit not saved: cell 2: another cell has the id 'a'"
    )


def test_forget_drops_an_admitted_update_the_room_did_not_take() -> None:
    room = Room()
    before = room.client.get_state()
    YNotebook(room.client).append_cell(code("lost"))
    lost = room.client.get_update(before)
    assert room.guard.admit(room.doc, lost) is None
    room.guard.forget()  # the append failed: the room never applied it
    room.resync()
    # "lost" is not in the room, so its id is free again.
    assert room.client_edit(lambda nb: nb.append_cell(code("lost"))) is None
    assert [c["id"] for c in YNotebook(room.doc).get()["cells"]] == ["a", "lost"]
