"""The console and the editor's keys in real browsers: two people, one real server, real kernels.

Follows output through a plot (the bug: scroll top stuck at 327 px while the content grew to
1,299 px), Jump to latest after scrolling up, the per-viewer Clear, Run selection in the same
kernel, input() answered by whoever ran and shown to both, Tab indents with Escape-then-Tab out,
and the console reached and scrolled by keyboard. Each test saves screenshots of its states to
artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.room import Opener, code_text, editor, shot, wait_code_contains
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("console-browser")),
        env={"PAIRBOARD_KERNEL_POOL_SIZE": "1", "PAIRBOARD_KERNEL_PRELOAD_CODE": ""},
    )
    proc.start()
    yield proc
    proc.stop()


def set_code(page: Page, code: str) -> None:
    page.evaluate(
        """code => { const t = window.pairboard.sync.link('code').doc.getText('source');
                     t.delete(0, t.length); t.insert(0, code); }""",
        code,
    )


def last_run(page: Page, status: str | None = None) -> Locator:
    run = page.locator(".console .run").last
    if status is not None:
        expect(run).to_have_attribute("data-status", status, timeout=RUN_TIMEOUT_MS)
    return run


def at_bottom(page: Page) -> bool:
    result: bool = page.get_by_test_id("console").evaluate(
        "el => el.scrollTop + el.clientHeight >= el.scrollHeight - 2"
    )
    return result


def wait_at_bottom(page: Page) -> None:
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=console]');"
        " return el.scrollTop + el.clientHeight >= el.scrollHeight - 2; }"
    )


def in_console_view(page: Page, selector: str) -> bool:
    """Whether the last element matching `selector` is inside the console's visible box."""
    result: bool = page.get_by_test_id("console").evaluate(
        """(el, sel) => {
            const items = el.querySelectorAll(sel); const t = items[items.length - 1];
            if (!t) return false;
            const a = el.getBoundingClientRect(), b = t.getBoundingClientRect();
            return b.bottom <= a.bottom + 1 && b.bottom >= a.top; }""",
        selector,
    )
    return result


PLOT_THEN_MORE = """%matplotlib inline
import matplotlib.pyplot as plt
print("before the plot")
plt.plot([1, 2, 3], [1, 4, 9]); plt.title("squares"); plt.show()
for i in range(30):
    print("after the plot", i)
raise ValueError("the end of the run")
"""


def test_the_console_follows_output_past_a_plot_and_offers_jump_to_latest(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Follow")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    set_code(candidate, PLOT_THEN_MORE)
    wait_code_contains(interviewer, "the end of the run")
    candidate.get_by_test_id("run").click()
    for page in (interviewer, candidate):
        run = last_run(page, "error")
        image = run.locator("img.out-image")
        expect(image).to_be_visible()
        page.wait_for_function(
            "() => { const i = document.querySelector('img.out-image');"
            " return i && i.complete && i.naturalHeight > 100; }"
        )
        wait_at_bottom(page)
        assert in_console_view(page, ".out-error")
        assert page.get_by_test_id("console").get_attribute("data-following") == "true"
        expect(page.get_by_test_id("jump-latest")).to_have_count(0)
    shot(candidate, "console-1-followed-past-plot")

    # The interviewer scrolls up to read: the console stays there when more output comes.
    box = interviewer.get_by_test_id("console")
    box.hover()
    interviewer.mouse.wheel(0, -5000)
    expect(box).to_have_attribute("data-following", "false")
    expect(interviewer.get_by_test_id("jump-latest")).to_be_visible()
    top = box.evaluate("el => el.scrollTop")
    set_code(candidate, "print('a later run')\nimport time; time.sleep(0.2)\nprint('its end')")
    wait_code_contains(interviewer, "its end")
    candidate.get_by_test_id("run").click()
    later = last_run(interviewer, "ok").locator(".run-outputs")
    expect(later).to_have_text("a later run\nits end\n")
    assert box.evaluate("el => el.scrollTop") == top
    assert not at_bottom(interviewer)
    shot(interviewer, "console-2-scrolled-up-jump-offered")
    interviewer.get_by_test_id("jump-latest").click()
    wait_at_bottom(interviewer)
    expect(box).to_have_attribute("data-following", "true")
    expect(interviewer.get_by_test_id("jump-latest")).to_have_count(0)
    # The candidate, who never scrolled, followed the later run too.
    wait_at_bottom(candidate)
    shot(interviewer, "console-3-jumped-to-latest")


def test_clear_hides_earlier_runs_for_that_viewer_only(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Clear")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    set_code(candidate, "print('first')")
    wait_code_contains(interviewer, "first")
    candidate.get_by_test_id("run").click()
    last_run(interviewer, "ok")

    interviewer.get_by_test_id("console-clear").click()
    expect(interviewer.locator(".console .run")).to_have_count(0)
    expect(interviewer.get_by_test_id("console")).to_contain_text("Console cleared (for you only).")
    expect(candidate.locator(".console .run")).to_have_count(1)  # the other person keeps it
    shot(interviewer, "console-4-cleared")

    set_code(candidate, "print('second')")
    wait_code_contains(interviewer, "second")
    candidate.get_by_test_id("run").click()
    expect(last_run(interviewer, "ok").locator(".out-stdout")).to_have_text("second\n")
    expect(interviewer.locator(".console .run")).to_have_count(1)
    expect(candidate.locator(".console .run")).to_have_count(2)
    # A reload keeps this tab's cleared view; "Show" brings the hidden runs back.
    interviewer.reload()
    expect(interviewer.locator(".console .run")).to_have_count(1)
    interviewer.get_by_test_id("console-unclear").click()
    expect(interviewer.locator(".console .run")).to_have_count(2)
    shot(interviewer, "console-5-uncleared")


def test_run_selection_runs_the_selected_lines_in_the_same_kernel(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Run selection")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    set_code(candidate, "a = 41\nprint('whole file')\nprint('selected', a + 1)")
    wait_code_contains(interviewer, "selected")
    candidate.get_by_test_id("run").click()
    last_run(candidate, "ok")
    expect(candidate.get_by_test_id("run-selection")).to_be_disabled()

    # Select part of the last line: the whole line runs.
    editor(candidate).locator(".cm-line").nth(2).click()
    candidate.keyboard.press("End")
    candidate.keyboard.press("Shift+ArrowLeft")
    candidate.keyboard.press("Shift+ArrowLeft")
    expect(candidate.get_by_test_id("run-selection")).to_be_enabled()
    candidate.get_by_test_id("run-selection").click()
    for page in (interviewer, candidate):
        expect(page.locator(".console .run")).to_have_count(2)
        run = last_run(page, "ok")
        expect(run.locator(".out-stdout")).to_have_text("selected 42\n")
        expect(run.get_by_test_id("run-selection")).to_have_text("selection")
        expect(run.locator(".run-code pre")).to_have_text("print('selected', a + 1)")
    # The keyboard way: Ctrl+Shift+Enter with the first line selected.
    editor(candidate).locator(".cm-line").nth(0).click()
    candidate.keyboard.press("Home")
    candidate.keyboard.press("Shift+End")
    candidate.keyboard.press("Control+Shift+Enter")
    expect(candidate.locator(".console .run")).to_have_count(3)
    expect(last_run(candidate, "ok").locator(".run-code pre")).to_have_text("a = 41")
    shot(interviewer, "console-6-run-selection")


def test_input_is_answered_by_whoever_ran_and_both_see_it(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="input()")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    set_code(candidate, "name = input('Your name? ')\nprint('hello', name)")
    wait_code_contains(interviewer, "hello")
    candidate.get_by_test_id("run").click()

    field = candidate.get_by_role("textbox", name="Answer the program's input prompt: Your name?")
    expect(field).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(field).to_be_focused()
    expect(interviewer.get_by_test_id("stdin-wait")).to_contain_text(
        "Your name? waiting for Candidate to answer"
    )
    expect(interviewer.get_by_test_id("stdin")).to_have_count(0)
    shot(candidate, "console-7-input-asked")
    shot(interviewer, "console-7-input-waiting")
    field.fill("Ada")
    candidate.keyboard.press("Enter")
    for page in (interviewer, candidate):
        run = last_run(page, "ok")
        expect(run.locator(".out-input")).to_have_text("Your name? Ada")
        expect(run.locator(".out-stdout")).to_have_text("hello Ada\n")
        expect(page.get_by_test_id("stdin")).to_have_count(0)
        expect(page.get_by_test_id("stdin-wait")).to_have_count(0)
    shot(interviewer, "console-8-input-answered")

    # getpass: a password field, and the answer is shown to nobody.
    set_code(candidate, "import getpass\nk = getpass.getpass('Key: ')\nprint(len(k))")
    wait_code_contains(interviewer, "getpass")
    candidate.get_by_test_id("run").click()
    secret = candidate.get_by_role("textbox", name="Answer the program's input prompt: Key:")
    expect(secret).to_have_attribute("type", "password", timeout=RUN_TIMEOUT_MS)
    secret.fill("Zq9-passw0rd")
    candidate.keyboard.press("Enter")
    for page in (interviewer, candidate):
        run = last_run(page, "ok")
        expect(run.locator(".out-stdout")).to_have_text("12\n")
        expect(run.locator(".out-input")).to_have_text("Key: ••••••")
        assert "Zq9-passw0rd" not in page.content()


def test_tab_indents_and_escape_then_tab_leaves_the_editor(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Tab")["links"]
    candidate = open_page(links["candidate"])
    expect(candidate.get_by_test_id("editor-hint")).to_contain_text(
        "Esc then Tab leaves the editor"
    )
    editor(candidate).click()
    candidate.keyboard.type("if True:")
    candidate.keyboard.press("Enter")
    candidate.keyboard.press("Shift+Tab")  # undo the auto-indent, then indent with Tab
    candidate.keyboard.press("Tab")
    candidate.keyboard.type("x = 1")
    candidate.wait_for_function(
        "window.pairboard.sync.link('code').doc.getText('source').toString().endsWith('x = 1')"
    )
    assert code_text(candidate) == "if True:\n    x = 1"
    in_editor = "document.activeElement.closest('.cm-editor') !== null"
    assert candidate.evaluate(in_editor) is True
    candidate.keyboard.press("Escape")
    candidate.keyboard.press("Tab")
    assert candidate.evaluate(in_editor) is False
    assert code_text(candidate) == "if True:\n    x = 1"  # the Tab that left inserted nothing
    shot(candidate, "console-9-tab-indent")


def test_the_console_is_reached_and_scrolled_by_keyboard_and_kernel_status_is_announced(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Keyboard")["links"]
    candidate = open_page(links["candidate"])
    status = candidate.get_by_test_id("kernel-status")
    assert (status.get_attribute("role"), status.get_attribute("aria-live")) == ("status", "polite")
    set_code(candidate, "for i in range(300):\n    print('line', i)")
    candidate.get_by_test_id("run").click()
    last_run(candidate, "ok")
    expect(status).to_have_text("kernel: idle")
    box = candidate.get_by_test_id("console")
    assert (box.get_attribute("role"), box.get_attribute("tabindex")) == ("log", "0")
    wait_at_bottom(candidate)

    # From the editor, Escape then Tab moves on; Tab reaches the console within a few steps.
    editor(candidate).click()
    candidate.keyboard.press("Escape")
    for _ in range(8):
        candidate.keyboard.press("Tab")
        if candidate.evaluate("document.activeElement.dataset.testid") == "console":
            break
    expect(box).to_be_focused()
    candidate.keyboard.press("Home")
    candidate.wait_for_function("document.querySelector('[data-testid=console]').scrollTop === 0")
    expect(box).to_have_attribute("data-following", "false")
    candidate.keyboard.press("PageDown")
    scrolled = "document.querySelector('[data-testid=console]').scrollTop > 0"
    for _ in range(5):  # a key pressed while the Home scroll still animates may be absorbed
        if candidate.evaluate(scrolled):
            break
        candidate.keyboard.press("ArrowDown")
    candidate.wait_for_function(scrolled)
    candidate.keyboard.press("End")
    wait_at_bottom(candidate)
    expect(box).to_have_attribute("data-following", "true")
    shot(candidate, "console-10-keyboard")


def test_a_long_output_holds_text_only_near_view_and_draws_what_is_scrolled_to(
    server: ServerProcess, open_page: Opener
) -> None:
    """A 20,000-line output (100 chunks of 200 lines) keeps the text of the chunks near the
    console's view only, so the page's DOM does not grow with it; the interviewer scrolls to
    the top and reads the first lines, the candidate (still at the bottom) the last ones."""
    links = server.create_session(title="Long output")["links"]
    interviewer = open_page(links["interviewer"])
    candidate = open_page(links["candidate"])
    set_code(candidate, "print('\\n'.join(f'output line {i}' for i in range(20000)))")
    wait_code_contains(interviewer, "20000")
    candidate.get_by_test_id("run").click()
    for page in (interviewer, candidate):
        run = last_run(page, "ok")
        expect(run.locator(".out-chunk")).to_have_count(100, timeout=RUN_TIMEOUT_MS)
        expect(run.locator(".out-chunk").last).to_contain_text("output line 19999")
    wait_at_bottom(candidate)
    drawn = candidate.locator(".console .out-chunk[data-drawn=true]")
    expect(drawn.first).to_be_attached()
    assert 1 <= drawn.count() <= 5  # of 100: the chunks near the bottom only
    assert "output line 0\n" not in candidate.get_by_test_id("console").inner_text()
    shot(candidate, "console-long-1-bottom")

    interviewer.get_by_test_id("console").evaluate("el => { el.scrollTop = 0; }")
    first = interviewer.locator(".console .out-chunk").first
    expect(first).to_have_attribute("data-drawn", "true")
    expect(first).to_contain_text("output line 0\noutput line 1\n")
    expect(interviewer.get_by_test_id("jump-latest")).to_be_visible()
    expect(interviewer.locator(".console .out-chunk").last).to_have_attribute("data-drawn", "false")
    shot(interviewer, "console-long-2-top")
