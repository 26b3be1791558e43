"""``csops run`` through Dagster: every asset, dbt tests as checks, GX, publication, history."""

from __future__ import annotations

import os

import duckdb
import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from csops import cli
from csops.kernel.publication import AUDIT_TABLES, read_current
from csops.orchestration.automation import landed_files_sensor
from csops.orchestration.load_assets import landing_days
from csops.orchestration.resources import CsopsHomeResource


def test_run_prints_a_one_screen_summary(pipeline_run):
    assert pipeline_run.exit_code == 0
    output = pipeline_run.output
    assert "SUCCESS" in output and "Published for the app" in output
    assert " 0 failed" in output
    assert len(output.splitlines()) < 40  # dbt's own log goes to the log file, not the terminal


def instance_of(home) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home.dagster)))


def test_every_step_ran_and_the_gx_check_passed(pipeline_home):
    with instance_of(pipeline_home) as instance:
        runs = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))
        # The first `csops run`: one load run for all the landed days, then the build.
        first_two = sorted(runs, key=lambda r: r.create_timestamp)[:2]
        assert [r.dagster_run.job_name for r in first_two] == ["load_landing_days", "build_and_publish"]
        checks = {
            (e.asset_key.to_user_string(), e.check_name): e.passed
            for run in first_two
            for e in (log.dagster_event.event_specific_data for log in instance.all_logs(
                run.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION))
        }
    assert checks[("marts/feedback_by_channel_day", "great_expectations_suite")] is True
    from csops.orchestration.raw_tables import RAW_TABLES

    for table in RAW_TABLES:  # every landed entity is reconciled: rows read = loaded + rejected
        assert checks[(f"{table.source}/{table.entity}", "reconciliation")] is True
    dbt_tests = [name for (_, name) in checks if name.startswith(("unique_", "not_null_"))]
    assert len(dbt_tests) >= 15, "dbt tests surface as asset checks"
    assert [check for check, passed in checks.items() if not passed] == []


def test_definitions_load_lazily_with_every_part(pipeline_home, monkeypatch):
    monkeypatch.setenv("CSOPS_HOME", str(pipeline_home.root))
    from csops.orchestration.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"crm/tickets", "telephony/contact_records", "surveys/responses", "marts/feedback_by_channel_day",
            "published_marts"} <= keys
    # Lineage: a dbt source is the load asset's key, so raw feeds staging.
    staging = graph.get(dg.AssetKey(["staging", "stg_crm__tickets"]))
    assert dg.AssetKey(["crm", "tickets"]) in staging.parent_keys
    assert definitions.resolve_schedule_def("csops_daily").cron_schedule == "0 6 * * *"
    assert definitions.resolve_sensor_def("landed_files_sensor")
    assert definitions.resolve_job_def("load_landing_days").partitions_def == landing_days
    assert definitions.resolve_job_def("build_and_publish").partitions_def is None


def test_each_landing_day_is_a_partition_with_its_materialisations(pipeline_home):
    days = sorted(p.name for p in (pipeline_home.landing / "crm").iterdir())
    with instance_of(pipeline_home) as instance:
        assert instance.get_dynamic_partitions(landing_days.name) == days
        for key in (["crm", "tickets"], ["telephony", "contact_records"], ["surveys", "responses"]):
            assert instance.get_materialized_partitions(dg.AssetKey(key)) == set(days)


def sensor_tick(home):
    with instance_of(home) as instance:
        context = dg.build_sensor_context(instance=instance, resources={"csops_home": CsopsHomeResource(root=str(home.root))})
        return landed_files_sensor(context)


def test_sensor_asks_to_load_new_and_changed_days_only_then_to_build(pipeline_home):
    assert isinstance(sensor_tick(pipeline_home), dg.SkipReason)  # all loaded and published
    days = sorted(p.name for p in (pipeline_home.landing / "crm").iterdir())
    new_day = pipeline_home.landing / "surveys" / "2026-03-16" / "responses.csv"
    changed = pipeline_home.landing / "surveys" / days[3] / "responses.csv"
    before, stamp = changed.read_bytes(), changed.stat()
    new_day.parent.mkdir(parents=True)
    try:
        new_day.write_text("")
        changed.write_bytes(before + b"\n")  # a trailing blank line: the file changed
        result = sensor_tick(pipeline_home)
        assert isinstance(result, dg.SensorResult)
        assert [r.tags["dagster/asset_partition_range_start"] + ".." + r.tags["dagster/asset_partition_range_end"]
                for r in result.run_requests] == [f"{days[3]}..{days[3]}", "2026-03-16..2026-03-16"]
        assert {r.job_name for r in result.run_requests} == {"load_landing_days"}
        assert result.dynamic_partitions_requests[0].partition_keys == ["2026-03-16"]
    finally:  # as it was, to the nanosecond: later tests share this home
        changed.write_bytes(before)
        os.utime(changed, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        new_day.unlink()
        new_day.parent.rmdir()
    ledger = pipeline_home.load_ledger
    stat = ledger.stat()
    try:  # a load has committed since the last publication: the build is due
        os.utime(ledger, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**12))
        request = sensor_tick(pipeline_home)
        assert isinstance(request, dg.RunRequest) and request.job_name == "build_and_publish"
    finally:
        os.utime(ledger, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_the_publication_holds_the_marts_and_the_audit_trail_only(pipeline_home):
    publication = read_current(pipeline_home)
    assert publication is not None
    with duckdb.connect(str(publication.path), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        assert {schema for schema, _ in tables} == {"marts", "audit"}
        assert sorted(table for schema, table in tables if schema == "audit") == sorted(AUDIT_TABLES)
        assert con.execute("select count(*) from marts.feedback_by_channel_day").fetchone()[0] > 0
        # The rejected rows' text (the customer's data as exported) stays in the warehouse.
        assert "raw_text" not in {c for c, in con.execute(
            "select column_name from information_schema.columns where table_name = 'rejected_rows'").fetchall()}


def test_dbt_and_dagster_write_inside_csops_home(pipeline_home):
    assert (pipeline_home.dbt_target / "manifest.json").exists()
    assert list(pipeline_home.dbt_target.glob("csops_dbt_models-*/run_results.json"))
    assert (pipeline_home.dagster / "dagster.yaml").exists()
    assert pipeline_home.warehouse.exists()


def test_run_with_nothing_landed_says_what_to_do(tmp_path, capsys):
    from tests.conftest import restored_environment

    with restored_environment():
        assert cli.main(["--home", str(tmp_path), "run"]) == 2
    assert "csops simulate" in capsys.readouterr().err


def test_simulate_rejects_a_bad_date_with_a_message(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["simulate", "--start", "05/01/2026"])
    assert exit_info.value.code == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_a_customer_is_matched_across_systems_by_keyed_hashes(pipeline_home):
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        crm, both = con.execute("""
            -- Customers: end-users who never were agents (a leaver, downgraded, has no phone).
            with customers as (select distinct phone_key from staging.stg_crm__users where not was_agent),
            callers as (select distinct customer_phone_key as phone_key from staging.stg_telephony__contact_records)
            select (select count(*) from customers), (select count(*) from customers join callers using (phone_key))
        """).fetchone()
        missing = con.execute(
            "select count(*) from staging.stg_crm__users where not was_agent and phone_key is null").fetchone()[0]
    assert missing == 0  # every way the CRM writes a number normalises
    assert both > 0.2 * crm  # many ticket customers also call: the same key on both sides


PHONE_NUMBER = r"(^|[^0-9a-fA-F])1?[-. ]?\(?555\)?[-. ]?\d{3}[-. ]?\d{4}($|[^0-9a-fA-F])"


def test_no_name_email_or_phone_number_reaches_the_publication(pipeline_home):
    publication = read_current(pipeline_home)
    with duckdb.connect(str(publication.path), read_only=True) as con:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                              "where data_type = 'VARCHAR'").fetchall()
        for schema, table, column in columns:
            # A phone number as customers type it (+1 555-010-1234, (555) 010-1234, 15550101234),
            # not three fives inside a hexadecimal id.
            leaked = con.execute(f'select count(*) from {schema}."{table}" where "{column}" like \'%@%\' '
                                 f'or regexp_matches("{column}", ?)', [PHONE_NUMBER]).fetchone()[0]
            assert leaked == 0, (schema, table, column)
