"""The scenario file format, as pydantic models (`scenarios/schema.json` is generated from them).

One YAML file per scenario. The JSON Schema exported from `Scenario` (`scenarios/schema.json`)
gives authors autocompletion; `server.scenarios.loader` is the only way files are read, and it
adds the cross-field checks in `cross_check` so every mistake is reported with file, line and
field. Interviewer-only fields are listed in `SECRET_FIELDS` so the runtime and the leak scan
agree on what must never reach a candidate.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.project_files import path_problem
from server.scenarios import datasets

Kind = Literal["coding", "ml-coding", "system-design", "crisis", "behavioural"]
Level = Literal["junior", "mid", "senior", "staff"]
CODING_KINDS: frozenset[str] = frozenset({"coding", "ml-coding"})

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
DURATION_PATTERN = r"^([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
Duration = Annotated[
    str,
    Field(
        pattern=DURATION_PATTERN,
        min_length=2,
        description='Scenario clock time such as "12m", "90s", "1h5m" or "0s".',
    ),
]


def duration_seconds(text: str) -> int:
    """Seconds in a duration string like "1h5m30s" (already validated by `Duration`)."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    if match is None or not text:
        raise ValueError(f"not a duration: {text!r}")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a scenario file must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BriefSection(_Strict):
    """A part of the brief the candidate sees only once an event or the interviewer reveals it."""

    id: Slug
    title: str = Field(min_length=1)
    body: str = Field(min_length=1, description="Markdown.")


class Starter(_Strict):
    """Files the session opens with; `main` is the one in the `code` doc's `source`, the others
    go into `code.files` (a project: the kernel's working directory mirrors them before a run,
    and the grader grades them all)."""

    main: str = Field(default="main.py", min_length=1)
    files: dict[str, str] = Field(default_factory=dict)


class NotebookCell(_Strict):
    """A cell the session's notebook opens with (`mode: notebook`), in order."""

    type: Literal["code", "markdown"] = "code"
    source: str = Field(default="", description="The cell's text (Python, or Markdown).")
    id: Slug | None = Field(
        default=None, description="Stable cell id (default: cell-1, cell-2, ... by position)."
    )


GENERATOR_PATTERN = r"^generators/[a-z0-9_]{1,64}\.py$"


class DataFile(_Strict):
    """A file shipped next to the scenario's YAML, in `scenarios/<id>/`, that every kernel of the
    scenario's sessions sees read-only as `data/<name>` before the first run.

    The size and SHA-256 are checked when the library loads (a mismatch is a load error): what a
    session gets is exactly what the author committed, or, for a file with `generated_by`,
    exactly what the author's seeded generator wrote (`make scenario-data` builds it). Accepted
    types: see `server.scenarios.datasets.TYPES` (CSV/TSV/text/JSON, Parquet, NPZ/NPY, PNG/JPEG).
    """

    name: Annotated[str, Field(pattern=datasets.NAME_PATTERN)]
    size: int = Field(ge=0, description="Bytes.")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    description: str = Field(default="", description="What the file holds (interviewer-facing).")
    generated_by: Annotated[str, Field(pattern=GENERATOR_PATTERN)] | None = Field(
        default=None,
        description="The script under `scenarios/` that writes this file, byte for byte (e.g. "
        "`generators/churn_customers.py`): such a file is built by `make scenario-data`, never "
        "committed, and the loader names the command when it is missing.",
    )


Color = Annotated[str, Field(pattern=r"^(#[0-9a-fA-F]{6}|transparent)$")]


class BoardElement(_Strict):
    """A whiteboard shape in compact form; `server.scenarios.excalidraw` expands it to a full
    Excalidraw element (with version, versionNonce, seed, ...) deterministically from its id.

    Shapes may carry `label` (a bound text element is added); arrows take `points` relative to
    (x, y) and may bind `start`/`end` to shape ids.
    """

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    type: Literal["rectangle", "ellipse", "diamond", "text", "arrow"]
    x: float
    y: float
    width: float = Field(default=160, ge=0)
    height: float = Field(default=60, ge=0)
    text: str | None = Field(default=None, description="Content of a `text` element.")
    label: str | None = Field(default=None, description="Text centred inside a shape.")
    points: list[tuple[float, float]] | None = Field(default=None, min_length=2)
    start: str | None = Field(default=None, description="Id of the shape an arrow starts at.")
    end: str | None = Field(default=None, description="Id of the shape an arrow ends at.")
    stroke_color: Color = "#1e1e1e"
    background_color: Color = "transparent"
    font_size: int = Field(default=20, ge=8, le=96)


class HiddenTest(_Strict):
    """Python run after the candidate's code in a fresh grader kernel; passes if it raises nothing.

    It sees the candidate's globals (and the scenario's setup). Weights are relative.
    """

    id: Slug
    name: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    code: str = Field(min_length=1)


class RubricLevel(_Strict):
    score: int = Field(ge=0, le=10)
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Criterion(_Strict):
    id: Slug
    title: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    levels: list[RubricLevel] = Field(min_length=2)


class Hint(_Strict):
    id: Slug
    text: str = Field(min_length=1, description="Markdown shown to the candidate once revealed.")
    when: str = Field(default="", description="Interviewer guidance on when to give it.")


class BannerAction(_Strict):
    type: Literal["banner"]
    text: str = Field(min_length=1)
    level: Literal["info", "warning", "critical"] = "info"


class ConsoleAction(_Strict):
    type: Literal["console"]
    text: str = Field(min_length=1)


class KernelAction(_Strict):
    """Code run in the session's kernel (hidden from the candidate): inject a fault, shift data."""

    type: Literal["kernel"]
    code: str = Field(min_length=1)


class RevealAction(_Strict):
    type: Literal["reveal"]
    section: Slug


class HintAction(_Strict):
    type: Literal["hint"]
    hint: Slug


class BoardAction(_Strict):
    type: Literal["board"]
    elements: list[BoardElement] = Field(min_length=1)


Action = Annotated[
    BannerAction | ConsoleAction | KernelAction | RevealAction | HintAction | BoardAction,
    Field(discriminator="type"),
]


class TimelineEvent(_Strict):
    """Fires once: at a scenario-clock time (`at`), or when the interviewer triggers it."""

    id: Slug
    title: str = Field(min_length=1, description="What the interviewer sees in the panel.")
    at: Duration | None = None
    trigger: Literal["manual"] | None = None
    actions: list[Action] = Field(min_length=1)

    @property
    def at_seconds(self) -> int | None:
        return None if self.at is None else duration_seconds(self.at)


class Scenario(_Strict):
    """One interview scenario."""

    id: Slug = Field(description="Must equal the file name without `.yaml`.")
    title: str = Field(min_length=1, max_length=120)
    kind: Kind
    level: Level
    duration_min: int = Field(ge=5, le=240)
    language: Literal["python", "markdown"] = "python"
    summary: str = Field(min_length=1, max_length=300, description="One line for the lobby.")
    tags: list[str] = Field(default_factory=list)
    brief: str = Field(min_length=1, description="Markdown shown to the candidate from the start.")
    brief_sections: list[BriefSection] = Field(default_factory=list)
    starter: Starter = Field(default_factory=Starter)
    mode: Literal["code", "notebook"] = Field(
        default="code",
        description="`code`: one editor and a console; `notebook`: a shared notebook (`notebook`).",
    )
    notebook: list[NotebookCell] = Field(
        default_factory=list, description="The notebook's cells at the start (`mode: notebook`)."
    )
    whiteboard: list[BoardElement] = Field(default_factory=list)
    data: list[DataFile] = Field(
        default_factory=list,
        description="Data files in `scenarios/<id>/`, read-only in the kernel as `data/<name>`.",
    )
    setup: str = Field(default="", description="Kernel code run before the candidate joins.")
    tests: list[HiddenTest] = Field(default_factory=list)
    test_helpers: str = Field(
        default="",
        description="Python run before each hidden test, in the grader kernel only "
        "(reference implementations, data builders): never in the candidate's kernel.",
    )
    reference_solution: str = Field(
        default="", description="The entry file (or, in notebook mode, the code) that scores 100 %."
    )
    reference_files: dict[str, str] = Field(
        default_factory=dict,
        description="A project's reference versions of its other files (path -> text), over "
        "the starter's: graded with `reference_solution` as the entry file.",
    )
    rubric: list[Criterion] = Field(min_length=1)
    notes: str = Field(default="", description="Interviewer-only Markdown.")
    hints: list[Hint] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)

    @property
    def is_coding(self) -> bool:
        return self.kind in CODING_KINDS

    @property
    def starter_source(self) -> str:
        """What the `code` doc's `source` starts with."""
        return self.starter.files.get(self.starter.main, "")


class Summary(BaseModel):
    """What the lobby lists (`GET /api/scenarios`): nothing interviewer-only."""

    id: str
    title: str
    kind: Kind
    level: Level
    duration_min: int
    summary: str


def summarize(scenario: Scenario) -> Summary:
    return Summary(
        id=scenario.id,
        title=scenario.title,
        kind=scenario.kind,
        level=scenario.level,
        duration_min=scenario.duration_min,
        summary=scenario.summary,
    )


Loc = tuple[str | int, ...]


def cross_check(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Rules that span fields, as (location, message) pairs the loader maps to lines."""
    problems: list[tuple[Loc, str]] = []

    def unique(items: list[Any], field: str) -> set[str]:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(((field, i, "id"), f"duplicate id {item.id!r}"))
            seen.add(item.id)
        return seen

    sections = unique(scenario.brief_sections, "brief_sections")
    hints = unique(scenario.hints, "hints")
    unique(scenario.tests, "tests")
    unique(scenario.rubric, "rubric")
    unique(scenario.timeline, "timeline")
    names: set[str] = set()
    for i, item in enumerate(scenario.data):
        if item.name in names:
            problems.append((("data", i, "name"), f"duplicate data file {item.name!r}"))
        names.add(item.name)
        problem = datasets.name_problem(item.name)
        if problem:
            problems.append((("data", i, "name"), problem))
    total = sum(item.size for item in scenario.data)
    if total > datasets.SCENARIO_DATA_MAX_BYTES:
        problems.append(
            (("data",), f"{total} bytes of data files, over {datasets.SCENARIO_DATA_MAX_BYTES}")
        )

    if scenario.starter.files and scenario.starter.main not in scenario.starter.files:
        problems.append(
            (("starter", "main"), f"{scenario.starter.main!r} is not one of starter.files")
        )
    for path in scenario.starter.files:
        problem = path_problem(path)
        if problem:
            problems.append((("starter", "files", path), problem))
    for path in scenario.reference_files:
        problem = path_problem(path)
        if path == scenario.starter.main:
            problem = "the entry file's reference is `reference_solution`"
        elif scenario.mode == "notebook":
            problem = "a notebook is graded as one script: no reference files"
        if problem:
            problems.append((("reference_files", path), problem))
    if scenario.is_coding:
        if not scenario.tests:
            problems.append((("tests",), f"a {scenario.kind} scenario needs hidden tests"))
        if not scenario.reference_solution.strip():
            problems.append(
                (("reference_solution",), f"a {scenario.kind} scenario needs a reference solution")
            )
        if not scenario.starter.files and scenario.mode == "code":
            problems.append((("starter", "files"), f"a {scenario.kind} scenario needs a file"))
    if not scenario.is_coding and scenario.tests and not scenario.reference_solution.strip():
        problems.append((("reference_solution",), "hidden tests need a reference solution"))

    if scenario.mode == "notebook" and not scenario.notebook:
        problems.append((("notebook",), "a notebook scenario needs at least one cell"))
    if scenario.mode == "code" and scenario.notebook:
        problems.append((("notebook",), "cells are for `mode: notebook`"))
    cell_ids: set[str] = set()
    for i, cell in enumerate(scenario.notebook, start=1):
        cell_id = cell.id or f"cell-{i}"
        if cell_id in cell_ids:
            problems.append((("notebook", i - 1, "id"), f"duplicate cell id {cell_id!r}"))
        cell_ids.add(cell_id)

    for c, criterion in enumerate(scenario.rubric):
        scores = [level.score for level in criterion.levels]
        if len(set(scores)) != len(scores):
            problems.append((("rubric", c, "levels"), "level scores must be distinct"))

    board_ids: set[str] = set()

    def check_board(elements: list[BoardElement], loc: Loc) -> None:
        for i, element in enumerate(elements):
            if element.id in board_ids:
                problems.append(((*loc, i, "id"), f"duplicate element id {element.id!r}"))
            board_ids.add(element.id)
        for i, element in enumerate(elements):
            problems.extend(_element_problems(element, (*loc, i), board_ids))

    check_board(scenario.whiteboard, ("whiteboard",))
    for e, event in enumerate(scenario.timeline):
        if (event.at is None) == (event.trigger is None):
            problems.append((("timeline", e), "give exactly one of `at` or `trigger`"))
        elif event.at_seconds is not None and event.at_seconds > scenario.duration_min * 60:
            problems.append(
                (("timeline", e, "at"), f"{event.at} is after the {scenario.duration_min}m end")
            )
        for a, action in enumerate(event.actions):
            loc: Loc = ("timeline", e, "actions", a)
            if isinstance(action, RevealAction) and action.section not in sections:
                problems.append(((*loc, "section"), f"no brief section {action.section!r}"))
            if isinstance(action, HintAction) and action.hint not in hints:
                problems.append(((*loc, "hint"), f"no hint {action.hint!r}"))
            if isinstance(action, BoardAction):
                check_board(action.elements, (*loc, "elements"))
    return problems


def _element_problems(element: BoardElement, loc: Loc, known: set[str]) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if element.type == "text" and not element.text:
        problems.append(((*loc, "text"), "a text element needs `text`"))
    if element.type == "arrow":
        if element.points is None:
            problems.append(((*loc, "points"), "an arrow needs `points`"))
        for end in ("start", "end"):
            target = getattr(element, end)
            if target is not None and target not in known:
                problems.append(((*loc, end), f"no element {target!r} to bind to"))
    return problems


SECRET_FIELDS: tuple[str, ...] = (
    "setup",
    "tests",
    "test_helpers",
    "reference_solution",
    "reference_files",
    "rubric",
    "notes",
    "hints",
    "brief_sections",
    "timeline",
)
"""Scenario fields that stay with the interviewer (hints and sections until revealed)."""
