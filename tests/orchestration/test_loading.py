"""Loading landed files into ``raw`` with DuckDB's readers: complete, typed, repeatable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.loading import LandingError, load_source
from orchestration.raw_tables import RAW_TABLES
from simulator import simulate
from simulator.config import CenterConfig


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    simulate(CenterConfig(agents=5, days=3, start=date(2026, 2, 2), seed=5), root / "landing", root / "truth", root / "simulator")
    return root / "landing"


def data_lines(path: Path) -> int:
    header_rows = {"jsonl": 0, "csv": 1, "qualtrics_csv": 3}
    table = next(t for t in RAW_TABLES if t.file_name == path.name)
    return sum(1 for _ in path.open()) - header_rows[table.file_format]


def table_digest(con: duckdb.DuckDBPyConnection, table: str) -> tuple:
    columns = [c for c, in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
        "and column_name not in ('_load_run_id', '_loaded_at') order by ordinal_position", [table]).fetchall()]
    column_list = ", ".join(f'"{c}"' for c in columns)
    return con.execute(f"select count(*), sum(hash({column_list})) from raw.{table}").fetchone()


def load_all(con, landing: Path, run_id: str) -> None:
    for source in ("crm", "telephony", "surveys"):
        load_source(con, landing, source, run_id)


def test_every_landed_row_is_loaded_and_logged(landing):
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    logged = dict(con.execute("select source_file, rows_loaded from audit.load_log").fetchall())
    files = sorted(p for p in landing.rglob("*") if p.is_file())
    assert len(logged) == len(files)
    for path in files:
        assert logged[str(path.relative_to(landing))] == data_lines(path), path


def test_columns_have_their_declared_types(landing):
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_name = 'crm_tickets'").fetchall())
    assert types["id"] == "BIGINT" and types["via"] == "JSON" and types["tags"] == "VARCHAR[]"
    assert types["_landing_date"] == "DATE"


def test_loading_twice_gives_identical_raw_tables(landing):
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    first = {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES}
    load_all(con, landing, "run-2")
    assert {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES} == first
    assert con.execute("select count(distinct run_id) from audit.load_log").fetchone() == (1,)


def test_a_misnamed_landing_folder_is_named_in_the_error(landing, tmp_path):
    bad = tmp_path / "landing"
    (bad / "crm" / "yesterday").mkdir(parents=True)
    with pytest.raises(LandingError, match="yesterday.*YYYY-MM-DD"):
        load_source(duckdb.connect(), bad, "crm", "run-1")


def test_an_unreadable_file_fails_the_whole_source_and_names_the_file(landing, tmp_path):
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    before = table_digest(con, "telephony_contact_records")
    broken = tmp_path / "landing"
    (broken / "telephony" / "2026-02-02").mkdir(parents=True)
    (broken / "telephony" / "2026-02-02" / "contact_records.jsonl").write_text('{"ContactId": "a"}\n{not json\n')
    with pytest.raises(LandingError, match="contact_records.jsonl"):
        load_source(con, broken, "telephony", "run-2")
    # The failed load changed nothing: the transaction rolled back.
    assert table_digest(con, "telephony_contact_records") == before


def test_exports_in_parts_load_as_one_table(tmp_path, monkeypatch):
    """A large export arrives in parts (<name>-part<k>.<ext>): each part is loaded and logged."""
    import simulator.shards

    monkeypatch.setattr(simulator.shards, "SHARD_MAX_AGENTS", 3)
    simulate(CenterConfig(agents=7, days=2, start=date(2026, 2, 2), seed=5), tmp_path / "landing",
             tmp_path / "truth", tmp_path / "simulator")
    parts = sorted((tmp_path / "landing" / "telephony" / "2026-02-02").glob("contact_records-part*.jsonl"))
    assert len(parts) == 3
    con = duckdb.connect()
    load_source(con, tmp_path / "landing", "telephony", "run-1")
    logged = dict(con.execute(
        "select source_file, rows_loaded from audit.load_log where raw_table = 'telephony_contact_records'").fetchall())
    assert {f"telephony/2026-02-02/{p.name}" for p in parts} <= set(logged)
    assert con.execute("select count(*) from raw.telephony_contact_records").fetchone()[0] == sum(logged.values()) > 0
