"""Applying stored updates to a doc: one checkpoint, then the merged tail, never N applies.

Loading a live room and seeking a recording both rebuild a doc from what the log holds. Applying
tens of thousands of tiny updates one by one is the known trap (seconds per doc), so the tail
is merged into one update and applied once; the checkpoint is applied on its own (merging it
with the tail would decode the whole state twice). One undecodable entry must not cost the whole
doc: on a failed merge the updates are applied one by one, skipping the bad one.
"""

from __future__ import annotations

import logging
from typing import Any

from pycrdt import Doc, merge_updates

from server.store.base import Checkpoint, LogEntry

log = logging.getLogger(__name__)


def apply_merged(doc: Doc[Any], updates: list[bytes]) -> None:
    """Apply updates as one merged update; on a bad entry fall back to one by one, skipping it."""
    if not updates:
        return
    try:
        doc.apply_update(merge_updates(*updates) if len(updates) > 1 else updates[0])
    except ValueError:
        log.exception("merged apply failed; applying one by one")
        for update in updates:
            try:
                doc.apply_update(update)
            except ValueError:
                log.error("skipping an undecodable update")


def rebuild(doc: Doc[Any], checkpoint: Checkpoint | None, tail: list[LogEntry]) -> None:
    """`doc` (empty) becomes the checkpoint's state plus every update of the tail."""
    if checkpoint is not None:
        apply_merged(doc, [checkpoint.state])
    apply_merged(doc, [e.data for e in tail if e.kind == "update"])
