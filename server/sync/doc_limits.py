"""How big a doc may grow through its clients: its state, and the whiteboard's images.

The browser refuses images over 1 MiB, but nothing stopped another client: 200 images of 1.9 MiB
each were accepted (DB +366 MiB, RSS 87 -> 776 MiB, a new observer needed 13 s to sync). Each
room keeps a `DocBudget` that admits or refuses every client update before it is logged:

- the doc's state (`doc_max_bytes`) is tracked as an upper bound, the last measured state plus
  every update admitted since (an update never grows the state by more than its own size); only
  when that bound would cross the limit is the state measured again, so a keystroke costs O(1);
- on the board, the images an update sets are read by applying it alone to an empty probe doc
  (a new `files` entry has no origin, so it integrates there); their count, each one's size and
  their total are checked against `board_max_files`, `board_max_file_bytes` and
  `board_max_files_bytes`. An update that replaces an existing entry is not visible in the probe;
  the doc's own limit still bounds it.

Server edits (runs, seeds) are never refused: they are counted, and bounded by their own limits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map

from server.settings import Settings


@dataclass(frozen=True, slots=True)
class DocLimits:
    doc_bytes: int
    board_files: int
    board_file_bytes: int
    board_files_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> DocLimits:
        return cls(
            doc_bytes=settings.doc_max_bytes,
            board_files=settings.board_max_files,
            board_file_bytes=settings.board_max_file_bytes,
            board_files_bytes=settings.board_max_files_bytes,
        )


def _entry_bytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str))


def file_sizes(files: Map[Any]) -> dict[str, int]:
    """Each image entry's size in bytes (its JSON), by file id."""
    return {key: _entry_bytes(value) for key, value in files.items()}


def files_set_by(update: bytes) -> dict[str, int]:
    """The image entries `update` sets on its own (see the module docstring), with their sizes."""
    probe: Doc[Any] = Doc()
    probe.apply_update(update)
    return file_sizes(probe.get("files", type=Map))


class DocBudget:
    """One room's running account against its `DocLimits`."""

    def __init__(self, limits: DocLimits, doc_name: str) -> None:
        self.limits = limits
        self.board = doc_name == "board"
        self.name = doc_name
        self._state_bytes: int | None = None  # an upper bound of the doc's state size
        self._files: dict[str, int] | None = None  # the board's image sizes (deletions lag)

    def measured(self, state_bytes: int) -> None:
        """The doc's state was just encoded (a checkpoint): the bound becomes exact again."""
        self._state_bytes = state_bytes

    def grew(self, update_bytes: int) -> None:
        """A server edit of this size was applied: counted, never refused."""
        if self._state_bytes is not None:
            self._state_bytes += update_bytes

    def admit(self, doc: Doc[Any], update: bytes) -> str | None:
        """None if `update` keeps the doc within its limits (it is then counted), else why not,
        in words for the person whose edit it was."""
        limit = self.limits.doc_bytes
        if self._state_bytes is None or self._state_bytes + len(update) > limit:
            self._state_bytes = len(doc.get_update())
            if self._state_bytes + len(update) > limit:
                return f"edit not saved: the {self.name} document would exceed {limit} bytes"
        added = files_set_by(update) if self.board else {}
        if added:
            refusal = self._files_refusal(doc, added)
            if refusal is not None:
                return refusal
            assert self._files is not None
            self._files.update(added)
        self._state_bytes += len(update)
        return None

    def _files_refusal(self, doc: Doc[Any], added: dict[str, int]) -> str | None:
        limits = self.limits
        if max(added.values()) > limits.board_file_bytes:
            return f"image not shared: one image may take {limits.board_file_bytes} bytes"

        def after() -> dict[str, int]:
            assert self._files is not None
            return {**self._files, **added}

        def fits(files: dict[str, int]) -> bool:
            return (
                len(files) <= limits.board_files and sum(files.values()) <= limits.board_files_bytes
            )

        if self._files is None or not fits(after()):
            # The first look, or a refusal in sight: count exactly (deleted images are only
            # forgotten here).
            self._files = file_sizes(doc.get("files", type=Map))
        files = after()
        if fits(files):
            return None
        if len(files) > limits.board_files:
            return f"image not shared: the whiteboard holds {limits.board_files} images at most"
        return (
            f"image not shared: the whiteboard's images may take {limits.board_files_bytes} "
            "bytes in all"
        )
