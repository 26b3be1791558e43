"""The audit trail as published beside the marts: loads, rejected rows, every check's result.

A rejected row's reason and a check's observed values quote what was in the file (a score
field that held an email, a contact reference that held a phone number): everything shown
from them passes through :func:`csops.kernel.redaction.redact` first, here, whatever the loader and
the checks wrote (and publications made before they redacted).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import frame, has_table
from csops.kernel.publication import Publication
from csops.kernel.redaction import redact


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
    """Rejected rows grouped by table and reason (the reason without the value it quotes, redacted)."""
    reasons = frame(publication, """
        select raw_table, regexp_replace(reason, ':\\s.*$', '') as reason_kind, count(*) as rejected_row_count,
            -- A record's place: its line, and its place in the file where a line holds several
            -- (a Firehose object, an API page).
            min(source_file || ':' || line_number
                || coalesce(case when record_number != line_number then ' #' || record_number end, ''))
                as first_example
        from audit.rejected_rows
        where landing_date between $start_date and $end_date
        group by all
    """, {"start_date": start_date, "end_date": end_date})
    # A kind can still hold a value (a reason with no ": " before it): two kinds that differ
    # only in what redaction takes out are one row.
    reasons = reasons.assign(reason_kind=reasons["reason_kind"].map(redact))
    reasons = (reasons.groupby(["raw_table", "reason_kind"], as_index=False, dropna=False)
               .agg(rejected_row_count=("rejected_row_count", "sum"), first_example=("first_example", "min")))
    return reasons.sort_values(["rejected_row_count", "raw_table", "reason_kind"], ascending=[False, True, True],
                               ignore_index=True)


def rejected_rows(publication: Publication, raw_table: str, reason_kind: str, start_date: date,
                  end_date: date) -> pd.DataFrame:
    """The rejected rows of one table and reason kind (as :func:`rejections_by_reason` shows it),
    their reasons redacted."""
    rows = frame(publication, """
        select source_file, line_number, record_number, landing_date, reason, run_id,
            regexp_replace(reason, ':\\s.*$', '') as reason_kind
        from audit.rejected_rows
        where raw_table = $raw_table and landing_date between $start_date and $end_date
        order by source_file, record_number, line_number
    """, {"raw_table": raw_table, "start_date": start_date, "end_date": end_date})
    rows = rows[rows["reason_kind"].map(redact) == redact(reason_kind)].drop(columns="reason_kind")
    rows = rows.assign(reason=rows["reason"].map(redact)).reset_index(drop=True)
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
    """Every check of one run, failures first; what was observed, redacted (a check can quote
    the values it found, such as a contact reference someone typed)."""
    checks = frame(publication, """
        select check_source, asset, check_name, severity, is_passed, observed, report_path
        from audit.quality_results
        where run_id = $run_id
        order by is_passed, severity = 'error' desc, check_source, asset, check_name
    """, {"run_id": run_id})
    return checks.assign(observed=checks["observed"].map(redact))


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


def pseudonym_key(publication: Publication) -> dict | None:
    """The key this publication's customers were hashed with (audit.pseudonym_keys, recorded by
    csops.kernel.pseudonym_key with each build): its fingerprint, whether it is the public demo key,
    and whether it differs from the build before (then no customer_key matches the previous
    publication's). None for a publication made before keys were recorded."""
    if "pseudonym_keys" not in publication.audit_tables:
        return None
    keys = frame(publication, """
        select run_id, key_fingerprint, is_demo_key,
            lag(key_fingerprint) over (order by recorded_at, run_id) as previous_key_fingerprint
        from audit.pseudonym_keys
        qualify run_id = $run_id or (recorded_at, run_id) = max((recorded_at, run_id)) over ()
        order by run_id = $run_id desc
        limit 1
    """, {"run_id": publication.run_id})
    if keys.empty:
        return None
    row = keys.iloc[0]
    previous = row["previous_key_fingerprint"]
    return {"key_fingerprint": row["key_fingerprint"], "is_demo_key": bool(row["is_demo_key"]),
            "is_key_changed": isinstance(previous, str) and previous != row["key_fingerprint"]}
