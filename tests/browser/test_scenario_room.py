"""A scenario session in real browsers: the candidate waits until the interviewer presses Start,
then sees the brief; the interviewer's panel fires an event, reveals a hint and grades, and the
candidate sees what was revealed and nothing of the panel. Scenario: tests/scenarios/
runtime_library/runtime-drill.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from kernels.settings import KernelSettings
from tests.browser.room import TIMEOUT_MS, answer_name_prompt, open_room, shot
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser
LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "runtime_library"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("scenario-browser")),
        env={"PAIRBOARD_SCENARIOS_DIR": str(LIBRARY), "PAIRBOARD_KERNEL_PRELOAD_CODE": ""},
    )
    proc.start()
    yield proc
    proc.stop()


def test_candidate_waits_for_start_then_sees_the_brief_reveals_and_hints(
    browser: Browser, server: ServerProcess
) -> None:
    created = server.create_session(scenario="runtime-drill", title="Drill in a browser")
    interviewer = open_room(browser, created["links"]["interviewer"])
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    candidate = context.new_page()
    candidate.set_default_timeout(TIMEOUT_MS)
    try:
        candidate.goto(created["links"]["candidate"])
        answer_name_prompt(candidate)
        expect(candidate.get_by_test_id("waiting-room")).to_be_visible()
        expect(candidate.get_by_test_id("waiting-room")).to_contain_text(
            "Waiting for the interviewer"
        )

        panel = interviewer.get_by_test_id("scenario-panel")
        expect(panel).to_contain_text("waiting")
        interviewer.get_by_test_id("scenario-start").click()
        expect(candidate.get_by_test_id("connection-state")).to_have_text("live")
        expect(candidate.get_by_test_id("brief")).to_contain_text("PUBLIC-BRIEF-LINE")
        expect(candidate.get_by_test_id("clock")).to_be_visible()

        panel.get_by_test_id("event-reveal-two").get_by_role("button", name="Fire now").click()
        expect(candidate.get_by_test_id("brief")).to_contain_text("REVEALED-SECTION-BODY")
        panel.locator("li", has_text="HINT-REVEALED-TEXT").get_by_role(
            "button", name="Reveal"
        ).click()
        expect(candidate.locator(".events")).to_contain_text("HINT-REVEALED-TEXT")
        expect(panel.locator("li", has_text="HINT-REVEALED-TEXT")).to_contain_text("revealed")

        if (KernelSettings().env_dir / "bin" / "python").exists():
            panel.get_by_test_id("grade").click()
            expect(panel.get_by_test_id("grade-result")).to_contain_text("0%", timeout=60_000)
        expect(candidate.get_by_test_id("scenario-panel")).to_have_count(0)
        assert "SECRET-UNREVEALED-HINT" not in candidate.content()
        shot(interviewer, "scenario-interviewer")
        shot(candidate, "scenario-candidate")
    finally:
        context.close()
        interviewer.context.close()
