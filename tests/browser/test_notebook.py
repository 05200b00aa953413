"""Notebook mode in real browsers: two people type cells that converge, Shift-Enter output
appears under the cell for both, a locked candidate and an observer cannot change cells, and
the exported .ipynb holds what both saw. Real server, real kernels; screenshots kept."""

from __future__ import annotations

import httpx
import nbformat
import pytest
from playwright.sync_api import Page, expect

from tests.browser.room import Opener, awareness_barrier, shot
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

KERNEL_MS = 60_000
SOURCES = "window.pairboard.sync.model('notebook').cells.map(c => c.source)"


def notebook_session(server: ServerProcess) -> dict[str, dict[str, str]]:
    created = server.create_session(title="Notebook together", mode="notebook")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Warm-up", id="intro"),
        nbformat.v4.new_code_cell("", id="first"),
        nbformat.v4.new_code_cell("", id="second"),
    ]
    response = httpx.put(
        f"{server.url}/api/sessions/{created['id']}/notebook",
        content=nbformat.writes(nb),
        headers={"Authorization": f"Bearer {created['tokens']['interviewer']}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return created


def cell(page: Page, cell_id: str) -> object:
    return page.locator(f'[data-cell-id="{cell_id}"]')


def type_in_cell(page: Page, cell_id: str, text: str) -> None:
    page.locator(f'[data-cell-id="{cell_id}"] .cm-content').click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_cells_typed_by_both_converge_and_shift_enter_output_reaches_both(
    server: ServerProcess, open_page: Opener
) -> None:
    created = notebook_session(server)
    interviewer = open_page(created["links"]["interviewer"])
    candidate = open_page(created["links"]["candidate"])
    for page in (interviewer, candidate):
        expect(page.get_by_test_id("cell")).to_have_count(3)
        expect(page.get_by_test_id("cell-rendered")).to_have_text("Warm-up")

    type_in_cell(candidate, "first", "x = 6 * 7")
    type_in_cell(interviewer, "second", "print('answer', x)")
    want = ["# Warm-up", "x = 6 * 7", "print('answer', x)"]
    for page in (interviewer, candidate):
        page.wait_for_function(
            f"want => JSON.stringify({SOURCES}) === JSON.stringify(want)", arg=want
        )

    # Shift-Enter runs the cell and moves on; on the last cell it appends a new one.
    candidate.locator('[data-cell-id="first"] .cm-content').click()
    candidate.keyboard.press("Shift+Enter")
    # The session's first run starts its kernel (seconds on a loaded machine).
    expect(candidate.locator('[data-cell-id="first"] .cell-prompt')).to_have_text(
        "[1]", timeout=KERNEL_MS
    )
    candidate.keyboard.press("Shift+Enter")  # the focus moved to "second"
    for page in (interviewer, candidate):
        outputs = page.locator('[data-cell-id="second"] [data-testid="cell-outputs"]')
        expect(outputs).to_have_text("answer 42", timeout=KERNEL_MS)
        expect(page.locator('[data-cell-id="second"] .cell-prompt')).to_have_text("[2]")
        expect(page.get_by_test_id("cell")).to_have_count(4)
    shot(candidate, "notebook-candidate")
    shot(interviewer, "notebook-interviewer")

    exported = httpx.get(
        f"{server.url}/api/sessions/{created['id']}/notebook.ipynb",
        headers={"Authorization": f"Bearer {created['tokens']['candidate']}"},
        timeout=60,
    )
    nb = nbformat.reads(exported.text, as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells] == [*want, ""]
    assert nb.cells[2].outputs == [
        {"output_type": "stream", "name": "stdout", "text": "answer 42\n"}
    ]


def test_a_locked_candidate_and_an_observer_cannot_change_cells(
    server: ServerProcess, open_page: Opener
) -> None:
    created = notebook_session(server)
    interviewer = open_page(created["links"]["interviewer"])
    candidate = open_page(created["links"]["candidate"])
    observer = open_page(created["links"]["observer"])
    expect(observer.get_by_test_id("cell")).to_have_count(3)
    expect(observer.locator('[data-cell-id="first"] .cell-editor')).to_have_attribute(
        "data-readonly", "true"
    )
    # An observer's write, forced past the read-only editor, never reaches anyone.
    observer.evaluate(
        "window.pairboard.sync.model('notebook').cells[1].ysource.insert(0, 'observer was here')"
    )
    awareness_barrier(observer, interviewer, "notebook")

    httpx.post(
        f"{server.url}/api/sessions/{created['id']}/controls",
        json={"editor_locked": True},
        headers={"Authorization": f"Bearer {created['tokens']['interviewer']}"},
        timeout=30,
    ).raise_for_status()
    expect(candidate.get_by_test_id("locked-banner")).to_be_visible()
    expect(candidate.locator('[data-cell-id="first"] .cell-editor')).to_have_attribute(
        "data-readonly", "true"
    )
    candidate.evaluate(
        "window.pairboard.sync.model('notebook').cells[1].ysource.insert(0, 'locked write')"
    )
    awareness_barrier(candidate, interviewer, "notebook")
    # The server refused it: the candidate's page drops it and shows the server's truth again.
    candidate.wait_for_function(f"{SOURCES}[1] === ''")
    assert interviewer.evaluate(SOURCES) == ["# Warm-up", "", ""]
    shot(candidate, "notebook-locked")


def test_ctrl_shift_enter_in_a_cell_runs_the_selected_lines_in_the_same_kernel(
    server: ServerProcess, open_page: Opener
) -> None:
    created = notebook_session(server)
    interviewer = open_page(created["links"]["interviewer"])
    candidate = open_page(created["links"]["candidate"])
    expect(candidate.get_by_test_id("cell")).to_have_count(3)
    type_in_cell(candidate, "first", "a = 20")
    # A run takes the cell's source as the server holds it: wait until the edit went round.
    interviewer.wait_for_function(f"{SOURCES}[1] === 'a = 20'")
    candidate.keyboard.press("Control+Enter")
    expect(candidate.locator('[data-cell-id="first"] .cell-prompt')).to_have_text(
        "[1]", timeout=KERNEL_MS
    )
    type_in_cell(candidate, "second", "a = 1000\nprint('selected', a + 1)")
    # Part of the second line selected: that whole line runs, not the cell, in the kernel
    # where cell 1 set a = 20 (the whole cell would print 1001).
    candidate.locator('[data-cell-id="second"] .cm-line').nth(1).click()
    candidate.keyboard.press("End")
    candidate.keyboard.press("Shift+ArrowLeft")
    candidate.keyboard.press("Shift+ArrowLeft")
    candidate.keyboard.press("Control+Shift+Enter")
    for page in (interviewer, candidate):
        run = page.locator(".console .run")
        expect(run).to_have_count(1, timeout=KERNEL_MS)
        expect(run.locator(".out-stdout")).to_have_text("selected 21\n", timeout=KERNEL_MS)
        expect(run.get_by_test_id("run-selection")).to_have_text("selection")
        expect(run.locator(".run-code pre")).to_have_text("print('selected', a + 1)")
        # The cell's own output is its last whole run: it has none yet.
        expect(page.locator('[data-cell-id="second"] .cell-prompt')).to_have_text("[ ]")
        expect(page.locator('[data-cell-id="second"] [data-testid="cell-outputs"]')).to_have_count(
            0
        )
    shot(interviewer, "notebook-run-selection")

    # @jupyter/ydoc moves a cell by deleting it and inserting a copy with the same id: the
    # server's content checks (server/sync/notebook_guard.py) take it, and both see the order.
    candidate.get_by_role("button", name="Move cell 3 up").click()
    want = ["# Warm-up", "a = 1000\nprint('selected', a + 1)", "a = 20"]
    for page in (interviewer, candidate):
        page.wait_for_function(
            f"want => JSON.stringify({SOURCES}) === JSON.stringify(want)", arg=want
        )
    expect(candidate.get_by_test_id("connection-state")).to_have_text("live")
