"""Loading landed files into ``raw`` with DuckDB's readers: complete, typed, repeatable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import json

import duckdb
import pytest

from csops.orchestration import loading
from csops.orchestration.files import landing_day, unpacked_text
from csops.orchestration.loading import load_days, load_source
from csops.orchestration.raw_tables import RAW_TABLES
from csops.simulator import simulate
from csops.simulator.config import CenterConfig
from tests.landed import csv_rows, export_of, file_records


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    simulate(CenterConfig(agents=5, days=3, start=date(2026, 2, 2), seed=5), root / "landing", root / "truth", root / "simulator")
    return root / "landing"


def records_in(landing: Path, path: Path) -> int:
    """Records in a landed file, as the vendor packed them: a CSV export's data rows, or the
    records of a Firehose object or an API page."""
    if path.suffix == ".csv":
        return sum(1 for row in csv_rows(path)[3:] if any(cell.strip() for cell in row))
    return len(file_records(landing, path))


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
    assert len(logged) == len(files) and len(files) > 40  # Firehose writes an object an hour
    for path in files:  # clean exports: every record loaded, none rejected
        records = records_in(landing, path)
        assert logged[str(path.relative_to(landing))] == (records, records, 0), path
    assert con.execute("select count(*) from audit.unread_files").fetchone() == (0,)


def test_columns_have_their_declared_types(landing):
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_name = 'crm_tickets'").fetchall())
    assert types["id"] == "BIGINT" and types["via"] == "JSON" and types["tags"] == "VARCHAR[]"
    assert types["_landing_date"] == "DATE"


def landed_days(landing: Path) -> list[date]:
    return sorted({loading.day_of_name(name) for name in loading.landed_inventory(landing)})


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
    files = [file for source in ("crm", "telephony", "surveys") for file in loading.source_files(landing, source)[0]]
    assert loading._batches(days, files) == [[day] for day in days]
    batched = duckdb.connect()
    load_all(batched, landing, "run-1")
    assert ({t.table_name: table_digest(batched, t.table_name) for t in RAW_TABLES}
            == {t.table_name: table_digest(whole, t.table_name) for t in RAW_TABLES})


def test_a_file_without_a_landing_day_is_listed_not_loaded(landing, tmp_path):
    bad = tmp_path / "landing"
    (bad / "crm" / "yesterday").mkdir(parents=True)
    (bad / "crm" / "yesterday" / "tickets.json").write_text('{"tickets": []}')
    con = duckdb.connect()
    load_source(con, bad, "crm", "run-1")
    assert con.execute("select count(*) from audit.load_log").fetchone() == (0,)
    (name, reason), = loading.unplaced_files(bad)
    assert name == "crm/yesterday/tickets.json" and "YYYY-MM-DD" in reason


def test_a_malformed_line_is_rejected_with_its_place_and_the_rest_loads(tmp_path):
    landing = tmp_path / "landing"
    (landing / "telephony" / "2026-02-02").mkdir(parents=True)
    good = json.dumps({"ContactId": "a", "Channel": "VOICE", "InitiationMethod": "INBOUND",
                       "InitiationTimestamp": "2026-02-02T10:00:00Z", "LastUpdateTimestamp": "2026-02-02T10:05:00Z"})
    (landing / "telephony" / "2026-02-02" / "contact_records.jsonl").write_text(f"{good}\n{{not json\n\n{good}\n")
    con = duckdb.connect()
    load_source(con, landing, "telephony", "run-1")
    assert con.execute("select count(*) from raw.telephony_contact_records").fetchone() == (2,)
    assert con.execute("select _source_line, _source_record from raw.telephony_contact_records order by 1").fetchall() == [
        (1, 1), (4, 3)]
    (file, line, record, text, reason), = con.execute(
        "select source_file, line_number, record_number, raw_text, reason from audit.rejected_rows").fetchall()
    assert (file, line, record, text) == ("telephony/2026-02-02/contact_records.jsonl", 2, 2, "{not json")
    assert reason.startswith("malformed JSON: Expecting property name enclosed in double quotes (line 2")
    assert con.execute("select rows_read, rows_loaded, rows_rejected from audit.load_log "
                       "where raw_table = 'telephony_contact_records'").fetchone() == (3, 2, 1)


def simulated_with_defects(root: Path, config: CenterConfig) -> tuple[duckdb.DuckDBPyConnection, list[dict]]:
    """A simulated center with defects, loaded whole: the warehouse and the defects manifest."""
    simulate(config, root / "landing", root / "truth", root / "simulator")
    con = duckdb.connect()
    load_all(con, root / "landing", "run-1")
    defects = [json.loads(line) for path in sorted((root / "truth").rglob("defects*.jsonl")) for line in path.open()]
    return con, defects


def loaded_places(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], date]:
    """Every loaded raw row's place, (file, record) as the manifest names it, with its landing day."""
    loaded = {}
    for table in RAW_TABLES:
        loaded |= {(file, record): day for file, record, day in con.execute(
            f"select _source_file, _source_record, _landing_date from raw.{table.table_name}").fetchall()}
    return loaded


def test_every_injected_defect_is_rejected_with_its_reason_or_handled(tmp_path):
    """The manifest against the load: a rejected kind is in audit.rejected_rows at its (file,
    record) with its reason, a handled or checked kind is loaded there, an emptied file is
    logged as zero rows, and no row the simulator left alone is rejected."""
    # Seed 12 at 5% draws 21 of the 24 kinds on this small center (the CSV-only kinds are held by
    # tests/orchestration/test_qualtrics_defects.py).
    config = CenterConfig(agents=6, days=4, start=date(2026, 2, 2), seed=12, defects_rate=0.05)
    con, defects = simulated_with_defects(tmp_path, config)
    rejected = {(f, record): reason for f, record, reason in con.execute(
        "select source_file, record_number, reason from audit.rejected_rows").fetchall()}
    loaded = loaded_places(con)
    kinds = set()
    for defect in defects:
        place = (defect["file"], defect["record"])
        if defect["kind"] == "late_file" and landing_day(defect["file"]) == config.end:
            continue  # the last day's late records arrive with the next day's export
        kinds.add(defect["kind"])
        if defect["expected"].startswith("rejected: "):
            assert rejected.get(place, "").startswith(defect["expected"].removeprefix("rejected: ")), (defect, rejected.get(place))
        elif defect["kind"] == "empty_file":
            assert con.execute("select rows_read from audit.load_log where source_file = ?", [defect["file"]]).fetchone() == (0,)
        elif defect["expected"].startswith(("blocked: ", "warned: ")):
            # Each row well-formed on its own (a conflicting version, an early end, an unknown
            # agent): the loader loads it, and the data-quality checks after the load catch it.
            assert place in loaded and place not in rejected, defect
        else:  # duplicates, offsets, late records: loaded (staging keeps one version, in UTC)
            assert defect["expected"].startswith("handled: "), defect
            assert place in loaded and place not in rejected, defect
            if defect["kind"] == "late_file":  # in a file of its own, loaded into the day it was held back from
                assert loaded[place] == landing_day(defect["file"]), defect
    assert {"malformed_json", "missing_required_field", "timestamp_without_zone", "duplicate_record",
            "conflicting_version", "ended_before_start", "unknown_agent", "late_file",
            # issue 15's hostile classes
            "fractional_id", "duplicated_key", "nested_timestamp_without_zone", "negative_duration",
            "implausible_timestamp", "empty_key", "non_utf8_bytes", "impossible_date", "blank_lines"} <= kinds
    # Every row not faulted is loaded: only faulted rows are rejected.
    faulted = {(d["file"], d["record"]) for d in defects}
    assert set(rejected) <= faulted


def test_a_record_cut_short_in_a_firehose_object_loses_none_of_its_neighbours(tmp_path):
    """Firehose concatenates records with no delimiter, so a record cut short runs straight into
    the next. The load rejects the cut record alone, at its place, and loads the records before
    and after it: every record of the object is read (loaded or rejected), none swallowed."""
    config = CenterConfig(agents=6, days=3, start=date(2026, 2, 2), seed=4, defects_rate=0.1)
    con, defects = simulated_with_defects(tmp_path, config)
    landing = tmp_path / "landing"
    rejected = {(f, record): reason for f, record, reason in con.execute(
        "select source_file, record_number, reason from audit.rejected_rows").fetchall()}
    loaded = loaded_places(con)
    rejected_kinds = {(d["file"], d["record"]) for d in defects if d["expected"].startswith("rejected: ")}
    broken = [d for d in defects if d["kind"] == "malformed_json"]
    assert len(broken) >= 5 and len({d["file"] for d in broken}) >= 3
    for defect in broken:
        path = landing / defect["file"]
        assert export_of(defect["file"]) in ("contact_records", "agent_events")  # only a Firehose object's record can break
        assert rejected[(defect["file"], defect["record"])].startswith("malformed JSON"), defect
        # Each Connect record (a contact record, an agent event) carries AWSAccountId once, at
        # its top level, and a cut record keeps its start: the object's records, counted apart
        # from csops's reader.
        records_in_object = unpacked_text(path).count('"AWSAccountId":')
        read = con.execute("select rows_read from audit.load_log where source_file = ?", [defect["file"]]).fetchone()
        assert read == (records_in_object,), defect
        for neighbour in (defect["record"] - 1, defect["record"] + 1):
            if 1 <= neighbour <= records_in_object:
                place = (defect["file"], neighbour)
                assert place in loaded or (place in rejected and place in rejected_kinds), (defect, neighbour)


def test_exports_in_parts_load_as_one_table(tmp_path, monkeypatch):
    """A large center's shards each write their own Firehose objects and API pages: each is loaded and logged."""
    import csops.simulator.shards

    monkeypatch.setattr(csops.simulator.shards, "SHARD_MAX_AGENTS", 3)
    simulate(CenterConfig(agents=7, days=2, start=date(2026, 2, 2), seed=5), tmp_path / "landing",
             tmp_path / "truth", tmp_path / "simulator")
    landing = tmp_path / "landing"
    parts = sorted(landing.glob("crm/2026-02-02/tickets-0001-part*.json"))
    objects = sorted(p for p in landing.glob("telephony/contact-records/2026/02/02/*/*") if p.is_file())
    assert len(parts) == 3 and len(objects) > 3
    con = duckdb.connect()
    load_all(con, landing, "run-1")
    logged = dict(con.execute("select source_file, rows_loaded from audit.load_log").fetchall())
    assert {str(p.relative_to(landing)) for p in [*parts, *objects]} <= set(logged)
    assert con.execute("select count(*) from raw.telephony_contact_records").fetchone()[0] == sum(
        rows for name, rows in logged.items() if name.startswith("telephony/contact-records/")) > 0


def test_days_landing_out_of_order_give_the_same_raw_tables(landing, tmp_path):
    """The later day lands first, the earlier one late: the warehouse ends the same."""
    import shutil

    late = tmp_path / "landing"
    con = duckdb.connect()
    for day in reversed(landed_days(landing)):  # newest first, as if the earlier days were late
        copy_days(landing, late, [day])
        load_all(con, late, f"run-{day}")
    out_of_order = {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES}
    in_order = duckdb.connect()
    load_all(in_order, landing, "run-all")
    assert out_of_order == {t.table_name: table_digest(in_order, t.table_name) for t in RAW_TABLES}


KILLED_LOAD = """
import sys, duckdb
from pathlib import Path
from csops.orchestration import loading

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


def copy_days(landing: Path, target: Path, days: list[date]) -> None:
    """The landed files of these days, copied with their times (as a sync does)."""
    import shutil

    for name in loading.landed_inventory(landing):
        if loading.day_of_name(name) in days:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(landing / name, target / name)


def test_a_load_killed_mid_way_leaves_nothing_half_done(landing, tmp_path):
    import signal
    import subprocess
    import sys

    days = landed_days(landing)
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
    days = landed_days(landing)
    late = tmp_path / "landing"
    copy_days(landing, late, days)
    objects = sorted(p for p in late.glob(f"telephony/contact-records/{days[0]:%Y/%m/%d}/*/*") if p.is_file())
    held_back = objects[len(objects) // 2:]  # half of the first day's Firehose objects arrive late
    kept = {path: path.read_bytes() for path in held_back}
    for path in held_back:
        path.unlink()
    con = duckdb.connect()
    load_all(con, late, "run-1")
    nothing_new = load_source(con, late, "telephony", "run-2")
    assert [load.days_loaded for load in nothing_new] == [(), ()]  # loading again changes nothing
    for path, data in kept.items():  # the late objects arrive
        path.write_bytes(data)
    reload = {load.raw_table: load for load in load_source(con, late, "telephony", "run-3")}
    assert reload["telephony_contact_records"].days_loaded == (days[0],)
    runs = dict(con.execute("select landing_date, list_distinct(list(run_id)) from audit.load_log "
                            "where raw_table = 'telephony_contact_records' group by 1").fetchall())
    assert runs == {day: (["run-3"] if day == days[0] else ["run-1"]) for day in days}
    complete = duckdb.connect()
    load_all(complete, landing, "all-at-once")
    assert table_digest(con, "telephony_contact_records") == table_digest(complete, "telephony_contact_records")
