"""Issue 15: a full disk ended `csops run` in a traceback that lost the run's summary, and then
`csops audit` exited 0 reporting the build before, and the app still said the latest run was
published.

A real run on a real full disk: CSOPS_HOME on a small tmpfs (mounting one needs root: skipped
otherwise), holding a small center's landed files and little room for more. The run must end
with its summary and a plain message; the audit and the app must report that run as failed.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from csops import cli
from csops.kernel.paths import CsopsHome
from csops.kernel.last_run import read_last_run
from csops.kernel.publication import read_current
from tests.conftest import restored_environment

APP_ENTRY_POINT = str(Path(__file__).resolve().parents[2] / "csops" / "app" / "streamlit_app.py")
CENTER = ["--agents", "6", "--days", "3", "--start", "2026-02-02", "--seed", "9"]
DISK = "12m"  # the landed files take about 2 MB; a run needs several times more


def csops(*args: str) -> tuple[int, str, str]:
    output, errors = io.StringIO(), io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output), contextlib.redirect_stderr(errors):
        code = cli.main(list(args))
    return code, output.getvalue(), errors.getvalue()


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    landed = tmp_path_factory.mktemp("landed")
    assert csops("--home", str(landed), "simulate", *CENTER)[0] == 0
    mount_point = tmp_path_factory.mktemp("full_disk")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        home = CsopsHome(mount_point / "home")
        shutil.copytree(landed / "landing", home.landing)
        shutil.copytree(landed / "manager", home.manager)
        code, output, errors = csops("--home", str(home.root), "run")
        yield home, code, output, errors
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_the_run_ends_with_its_summary_and_says_the_disk_is_full(full_disk):
    home, code, output, errors = full_disk
    assert code == 1, output
    assert "Traceback" not in output + errors, errors[-3000:]
    assert output.startswith("csops run ") and ": FAILED in " in output.splitlines()[0], output
    assert "FAILED: the disk holding CSOPS_HOME is full: " in output, output
    assert "MB free; free space and run again; nothing was published" in output, output
    assert "Steps" in output and "Checks:" in output  # the summary, kept
    assert read_current(home) is None


def test_the_audit_and_the_app_report_the_failed_run(full_disk, monkeypatch):
    home, _, output, _ = full_disk
    run_id = output.split()[2].rstrip(":")
    last_run = read_last_run(home)
    assert last_run.outcome == "failed" and last_run.run_id.startswith(run_id)
    assert "the disk holding CSOPS_HOME is full" in last_run.error

    code, report, _ = csops("--home", str(home.root), "audit")
    assert code == 1, report
    assert f"Latest csops run {run_id}: started " in report, report
    assert "FAILED: the disk holding CSOPS_HOME is full" in report, report

    monkeypatch.setenv("CSOPS_HOME", str(home.root))
    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=30).run()
    assert not app.exception, [exception.value for exception in app.exception]
    latest = [caption.value for caption in app.sidebar.caption if caption.value.startswith("Latest run")]
    assert len(latest) == 1 and f"`{run_id}`" in latest[0] and "not published" in latest[0].lower(), latest
