"""`pairboard scenarios list | validate [PATH...] | show ID`.

`add_parser` plugs these into the main `pairboard` argparse CLI; `run` is the same command as a
plain function for tests. `validate` exits 1 and prints `file:line: field: message` per problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from server.scenarios.library import library_dir
from server.scenarios.loader import ScenarioFileError, library_files, load_file, load_library
from server.scenarios.model import Scenario


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scenarios = commands.add_parser("scenarios", help="list, validate or show scenarios")
    sub = scenarios.add_subparsers(dest="scenarios_command", required=True)
    sub.add_parser("list", help="the library: id, kind, level, duration, title")
    validate = sub.add_parser("validate", help="check scenario files (default: the library)")
    validate.add_argument("paths", nargs="*", help="YAML files or directories")
    show = sub.add_parser("show", help="a scenario's candidate-facing summary and structure")
    show.add_argument("id")
    scenarios.set_defaults(func=lambda args: run(args))


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    command = args.scenarios_command
    if command == "list":
        return _list(out, err)
    if command == "validate":
        return _validate([Path(p) for p in args.paths], out, err)
    return _show(args.id, out, err)


def _list(out: TextIO, err: TextIO) -> int:
    try:
        scenarios = load_library(library_dir())
    except ScenarioFileError as exc:
        print(exc, file=err)
        return 1
    for s in sorted(scenarios.values(), key=lambda s: s.id):
        print(f"{s.id:<30} {s.kind:<14} {s.level:<7} {s.duration_min:>3}m  {s.title}", file=out)
    return 0


def _validate(paths: list[Path], out: TextIO, err: TextIO) -> int:
    files: list[Path] = []
    for path in paths or [library_dir()]:
        files.extend(library_files(path) if path.is_dir() else [path])
    bad = 0
    for path in files:
        try:
            load_file(path)
        except ScenarioFileError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem, file=err)
    print(f"{len(files) - bad} valid, {bad} invalid", file=out)
    return 1 if bad else 0


def _show(scenario_id: str, out: TextIO, err: TextIO) -> int:
    try:
        scenario = load_library(library_dir()).get(scenario_id)
    except ScenarioFileError as exc:
        print(exc, file=err)
        return 1
    if scenario is None:
        print(f"no scenario {scenario_id!r} (see `pairboard scenarios list`)", file=err)
        return 1
    print(describe(scenario), file=out)
    return 0


def describe(s: Scenario) -> str:
    """A terminal overview for the interviewer preparing a session (it runs locally)."""
    lines = [
        f"{s.title}  [{s.id}]",
        f"kind: {s.kind}  level: {s.level}  duration: {s.duration_min}m  language: {s.language}",
        f"summary: {s.summary}",
        "",
        s.brief.rstrip(),
        "",
        f"starter files: {', '.join(s.starter.files) or '-'} (main: {s.starter.main})",
        f"whiteboard seed: {len(s.whiteboard)} elements",
        f"hidden tests: {len(s.tests)} (total weight {sum(t.weight for t in s.tests):g})",
        f"rubric: {', '.join(c.title for c in s.rubric)}",
        f"hints: {len(s.hints)}",
        "timeline:",
    ]
    for e in s.timeline:
        when = e.at if e.at is not None else "manual"
        kinds = ", ".join(a.type for a in e.actions)
        lines.append(f"  {when:>7}  {e.title}  ({kinds})")
    if not s.timeline:
        lines.append("  (none)")
    return "\n".join(lines)
