"""``csops app`` served for real, loaded in headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import sync_playwright

from csops.kernel.paths import CsopsHome
from csops.kernel.publication import read_current

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(home_root: Path):
    """`csops app` on ``home_root``, answering on 127.0.0.1; stopped on exit."""
    port = free_port()
    env = {**os.environ, "CSOPS_HOME": str(home_root)}
    server = subprocess.Popen([sys.executable, "-m", "csops.cli", "app", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the app did not start:\n{server.stdout.read().decode()}") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
    # `csops app` is the server itself: stopping it leaves nothing serving.
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)


@pytest.fixture
def served_app(pipeline_home):
    with serving(pipeline_home.root) as url:
        yield url


@contextlib.contextmanager
def chromium_page():
    assert CHROMIUM.exists(), "Debian's chromium is needed: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
            assert errors == []
        finally:
            browser.close()


def wait_for_page(page, title: str) -> None:
    """The page's title is drawn and Streamlit has finished running the script."""
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0, f"{title}: the page shows an exception"


def test_served_app_shows_the_csat_chart(served_app, tmp_path):
    assert CHROMIUM.exists(), "Debian's chromium is needed: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(served_app)
            chart = page.locator(".js-plotly-plot").first
            chart.wait_for(state="visible", timeout=30_000)
            page.get_by_text("Data as of").wait_for(timeout=10_000)
            assert page.locator(".js-plotly-plot .scatterlayer .trace").count() >= 3  # one line per channel
            page.wait_for_timeout(500)  # let the chart finish its transition before the picture
            page.screenshot(path=str(tmp_path / "csat_by_channel.png"), full_page=True)
            if os.environ.get("CSOPS_SAVE_SCREENSHOTS"):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / "csat_by_channel.png"), full_page=True)

            # The sidebar links the Data Docs, which the app serves; they open, list this
            # run's validations, and fetch nothing from outside 127.0.0.1.
            outside = []
            page.context.on("request", lambda request: outside.append(request.url)
                            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
            with page.context.expect_page() as opened:
                page.get_by_role("link", name="Great Expectations Data Docs").click()
            docs = opened.value
            docs.wait_for_load_state("load")
            docs.get_by_text("marts.feedback_by_channel_day").first.wait_for(timeout=10_000)
            assert outside == []
        finally:
            browser.close()


def test_a_manager_walks_every_page_filters_and_drills_down(served_app, tmp_path):
    """Every page loads without an error; a channel taken out of the sidebar filter reaches the
    address bar (a link that shares the view); the overview drills down to the records behind a KPI."""
    from csops.app.streamlit_app import PAGES

    shots = SCREENSHOTS if os.environ.get("CSOPS_SAVE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:
        for index, view in enumerate(PAGES):
            page.goto(f"{served_app}/{view.URL_PATH if index else ''}")  # the default page lives at the root
            wait_for_page(page, view.TITLE)
            page.wait_for_timeout(300)  # charts finish drawing
            page.screenshot(path=str(shots / f"page_{view.URL_PATH}.png"), full_page=True)

        page.goto(served_app)
        wait_for_page(page, "Overview")
        assert "channel=" not in page.url  # every channel: the default, left out of the link
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("button", name="Remove email").click()
        page.wait_for_function("() => window.location.search.includes('channel=')", timeout=15_000)
        wait_for_page(page, "Overview")
        assert "channel=email" not in page.url and "channel=phone" in page.url
        shared = page.url

        page.get_by_text("Drill down: the records behind a row").click()
        combobox = page.get_by_role("combobox", name="Show the records behind")
        combobox.wait_for(state="visible")
        page.wait_for_timeout(500)  # the expander finishes opening
        combobox.click()
        page.get_by_role("option").first.click()
        page.get_by_text("Download these rows (CSV)").nth(1).wait_for(timeout=30_000)
        wait_for_page(page, "Overview")
        page.screenshot(path=str(shots / "overview_drill_down.png"), full_page=True)

        page.goto(shared)  # the shared link opens the same view
        wait_for_page(page, "Overview")
        chips = sidebar.get_by_role("button", name="Remove email")
        assert chips.count() == 0

        # A link whose filters hold Markdown: the values are dropped and named as plain text, and
        # the page neither links out nor fetches the image (nothing leaves 127.0.0.1).
        evil_channel, evil_team = "[Your session expired](https://evil.example/login)", "![x](http://203.0.113.9/t.png)"
        outside: list[str] = []
        page.on("request", lambda request: outside.append(request.url)
                if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        page.goto(f"{served_app}/?{urlencode([('channel', evil_channel), ('channel', 'phone'), ('team', evil_team)])}")
        wait_for_page(page, "Overview")
        notice = sidebar.get_by_text("so left out")
        notice.wait_for(timeout=15_000)
        shown = notice.inner_text().replace("\u2060", "")  # plain() joins words it keeps from linking
        assert evil_channel in shown and evil_team in shown
        page.wait_for_timeout(500)  # an image would have been requested by now
        assert page.locator("a[href*='evil.example'], img[src*='203.0.113.9']").count() == 0
        assert outside == []
        assert "channel=phone" in page.url and "evil" not in page.url and "team=" not in page.url


def test_the_app_keeps_serving_while_a_run_rebuilds(pipeline_home, tmp_path):
    """`csops run --full-refresh` rewrites the warehouse and publishes again while a browser
    keeps reloading the page: every load shows the chart, and the new publication appears
    without restarting the app."""
    root = tmp_path / "home"
    shutil.copytree(pipeline_home.root, root, ignore=shutil.ignore_patterns("logs", "quality"))
    before = read_current(CsopsHome(root))
    env = {**os.environ, "CSOPS_HOME": str(root)}
    with serving(root) as url, chromium_page() as page:
        run = subprocess.Popen([sys.executable, "-m", "csops.cli", "run", "--full-refresh"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        loads = 0
        try:
            while run.poll() is None:
                page.goto(f"{url}/csat-by-channel")
                page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
                loads += 1
        finally:
            output = run.communicate(timeout=600)[0].decode()
        assert run.returncode == 0, output
        assert loads >= 3  # the page was served again and again while the run wrote
        after = read_current(CsopsHome(root))
        assert after.run_id != before.run_id
        page.goto(f"{url}/csat-by-channel")
        page.get_by_text(after.run_id).first.wait_for(timeout=30_000)
