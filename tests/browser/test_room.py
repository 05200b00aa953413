"""The session room in real browsers: two or three people, one real server (module-scoped).

Each test creates its own session, opens each role in its own browser context, and saves a
screenshot of its final state to artifacts/screenshots/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.room import (
    TIMEOUT_MS,
    Opener,
    answer_name_prompt,
    awareness_barrier,
    board_elements,
    code_text,
    draw,
    editor,
    shot,
    type_in_editor,
    wait_board_ready,
    wait_code_contains,
)
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser


def test_text_typed_in_each_editor_appears_in_the_other_with_cursor_labels(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Typing together")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])

    type_in_editor(interviewer, "alpha = 1\n")
    wait_code_contains(candidate, "alpha = 1\n")
    expect(editor(candidate)).to_contain_text("alpha = 1")
    type_in_editor(candidate, "beta = 2")
    wait_code_contains(interviewer, "beta = 2")
    expect(editor(interviewer)).to_contain_text("beta = 2")

    assert code_text(interviewer) == "alpha = 1\nbeta = 2"
    assert code_text(candidate) == "alpha = 1\nbeta = 2"
    # Each sees the other's named caret (y-codemirror.next draws it from awareness).
    expect(interviewer.locator(".cm-ySelectionInfo", has_text="Candidate")).to_be_visible()
    expect(candidate.locator(".cm-ySelectionInfo", has_text="Interviewer")).to_be_visible()
    expect(interviewer.get_by_test_id("participants")).to_contain_text("Candidate")
    shot(interviewer, "1-typing-interviewer")
    shot(candidate, "1-typing-candidate")


def test_undo_in_the_editor_undoes_only_your_own_typing(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Undo")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    type_in_editor(interviewer, "mine = 1\n")
    wait_code_contains(candidate, "mine = 1\n")
    type_in_editor(candidate, "theirs = 2")
    wait_code_contains(interviewer, "theirs = 2")

    editor(interviewer).click()
    interviewer.keyboard.press("Control+z")
    candidate.wait_for_function(
        "window.pairboard.sync.link('code').doc.getText('source').toString() === 'theirs = 2'"
    )
    assert code_text(interviewer) == "theirs = 2"
    shot(interviewer, "1b-undo-interviewer")


def test_shapes_drawn_on_either_whiteboard_appear_on_the_other(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Drawing together")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    wait_board_ready(interviewer)
    wait_board_ready(candidate)

    draw(interviewer, "r", 120, 160, 160, 90)
    candidate.wait_for_function(
        "window.pairboard.excalidraw.getSceneElements().some(e => e.type === 'rectangle')"
    )
    draw(candidate, "o", 140, 320, 120, 80)
    interviewer.wait_for_function(
        "window.pairboard.excalidraw.getSceneElements().some(e => e.type === 'ellipse')"
    )
    candidate.wait_for_function("window.pairboard.excalidraw.getSceneElements().length === 2")

    def shapes(page: Page) -> dict[str, dict[str, Any]]:
        return {e["type"]: e for e in board_elements(page)}

    seen_by_interviewer = shapes(interviewer)
    seen_by_candidate = shapes(candidate)
    assert sorted(seen_by_interviewer) == ["ellipse", "rectangle"]
    assert seen_by_interviewer == seen_by_candidate
    assert (seen_by_candidate["rectangle"]["width"], seen_by_candidate["rectangle"]["height"]) == (
        160,
        90,
    )
    shot(interviewer, "2-board-interviewer")
    shot(candidate, "2-board-candidate")


PLOT_CODE = """%matplotlib inline
import matplotlib.pyplot as plt
print("answer", 40 + 2)
plt.plot([1, 2, 3], [1, 4, 9])
plt.title("squares")
plt.show()
"""


def test_candidate_run_shows_output_and_plot_in_both_consoles(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Running code")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])

    candidate.evaluate(
        "code => window.pairboard.sync.link('code').doc.getText('source').insert(0, code)",
        PLOT_CODE,
    )
    wait_code_contains(interviewer, "plt.title")
    editor(candidate).click()
    candidate.keyboard.press("Control+Enter")  # the Run shortcut

    for page in (interviewer, candidate):
        run = page.locator(".console .run").last
        expect(run).to_have_attribute("data-status", "ok", timeout=120_000)
        expect(run.locator(".run-author")).to_contain_text("Candidate")
        expect(run.locator(".out-stdout")).to_have_text("answer 42\n")
        image = run.locator("img.out-image")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 100") is True
    shot(interviewer, "3-run-interviewer")
    shot(candidate, "3-run-candidate")


def test_observer_sees_live_changes_and_cannot_change_text_or_board(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Observed")["links"]
    interviewer = open_page(links["interviewer"])
    observer = open_page(links["observer"])
    expect(observer.get_by_test_id("readonly-state")).to_contain_text("observers cannot edit")
    expect(observer.get_by_test_id("run")).to_have_count(0)

    type_in_editor(interviewer, "visible_to_observer = True")
    wait_code_contains(observer, "visible_to_observer = True")
    wait_board_ready(interviewer)
    wait_board_ready(observer)
    draw(interviewer, "r", 100, 150, 140, 70)
    observer.wait_for_function(
        "window.pairboard.excalidraw.getSceneElements().some(e => e.type === 'rectangle')"
    )

    # Through the UI: the editor is not editable and the board is in view mode.
    expect(editor(observer)).to_have_attribute("contenteditable", "false")
    editor(observer).click()
    observer.keyboard.type("typed by observer")
    assert "typed by observer" not in code_text(observer)
    expect(observer.locator(".board .excalidraw.excalidraw--view-mode")).to_have_count(1)

    # Past the UI: writes made straight into the observer's docs are dropped by the server.
    observer.evaluate(
        """() => {
            const s = window.pairboard.sync;
            s.link('code').doc.getText('source').insert(0, 'FORCED BY OBSERVER ');
            s.link('board').doc.getMap('elements').set('forced-by-observer', {
                id: 'forced-by-observer', type: 'rectangle', x: 0, y: 0, width: 10, height: 10,
                version: 1, versionNonce: 1, isDeleted: false });
        }"""
    )
    awareness_barrier(observer, interviewer, "code")
    awareness_barrier(observer, interviewer, "board")
    assert code_text(interviewer) == "visible_to_observer = True"
    assert (
        interviewer.evaluate(
            "window.pairboard.sync.link('board').doc.getMap('elements').has('forced-by-observer')"
        )
        is False
    )
    observer.evaluate(
        "() => window.pairboard.sync.link('code').doc.getText('source').delete(0, 19)"
    )  # the observer's own view back in line with the server's, for the screenshot
    shot(observer, "4-observer")


def test_candidate_never_opens_notes_doc_nor_receives_notes_text(
    server: ServerProcess, browser: Browser, open_page: Opener
) -> None:
    links = server.create_session(title="Private notes")["links"]
    secret = "SECRET-NOTE-7f3a"
    sockets: list[str] = []
    received: list[bytes] = []

    context = browser.new_context(viewport={"width": 1400, "height": 860})
    candidate = context.new_page()
    candidate.set_default_timeout(TIMEOUT_MS)

    def watch(ws: Any) -> None:
        sockets.append(ws.url)
        ws.on(
            "framereceived",
            lambda payload: received.append(
                payload if isinstance(payload, bytes) else payload.encode()
            ),
        )

    candidate.on("websocket", watch)
    try:
        candidate.goto(links["candidate"])
        answer_name_prompt(candidate)
        expect(candidate.get_by_test_id("connection-state")).to_have_text("live")
        interviewer = open_page(links["interviewer"])
        notes = interviewer.locator(".panel .cm-content")
        notes.click()
        interviewer.keyboard.type(secret)
        # A second interviewer receiving the notes proves they reached the server.
        second = open_page(links["interviewer"])
        second.wait_for_function(
            "s => window.pairboard.sync.link('notes').doc.getText('notes').toString() === s",
            arg=secret,
        )
        type_in_editor(interviewer, "after_notes = 1")
        wait_code_contains(candidate, "after_notes = 1")

        paths = sorted({url.split("?")[0].rsplit("/", 1)[-1] for url in sockets})
        assert paths == ["board", "code", "console"]
        assert not any(secret.encode() in frame for frame in received)
        assert secret not in candidate.content()
        assert candidate.evaluate("window.pairboard.sync.has('notes')") is False
        expect(candidate.locator(".panel")).to_have_count(0)
        shot(candidate, "5-candidate-no-notes")
        shot(interviewer, "5-interviewer-notes")
    finally:
        context.close()


def test_lock_editor_refuses_candidate_typing_and_says_locked(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Locked editor")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    type_in_editor(candidate, "before_lock = 1")
    wait_code_contains(interviewer, "before_lock = 1")

    # The toggle shows what the server applied (console.controls), not the click itself.
    interviewer.get_by_test_id("lock-editor").click()
    expect(candidate.get_by_test_id("locked-banner")).to_be_visible()
    expect(candidate.get_by_test_id("readonly-state")).to_contain_text(
        "the interviewer locked the editor"
    )
    expect(editor(candidate)).to_have_attribute("contenteditable", "false")
    expect(interviewer.get_by_test_id("lock-editor")).to_be_checked()

    # Typing in the UI changes nothing; a write forced past the UI is refused by the server.
    editor(candidate).click()
    candidate.keyboard.type("typed while locked")
    assert code_text(candidate) == "before_lock = 1"
    candidate.evaluate(
        "() => window.pairboard.sync.link('code').doc.getText('source').insert(0, 'FORCED ')"
    )
    awareness_barrier(candidate, interviewer, "code")
    assert code_text(interviewer) == "before_lock = 1"
    # The server told the candidate's page its write was refused: the page drops it.
    wait_code_contains(candidate, "before_lock = 1")
    candidate.wait_for_function(
        "window.pairboard.sync.link('code').doc.getText('source').toString() === 'before_lock = 1'"
    )
    expect(editor(candidate)).to_have_text("before_lock = 1")
    shot(candidate, "7-locked-candidate")
    shot(interviewer, "7-locked-interviewer")
