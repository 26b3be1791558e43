"""`csops audit`: every rejected row accounted for by reason, every check of the run, and a
non-zero exit when a blocking check failed and nothing was published."""

from __future__ import annotations

import contextlib
import io
import re

import duckdb
import pytest

from csops import cli
from csops.audit import _reason_kind
from tests.conftest import restored_environment


def csops(*args: str) -> tuple[int, str]:
    output = io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output):
        code = cli.main(list(args))
    return code, output.getvalue()


@pytest.fixture(scope="module")
def defects_home(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit")
    home = ["--home", str(root)]
    assert csops(*home, "simulate", "--agents", "6", "--days", "4", "--start", "2026-02-02", "--seed", "9",
                 "--defects", "0.03")[0] == 0
    code, output = csops(*home, "run")
    assert code == 0, output
    return root


def test_the_report_accounts_for_every_rejected_row_by_reason(defects_home, tmp_path):
    code, report = csops("--home", str(defects_home), "audit", "--html", str(tmp_path / "audit.html"))
    assert code == 0, report
    with duckdb.connect(str(defects_home / "warehouse.duckdb"), read_only=True) as con:
        rejected = con.execute("select raw_table, reason from audit.rejected_rows").fetchall()
        read, loaded = con.execute("select sum(rows_read), sum(rows_loaded) from audit.load_log").fetchone()
    assert len(rejected) > 20 and read == loaded + len(rejected)
    kinds: dict[tuple[str, str], int] = {}
    for raw_table, reason in rejected:
        kinds[(raw_table, _reason_kind(reason))] = kinds.get((raw_table, _reason_kind(reason)), 0) + 1
    for (raw_table, kind), count in kinds.items():
        assert f"{raw_table}: {count:,} x {kind}" in report
    assert re.search(r"reconciliation\s+9 passed,\s+0 failed", report)
    assert "Published for the app" in report
    html = (tmp_path / "audit.html").read_text()
    assert "<pre>" in html and "crm_tickets" in html


def test_a_failed_blocking_check_exits_1_and_says_nothing_was_published(defects_home):
    """A ticket whose channel staging cannot map fails a dbt not_null test (an error): the run
    publishes nothing, and the audit names the test and says the app shows the last good run."""
    with duckdb.connect(str(defects_home / "warehouse.duckdb")) as con:
        con.execute("""update raw.crm_tickets set via = '{"channel": "carrier pigeon"}'
                       where id = (select min(id) from raw.crm_tickets)""")
    code, output = csops("--home", str(defects_home), "run")
    assert code == 1 and "FAILED" in output
    code, report = csops("--home", str(defects_home), "audit")
    assert code == 1
    assert "FAILED  dbt: dbt: not_null_stg_crm__tickets_channel" in report
    assert "Not published by these runs: the app shows the run" in report


def test_audit_without_a_warehouse_says_what_to_do(tmp_path, capsys):
    with restored_environment():
        assert cli.main(["--home", str(tmp_path), "audit"]) == 2
    assert "csops run" in capsys.readouterr().err
