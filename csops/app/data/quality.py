"""The audit trail as published beside the marts: loads, rejected rows, every check's result.

Asked through csops.audit.trail, the questions ``csops audit`` asks of the warehouse, on the
publication's copy of the audit tables: the same rejected rows fall in the same kinds of reason
with the same counts on the page as in the report. A rejected row's reason and a check's
observed values quote what was in the file (a score field that held an email, a contact
reference that held a phone number): everything shown from them passes through
:func:`csops.kernel.redaction.redact` first (the trail redacts reasons; observed values here).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import frame, has_table
from csops.audit import trail
from csops.kernel.publication import Publication
from csops.kernel.redaction import redact


def has_audit(publication: Publication) -> bool:
    return {"load_log", "rejected_rows", "quality_results"} <= set(publication.audit_tables)


def _query(publication: Publication) -> trail.Query:
    return lambda sql, parameters=None: frame(publication, sql, parameters)


def loads_by_day(publication: Publication, start_date: date, end_date: date) -> pd.DataFrame:
    """Per landing day and source: files, rows read = loaded + rejected (audit.load_log)."""
    loads = trail.loads(_query(publication), ["landing_date", "source"], start_date=start_date, end_date=end_date)
    return loads[["landing_date", "source", "file_count", "rows_read", "rows_loaded", "rows_rejected",
                  "is_reconciled", "load_run_id"]]


def rejections_by_reason(publication: Publication, start_date: date, end_date: date) -> pd.DataFrame:
    """Rejected rows by table and kind of reason, most first, with the first one's place."""
    reasons = trail.rejections_by_reason(_query(publication), start_date=start_date, end_date=end_date)
    return reasons[["raw_table", "reason_kind", "rejected_row_count", "first_example"]]


def rejected_rows(publication: Publication, raw_table: str, reason_kind: str, start_date: date,
                  end_date: date) -> pd.DataFrame:
    """The rejected rows of one table and reason kind (as :func:`rejections_by_reason` names it)."""
    rows = trail.rejected_rows(_query(publication), start_date=start_date, end_date=end_date, raw_table=raw_table,
                               reason_kind=reason_kind)
    rows = rows[["source_file", "line_number", "record_number", "landing_date", "reason", "run_id"]]
    rows.attrs["total_count"] = len(rows)
    return rows


def runs(publication: Publication) -> pd.DataFrame:
    """Each run's checks at a glance, newest first (the publication carries no step failures:
    ``csops audit`` reports the runs that stopped)."""
    return trail.run_history(_query(publication), has_step_failures=False).drop(columns="is_stopped")


def checks(publication: Publication, run_id: str) -> pd.DataFrame:
    """Every check of one run, failures first; what was observed, redacted (a check can quote
    the values it found, such as a contact reference someone typed)."""
    found = trail.check_results(_query(publication), [run_id]).drop(columns="run_id")
    return found.assign(observed=found["observed"].map(redact))


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
