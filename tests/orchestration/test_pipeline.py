"""``csops run`` through Dagster: every asset, dbt tests as checks, GX, publication, history."""

from __future__ import annotations

import duckdb
import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from csops import cli
from csops.publication import read_current
from orchestration.automation import landed_files_sensor
from orchestration.resources import CsopsHomeResource


def test_run_prints_a_one_screen_summary(pipeline_run):
    assert pipeline_run.exit_code == 0
    output = pipeline_run.output
    assert "SUCCESS" in output and "Published for the app" in output
    assert " 0 failed" in output
    assert len(output.splitlines()) < 40  # dbt's own log goes to the log file, not the terminal


def test_every_step_ran_and_the_gx_check_passed(pipeline_home):
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(pipeline_home.dagster))) as instance:
        runs = instance.get_run_records()
        assert [r.dagster_run.status for r in runs] == [dg.DagsterRunStatus.SUCCESS]
        run_id = runs[0].dagster_run.run_id
        checks = {
            (e.asset_key.to_user_string(), e.check_name): e.passed
            for e in (log.dagster_event.event_specific_data for log in instance.all_logs(
                run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION))
        }
    assert checks[("marts/csat_by_channel_day", "great_expectations_suite")] is True
    from orchestration.raw_tables import RAW_TABLES

    for table in RAW_TABLES:  # every landed entity is reconciled: rows read = loaded + rejected
        assert checks[(f"{table.source}/{table.entity}", "reconciliation")] is True
    dbt_tests = [name for (_, name) in checks if name.startswith(("unique_", "not_null_"))]
    assert len(dbt_tests) >= 15, "dbt tests surface as asset checks"
    assert all(checks.values())


def test_definitions_load_lazily_with_every_part(pipeline_home, monkeypatch):
    monkeypatch.setenv("CSOPS_HOME", str(pipeline_home.root))
    from orchestration.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"crm/tickets", "telephony/contact_records", "surveys/responses", "marts/csat_by_channel_day",
            "published_marts"} <= keys
    # Lineage: a dbt source is the load asset's key, so raw feeds staging.
    staging = graph.get(dg.AssetKey(["staging", "stg_crm__tickets"]))
    assert dg.AssetKey(["crm", "tickets"]) in staging.parent_keys
    assert definitions.resolve_schedule_def("csops_daily").cron_schedule == "0 6 * * *"
    assert definitions.resolve_sensor_def("landed_files_sensor")
    assert definitions.resolve_job_def("csops_pipeline")


def test_sensor_starts_a_run_for_new_files_only(pipeline_home):
    resources = {"csops_home": CsopsHomeResource(root=str(pipeline_home.root))}
    first = landed_files_sensor(dg.build_sensor_context(cursor=None, resources=resources))
    assert isinstance(first, dg.RunRequest)
    again = dg.build_sensor_context(cursor=first.run_key, resources=resources)
    assert isinstance(landed_files_sensor(again), dg.SkipReason)
    late = pipeline_home.landing / "surveys" / "2026-03-16" / "responses.csv"
    late.parent.mkdir(parents=True)
    try:
        late.write_text("")
        after = landed_files_sensor(dg.build_sensor_context(cursor=first.run_key, resources=resources))
        assert isinstance(after, dg.RunRequest) and after.run_key != first.run_key
    finally:
        late.unlink()
        late.parent.rmdir()


def test_the_publication_holds_marts_only(pipeline_home):
    publication = read_current(pipeline_home)
    assert publication is not None
    with duckdb.connect(str(publication.path), read_only=True) as con:
        schemas = {s for s, in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
        assert schemas == {"marts"}
        assert con.execute("select count(*) from marts.csat_by_channel_day").fetchone()[0] > 0


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
            with customers as (select distinct phone_key from staging.stg_crm__users where user_role = 'end-user'),
            callers as (select distinct customer_phone_key as phone_key from staging.stg_telephony__contact_records)
            select (select count(*) from customers), (select count(*) from customers join callers using (phone_key))
        """).fetchone()
        missing = con.execute(
            "select count(*) from staging.stg_crm__users where user_role = 'end-user' and phone_key is null").fetchone()[0]
    assert missing == 0  # every way the CRM writes a number normalises
    assert both > 0.2 * crm  # many ticket customers also call: the same key on both sides


def test_no_name_email_or_phone_number_reaches_the_publication(pipeline_home):
    publication = read_current(pipeline_home)
    with duckdb.connect(str(publication.path), read_only=True) as con:
        columns = con.execute("select table_name, column_name from information_schema.columns "
                              "where data_type = 'VARCHAR'").fetchall()
        for table, column in columns:
            leaked = con.execute(f'select count(*) from marts."{table}" where "{column}" like \'%@%\' '
                                 f'or regexp_matches("{column}", \'555[-. ]?\\d{{3}}\')').fetchone()[0]
            assert leaked == 0, (table, column)
