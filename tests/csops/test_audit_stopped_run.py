"""Issue 13: ``csops audit`` after a run that stopped while loading said it passed and exited 0.

A real run that fails during the load: a small simulated center, whose warehouse already holds
a view named like a raw table (an analyst's, say), so the CRM load cannot make its table and
raises. The failure is recorded in the warehouse; the audit names the step and the error,
lists the run as stopped, and exits 1. Then, on files written by hand: the failure of a run
that could not open the warehouse at all (kept beside it), and how the audit picks the
latest `csops run`.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta

import duckdb
import pytest

from csops import cli
from csops.audit.report import audit_report
from csops.audit.step_failures import StepFailure, append_step_failure
from csops.audit.trail import BUILD_JOB_NAME
from csops.kernel.last_run import end_run, read_last_run, start_run
from csops.kernel.paths import CsopsHome
from csops.orchestration.quality_record import CheckOutcome, record, record_step_failure
from tests.conftest import restored_environment

CENTER = ["--agents", "3", "--days", "1", "--start", "2026-02-02", "--seed", "4"]


def csops(*args: str) -> tuple[int, str]:
    output = io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output):
        code = cli.main(list(args))
    return code, output.getvalue()


@pytest.fixture(scope="module")
def stopped(tmp_path_factory) -> tuple[CsopsHome, int, str]:
    root = tmp_path_factory.mktemp("stopped")
    home = CsopsHome(root)
    assert csops("--home", str(root), "simulate", *CENTER)[0] == 0
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("create schema raw; create view raw.crm_groups as select 'an analyst''s view' as note")
    code, output = csops("--home", str(root), "run")
    return home, code, output


def test_the_run_stops_in_the_load(stopped):
    _, code, output = stopped
    assert code != 0, output
    assert "load_crm" in output and "FAILED" in output and "csops_dbt_models" not in output


def test_the_audit_reports_the_stopped_run_as_failed_with_its_message(stopped):
    home, _, _ = stopped
    code, report = csops("--home", str(home.root), "audit")
    assert code == 1, report
    stopped_section = report.split("STOPPED: a step failed", 1)[1].split("\n\n", 1)[0]
    assert "load_crm: CatalogException" in stopped_section and "crm_groups" in stopped_section, report
    newest = next(line for line in report.splitlines() if line.startswith("  ") and " UTC " in line)
    assert "STOPPED" in newest, report


def test_the_failed_step_is_recorded_in_the_warehouse(stopped):
    home, _, _ = stopped
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        failures = con.execute("select job_name, step_key from audit.step_failures").fetchall()
    assert ("load_landing_days", "load_crm") in failures


def test_the_audit_knows_the_build_job_by_its_name():
    """csops audit does not import Dagster; the name it reads builds by must be the job's."""
    from csops.orchestration.automation import BUILD_JOB_NAME as JOB_NAME

    assert BUILD_JOB_NAME == JOB_NAME


def test_a_stopped_run_recorded_in_the_warehouse_is_the_latest_and_failed(tmp_path):
    """A build published; then a `csops run` whose first load passed its checks and whose second
    stopped: the audit reports those two loads (not the build), as stopped, and exits 1."""
    home = CsopsHome(tmp_path)
    home.warehouse.parent.mkdir(parents=True, exist_ok=True)
    passed = [CheckOutcome("crm/tickets", "reconciliation", "error", True, "ok")]
    with duckdb.connect(str(home.warehouse)) as con:
        record(con, "build-1", "publication_gate", passed)
        record(con, "load-2", "reconciliation", passed)
        record_step_failure(con, StepFailure("load-3", "load_landing_days", "load_surveys",
                                             datetime.now() + timedelta(seconds=1), "BinderException: no column"))
    report = audit_report(home)
    assert report.has_failures
    assert report.lines[1] == "runs: load-2, load-3"
    assert "  FAILED  load-3 load_surveys: BinderException: no column" in report.lines


def test_a_run_that_could_not_open_the_warehouse_is_reported_from_beside_it(tmp_path):
    """The hook keeps the failure beside the warehouse when it cannot open it (another process
    holds it); the audit reads it there, even before any warehouse exists."""
    home = CsopsHome(tmp_path)
    append_step_failure(home, StepFailure("load-1", "load_landing_days", "load_crm", datetime.now(),
                                          "IOException: IO Error: Could not set lock on file"))
    report = audit_report(home)
    assert report.has_failures and report.lines[1] == "runs: load-1"
    assert "  FAILED  load-1 load_crm: IOException: IO Error: Could not set lock on file" in report.lines


def test_a_run_that_failed_outside_any_step_is_the_latest_and_failed(tmp_path):
    """Issue 15: a build published; then a `csops run` that failed before any Dagster run (a landing
    folder it could not read, a full disk) recorded only its end. The audit reports that run, with
    its error, not the build before, and fails; so does a run recorded as running whose process
    is gone (killed)."""
    home = CsopsHome(tmp_path)
    home.warehouse.parent.mkdir(parents=True, exist_ok=True)
    passed = [CheckOutcome("published_marts", "no blocking check failed", "error", True, "none")]
    with duckdb.connect(str(home.warehouse)) as con:
        record(con, "build-1", "publication_gate", passed)
    started_at = start_run(home, "csops-run-2")
    end_run(home, started_at, "csops-run-2", "failed", "ValueError: a landing folder named 2026-02-30")
    report = audit_report(home)
    assert report.has_failures
    assert report.lines[1] == "runs: csops-run-2"
    assert any(line.startswith("Latest csops run csops-ru: started ") and
               "FAILED: ValueError: a landing folder named 2026-02-30" in line for line in report.lines), report.lines
    assert "Published for the app" not in report.text() and "Not published" in report.text()

    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    start_run(home, "csops-run-3")
    meta = json.loads((home.published / "last_run.json").read_text())
    (home.published / "last_run.json").write_text(json.dumps({**meta, "pid": killed.pid}))
    assert read_last_run(home).is_alive  # running: not (yet) a failure
    killed.kill()
    killed.wait()
    report = audit_report(home)
    assert report.has_failures
    assert any("stopped without recording its end" in line for line in report.lines), report.lines
