"""The incremental models: a new day adds only what is new, and gives what a full rebuild gives."""

from __future__ import annotations

import contextlib
import io

import duckdb

from csops import cli
from tests.conftest import restored_environment

INCREMENTAL = {"int_ticket_audit_events": "intermediate", "int_survey_comments_scored": "intermediate"}
DOWNSTREAM = {"fct_ticket_slas": "marts", "feedback_themes_weekly": "marts"}


def csops(*args: str) -> str:
    output = io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output):
        assert cli.main(list(args)) == 0, output.getvalue()
    return output.getvalue()


def digests(warehouse) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: con.execute(f"select count(*), sum(hash(columns(* exclude (as_of_at)))) from {schema}.{table}"
                                   if table == "fct_ticket_slas" else
                                   f"select count(*), sum(hash(columns(*))) from {schema}.{table}").fetchone()
                for table, schema in {**INCREMENTAL, **DOWNSTREAM}.items()}


def test_a_new_day_builds_incrementally_to_what_a_full_refresh_builds(tmp_path):
    home = ["--home", str(tmp_path)]
    center = ["--agents", "6", "--start", "2026-03-02", "--seed", "3"]
    csops(*home, "simulate", *center, "--days", "3")
    csops(*home, "run")
    first = digests(tmp_path / "warehouse.duckdb")
    csops(*home, "simulate", *center, "--days", "4")  # a new day lands
    csops(*home, "run")
    incremental = digests(tmp_path / "warehouse.duckdb")
    assert all(incremental[table][0] > first[table][0] for table in INCREMENTAL)  # it grew
    csops(*home, "run", "--full-refresh")
    full = digests(tmp_path / "warehouse.duckdb")
    assert {t: full[t] for t in full if full[t] != incremental[t]} == {}, {t: incremental[t] for t in full if full[t] != incremental[t]}
