"""Page: data quality, for auditors. What was loaded and rejected, every check of the latest
runs, and the Data Docs; all read from the audit trail published beside the marts."""

from __future__ import annotations

import streamlit as st

from csops.app import components, data, filters, quality_docs
from csops.app.data import quality

TITLE = "Data quality"
URL_PATH = "data-quality"

NO_AUDIT = ("This publication carries no audit trail (publications made before csops published it). "
            "Run `csops run` again; `csops audit` reads the warehouse meanwhile.")


def render() -> None:
    st.title(TITLE)
    page = components.start_page()
    if page is None:
        return
    publication, chosen = page
    _render_latest_run(publication)
    if not quality.has_audit(publication):
        st.info(NO_AUDIT)
        return
    _render_runs(publication)
    _render_loads(publication, chosen)
    _render_reconciliation(publication, chosen)


def _render_latest_run(publication) -> None:
    """How the latest run ended, however it ended (published/last_run.json): the table below holds
    only the runs this publication's audit trail knows."""
    last_run = data.last_run()
    if last_run is None:
        return
    text = f"Latest run `{last_run.run_id[:8]}` ({last_run.at[:16].replace('T', ' ')} UTC): {last_run.status()}."
    if last_run.outcome == "published":
        st.success(text)
    elif last_run.is_failed:
        st.error(f"{text} These pages show the run `{publication.run_id[:8]}`; `csops audit` has the details.")
    else:
        st.info(text)


def _render_runs(publication) -> None:
    st.subheader("Checks of the latest runs")
    url = quality_docs.data_docs_url()
    st.caption("Every check of every run: reconciliation of each loaded file, each Great Expectations "
               "expectation (raw, staging, marts), each dbt test, the publication gate. An error blocks the "
               "publication; a warning is reported only."
               + (f" The expectations' full detail: [Great Expectations Data Docs]({url})." if url else ""))
    runs = quality.runs(publication)
    components.table(runs, file_name="runs", key="runs", column_config={
        "run_id": st.column_config.TextColumn("Run"),
        "first_recorded_at": st.column_config.DatetimeColumn("First record (UTC)", format="YYYY-MM-DD HH:mm"),
        "is_build": st.column_config.CheckboxColumn("Build"),
        "is_published": st.column_config.CheckboxColumn("Published"),
        "passed_count": st.column_config.NumberColumn("Passed"),
        "blocking_failure_count": st.column_config.NumberColumn("Blocking failures"),
        "warning_count": st.column_config.NumberColumn("Warnings"),
    })
    if runs.empty:
        return
    run_id = st.selectbox("Checks of run", runs["run_id"], key="quality_run",
                          format_func=lambda run: f"{run[:8]} ({'build' if runs.set_index('run_id').loc[run, 'is_build'] else 'load'})")
    checks = quality.checks(publication, run_id)
    failing = checks[~checks["is_passed"]]
    st.caption(f"{len(checks):,} checks, {int((~checks['is_passed']).sum())} not passed.")
    components.table(failing if not failing.empty else checks, file_name=f"checks_{run_id[:8]}", key="checks",
                     caption="Failed checks, with what was observed:" if not failing.empty else "Every check passed.")


def _render_loads(publication, chosen: filters.Filters) -> None:
    st.subheader("Loads: rows read = loaded + rejected")
    loads = quality.loads_by_day(publication, chosen.start_date, chosen.end_date)
    unreconciled = int((~loads["is_reconciled"]).sum()) if not loads.empty else 0
    st.caption(f"Landing days {chosen.start_date} to {chosen.end_date}: {len(loads):,} source-days, "
               f"{int(loads['rows_read'].sum()) if not loads.empty else 0:,} rows read, "
               f"{int(loads['rows_rejected'].sum()) if not loads.empty else 0:,} rejected; "
               f"{unreconciled} source-days that do not add up.")
    components.table(loads, file_name="loads", key="loads")
    st.subheader("Rejected rows by reason")
    reasons = quality.rejections_by_reason(publication, chosen.start_date, chosen.end_date)
    if reasons.empty:
        st.info("No row was rejected on these landing days.")
        return
    components.table(reasons, file_name="rejections_by_reason", key="reasons")
    components.drill_down(
        reasons, key="rejections", what="rejected rows", file_name="rejected_rows",
        label=lambda row: f"{row['raw_table']}: {row['reason_kind']} ({row['rejected_row_count']})",
        records=lambda row: quality.rejected_rows(publication, row["raw_table"], row["reason_kind"],
                                                  chosen.start_date, chosen.end_date))


def _render_reconciliation(publication, chosen: filters.Filters) -> None:
    rows = quality.reconciliation(publication, chosen.start_date, chosen.end_date, chosen.channels)
    if rows is None:
        return
    st.subheader("Contacts: staging = fact = mart")
    off = int((~rows["is_reconciled"]).sum()) if not rows.empty else 0
    components.table(rows, file_name="reconciliation_contacts_daily", key="reconciliation",
                     caption=f"{len(rows):,} channel-days; {off} where the counts differ.")


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
