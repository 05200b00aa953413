"""Data files a kernel sees read-only under `data/`: a scenario's shipped files and attachments.

Pure rules shared by the loader (files next to a scenario's YAML, declared with size and SHA-256)
and the live attachment route (an interviewer's upload): which names and types are accepted, how
a file's content is checked against its type, the digest. No I/O here; the loader reads files,
the route reads the upload, the kernel providers place the bytes (`KernelHandle.put_data`).

Type checks look at the content, not only the name: a "CSV" must be UTF-8 text, a Parquet file
starts and ends with `PAR1`, an NPZ is a zip archive, images carry their format's magic bytes.
The kernel parses the files, never the server.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

MiB = 1 << 20

SCENARIO_DATA_MAX_BYTES = 64 * MiB
"""Total size of one scenario's shipped data files (the loader refuses a scenario above it): the
files are read into the server's memory and copied into every kernel of its sessions."""

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
"""A flat file name under `data/`: no directories, no leading dot, no path tricks."""


def _is_utf8_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Only a multi-byte character cut by the sample's end is still text.
        if exc.reason != "unexpected end of data":
            return False
    return b"\0" not in head


def _parquet(data: bytes) -> bool:
    return len(data) >= 12 and data[:4] == b"PAR1" and data[-4:] == b"PAR1"


def _zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".csv": ("UTF-8 text", _is_utf8_text),
    ".tsv": ("UTF-8 text", _is_utf8_text),
    ".txt": ("UTF-8 text", _is_utf8_text),
    ".json": ("UTF-8 text", _is_utf8_text),
    ".jsonl": ("UTF-8 text", _is_utf8_text),
    ".parquet": ("a Parquet file (PAR1 ... PAR1)", _parquet),
    ".npz": ("a NumPy .npz (zip) archive", _zip),
    ".npy": ("a NumPy .npy array", lambda d: d[:6] == b"\x93NUMPY"),
    ".png": ("a PNG image", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("a JPEG image", lambda d: d[:3] == b"\xff\xd8\xff"),
    ".jpeg": ("a JPEG image", lambda d: d[:3] == b"\xff\xd8\xff"),
}
"""Accepted extensions: what the content must be, and the check."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a data file's name, or None."""
    if not re.fullmatch(NAME_PATTERN, name):
        return f"{name!r} is not a plain file name (letters, digits, '_', '.', '-'; no '/')"
    ext = _extension(name)
    if ext not in TYPES:
        return f"{name!r}: type {ext or '(none)'} is not one of {', '.join(sorted(TYPES))}"
    return None


def content_problem(name: str, data: bytes) -> str | None:
    """Why `data` is not what `name`'s extension says it is, or None (call after name_problem)."""
    what, check = TYPES[_extension(name)]
    # Text is checked on its first MiB: enough to refuse a binary file, bounded for big CSVs.
    sample = data[:MiB] if what == "UTF-8 text" else data
    return None if check(sample) else f"{name!r} is not {what}"


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""
