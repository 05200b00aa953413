"""`pairboard scenarios list | validate | show` through the real argparse CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from server.scenarios.library import library


def test_list_prints_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines] == sorted(library())
    assert lines[0].split()[1:4] == ["ml-coding", "mid", "45m"]


def test_validate_library_and_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenarios", "validate"]) == 0
    assert capsys.readouterr().out == f"{len(library())} valid, 0 invalid\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: Bad\nkind: quiz\n", encoding="utf-8")
    assert main(["scenarios", "validate", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "0 valid, 1 invalid\n"
    assert captured.err.splitlines()[0] == f"{bad}:1: level: Field required"
    assert f"{bad}:3: kind: Input should be" in captured.err


def test_show_and_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "show", "data-drift-crisis"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Crisis: the fraud model's accuracy drops mid-shift  [data-drift-crisis]")
    assert "      12m  Stream shifts: ios_app_v5 sends amounts in cents  (kernel)" in out
    assert main(["scenarios", "show", "nope"]) == 1
    assert capsys.readouterr().err == "no scenario 'nope' (see `pairboard scenarios list`)\n"
