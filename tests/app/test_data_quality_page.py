"""The data-quality page on the pipeline's publication: its runs, loads and reconciliation are
the published audit trail's rows, under the sidebar's date filter."""

from __future__ import annotations

from datetime import timedelta

from tests.app.pages import open_page, read_published, sidebar_filters, table_with, widget

PAGE = "views/data_quality.py"


def test_the_runs_and_their_checks_are_the_audit_trails(pipeline_app_home):
    app = open_page(PAGE)
    runs = table_with(app, "run_id", "blocking_failure_count")
    expected = read_published(pipeline_app_home, "select run_id, count(*) as checks from audit.quality_results "
                                                 "group by run_id")
    assert set(runs["run_id"]) == set(expected["run_id"])
    assert int(runs["blocking_failure_count"].sum()) == 0
    build = runs[runs["is_build"]].iloc[0]
    assert build["is_published"]
    widget(app.selectbox, "Checks of run").set_value(build["run_id"]).run()
    checks = table_with(app, "check_source", "check_name")
    (count,) = expected.loc[expected["run_id"] == build["run_id"], "checks"]
    assert len(checks) == count  # every check passed: the table lists them all
    assert {"dbt", "great_expectations", "publication_gate"} <= set(checks["check_source"])


def test_the_loads_follow_the_date_filter(pipeline_app_home):
    app = open_page(PAGE)
    first, last = read_published(pipeline_app_home, "select min(landing_date) as first_date, "
                                                    "max(landing_date) as last_date from audit.load_log").iloc[0]
    sidebar_filters(app, dates=(first + timedelta(days=2), first + timedelta(days=4)))
    loads = table_with(app, "landing_date", "rows_read")
    expected = read_published(pipeline_app_home, """
        select landing_date, source, sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded
        from audit.load_log where landing_date between $a and $b group by all
    """, {"a": first + timedelta(days=2), "b": first + timedelta(days=4)})
    shown = loads.set_index(["landing_date", "source"]).sort_index()
    wanted = expected.set_index(["landing_date", "source"]).sort_index()
    assert list(shown.index) == list(wanted.index) and len(shown) == 9  # 3 days x 3 sources
    assert (shown["rows_read"] == wanted["rows_read"]).all() and shown["is_reconciled"].all()
    reconciliation = table_with(app, "staged_contact_count")
    assert reconciliation["is_reconciled"].all() and len(reconciliation) > 0
