"""GX Data Docs open offline and styled: built by ``validate_dataframe``, loaded in headless Chromium
(Debian's, driven by Playwright) with every request that is not a local file aborted."""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from csops.app.quality_docs import DATA_DOCS_INDEX, serve_files
from csops.quality.data_docs import make_site_offline, rewrite_page
from csops.quality.offline_report import references_remote_assets
from csops.quality.results import QualityResult
from csops.quality.validation import validate_dataframe
from tests.app.test_served_app import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.expectations.test_validation import TABLE, mart_frame

REMOTE_SRC = re.compile(r"\s(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)
REMOTE_CSS_URL = re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)
ALLOWED_REMOTE_TAG = re.compile(r"<a\b", re.IGNORECASE)  # plain links out may stay


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[QualityResult, QualityResult]:
    quality_dir = tmp_path_factory.mktemp("quality")
    good = validate_dataframe(mart_frame(), TABLE, quality_dir, "run-offline-good")
    frame = mart_frame()
    frame.loc[0, "csat_top2_rate"] = 1.3  # out of [0, 1]
    bad = validate_dataframe(frame, TABLE, quality_dir, "run-offline-bad")
    assert good.success and not bad.success
    return good, bad


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[1].data_docs_index.parent


def site_files(site: Path) -> dict[Path, tuple[bytes, int]]:
    return {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in sorted(site.rglob("*")) if path.is_file()}


def test_make_site_offline_twice_changes_nothing(site):
    before = site_files(site)  # validate_dataframe already made the site offline
    make_site_offline(site)
    make_site_offline(site)
    after = site_files(site)
    assert after.keys() == before.keys()
    changed = [path for path in before if after[path] != before[path]]
    assert changed == []  # same bytes, and not even rewritten (same mtime)


def test_rewriting_a_rewritten_page_is_a_no_op(site):
    # make_site_offline skips pages carrying its marker; the rewrite itself must be stable too,
    # since GX rewrites the index on every build and new rules may meet old pages.
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert rewrite_page(text, page, site) == text, page


def test_no_page_loads_anything_remote(built, site):
    good, bad = built
    assert not good.data_docs_need_internet and not bad.data_docs_need_internet
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 4  # index, suite, two validations
    for page in pages:
        assert not references_remote_assets(page), page
        text = page.read_text(encoding="utf-8")
        for match in REMOTE_SRC.finditer(text):
            tag_start = text.rfind("<", 0, match.start())
            assert ALLOWED_REMOTE_TAG.match(text, tag_start), (page, text[tag_start : match.end() + 60])
        assert not REMOTE_CSS_URL.search(text), page
    assert (site / "static" / "vendor" / "bootstrap" / "css" / "bootstrap.min.css").is_file()
    assert any((site / "static" / "vendor" / "font-awesome" / "webfonts").glob("*.woff2"))


BOOTSTRAP_ALERT_SECONDARY = "rgb(226, 227, 229)"  # .alert-secondary background; unstyled it is transparent


def test_data_docs_open_offline_in_a_browser(built, site, tmp_path):
    assert CHROMIUM.exists(), "Debian's chromium is needed: `make test` installs it (apt-get install chromium)"
    good, bad = built
    left_the_machine: list[str] = []
    page_errors: list[str] = []

    def only_local_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            left_the_machine.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("**/*", only_local_files)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))

            page.goto(good.data_docs_index.as_uri())
            page.wait_for_load_state("load")
            text = page.locator("body").inner_text()  # rendered, visible text only
            assert TABLE in text and good.run_id in text and bad.run_id in text
            assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("-apple-system")
            alert = page.locator(".alert-secondary").first
            assert alert.evaluate("element => getComputedStyle(element).backgroundColor") == BOOTSTRAP_ALERT_SECONDARY
            assert page.evaluate(
                "document.fonts.ready.then(fonts => [...fonts].some("
                "font => font.family.includes('Font Awesome') && font.status === 'loaded'))"
            ), "the status icons' font did not load"
            page.screenshot(path=str(tmp_path / "data_docs_index.png"), full_page=True)
            if os.environ.get("CSOPS_SAVE_SCREENSHOTS"):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / "data_docs_offline.png"), full_page=True)

            # A row of the index is a link (GX's click-row handler): follow the failing run's.
            with page.expect_navigation():
                page.get_by_role("cell", name=bad.run_id, exact=True).click()
            assert Path(page.url.removeprefix("file://")) == bad.data_docs_page
            page.wait_for_load_state("load")
            text = page.locator("body").inner_text()
            assert "Status: Failed" in " ".join(text.split())
            assert "csat_top2_rate" in text
            assert "values must be greater than or equal to 0.0 and less than or equal to 1.0" in " ".join(text.split())
            assert "1 unexpected values found" in text and "1.3" in text
            failed_icon = page.locator(".text-danger.fa-times").first
            assert failed_icon.is_visible()
            alert = page.locator(".alert-secondary").first
            assert alert.evaluate("element => getComputedStyle(element).backgroundColor") == BOOTSTRAP_ALERT_SECONDARY
        finally:
            browser.close()

    assert left_the_machine == []
    assert page_errors == []


def http_get(url: str, method: str = "GET") -> tuple[int, bytes]:
    """Status and body, an error status included (redirects are followed)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_apps_data_docs_server_serves_files_and_lists_no_folder(built):
    """What the app serves at its "Data Docs" link (csops/app/quality_docs.py), over real HTTP on 127.0.0.1:
    the pages, a folder's index.html, and for any other folder a 404 that names nothing in it."""
    index = built[1].data_docs_index
    quality_dir = index.parents[len(DATA_DOCS_INDEX.parts) - 1]
    assert quality_dir / DATA_DOCS_INDEX == index
    server = serve_files(str(quality_dir))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert http_get(f"{base}/{DATA_DOCS_INDEX.as_posix()}") == (200, index.read_bytes())
        assert http_get(f"{base}/{DATA_DOCS_INDEX.parent.as_posix()}/") == (200, index.read_bytes())
        page = built[1].data_docs_page
        assert http_get(f"{base}/{page.relative_to(quality_dir).as_posix()}") == (200, page.read_bytes())

        folders = [quality_dir, quality_dir / "gx", index.parent / "static", index.parent / "validations"]
        for folder in folders:
            assert folder.is_dir() and not (folder / "index.html").exists(), folder
            path = folder.relative_to(quality_dir).as_posix()
            prefix = "" if path == "." else f"/{path}"
            for url in (f"{base}{prefix}/", f"{base}{prefix}"):  # without the slash: redirected, then 404
                for method in ("GET", "HEAD"):
                    status, body = http_get(url, method)
                    assert status == 404, (method, url, status)
                    assert b"Directory listing" not in body
                    assert not [child.name for child in folder.iterdir() if child.name.encode() in body], url
    finally:
        server.shutdown()
        server.server_close()
