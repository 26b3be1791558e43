"""Issue 16: `csops audit` and the app's data-quality page read the audit trail through one reader
(csops/audit/trail.py), so the same rejected rows fall in the same kinds of reason, with the same
counts, and the same runs show the same checks, in both.

A home written by hand: a warehouse whose audit trail holds a load run (with rejected rows whose
reasons fail one check or several, quote a value, or, loaded before the loader redacted its
reasons, an email) and a build run, published as a `csops run` publishes it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import duckdb
import pytest

from csops.app.data import quality
from csops.audit.report import audit_report
from csops.kernel.last_run import end_run, start_run
from csops.kernel.paths import CsopsHome
from csops.kernel.publication import publish, read_current
from csops.orchestration.audit_trail import ensure_audit_tables
from csops.orchestration.quality_record import CheckOutcome, record

DAY = date(2026, 3, 2)
LOAD, BUILD = "load-run-1", "build-run-2"
TICKETS = f"crm/{DAY}/tickets.jsonl"
EVENTS = f"telephony/agent-events/2026/03/02/09/csops-connect-agent-events-{DAY}.gz"
# (source, raw table, file, line, record, reason)
REJECTED = [
    ("crm", "crm_tickets", TICKETS, 3, 3, 'missing required field "id"'),
    ("crm", "crm_tickets", TICKETS, 9, 9, 'missing required field "id"'),
    # Two checks failed: a kind of its own, not the first check's.
    ("crm", "crm_tickets", TICKETS, 12, 12,
     "missing required field \"id\"; field \"created_at\" is not a timestamp: 'yesterday'"),
    ("crm", "crm_tickets", TICKETS, 14, 14, "field \"created_at\" is not a timestamp: 'soon'"),
    ("crm", "crm_tickets", TICKETS, 15, 15, "field \"created_at\" is not a timestamp: 'later'"),
    # Loaded before the loader redacted its reasons: the same kind as the redacted one once shown.
    ("crm", "crm_tickets", TICKETS, 20, 20, 'unknown channel "jane@example.com": add it to seeds/channel_map.csv'),
    ("crm", "crm_tickets", TICKETS, 21, 21, 'unknown channel "[email]": add it to seeds/channel_map.csv'),
    ("telephony", "telephony_agent_events", EVENTS, 1, 4, "timestamp without a timezone: \"EventTimestamp\" = "
                                                         "'2026-03-02 09:00:00'"),
]
EXPECTED_KINDS = {
    ("crm_tickets", 'missing required field "id"', 2),
    ("crm_tickets", 'missing required field "id"; field "created_at" is not a timestamp', 1),
    ("crm_tickets", 'field "created_at" is not a timestamp', 2),
    ("crm_tickets", 'unknown channel "[email]"', 2),
    ("telephony_agent_events", "timestamp without a timezone", 1),
}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> CsopsHome:
    home = CsopsHome(tmp_path_factory.mktemp("trail"))
    started_at = start_run(home, "csops-run")
    with duckdb.connect(str(home.warehouse)) as con:
        ensure_audit_tables(con)
        loaded_at = datetime(2026, 3, 3, 6)
        for source, raw_table, source_file, read in (("crm", "crm_tickets", TICKETS, 40),
                                                      ("telephony", "telephony_agent_events", EVENTS, 10)):
            rejected = sum(row[1] == raw_table for row in REJECTED)
            con.execute("insert into audit.load_log values (?, ?, ?, ?, ?, 'sha', 1, 1, ?, ?, ?, ?, ?)",
                        [LOAD, source, raw_table, source_file, DAY, read, read - rejected, rejected, loaded_at,
                         loaded_at])
        con.executemany("insert into audit.rejected_rows values (?, ?, ?, ?, ?, ?, ?, 'the raw text', ?)",
                        [(LOAD, source, table, name, DAY, line, number, reason)
                         for source, table, name, line, number, reason in REJECTED])
        record(con, LOAD, "reconciliation", [CheckOutcome("crm/tickets", "reconciliation", "error", True, "ok")])
        record(con, BUILD, "dbt", [CheckOutcome("dbt", "not_null_fct_contacts_contact_id", "error", True, "pass"),
                                   CheckOutcome("dbt", "accepted_values_channel", "warn", False, "1 failing rows")])
        record(con, BUILD, "publication_gate", [CheckOutcome("published_marts", "no blocking check failed",
                                                             "error", True, "none")])
        con.execute("create schema marts; create table marts.dim_channels as select 'phone' as channel")
        publish(home, con, BUILD)
    end_run(home, started_at, BUILD, "published", dagster_runs=(LOAD, BUILD))
    return home


def report_kinds(text: str) -> set[tuple[str, str, int]]:
    return {(table, kind, int(count.replace(",", "")))
            for table, count, kind in re.findall(r"^    (\w+): ([\d,]+) x (.+)$", text, flags=re.MULTILINE)}


def test_the_report_and_the_page_group_rejected_rows_alike(home):
    report = audit_report(home).text()
    page = quality.rejections_by_reason(read_current(home), DAY, DAY)
    shown = set(zip(page["raw_table"], page["reason_kind"], page["rejected_row_count"]))
    assert report_kinds(report) == shown == EXPECTED_KINDS
    assert "jane@example.com" not in report and "jane@example.com" not in page.to_string()
    # The report's examples and the page's first example name a Firehose record by its place in the object.
    assert f"      {EVENTS}:1 #4: timestamp without a timezone" in report
    assert f"{EVENTS}:1 #4" in set(page["first_example"])


def test_the_page_drills_down_to_the_rows_of_a_kind(home):
    publication = read_current(home)
    for table, kind, count in EXPECTED_KINDS:
        rows = quality.rejected_rows(publication, table, kind, DAY, DAY)
        assert len(rows) == count, (table, kind)
        assert "raw_text" not in rows.columns


def test_the_report_and_the_page_count_each_runs_checks_alike(home):
    report = audit_report(home).text()
    listed = dict(re.findall(r"^  (\S{8})  .* UTC  .*?(\d+ passed, +\d+ failed, +\d+ warnings)$", report,
                             flags=re.MULTILINE))
    page = quality.runs(read_current(home))
    assert {run_id[:8] for run_id in page["run_id"]} == set(listed) == {LOAD[:8], BUILD[:8]}
    for run in page.itertuples(index=False):
        assert re.split(r",? +", listed[run.run_id[:8]]) == [
            str(run.passed_count), "passed", str(run.blocking_failure_count), "failed", str(run.warning_count),
            "warnings"]
    assert page.set_index("run_id").loc[BUILD, ["is_build", "is_published", "warning_count"]].tolist() == [True, True, 1]
