"""A multi-file project in real browsers: the candidate creates a file from the tabs, the
interviewer sees it and imports it from the entry file, and Run shows the output in both
consoles; a rename reaches both. Real server, real kernels; screenshots kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.room import Opener, shot
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

KERNEL_MS = 60_000


def tab(page: Page, name: str) -> object:
    return page.get_by_role("tab", name=name)


def type_here(page: Page, text: str) -> None:
    page.locator(".left .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_a_file_made_by_one_is_imported_by_the_other_and_run_for_both(
    server: ServerProcess, open_page: Opener
) -> None:
    links = server.create_session(title="Two files")["links"]
    candidate = open_page(links["candidate"])
    interviewer = open_page(links["interviewer"])

    candidate.get_by_test_id("new-file").click()
    candidate.get_by_label("New file name").fill("shapes.py")
    candidate.keyboard.press("Enter")
    expect(tab(candidate, "shapes.py")).to_have_attribute("aria-selected", "true")
    type_here(candidate, "def area(w, h):\nreturn w * h\n")
    expect(tab(interviewer, "shapes.py")).to_be_visible()

    tab(interviewer, "main.py").click()
    type_here(interviewer, "from shapes import area\nprint('area', area(6, 7))\n")
    interviewer.wait_for_function(
        "() => window.pairboard.sync.link('code').doc.getMap('files').get('shapes.py')"
        ".toString().includes('w * h')"
    )
    interviewer.get_by_test_id("run").click()
    for page in (interviewer, candidate):
        expect(page.locator(".console")).to_contain_text("area 42", timeout=KERNEL_MS)

    tab(candidate, "shapes.py").dblclick()
    candidate.get_by_label("New name for shapes.py").fill("geometry.py")
    candidate.keyboard.press("Enter")
    for page in (interviewer, candidate):
        expect(tab(page, "geometry.py")).to_be_visible()
        expect(tab(page, "shapes.py")).to_have_count(0)
    shot(candidate, "project-candidate")
    shot(interviewer, "project-interviewer")
