"""Drive the explorer in the system's chromium: start `vraem app` on a free port, wait until it
answers, and (run as `python -m sim.app.screenshot [PNG]`) play a scenario with an action and
save a picture of the page, the README's docs/img/explorer.png by default.

The browser test (tests/test_app_browser.py) uses the same helpers. Playwright (the `dev`
extra) drives the chromium installed by the system (`apt-get install chromium`); it never
downloads a browser.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PNG = REPO / "docs" / "img" / "explorer.png"
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# the network may be closed: without the background-networking flags chromium stalls
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
START_TIMEOUT_S = 120.0
VIEWPORT = {"width": 1680, "height": 1560}
PAUSE_TIMEOUT_S = 60.0
PAUSE_CHECK_S = 2.0


def chromium_path() -> str | None:
    """The system's chromium, if installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or next((p for p in CHROMIUM_PATHS if Path(p).exists()), None)


def free_port() -> int:
    """A port nobody listens on now (bind to port 0 and read what the system chose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT_S) -> None:
    """Return once `url` answers; RuntimeError if the server exits or does not answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vraem app exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"vraem app did not answer at {url} within {timeout:.0f} s")


@contextlib.contextmanager
def running_app(scenario: Path | None = None, port: int | None = None) -> Iterator[str]:
    """`vraem app` in its own process group on a free port; yields its URL and stops the
    whole group afterwards."""
    port = port or free_port()
    command = [sys.executable, "-m", "sim", "app", "--port", str(port)]
    if scenario is not None:
        command.append(str(scenario))
    env = {**os.environ, "MPLBACKEND": "Agg"}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            try:
                wait_until_up(url, process)
            except RuntimeError as exc:
                log.seek(0)
                said = log.read().decode("utf-8", "replace")[-2000:]
                raise RuntimeError(f"{exc}; it said:\n{said}") from None
            yield url
        finally:
            stop_group(process)


def stop_group(process: subprocess.Popen) -> None:
    """End a process started with `start_new_session` and everything it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def launch_chromium(playwright: Any, executable: str) -> Any:
    """Playwright's chromium, on the system's binary."""
    return playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))


def week_shown(page: Any) -> int:
    """The current week the page shows ('Week 12 of 260' -> 12)."""
    return int(page.locator(".vraem-week").inner_text().split()[1])


def play_until(page: Any, week: int, timeout_s: float = 60.0) -> None:
    """Press Mesa's play button, wait until the page shows `week` or later, pause."""
    page.get_by_role("button", name="\u25b6").click()
    deadline = time.monotonic() + timeout_s
    while week_shown(page) < week and time.monotonic() < deadline:
        time.sleep(0.2)
    pause(page)
    settle(page)


def pause(page: Any) -> None:
    """Press Mesa's pause (the play button while playing). A click that lands while the page
    redraws can be lost; play and pause are one toggle, so press again only while the weeks
    still advance (a pause taken but not yet shown stops them)."""
    paused = page.get_by_role("button", name="\u25b6")
    deadline = time.monotonic() + PAUSE_TIMEOUT_S
    page.get_by_role("button", name="\u275a\u275a").click()
    while time.monotonic() < deadline:
        before = week_shown(page)
        time.sleep(PAUSE_CHECK_S)
        if paused.count():
            return
        if week_shown(page) > before:
            page.get_by_role("button", name="\u275a\u275a").click()
    raise AssertionError(f"the page did not pause within {PAUSE_TIMEOUT_S:.0f} s")


def settle(page: Any, quiet_s: float = 1.0, timeout_s: float = 20.0) -> None:
    """Wait until the week shown stays the same for `quiet_s` (the last step drawn)."""
    deadline = time.monotonic() + timeout_s
    shown = week_shown(page)
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = week_shown(page)
        if now == shown:
            return
        shown = now


def step_once(page: Any, timeout_s: float = 20.0) -> int:
    """Press Mesa's Step and wait for the next week (pressing again if the click was lost);
    returns the week shown."""
    start = week_shown(page)
    for _ in range(3):
        page.get_by_role("button", name="Step").click()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if week_shown(page) > start:
                return week_shown(page)
            time.sleep(0.2)
    raise AssertionError(f"Step never advanced the week from {start}")


def click_until(page: Any, button: str, shows: str, timeout_s: float = 20.0) -> None:
    """Click a button until the element `shows` (a CSS selector) appears: a click that lands
    while the page redraws can be lost."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        page.get_by_role("button", name=button).click()
        try:
            page.locator(shows).wait_for(timeout=timeout_s * 1000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"clicking {button!r} never showed {shows}")


def take_picture(png: Path) -> None:
    """Open the Callao surge scenario's base, play a year, surge Callao, play on, save."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("chromium not installed: apt-get install chromium")
    with running_app(REPO / "scenarios" / "arrest_leader.yaml") as url, sync_playwright() as pw:
        browser = launch_chromium(pw, executable)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)
        page.locator(".vraem-week").wait_for(timeout=60_000)
        play_until(page, 40)
        click_until(page, "Surge Callao now", ".vraem-notice")
        play_until(page, 70)
        page.wait_for_timeout(1500)
        png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png), full_page=True)
        browser.close()
    print(f"saved {png}")


if __name__ == "__main__":
    take_picture(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PNG)
