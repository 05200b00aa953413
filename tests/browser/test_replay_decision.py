"""The replay as a hiring team decides from it, in real browsers against a real server and
kernels: the scorecard (rubric level, grade, notes, comments), scenario events as rendered
Markdown, dense run markers that cluster and expand, jump-to-run showing that run's output, and
a comment added in another browser appearing live.

One recorded session (module fixture) serves every test: a scenario session where the
interviewer scores the rubric, writes notes, runs 13 snippets in a burst, reveals a hint, runs
once more well after the burst, grades, shares a reviewer link and ends the session.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from pycrdt import Map, Text

from kernels.settings import KernelSettings
from tests.browser.room import TIMEOUT_MS, shot
from tests.support.server import ServerProcess
from tests.support.yclient import YClient, wait_until

pytestmark = pytest.mark.browser
LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "runtime_library"
BURST = 13
# Long enough that 13 runs a few hundred ms apart fall within a few pixels of a 1400 px timeline.
RECORDING_MIN_S = 24
SOLUTION = "def double(x):\n    return abs(x) * 2\n"  # passes the positive test, fails the negative


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    if not (KernelSettings().env_dir / "bin" / "python").exists():
        pytest.skip("no kernel environment (make kernel-env): the recording needs real runs")
    proc = ServerProcess(
        Path(tmp_path_factory.mktemp("replay-decision")),
        env={"PAIRBOARD_SCENARIOS_DIR": str(LIBRARY), "PAIRBOARD_KERNEL_PRELOAD_CODE": ""},
    )
    proc.start()
    yield proc
    proc.stop()


async def score_and_write(server: ServerProcess, sid: str, token: str) -> None:
    """The interviewer's code, rubric level and notes, written over real websockets; returns once
    a second connection has them (so the server has logged them)."""
    url = f"{server.ws_url}/ws/{sid}"
    async with (
        YClient(f"{url}/code?token={token}") as code,
        YClient(f"{url}/notes?token={token}") as notes,
    ):
        await asyncio.gather(code.synced.wait(), notes.synced.wait())
        del code.text[0 : len(code.text)]  # the scenario's starter code
        code.text.insert(0, SOLUTION)
        notes.doc.get("rubric", type=Map)["correctness"] = 3
        notes.doc.get("notes", type=Text).insert(0, "NOTES-FOR-DECISION strong on basics")
        async with (
            YClient(f"{url}/code?token={token}") as code2,
            YClient(f"{url}/notes?token={token}") as notes2,
        ):
            await asyncio.gather(code2.synced.wait(), notes2.synced.wait())
            await wait_until(lambda: str(code2.text) == SOLUTION, what="code logged")
            await wait_until(
                lambda: (
                    notes2.doc.get("rubric", type=Map).get("correctness") == 3
                    and "NOTES-FOR-DECISION" in str(notes2.doc.get("notes", type=Text))
                ),
                what="notes logged",
            )


def run(http: httpx.Client, sid: str, code: str) -> str:
    """One run through the REST API, waited for until it has finished."""
    deadline = time.monotonic() + 10
    # A run's status is written a moment before its slot is released: 409 until then.
    while (
        started := http.post(f"/api/sessions/{sid}/runs", json={"code": code})
    ).status_code == 409:
        assert time.monotonic() < deadline, started.text
        time.sleep(0.02)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = http.get(f"/api/sessions/{sid}/runs/{run_id}").json().get("status")
        if status not in (None, "running"):
            assert status == "ok", status
            return str(run_id)
        time.sleep(0.01)
    raise AssertionError(f"run {run_id} did not finish")


@pytest.fixture(scope="module")
def recorded(server: ServerProcess) -> dict[str, Any]:
    created = server.create_session(scenario="runtime-drill", title="Decision replay")
    sid, token = created["id"], created["tokens"]["interviewer"]
    began = time.monotonic()
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        assert http.post(f"/api/sessions/{sid}/scenario/start").status_code == 200
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, score_and_write(server, sid, token)).result()
        run(http, sid, "print('warm-up')")  # the kernel starts here, outside the burst
        time.sleep(max(0.0, RECORDING_MIN_S / 2 - (time.monotonic() - began)))
        burst = [run(http, sid, f"print('BURST-{i}')") for i in range(BURST)]
        assert http.post(f"/api/sessions/{sid}/scenario/hints/given/reveal").status_code == 200
        time.sleep(max(0.0, RECORDING_MIN_S - (time.monotonic() - began)))
        run(http, sid, "print('LAST-RUN-OUTPUT')")
        graded = http.post(f"/api/sessions/{sid}/grade")
        assert graded.status_code == 200, graded.text
        assert (graded.json()["passed"], graded.json()["total"]) == (1, 2)
        shared = http.post(f"/api/sessions/{sid}/share", json={"name": "Rita Reviewer"})
        second = http.post(f"/api/sessions/{sid}/share", json={"name": "Sam Second"})
        assert http.post(f"/api/sessions/{sid}/end").status_code == 200
    return {
        "id": sid,
        "url": server.url,
        "link": shared.json()["link"],
        "second": second.json()["link"],
        "burst": burst,
    }


def open_replay(browser: Browser, link: str, width: int = 1400, height: int = 860) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(link)
    expect(page.get_by_test_id("replay-state")).to_have_text("paused")
    return page


def test_scorecard_shows_rubric_level_grade_notes_and_a_live_comment_from_another_browser(
    browser: Browser, recorded: dict[str, Any]
) -> None:
    rita = open_replay(browser, recorded["link"])
    sam = open_replay(browser, recorded["second"])
    try:
        rita.get_by_test_id("view-scorecard").click()
        card = rita.get_by_test_id("scorecard")
        criterion = card.locator("[data-criterion=correctness]")
        expect(criterion.locator("th")).to_have_text("Correctness")
        expect(criterion.get_by_test_id("scorecard-level")).to_contain_text("3 · Strong")
        expect(criterion.locator(".level.chosen")).to_have_text("3 · Strong")
        expect(card.get_by_test_id("scorecard-grade")).to_contain_text("1/2 tests passed")
        expect(card.get_by_test_id("scorecard-test")).to_have_count(2)
        expect(card.get_by_test_id("scorecard-test").filter(has_text="failed")).to_have_text(
            "failed doubles negative numbers (weight 3) — AssertionError: SECRET-TEST-NEGATIVE"
        )
        expect(card.get_by_test_id("scorecard-notes")).to_have_text(
            "NOTES-FOR-DECISION strong on basics"
        )
        expect(card.get_by_test_id("scorecard-activity")).to_contain_text(f"{BURST + 2} runs")
        expect(card.get_by_test_id("scorecard-comment")).to_have_count(0)

        # Sam comments at 00:05 in the replay; Rita's open scorecard shows it without a reload.
        sam.get_by_test_id("replay-scrubber").fill("5000")
        sam.get_by_test_id("replay-comment-text").fill("LIVE-COMMENT from Sam")
        sam.get_by_test_id("replay-comment-add").click()
        expect(sam.get_by_test_id("replay-comment")).to_contain_text("LIVE-COMMENT from Sam")
        expect(card.get_by_test_id("scorecard-comment")).to_have_text(
            "00:05 Sam Second (reviewer): LIVE-COMMENT from Sam"
        )
        shot(rita, "replay-scorecard")

        # Its moment opens the replay there, with the comment's marker on the timeline.
        card.get_by_role("button", name="Open the replay at 00:05").click()
        expect(rita.get_by_test_id("replay-state")).to_have_attribute("data-t", "5000")
        expect(rita.get_by_test_id("replay-comment")).to_contain_text("LIVE-COMMENT from Sam")
        # A comment near other markers joins their cluster, whose name counts it.
        expect(
            rita.locator("[data-testid=marker-comment]").or_(
                rita.locator("[data-testid=marker-cluster][aria-label*='1 comment']")
            )
        ).to_have_count(1)
    finally:
        rita.context.close()
        sam.context.close()


def test_run_markers_cluster_expand_and_jump_to_the_runs_output(
    browser: Browser, recorded: dict[str, Any]
) -> None:
    page = open_replay(browser, recorded["link"])
    try:
        console = page.locator(".replay-console")
        expect(console).to_contain_text("No runs at this moment of the recording.")
        expect(console).not_to_contain_text("Press Run")

        # No two markers on the track are drawn nearer than 10 px: the 13-run burst became
        # numbered clusters, which between them hold every marker of the timeline.
        track = page.locator(".replay-markers")
        width = track.evaluate("e => e.clientWidth")
        lefts = track.evaluate(
            "e => [...e.children].map(b => [parseFloat(b.style.left), b.dataset.testid,"
            " b.dataset.testid === 'marker-cluster' ? Number(b.textContent) : 1])"
        )
        xs = sorted(left * width / 100 for left, _, _ in lefts)
        assert all(b - a >= 9.99 for a, b in itertools.pairwise(xs)), xs
        clusters = [n for _, kind, n in lefts if kind == "marker-cluster"]
        assert clusters and max(clusters) >= 3, lefts
        runs_drawn = page.locator("[data-testid=marker-run]").count()
        token = recorded["link"].split("token=")[1]
        total = len(
            httpx.get(
                f"{recorded['url']}/api/sessions/{recorded['id']}/timeline",
                headers={"Authorization": f"Bearer {token}"},
            ).json()["markers"]
        )
        assert sum(n for _, _, n in lefts) == total, (lefts, total)

        # The cluster holding the 7th burst run expands into one entry per marker.
        target = recorded["burst"][6]
        single = page.locator(f"[data-testid=marker-run][data-run-id='{target}']")
        if single.count() == 0:
            for i in range(page.get_by_test_id("marker-cluster").count()):
                cluster = page.get_by_test_id("marker-cluster").nth(i)
                cluster.click()
                listed = page.get_by_test_id("marker-cluster-list")
                n = int(cluster.inner_text())
                expect(listed.locator("li")).to_have_count(n)
                if listed.locator(f"[data-run-id='{target}']").count():
                    break
            shot(page, "replay-cluster-open")
            listed.locator(f"[data-run-id='{target}']").click()
        else:
            single.click()
        assert runs_drawn >= 1

        # Jumping to it shows that run finished, with its output in view, and no later run.
        run_view = console.locator(f"article.run[data-run-id='{target}']")
        expect(run_view).to_have_attribute("data-status", "ok")
        expect(run_view.locator(".run-outputs")).to_have_text("BURST-6")
        expect(run_view).to_be_in_viewport()
        expect(console.locator("article.run", has_text="BURST-7")).to_have_count(0)

        # The lone last run is its own marker; jumping to it shows its output too.
        page.get_by_test_id("marker-run").last.click()
        last = console.locator("article.run", has_text="LAST-RUN-OUTPUT")
        expect(last).to_have_attribute("data-status", "ok")
        expect(last).to_be_in_viewport()
        shot(page, "replay-jump-to-run")
    finally:
        page.context.close()


def test_brief_and_hint_events_are_rendered_markdown_not_raw_banners(
    browser: Browser, recorded: dict[str, Any]
) -> None:
    page = open_replay(browser, recorded["link"])
    try:
        page.get_by_test_id("replay-scrubber").fill(
            page.get_by_test_id("replay-scrubber").get_attribute("max") or "0"
        )
        events = page.get_by_test_id("replay-events")
        brief = events.get_by_test_id("replay-event").filter(has_text="PUBLIC-BRIEF-LINE")
        expect(brief.locator(".md code")).to_have_text("double(x)")
        expect(brief).not_to_contain_text("`double(x)`")
        expect(
            events.get_by_test_id("replay-event").filter(has_text="HINT-REVEALED-TEXT")
        ).to_have_count(1)
        assert page.locator(".replay-events .banner").count() == 0
        box = events.bounding_box()
        assert box is not None and box["x"] > 700  # in the side column, not across the player
        shot(page, "replay-events-markdown")
    finally:
        page.context.close()
