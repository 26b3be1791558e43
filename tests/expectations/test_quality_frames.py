"""The frames the raw and mart suites read (csops/orchestration/raw_frames.py, model_frames.py), on small real
DuckDB tables."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from csops.orchestration.model_frames import MART_FRAMES
from csops.orchestration.raw_frames import raw_frame_sql, raw_freshness_sql
from csops.orchestration.raw_tables import RAW_TABLES
from csops.quality.validation import validate_dataframe

CONTACT_RECORDS = next(t for t in RAW_TABLES if t.table_name == "telephony_contact_records")
DAY = date(2026, 3, 2)


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        connection.execute("create schema raw; create schema audit; create schema marts")
        columns = ", ".join(f'"{name}" {kind}' for name, kind in CONTACT_RECORDS.columns)
        connection.execute(f"create table raw.telephony_contact_records ({columns}, _source_file varchar, "
                           "_source_line bigint, _source_record bigint, _landing_date date)")
        yield connection


def add_record(con, contact_id: str, day: date, line: int, initiated: str, disconnected: str, updated: str) -> None:
    con.execute("""insert into raw.telephony_contact_records
                   ("ContactId", "Channel", "InitiationMethod", "InitiationTimestamp", "DisconnectTimestamp",
                    "LastUpdateTimestamp", _source_file, _source_line, _source_record, _landing_date)
                   values (?, 'VOICE', 'INBOUND', ?, ?, ?, ?, ?, ?, ?)""",
                [contact_id, initiated, disconnected, updated, f"telephony/{day}/contact_records.jsonl", line, line, day])


def validate_contact_records(con, tmp_path, days):
    frame = con.execute(raw_frame_sql(CONTACT_RECORDS), {"days": days}).df()
    return frame, validate_dataframe(frame, "raw.telephony_contact_records", tmp_path, "run-1")


def failed(result) -> dict[str, str]:
    return {f"{o.expectation_type}({', '.join(o.columns)})": o.observed for o in result.failed}


def test_a_record_delivered_again_as_it_was_is_one_version(con, tmp_path):
    for day, line in ((DAY, 1), (DAY + timedelta(days=1), 7)):  # Connect delivers at least once
        add_record(con, "c-1", day, line, "2026-03-02T10:00:00Z", "2026-03-02T10:05:00Z", "2026-03-02T10:06:00Z")
    frame, result = validate_contact_records(con, tmp_path, [DAY, DAY + timedelta(days=1)])
    assert len(frame) == 1 and frame["landing_date"].iloc[0].date() == DAY
    assert result.success and not result.failed, failed(result)


def test_two_versions_that_disagree_block_and_are_named_by_line(con, tmp_path):
    add_record(con, "c-1", DAY, 4, "2026-03-02T10:00:00Z", "2026-03-02T10:05:00Z", "2026-03-02T10:06:00Z")
    add_record(con, "c-1", DAY, 5, "2026-03-02T10:00:00Z", "2026-03-02T10:09:00Z", "2026-03-02T10:06:00Z")
    _, result = validate_contact_records(con, tmp_path, [DAY])
    assert not result.success
    observed = failed(result)["expect_compound_columns_to_be_unique(ContactId, LastUpdateTimestamp)"]
    assert "telephony/2026-03-02/contact_records.jsonl:4" in observed
    assert "telephony/2026-03-02/contact_records.jsonl:5" in observed


def test_a_contact_that_ends_before_it_starts_blocks(con, tmp_path):
    add_record(con, "c-1", DAY, 3, "2026-03-02T10:00:00Z", "2026-03-02T09:10:00Z", "2026-03-02T10:06:00Z")
    _, result = validate_contact_records(con, tmp_path, [DAY])
    assert not result.success
    assert set(failed(result)) == {"expect_column_pair_values_a_to_be_greater_than_b(disconnected_at, initiated_at)"}


def test_a_timestamp_far_from_its_landing_day_blocks(con, tmp_path):
    """A clock a year off (or a file in the wrong day's folder): the record is well-formed, its day is not."""
    add_record(con, "c-1", DAY, 3, "2025-03-02T10:00:00Z", "2025-03-02T10:05:00Z", "2026-03-02T10:06:00Z")
    _, result = validate_contact_records(con, tmp_path, [DAY])
    assert not result.success
    assert "expect_column_pair_values_a_to_be_greater_than_b(initiated_at, initiated_at_earliest_plausible)" in failed(result)


def test_a_source_that_stopped_delivering_warns(con, tmp_path):
    con.execute("create table audit.load_log (source varchar, raw_table varchar, landing_date date)")
    con.execute("insert into audit.load_log values ('telephony', 'telephony_contact_records', ?), "
                "('telephony', 'telephony_contact_records', ?), ('telephony', 'telephony_agent_events', ?)",
                [DAY, DAY + timedelta(days=1), DAY])
    # The agent events' stream wrote nothing the second day (no agent logged in): its source did.
    parameters = {"table": "telephony_agent_events"}
    on_time = con.execute(raw_freshness_sql(), {**parameters, "newest_landing_date": DAY + timedelta(days=1)}).df()
    assert validate_dataframe(on_time, "raw.landing_freshness", tmp_path, "run-1").failed == ()
    behind = con.execute(raw_freshness_sql(), {**parameters, "newest_landing_date": DAY + timedelta(days=4)}).df()
    result = validate_dataframe(behind, "raw.landing_freshness", tmp_path, "run-2")
    assert result.success and result.warnings == 1  # reported, not blocking
    assert "3" in result.failed[0].observed


def test_a_day_far_below_its_trailing_weekdays_warns(con, tmp_path):
    """The mart states each day's volume against the same weekday of the four weeks before (its
    unit tests check the ratio); the check reads it as it is and warns, never blocks."""
    con.execute("""create table marts.reconciliation_contacts_daily (contact_date date, channel varchar,
                   staged_contact_count bigint, fact_contact_count bigint, mart_contact_count bigint,
                   ivr_only_call_count bigint, is_reconciled boolean, volume_ratio_to_trailing_mean double)""")
    con.execute("insert into marts.reconciliation_contacts_daily values "
                "(?, 'phone', 100, 100, 100, 0, true, null), (?, 'phone', 30, 30, 30, 0, true, 0.3)",
                [DAY, DAY + timedelta(weeks=4)])
    frame = con.execute(MART_FRAMES["reconciliation_contacts_daily"]).df()
    result = validate_dataframe(frame, "marts.reconciliation_contacts_daily", tmp_path, "run-1")
    assert result.success and result.warnings == 1
    assert "0.3" in failed(result)["expect_column_values_to_be_between(volume_ratio_to_trailing_mean)"]


# --- Zendesk: a backfill or a daily delta, told apart by the span of the export's cursor --------

TICKETS = next(t for t in RAW_TABLES if t.table_name == "crm_tickets")
AUDITS = next(t for t in RAW_TABLES if t.table_name == "crm_ticket_audits")


@pytest.fixture
def crm(con):
    for table in (TICKETS, AUDITS):
        columns = ", ".join(f'"{name}" {kind}' for name, kind in table.columns)
        con.execute(f"create table raw.{table.table_name} ({columns}, _source_file varchar, "
                    "_source_line bigint, _source_record bigint, _landing_date date)")
    return con


def add_ticket(con, ticket_id: int, day: date, line: int, created: str, updated: str, status: str = "open") -> None:
    # priority and type null, as Zendesk leaves them on most tickets
    con.execute("""insert into raw.crm_tickets (id, created_at, updated_at, status, priority, type, via,
                       _source_file, _source_line, _landing_date)
                   values (?, ?, ?, ?, null, null, '{"channel": "email"}', ?, ?, ?)""",
                [ticket_id, created, updated, status, f"crm/{day}/tickets.json", line, day])


def add_audit(con, audit_id: int, ticket_id: int, day: date, line: int, created: str) -> None:
    con.execute("""insert into raw.crm_ticket_audits (id, ticket_id, created_at, author_id, via, events,
                       _source_file, _source_line, _landing_date)
                   values (?, ?, ?, -1, '{"channel": "rule"}', '[]', ?, ?, ?)""",
                [audit_id, ticket_id, created, f"crm/{day}/ticket_audits.json", line, day])


def validate_crm(con, tmp_path, table, days):
    frame = con.execute(raw_frame_sql(table), {"days": days}).df()
    return frame, validate_dataframe(frame, f"raw.{table.table_name}", tmp_path, "run-1")


def two_years_of_history(con, day: date) -> None:
    """A first export: every ticket of two years, each as it last changed, in one delivery."""
    for n in range(25):
        month = date(2024, 3, 1) + timedelta(days=30 * n)
        add_ticket(con, 1000 + n, day, n + 1, f"{month}T09:00:00Z", f"{month + timedelta(days=3)}T17:00:00Z",
                   "closed" if n % 5 else "deleted")
        add_audit(con, 5000 + n, 1000 + n, day, n + 1, f"{month + timedelta(days=3)}T17:00:00Z")


def test_a_first_export_of_two_years_is_a_backfill_and_passes(crm, tmp_path):
    two_years_of_history(crm, DAY)
    frame, result = validate_crm(crm, tmp_path, TICKETS, [DAY])
    assert frame["is_backfill_delivery"].all() and frame["delivery_cursor_span_days"].max() > 700
    assert result.success and not result.failed, failed(result)
    frame, result = validate_crm(crm, tmp_path, AUDITS, [DAY])
    assert frame["is_backfill_delivery"].all()
    assert result.success and not result.failed, failed(result)


def test_a_daily_delta_of_tickets_created_long_ago_passes(crm, tmp_path):
    """Today's updates of tickets opened years ago: a delta (its updated_at span one day)."""
    for n, created in enumerate(("2023-05-04T10:00:00Z", "2025-11-30T08:00:00Z", "2026-03-02T08:00:00Z")):
        add_ticket(crm, 2000 + n, DAY, n + 1, created, f"2026-03-02T{10 + n}:00:00Z")
        add_audit(crm, 6000 + n, 2000 + n, DAY, n + 1, f"2026-03-02T{10 + n}:00:00Z")
    frame, result = validate_crm(crm, tmp_path, TICKETS, [DAY])
    assert not frame["is_backfill_delivery"].any()
    assert result.success and not result.failed, failed(result)
    _, result = validate_crm(crm, tmp_path, AUDITS, [DAY])
    assert result.success and not result.failed, failed(result)


def test_a_change_dated_after_its_delivery_day_blocks_a_backfill_and_a_delta(crm, tmp_path):
    """A wrong clock: an export cannot hold a change not made yet, however much history it has."""
    two_years_of_history(crm, DAY)
    add_ticket(crm, 1999, DAY, 26, "2026-02-20T09:00:00Z", "2026-03-10T09:00:00Z")
    later = DAY + timedelta(days=1)
    add_ticket(crm, 2999, later, 1, "2026-03-03T09:00:00Z", "2026-03-03T09:30:00Z")
    add_ticket(crm, 3000, later, 2, "2026-03-03T09:00:00Z", "2026-03-07T09:30:00Z")
    frame, result = validate_crm(crm, tmp_path, TICKETS, [DAY, later])
    assert dict(zip(frame["landing_date"].dt.date, frame["is_backfill_delivery"])) == {DAY: True, later: False}
    assert not result.success
    observed = failed(result)["expect_column_pair_values_a_to_be_greater_than_b(updated_at_latest_plausible, updated_at)"]
    assert f"crm/{DAY}/tickets.json:26" in observed and f"crm/{later}/tickets.json:2" in observed


def test_a_narrow_delivery_of_old_changes_still_blocks(crm, tmp_path):
    """A day's changes from a month ago, in today's folder: no backfill (it spans hours), a wrong folder."""
    add_audit(crm, 7000, 2000, DAY, 1, "2026-01-30T10:00:00Z")
    add_audit(crm, 7001, 2001, DAY, 2, "2026-01-30T16:00:00Z")
    frame, result = validate_crm(crm, tmp_path, AUDITS, [DAY])
    assert not frame["is_backfill_delivery"].any()
    assert not result.success
    assert set(failed(result)) == {
        "expect_column_pair_values_a_to_be_greater_than_b(created_at, created_at_earliest_plausible)"}


def test_a_time_before_zendesk_existed_blocks_even_a_backfill(crm, tmp_path):
    """A zeroed clock (1970-01-01) is no history."""
    two_years_of_history(crm, DAY)
    add_ticket(crm, 1998, DAY, 26, "1970-01-01T00:00:00Z", "2025-06-01T10:00:00Z")
    _, result = validate_crm(crm, tmp_path, TICKETS, [DAY])
    assert not result.success
    assert set(failed(result)) == {
        "expect_column_pair_values_a_to_be_greater_than_b(created_at, created_at_earliest_plausible)"}
