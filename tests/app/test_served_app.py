"""``csops app`` served for real, loaded in headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served_app(pipeline_home):
    port = free_port()
    env = {**os.environ, "CSOPS_HOME": str(pipeline_home.root)}
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
            docs.get_by_text("marts.csat_by_channel_day").first.wait_for(timeout=10_000)
            assert outside == []
        finally:
            browser.close()
