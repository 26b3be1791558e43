"""The audit trail as published beside the marts: loads, rejected rows, every check's result."""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.data import frame, has_table
from csops.publication import Publication


def has_audit(publication: Publication) -> bool:
    return {"load_log", "rejected_rows", "quality_results"} <= set(publication.audit_tables)


def loads_by_day(publication: Publication, start_date: date, end_date: date) -> pd.DataFrame:
    """Per landing day and source: files, rows read = loaded + rejected (audit.load_log)."""
    return frame(publication, """
        select landing_date, source, count(*) as file_count, sum(rows_read) as rows_read,
            sum(rows_loaded) as rows_loaded, sum(rows_rejected) as rows_rejected,
            sum(rows_read) = sum(rows_loaded) + sum(rows_rejected) as is_reconciled,
            max(run_id) as load_run_id
        from audit.load_log
        where landing_date between $start_date and $end_date
        group by landing_date, source
        order by landing_date desc, source
    """, {"start_date": start_date, "end_date": end_date})


def rejections_by_reason(publication: Publication, start_date: date, end_date: date) -> pd.DataFrame:
    """Rejected rows grouped by table and reason (the reason without the value it quotes)."""
    return frame(publication, """
        select raw_table, regexp_replace(reason, ':\\s.*$', '') as reason_kind, count(*) as rejected_row_count,
            -- A record's place: its line, and its place in the file where a line holds several
            -- (a Firehose object, an API page).
            min(source_file || ':' || line_number
                || coalesce(case when record_number != line_number then ' #' || record_number end, ''))
                as first_example
        from audit.rejected_rows
        where landing_date between $start_date and $end_date
        group by all
        order by rejected_row_count desc, raw_table, reason_kind
    """, {"start_date": start_date, "end_date": end_date})


def rejected_rows(publication: Publication, raw_table: str, reason_kind: str, start_date: date,
                  end_date: date) -> pd.DataFrame:
    rows = frame(publication, """
        select source_file, line_number, record_number, landing_date, reason, run_id
        from audit.rejected_rows
        where raw_table = $raw_table and regexp_replace(reason, ':\\s.*$', '') = $reason_kind
            and landing_date between $start_date and $end_date
        order by source_file, record_number, line_number
    """, {"raw_table": raw_table, "reason_kind": reason_kind, "start_date": start_date, "end_date": end_date})
    rows.attrs["total_count"] = len(rows)
    return rows


def runs(publication: Publication) -> pd.DataFrame:
    """Each run's checks at a glance, newest first."""
    return frame(publication, """
        select run_id, min(checked_at) as first_checked_at,
            count(*) filter (where is_passed) as passed_count,
            count(*) filter (where not is_passed and severity = 'error') as blocking_failure_count,
            count(*) filter (where not is_passed and severity <> 'error') as warning_count,
            bool_or(check_source in ('dbt', 'publication_gate')) as is_build,
            bool_or(check_source = 'publication_gate' and is_passed) as is_published
        from audit.quality_results
        group by run_id
        order by first_checked_at desc
    """)


def checks(publication: Publication, run_id: str) -> pd.DataFrame:
    """Every check of one run, failures first."""
    return frame(publication, """
        select check_source, asset, check_name, severity, is_passed, observed, report_path
        from audit.quality_results
        where run_id = $run_id
        order by is_passed, severity = 'error' desc, check_source, asset, check_name
    """, {"run_id": run_id})


def reconciliation(publication: Publication, start_date: date, end_date: date,
                   channels: tuple[str, ...]) -> pd.DataFrame | None:
    """Contacts counted in staging, the fact and the mart, by day and channel."""
    if not has_table(publication, "reconciliation_contacts_daily"):
        return None
    return frame(publication, """
        select * from marts.reconciliation_contacts_daily
        where contact_date between $start_date and $end_date and list_contains($channels, channel)
        order by contact_date desc, channel
    """, {"start_date": start_date, "end_date": end_date, "channels": channels})
