"""Loading landed files into ``raw`` with DuckDB's readers: complete, typed, repeatable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import json

import duckdb
import pytest

from orchestration import loading
from orchestration.loading import LandingError, load_days, load_source
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
    return sum(1 for line in path.open() if line.strip()) - header_rows[table.file_format]


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
    logged = {f: (read, loaded, rejected) for f, read, loaded, rejected in con.execute(
        "select source_file, rows_read, rows_loaded, rows_rejected from audit.load_log").fetchall()}
    files = sorted(p for p in landing.rglob("*") if p.is_file())
    assert len(logged) == len(files)
    for path in files:  # clean exports: every row loaded, none rejected
        assert logged[str(path.relative_to(landing))] == (data_lines(path), data_lines(path), 0), path


def test_columns_have_their_declared_types(landing):
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_name = 'crm_tickets'").fetchall())
    assert types["id"] == "BIGINT" and types["via"] == "JSON" and types["tags"] == "VARCHAR[]"
    assert types["_landing_date"] == "DATE"


def landed_days(landing: Path) -> list[date]:
    return sorted(date.fromisoformat(p.name) for p in (landing / "crm").iterdir())


def test_loading_the_same_partitions_twice_gives_identical_raw_tables(landing):
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    first = {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES}
    load_all(con, landing, "run-2")  # nothing new: nothing reloaded
    assert con.execute("select count(distinct run_id) from audit.load_log").fetchone() == (1,)
    for source in ("crm", "telephony", "surveys"):  # every day asked for again, as a re-run of its partition
        load_days(con, landing, source, landed_days(landing), "run-3")
    assert con.execute("select list_distinct(list(run_id)) from audit.load_log").fetchone() == (["run-3"],)
    assert {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES} == first


def test_days_load_in_bounded_batches_with_the_same_result(landing, monkeypatch):
    """However much history is reloaded, a transaction holds a bounded batch of days."""
    whole = duckdb.connect()
    load_all(whole, landing, "run-1")
    monkeypatch.setattr(loading, "BATCH_BYTES", 1)  # every day its own batch
    days = landed_days(landing)
    assert loading._batches(days, [p for p in landing.rglob("*") if p.is_file()]) == [[day] for day in days]
    batched = duckdb.connect()
    load_all(batched, landing, "run-1")
    assert ({t.table_name: table_digest(batched, t.table_name) for t in RAW_TABLES}
            == {t.table_name: table_digest(whole, t.table_name) for t in RAW_TABLES})


def test_a_misnamed_landing_folder_is_named_in_the_error(landing, tmp_path):
    bad = tmp_path / "landing"
    (bad / "crm" / "yesterday").mkdir(parents=True)
    with pytest.raises(LandingError, match="yesterday.*YYYY-MM-DD"):
        load_source(duckdb.connect(), bad, "crm", "run-1")


def test_a_malformed_line_is_rejected_with_its_place_and_the_rest_loads(tmp_path):
    landing = tmp_path / "landing"
    (landing / "telephony" / "2026-02-02").mkdir(parents=True)
    good = json.dumps({"ContactId": "a", "Channel": "VOICE", "InitiationMethod": "INBOUND",
                       "InitiationTimestamp": "2026-02-02T10:00:00Z", "LastUpdateTimestamp": "2026-02-02T10:05:00Z"})
    (landing / "telephony" / "2026-02-02" / "contact_records.jsonl").write_text(f"{good}\n{{not json\n\n{good}\n")
    con = duckdb.connect()
    load_source(con, landing, "telephony", "run-1")
    assert con.execute("select count(*) from raw.telephony_contact_records").fetchone() == (2,)
    assert con.execute("select _source_line from raw.telephony_contact_records order by 1").fetchall() == [(1,), (4,)]
    assert con.execute("select source_file, line_number, raw_text, reason from audit.rejected_rows").fetchall() == [
        ("telephony/2026-02-02/contact_records.jsonl", 2, "{not json", "malformed JSON: the line is not a JSON object")]
    assert con.execute("select rows_read, rows_loaded, rows_rejected from audit.load_log "
                       "where raw_table = 'telephony_contact_records'").fetchone() == (3, 2, 1)


def test_a_file_with_the_wrong_columns_gets_one_clear_message(tmp_path):
    landing = tmp_path / "landing"
    (landing / "surveys" / "2026-02-02").mkdir(parents=True)
    (landing / "surveys" / "2026-02-02" / "distributions.csv").write_text("When,Who\n2026-02-02,someone\n")
    with pytest.raises(LandingError, match=r"distributions.csv: the columns are not .*Expected: SentDate.*Found: When, Who"):
        load_source(duckdb.connect(), landing, "surveys", "run-1")
    (landing / "crm" / "2026-02-02").mkdir(parents=True)
    (landing / "crm" / "2026-02-02" / "tickets.jsonl").write_text('{"order": 1, "sku": "x"}\n')
    with pytest.raises(LandingError, match=r"tickets.jsonl: not a crm tickets export: no row has id, .*its fields are order, sku"):
        load_source(duckdb.connect(), landing, "crm", "run-1")


def test_every_injected_defect_is_rejected_with_its_reason_or_handled(tmp_path):
    config = CenterConfig(agents=6, days=4, start=date(2026, 2, 2), seed=9, defects_rate=0.03)
    simulate(config, tmp_path / "landing", tmp_path / "truth", tmp_path / "simulator")
    con = duckdb.connect()
    load_all(con, tmp_path / "landing", "run-1")
    rejected = {(f, line): reason for f, line, reason in con.execute(
        "select source_file, line_number, reason from audit.rejected_rows").fetchall()}
    loaded = set()
    for table in RAW_TABLES:
        loaded |= set(con.execute(f"select _source_file, _source_line from raw.{table.table_name}").fetchall())
    defects = [json.loads(line) for path in sorted((tmp_path / "truth").rglob("defects*.jsonl")) for line in path.open()]
    kinds = set()
    for defect in defects:
        place = (defect["file"], defect["line"])
        if defect["kind"] == "late_file" and f"/{config.end.isoformat()}/" in defect["file"]:
            continue  # the last day's late lines arrive with the next day's export
        kinds.add(defect["kind"])
        if defect["expected"].startswith("rejected: "):
            assert rejected.get(place, "").startswith(defect["expected"].removeprefix("rejected: ")), (defect, rejected.get(place))
        elif defect["kind"] == "empty_file":
            assert con.execute("select rows_read from audit.load_log where source_file = ?", [defect["file"]]).fetchone() == (0,)
        elif defect["expected"].startswith(("blocked: ", "warned: ")):
            # Each row well-formed on its own (a conflicting version, an early end, an unknown
            # agent): the loader loads it, and the data-quality checks after the load catch it.
            assert place in loaded and place not in rejected, defect
        else:  # duplicates, offsets, late lines: loaded (staging keeps one version, in UTC)
            assert defect["expected"].startswith("handled: "), defect
            assert place in loaded and place not in rejected, defect
    assert {"malformed_json", "missing_required_field", "timestamp_without_zone", "duplicate_record",
            "conflicting_version", "ended_before_start", "unknown_agent"} <= kinds
    # Every row not faulted is loaded: rows read = loaded + rejected, and only faulted rows are rejected.
    faulted = {(d["file"], d["line"]) for d in defects}
    assert set(rejected) <= faulted


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


def test_days_landing_out_of_order_give_the_same_raw_tables(landing, tmp_path):
    """The later day lands first, the earlier one late: the warehouse ends the same."""
    import shutil

    late = tmp_path / "landing"
    con = duckdb.connect()
    days = sorted(p.name for p in (landing / "crm").iterdir())
    for day in reversed(days):  # newest first, as if the earlier days were late
        for source in ("crm", "telephony", "surveys"):
            shutil.copytree(landing / source / day, late / source / day)
        load_all(con, late, f"run-{day}")
    out_of_order = {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES}
    in_order = duckdb.connect()
    load_all(in_order, landing, "run-all")
    assert out_of_order == {t.table_name: table_digest(in_order, t.table_name) for t in RAW_TABLES}


KILLED_LOAD = """
import sys, duckdb
from pathlib import Path
from orchestration import loading

original = loading._log
def _log_then_wait(con, table, *args, **kwargs):
    result = original(con, table, *args, **kwargs)
    if table.table_name == "crm_ticket_audits":  # half-way through the crm tables
        print("half-way", flush=True)
        sys.stdin.readline()  # the test kills us here
    return result
loading._log = _log_then_wait
con = duckdb.connect(sys.argv[1])
loading.load_source(con, Path(sys.argv[2]), "crm", "killed-run")
"""


def copy_days(landing: Path, target: Path, days: list[str]) -> None:
    import shutil

    for source in ("crm", "telephony", "surveys"):
        for day in days:
            shutil.copytree(landing / source / day, target / source / day, dirs_exist_ok=True)


def test_a_load_killed_mid_way_leaves_nothing_half_done(landing, tmp_path):
    import signal
    import subprocess
    import sys

    days = sorted(p.name for p in (landing / "crm").iterdir())
    growing = tmp_path / "landing"
    copy_days(landing, growing, days[:-1])
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        load_all(con, growing, "first-run")
        before = {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES}
    copy_days(landing, growing, days[-1:])  # a new day lands; its load is killed half-way
    loader = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, str(warehouse), str(growing)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert loader.stdout.readline().strip() == "half-way"
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    with duckdb.connect(str(warehouse)) as con:
        # Nothing of the killed load is visible: crm_tickets, loaded before the kill, is as it was.
        assert {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES} == before
        assert con.execute("select count(*) from audit.load_log where run_id = 'killed-run'").fetchone() == (0,)
        load_all(con, growing, "next-run")  # the next run completes it
        after = {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES}
    complete = duckdb.connect()
    load_all(complete, landing, "all-at-once")
    assert after == {t.table_name: table_digest(complete, t.table_name) for t in RAW_TABLES}


def test_a_late_file_reloads_its_day_only(landing, tmp_path):
    days = sorted(p.name for p in (landing / "crm").iterdir())
    late = tmp_path / "landing"
    copy_days(landing, late, days)
    calls = late / "telephony" / days[0] / "contact_records.jsonl"
    lines = calls.read_text().splitlines(keepends=True)
    calls.write_text("".join(lines[: len(lines) // 2]))  # half of the first day's calls are late
    con = duckdb.connect()
    load_all(con, late, "run-1")
    nothing_new = load_source(con, late, "telephony", "run-2")
    assert [load.days_loaded for load in nothing_new] == [(), ()]  # loading again changes nothing
    calls.write_text("".join(lines))  # the late calls arrive
    reload = {load.raw_table: load for load in load_source(con, late, "telephony", "run-3")}
    assert reload["telephony_contact_records"].days_loaded == (date.fromisoformat(days[0]),)
    runs = dict(con.execute("select landing_date::varchar, list_distinct(list(run_id)) from audit.load_log "
                            "where raw_table = 'telephony_contact_records' group by 1").fetchall())
    assert runs == {day: (["run-3"] if day == days[0] else ["run-1"]) for day in days}
    complete = duckdb.connect()
    load_all(complete, landing, "all-at-once")
    assert table_digest(con, "telephony_contact_records") == table_digest(complete, "telephony_contact_records")


