"""The explorer in a browser: `vraem app` served on a free port and driven with playwright in the
system's chromium (no browser is downloaded). Step and play advance the week and change a chart,
an arrest shows in the event log, the exported scenario is valid, and a screenshot is saved.

Skipped, with the reason, only where chromium is missing outside CI; in CI it must run.
"""

from __future__ import annotations

import os
import time

import pytest
from conftest import SCENARIOS

from sim.app.screenshot import (
    VIEWPORT,
    chromium_path,
    click_until,
    launch_chromium,
    play_until,
    running_app,
    step_once,
    week_shown,
)
from sim.scenarios import load_scenario

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = chromium_path()

if CHROMIUM is None:
    if IN_CI:
        pytest.fail("chromium is missing in CI: .ci/run installs it with apt-get", pytrace=False)
    pytest.skip("chromium not installed: apt-get install chromium", allow_module_level=True)
if IN_CI:
    from playwright.sync_api import sync_playwright
else:
    sync_playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: pip install -e .[dev]"
    ).sync_playwright


@pytest.fixture(scope="module")
def app_url():
    with running_app(SCENARIOS / "baseline.yaml") as url:
        yield url


def _wait_for(condition, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_the_explorer_steps_plays_acts_and_exports(app_url, tmp_path):
    with sync_playwright() as pw:
        browser = launch_chromium(pw, CHROMIUM)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(app_url)
            page.locator(".vraem-week").wait_for(timeout=60_000)
            assert week_shown(page) == 0
            assert "2 Jan 2023" in page.locator(".vraem-date").inner_text()
            chart = page.locator(".vraem-exports")
            before = chart.screenshot()

            assert step_once(page) == 1
            play_until(page, 8)
            week = week_shown(page)
            assert week >= 8
            page.wait_for_timeout(500)
            assert chart.screenshot() != before, "the exports chart did not change"

            click_until(page, "Arrest now", ".vraem-notice")
            assert f"week {week}" in page.locator(".vraem-notice").inner_text()
            assert step_once(page) == week + 1
            log = page.locator("table.vraem-log").first

            def arrest_logged() -> bool:  # the model's entry, not the queued one
                rows = log.inner_text().splitlines()
                return any("arrest_leader" in r and "captured" in r for r in rows)

            _wait_for(arrest_logged)

            with page.expect_download() as download:
                page.get_by_role("button", name="Export scenario YAML").click()
            path = tmp_path / "explored.yaml"
            download.value.save_as(path)
            scenario = load_scenario(path)  # the loader of `vraem check`
            arrests = [iv for iv in scenario.interventions if iv.type == "arrest_leader"]
            assert [(iv.week, iv.who) for iv in arrests] == [(week, "leader")]
            assert scenario.replicates == 1

            shot = tmp_path / "explorer.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
