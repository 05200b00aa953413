"""Reading scenario files, with errors that name the file, the line and the field.

The YAML is composed into a node tree first (nodes carry their line), then constructed into plain
data for pydantic. Each pydantic error location (`("timeline", 2, "actions", 0, "text")`) is
walked down the node tree to the deepest node that exists, so a missing field is reported at the
line of the mapping that lacks it and a wrong value at its own line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from server.scenarios import datasets
from server.scenarios.model import Loc, Scenario, cross_check

DEFAULT_LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ScenarioFileError(Exception):
    """A scenario file that does not load; `problems` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_loc(loc: Loc) -> str:
    """`("timeline", 2, "actions", 0, "text")` -> `timeline[2].actions[0].text`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                found: yaml.Node = v
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        item: yaml.Node = node.value[key]
        return item
    return None


def line_of(root: yaml.Node, loc: Loc) -> tuple[int, Loc]:
    """1-based line of the deepest node on `loc`, and `loc` with pydantic's union tags removed.

    Discriminated unions add the tag (`"banner"`) to the location; such parts match no node
    and are dropped, so the reported field is the one the author wrote.
    """
    node = root
    kept: list[str | int] = []
    for part in loc:
        child = _child(node, part)
        if child is None:
            if isinstance(node, yaml.MappingNode) and _is_tag(part, node):
                continue
            kept.append(part)
            continue
        node = child
        kept.append(part)
    return node.start_mark.line + 1, tuple(kept)


def _is_tag(part: str | int, node: yaml.MappingNode) -> bool:
    tag = _child(node, "type")
    return isinstance(tag, yaml.ScalarNode) and tag.value == part


def _duplicate_keys(node: yaml.Node, loc: Loc, out: list[tuple[int, Loc, str]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key = str(k.value)
            if key in seen:
                out.append((k.start_mark.line + 1, (*loc, key), "duplicate key"))
            seen.add(key)
            _duplicate_keys(v, (*loc, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _duplicate_keys(item, (*loc, i), out)


def data_problems(scenario: Scenario, data_dir: Path) -> list[tuple[Loc, str]]:
    """Each declared data file must exist in `data_dir` with its size, SHA-256 and type."""
    problems: list[tuple[Loc, str]] = []
    for i, item in enumerate(scenario.data):
        if datasets.name_problem(item.name):
            continue  # cross_check reported it
        try:
            content = (data_dir / item.name).read_bytes()
        except OSError as exc:
            problems.append((("data", i, "name"), f"cannot read {data_dir / item.name}: {exc}"))
            continue
        if len(content) != item.size:
            problems.append((("data", i, "size"), f"the file has {len(content)} bytes"))
        digest = datasets.sha256_hex(content)
        if digest != item.sha256:
            problems.append((("data", i, "sha256"), f"the file's SHA-256 is {digest}"))
        wrong = datasets.content_problem(item.name, content)
        if wrong:
            problems.append((("data", i, "name"), wrong))
    return problems


def data_dir_of(path: Path, scenario_id: str) -> Path:
    """Where a scenario file's data files live: `<library>/<id>/`."""
    return path.parent / scenario_id


def parse(
    text: str, path: str, expected_id: str | None = None, data_dir: Path | None = None
) -> Scenario:
    """Validate one scenario's YAML text; raise `ScenarioFileError` naming path, line and field.

    With `data_dir`, the declared data files are checked there too (size, SHA-256, type)."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ScenarioFileError([Problem(path, line, "", f"YAML: {exc.problem}")]) from None
    if root is None or not isinstance(data, dict):
        raise ScenarioFileError([Problem(path, 1, "", "expected a mapping of scenario fields")])

    dupes: list[tuple[int, Loc, str]] = []
    _duplicate_keys(root, (), dupes)
    if dupes:
        raise ScenarioFileError([Problem(path, ln, format_loc(loc), msg) for ln, loc, msg in dupes])

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            line, loc = line_of(root, tuple(err["loc"]))
            problems.append(Problem(path, line, format_loc(loc), err["msg"]))
        raise ScenarioFileError(sorted(problems, key=lambda p: p.line)) from None

    issues = cross_check(scenario)
    if expected_id is not None and scenario.id != expected_id:
        issues.append((("id",), f"must equal the file name {expected_id!r}"))
    if data_dir is not None and not issues:
        issues.extend(data_problems(scenario, data_dir))
    if issues:
        problems = []
        for loc, message in issues:
            line, kept = line_of(root, loc)
            problems.append(Problem(path, line, format_loc(kept), message))
        raise ScenarioFileError(sorted(problems, key=lambda p: p.line))
    return scenario


def load_file(path: Path) -> Scenario:
    """Load one scenario file; its `id` must equal its file name."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioFileError([Problem(str(path), 1, "", f"cannot read: {exc}")]) from None
    return parse(text, str(path), expected_id=path.stem, data_dir=data_dir_of(path, path.stem))


def read_data(scenario: Scenario, directory: Path = DEFAULT_LIBRARY) -> dict[str, bytes]:
    """The scenario's data files by name, checked against their SHA-256 again (a file changed on
    disk since the library loaded is refused, never handed to a kernel)."""
    files: dict[str, bytes] = {}
    data_dir = directory / scenario.id
    for item in scenario.data:
        content = (data_dir / item.name).read_bytes()
        if datasets.sha256_hex(content) != item.sha256:
            raise ScenarioFileError(
                [Problem(str(data_dir / item.name), 1, "", "changed since the library loaded")]
            )
        files[item.name] = content
    return files


def library_files(directory: Path = DEFAULT_LIBRARY) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_library(directory: Path = DEFAULT_LIBRARY) -> dict[str, Scenario]:
    """Every scenario in `directory` by id; raises with all problems of all bad files."""
    scenarios: dict[str, Scenario] = {}
    problems: list[Problem] = []
    for path in library_files(directory):
        try:
            scenario = load_file(path)
        except ScenarioFileError as exc:
            problems.extend(exc.problems)
            continue
        scenarios[scenario.id] = scenario
    if problems:
        raise ScenarioFileError(problems)
    return scenarios
