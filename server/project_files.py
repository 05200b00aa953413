"""A session's project: the entry file in `code.source` and the other files in `code.files`.

The code doc has always held one text, `source`, the file a Run runs (its name is the session's
`main_file`, `main.py` unless the scenario says otherwise). A project adds `files`: a map of
relative path -> Y.Text, each edited like `source`. Before a run the server writes every file
into the kernel's working directory (`mirror_program`, executed silently like hidden code, so it
stays out of `In` and the history), so `from utils import f` in `main.py` imports the text
everyone sees; modules of project files that an earlier run imported are dropped from
`sys.modules` first, so an edited `utils.py` is imported afresh, as a new process would.

Pure functions: path rules, the project as plain data, its limits, the program that mirrors it.
The limits (`ProjectLimits`, named settings) are checked when a run starts; while people type,
the doc as a whole is bounded by `doc_max_bytes` and the number of files by the room's budget.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Text

from server.documents import CODE_FILES, CODE_SOURCE

DEFAULT_MAIN = "main.py"
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
MAX_DEPTH = 4


class ProjectError(Exception):
    """A file path that cannot be used, or a file the project does not have (HTTP 422)."""


class ProjectTooLarge(ProjectError):
    """A project over one of its `ProjectLimits` (HTTP 413); the message names the limit."""


@dataclass(frozen=True, slots=True)
class ProjectLimits:
    """`max_files`: files besides the entry file; `max_file_bytes`: one file's UTF-8 bytes;
    `max_bytes`: all files together, the entry file included."""

    max_files: int = 32
    max_file_bytes: int = 256 * 1024
    max_bytes: int = 1024 * 1024


def path_problem(path: str) -> str | None:
    """Why `path` cannot name a project file (None if it can): relative, `/`-separated, at
    most four levels, each part letters, digits, `_`, `-` and `.`, not starting with `.` or
    `-` (no `..`, no hidden files, nothing a shell or Python would read specially)."""
    if not path or len(path) > 160:
        return "a file path has 1 to 160 characters"
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        return f"a file path has at most {MAX_DEPTH} levels"
    if parts[0] == "data":  # the kernel's read-only data files (server/scenarios/datasets.py)
        return "data/ holds the session's read-only data files: choose another folder"
    for part in parts:
        if not _SEGMENT.match(part):
            return (
                f"{part!r} is not a usable file or folder name (letters, digits, _ - . ; not "
                "starting with . or -)"
            )
    return None


def project_of(doc: Doc[Any], main_file: str) -> dict[str, str]:
    """Every file of the project, the entry file first; paths a client wrote that break the
    rules are left out (they are never written into a kernel)."""
    files: dict[str, str] = {main_file: str(CODE_SOURCE.of(doc))}
    for path, text in sorted(CODE_FILES.of(doc).items()):
        if isinstance(path, str) and path != main_file and path_problem(path) is None:
            files[path] = str(text) if isinstance(text, Text) else ""
    return files


def check_project(files: dict[str, str], limits: ProjectLimits) -> None:
    """Raises `ProjectTooLarge` if the project is over a limit (checked when a run starts)."""
    if len(files) - 1 > limits.max_files:
        raise ProjectTooLarge(
            f"the project has {len(files) - 1} files; the limit is {limits.max_files}"
        )
    total = 0
    for path, text in files.items():
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limits.max_file_bytes:
            raise ProjectTooLarge(
                f"{path} is {size} bytes; one file may have {limits.max_file_bytes}"
            )
        total += size
    if total > limits.max_bytes:
        raise ProjectTooLarge(f"the project is {total} bytes; the limit is {limits.max_bytes}")


_MIRROR = """\
def __pairboard_mirror(files, manifest=".pairboard-files"):
    import importlib, json, os, sys
    root = os.getcwd()
    try:
        with open(manifest) as f:
            before = json.load(f)
    except (OSError, ValueError):
        before = []
    for path in before:
        if path not in files:
            try:
                os.remove(path)
            except OSError:
                pass
    for path, text in files.items():
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    with open(manifest, "w") as f:
        json.dump(sorted(files), f)
    mine = {os.path.join(root, p) for p in set(files) | set(before)}
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) in mine:
            del sys.modules[name]
    importlib.invalidate_caches()
try:
    __pairboard_mirror(__import__("json").loads(FILES))
finally:
    del __pairboard_mirror
"""


def mirror_program(files: dict[str, str]) -> str:
    """The silent cell that writes the project into the kernel's working directory (see the
    module docstring); files of an earlier mirror that are gone now are removed."""
    return _MIRROR.replace("FILES", repr(json.dumps(files)), 1)
