"""Scenario data files: declared with size and SHA-256, checked on load, typed by content."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from server.scenarios import datasets
from server.scenarios.loader import ScenarioFileError, load_file, read_data
from tests.scenarios.test_loader_errors import VALID

CSV = b"x,y\n1,2\n3,4\n"
DIGEST = hashlib.sha256(CSV).hexdigest()


def with_data(name: str = "points.csv", size: int = len(CSV), sha: str = DIGEST) -> str:
    """VALID plus a `data:` block whose entry starts on line 17 (before `rubric`)."""
    block = f"data:\n  - name: {name}\n    size: {size}\n    sha256: '{sha}'\n"
    head, tail = VALID.split("rubric:\n", 1)
    return head + block + "rubric:\n" + tail


def write(tmp_path: Path, text: str, files: dict[str, bytes]) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "tiny").mkdir(exist_ok=True)
    for name, content in files.items():
        (tmp_path / "tiny" / name).write_bytes(content)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioFileError) as info:
        load_file(path)
    return [str(p).replace(str(path.parent) + "/", "") for p in info.value.problems]


def test_declared_file_loads_and_reads_back(tmp_path: Path) -> None:
    scenario = load_file(write(tmp_path, with_data(), {"points.csv": CSV}))
    assert [(d.name, d.size, d.sha256) for d in scenario.data] == [("points.csv", 12, DIGEST)]
    assert read_data(scenario, tmp_path) == {"points.csv": CSV}


def test_bad_sha256_is_a_loader_error_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, with_data(sha="0" * 64), {"points.csv": CSV})
    assert problems(path) == [f"tiny.yaml:20: data[0].sha256: the file's SHA-256 is {DIGEST}"]


def test_wrong_size_and_missing_file_are_loader_errors(tmp_path: Path) -> None:
    assert problems(write(tmp_path, with_data(size=5), {"points.csv": CSV})) == [
        "tiny.yaml:19: data[0].size: the file has 12 bytes"
    ]
    (tmp_path / "tiny" / "points.csv").unlink()
    (message,) = problems(write(tmp_path, with_data(), {}))
    assert message.startswith("tiny.yaml:18: data[0].name: cannot read ")


def test_content_must_match_the_type(tmp_path: Path) -> None:
    fake = b"\x00\x01binary"
    sha = hashlib.sha256(fake).hexdigest()
    path = write(tmp_path, with_data("table.parquet", len(fake), sha), {"table.parquet": fake})
    assert problems(path) == [
        "tiny.yaml:18: data[0].name: 'table.parquet' is not a Parquet file (PAR1 ... PAR1)"
    ]


def test_names_with_paths_or_unknown_types_are_refused(tmp_path: Path) -> None:
    assert problems(write(tmp_path, with_data("../etc.csv"), {})) == [
        "tiny.yaml:18: data[0].name: String should match pattern "
        "'^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$'"
    ]
    assert problems(write(tmp_path, with_data("run.sh"), {})) == [
        "tiny.yaml:18: data[0].name: 'run.sh': type .sh is not one of .csv, .jpeg, .jpg, "
        ".json, .jsonl, .npy, .npz, .parquet, .png, .tsv, .txt"
    ]


def test_content_checks_by_type() -> None:
    assert datasets.content_problem("a.csv", "é,ü\n".encode()) is None
    assert datasets.content_problem("a.csv", b"\xff\xfe") == "'a.csv' is not UTF-8 text"
    assert datasets.content_problem("a.parquet", b"PAR1" + b"\0" * 8 + b"PAR1") is None
    assert datasets.content_problem("a.npz", b"PK\x03\x04rest") is None
    assert datasets.content_problem("a.png", b"GIF89a") == "'a.png' is not a PNG image"
