"""The project's pure parts: path rules, the project as plain data, its limits, and the program
that mirrors it into a kernel's working directory (run here in a temporary directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Text

from server.documents import CODE_FILES, CODE_SOURCE
from server.project_files import (
    ProjectLimits,
    ProjectTooLarge,
    check_project,
    mirror_program,
    path_problem,
    project_of,
)


@pytest.mark.parametrize("path", ["utils.py", "pkg/mod.py", "inputs/a-b_c.1.csv", "a/b/c/d.py"])
def test_usable_paths(path: str) -> None:
    assert path_problem(path) is None


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("", "1 to 160"),
        ("/etc/passwd", "'' is not a usable"),
        ("../up.py", "'..' is not a usable"),
        ("a/./b.py", "'.' is not a usable"),
        (".bashrc", "'.bashrc' is not a usable"),
        ("-rf", "'-rf' is not a usable"),
        ("a/b/c/d/e.py", "at most 4 levels"),
        ("sp ace.py", "'sp ace.py' is not a usable"),
        ("data/extra.py", "data/ holds the session's read-only data files"),
    ],
)
def test_unusable_paths_say_why(path: str, why: str) -> None:
    problem = path_problem(path)
    assert problem is not None and why in problem


def test_the_project_is_the_entry_file_then_the_others_without_unusable_paths() -> None:
    doc: Doc[Any] = Doc()
    CODE_SOURCE.of(doc).insert(0, "import utils")
    files = CODE_FILES.of(doc)
    files["utils.py"] = Text("X = 1")
    files["../evil.py"] = Text("boom")
    files["main.py"] = Text("a second main is ignored")
    assert project_of(doc, "main.py") == {"main.py": "import utils", "utils.py": "X = 1"}


def test_the_limits_name_what_is_over() -> None:
    limits = ProjectLimits(max_files=1, max_file_bytes=10, max_bytes=15)
    check_project({"main.py": "x", "a.py": "y"}, limits)
    with pytest.raises(ProjectTooLarge, match="2 files; the limit is 1"):
        check_project({"main.py": "", "a.py": "", "b.py": ""}, limits)
    with pytest.raises(ProjectTooLarge, match=r"a\.py is 11 bytes; one file may have 10"):
        check_project({"main.py": "", "a.py": "x" * 11}, limits)
    with pytest.raises(ProjectTooLarge, match="the project is 16 bytes; the limit is 15"):
        check_project({"main.py": "x" * 8, "a.py": "y" * 8}, limits)


def test_mirroring_writes_removes_and_reimports_the_projects_files(tmp_path: Path) -> None:
    """One Python process standing in for a kernel: an edited module is imported afresh and a
    deleted file is gone, as they would be for a new process."""
    script = "\n".join(
        [
            f"exec({mirror_program({'main.py': '', 'pkg/util.py': 'N = 1'})!r})",
            "import pkg.util; print(pkg.util.N)",
            f"exec({mirror_program({'main.py': '', 'pkg/util.py': 'N = 2'})!r})",
            "import pkg.util; print(pkg.util.N)",
            f"exec({mirror_program({'main.py': ''})!r})",
            "import os; print(os.path.exists('pkg/util.py'))",
            "try:\n    import pkg.util\nexcept ImportError as e:\n    print(type(e).__name__)",
        ]
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert out.stdout == "1\n2\nFalse\nModuleNotFoundError\n", out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".pairboard-files", "main.py", "pkg"]
