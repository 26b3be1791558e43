"""Landing is not the system of record, and every path under landing/ is accounted for: the
loader on real files and a real DuckDB (issue 15)."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date
from pathlib import Path

import duckdb

from csops.cli import main as csops
from csops.kernel.paths import CsopsHome
from csops.orchestration import loading, routing
from csops.orchestration.automation import plan_loads
from csops.orchestration.drops import drop_days
from csops.orchestration.landing import describe_gone, gone_files, unplaced_files
from csops.orchestration.load_assets import partition_days

def ticket(ticket_id: int, status: str = "open") -> dict:
    return {"id": ticket_id, "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T11:00:00Z",
            "status": status, "requester_id": 5, "via": {"channel": "email"}}


def call(contact_id: str) -> dict:
    return {"ContactId": contact_id, "Channel": "VOICE", "InitiationMethod": "INBOUND",
            "InitiationTimestamp": "2026-03-02T10:00:00Z", "LastUpdateTimestamp": "2026-03-02T10:05:00Z"}


def land(landing: Path, name: str, records: list[dict]) -> Path:
    path = landing / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def rows(con, table: str, day: str | None = None) -> int:
    where = f" where _landing_date = '{day}'" if day else ""
    return con.execute(f"select count(*) from raw.{table}{where}").fetchone()[0]


def test_a_day_gone_from_landing_stays_loaded_until_dropped(tmp_path):
    """Calls 204 -> 0 no more: a deleted day folder keeps its rows, each run says so, and only
    `csops drop` removes them, written down in audit.dropped_days."""
    home = CsopsHome(tmp_path)
    land(home.landing, "telephony/2026-03-02/contact_records.jsonl", [call(f"c{i}") for i in range(204)])
    land(home.landing, "telephony/2026-03-03/contact_records.jsonl", [call("d1")])
    with duckdb.connect(str(home.warehouse)) as con:
        loading.load_source(con, home.landing, "telephony", "run-1")
        loading.write_ledger(con, home.load_ledger)
    for path in (home.landing / "telephony" / "2026-03-02").iterdir():
        path.unlink()
    (home.landing / "telephony" / "2026-03-02").rmdir()
    land(home.landing, "telephony/2026-03-03/contact_records-late.jsonl", [call("d2")])  # a late file of the next day
    assert plan_loads(home, ["2026-03-02", "2026-03-03"]).ranges == [("2026-03-03", "2026-03-03")]
    with duckdb.connect(str(home.warehouse)) as con:
        loads = loading.load_source(con, home.landing, "telephony", "run-2")
        assert loads[0].days_loaded == (date(2026, 3, 3),)
        assert rows(con, "telephony_contact_records", "2026-03-02") == 204
        assert rows(con, "telephony_contact_records", "2026-03-03") == 2
        loading.write_ledger(con, home.load_ledger)
    gone = gone_files(loading.read_ledger(home.load_ledger, home.warehouse), home.landing)
    assert gone == ["telephony/2026-03-02/contact_records.jsonl"]
    assert describe_gone(gone) == ["telephony 2026-03-02: 1 file gone from landing/, rows kept "
                                   "(`csops drop --source telephony --day 2026-03-02` removes them)"]

    assert csops(["--home", str(home.root), "drop", "--source", "telephony", "--day", "2026-03-01",
                  "--to", "2026-03-02"]) == 0
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert rows(con, "telephony_contact_records") == 2
        assert con.execute("select count(*) from audit.load_log where landing_date = '2026-03-02'").fetchone() == (0,)
        (who, source, day, table, dropped), = con.execute(
            "select dropped_by, source, landing_date::varchar, raw_table, rows_dropped from audit.dropped_days").fetchall()
    assert (source, day, table, dropped) == ("telephony", "2026-03-02", "telephony_contact_records", 204) and who
    assert gone_files(loading.read_ledger(home.load_ledger, home.warehouse), home.landing) == []


def test_in_a_day_with_a_file_gone_and_another_changed_the_gone_files_rows_stay(tmp_path):
    landing = tmp_path / "landing"
    land(landing, "crm/2026-03-02/tickets-part1.jsonl", [ticket(1), ticket(2)])
    changed = land(landing, "crm/2026-03-02/tickets-part2.jsonl", [ticket(3)])
    con = duckdb.connect()
    loading.load_source(con, landing, "crm", "run-1")
    (landing / "crm/2026-03-02/tickets-part1.jsonl").unlink()
    land(landing, changed.relative_to(landing).as_posix(), [ticket(3, "solved"), ticket(4)])
    loading.load_source(con, landing, "crm", "run-2")
    assert con.execute("select id, status, _load_run_id from raw.crm_tickets order by id").fetchall() == [
        (1, "open", "run-1"), (2, "open", "run-1"), (3, "solved", "run-2"), (4, "open", "run-2")]
    assert con.execute("select source_file, run_id, rows_read from audit.load_log order by 1").fetchall() == [
        ("crm/2026-03-02/tickets-part1.jsonl", "run-1", 2), ("crm/2026-03-02/tickets-part2.jsonl", "run-2", 2)]
    drop_days(con, landing, "crm", date(2026, 3, 2), date(2026, 3, 2), "tester")
    assert rows(con, "crm_tickets") == 0
    loading.load_source(con, landing, "crm", "run-3")  # still landed: loaded again, as new
    assert rows(con, "crm_tickets") == 2


def test_a_rewrite_with_the_same_size_and_time_is_reloaded(tmp_path):
    landing = tmp_path / "landing"
    path = land(landing, "crm/2026-03-02/tickets.jsonl", [ticket(1, "open")])
    con = duckdb.connect()
    loading.load_source(con, landing, "crm", "run-1")
    stat = path.stat()
    land(landing, "crm/2026-03-02/tickets.jsonl", [ticket(1, "done")])  # a corrected re-delivery, same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # times kept, as `rsync -t` or `cp -p` do
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    loading.load_source(con, landing, "crm", "run-2")
    assert con.execute("select status from raw.crm_tickets").fetchall() == [("done",)]
    assert con.execute("select file_sha256 from audit.load_log").fetchone() == (loading.file_stamp(path).sha256,)
    path.touch()  # a new time, the same content: nothing to reload
    assert [load.days_loaded for load in loading.load_source(con, landing, "crm", "run-3")][0] == ()


def test_odd_names_load_or_are_listed_with_a_reason(tmp_path):
    """Tickets.JSONL and contact_records.jsonl.gz load; a file at a source's root, bad day folders
    and a copy's name are each one line with its reason; no traceback stops another day or source."""
    home = CsopsHome(tmp_path)
    landing = home.landing
    land(landing, "crm/2026-03-02/Tickets.JSONL", [ticket(1)])
    land(landing, "crm/2026-03-03/tickets-part1 (copy).jsonl", [ticket(2)])
    (landing / "telephony/2026-03-02").mkdir(parents=True)
    (landing / "telephony/2026-03-02/contact_records.jsonl.gz").write_bytes(gzip.compress(
        (json.dumps(call("a")) + "\n").encode()))
    for name in ("crm/tickets.jsonl", "crm/2026-13-45/tickets.jsonl", "crm/backup/tickets.jsonl",
                 "crm/20260514/tickets.jsonl", "telephony/2026/13/45/10/object", "notes.txt"):
        land(landing, name, [ticket(9)])
    listed = dict(unplaced_files(landing))
    assert sorted(listed) == ["crm/2026-13-45/tickets.jsonl", "crm/20260514/tickets.jsonl", "crm/backup/tickets.jsonl",
                              "crm/tickets.jsonl", "notes.txt", "telephony/2026/13/45/10/object"]
    assert all("landing day" in reason or "source folder" in reason for reason in listed.values())
    plan = plan_loads(home, [])
    assert plan.new_partitions == ["2026-03-02", "2026-03-03"]
    con = duckdb.connect()
    for source in ("crm", "telephony"):
        loading.load_source(con, landing, source, "run-1")
    assert con.execute("select source_file, rows_loaded from audit.load_log order by 1").fetchall() == [
        ("crm/2026-03-02/Tickets.JSONL", 1), ("crm/2026-03-03/tickets-part1 (copy).jsonl", 1),
        ("telephony/2026-03-02/contact_records.jsonl.gz", 1)]
    assert partition_days(["2026-03-02", "2026-13-45", "backup"]) == [date(2026, 3, 2)]


def test_links_are_never_followed_and_an_unreadable_file_is_listed(tmp_path):
    landing = tmp_path / "landing"
    land(landing, "crm/2026-03-02/tickets.jsonl", [ticket(1)])
    os.symlink("/etc/passwd", landing / "crm/2026-03-02/users.jsonl")
    os.symlink(landing / "crm/2026-03-02/tickets.jsonl", landing / "crm/2026-03-02/tickets-again.jsonl")
    os.symlink("/etc", landing / "crm/2026-03-03")
    os.mkfifo(landing / "crm/2026-03-02/pipe.jsonl")
    con = duckdb.connect()
    loading.load_source(con, landing, "crm", "run-1")
    assert rows(con, "crm_tickets") == 1
    audit_text = str(con.execute("select * from audit.unread_files").fetchall()
                     + con.execute("select * from audit.rejected_rows").fetchall())
    assert "root:" not in audit_text
    listed = dict(unplaced_files(landing))
    assert "outside landing/" in listed["crm/2026-03-02/users.jsonl"]
    assert "outside landing/" in listed["crm/2026-03-03"]
    assert listed["crm/2026-03-02/tickets-again.jsonl"].startswith("a link to crm/2026-03-02/tickets.jsonl, inside")
    assert "not a regular file" in listed["crm/2026-03-02/pipe.jsonl"]


def test_an_unreadable_file_is_listed_and_its_source_loads(tmp_path, monkeypatch):
    """chmod 000: listed with its reason, the day's other files load. Root reads whatever the mode
    says (the tests may run as root), so there the kernel's answer for that file is made "no"."""
    landing = tmp_path / "landing"
    land(landing, "crm/2026-03-02/tickets.jsonl", [ticket(1)])
    locked = land(landing, "crm/2026-03-02/tickets-part2.jsonl", [ticket(2)])
    locked.chmod(0o000)
    if os.geteuid() == 0:
        access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: access(path, mode) and Path(path) != locked)
    con = duckdb.connect()
    loading.load_source(con, landing, "crm", "run-1")
    assert con.execute("select source_file from audit.load_log").fetchall() == [("crm/2026-03-02/tickets.jsonl",)]
    assert unplaced_files(landing) == [("crm/2026-03-02/tickets-part2.jsonl",
                                        "cannot be read (permission denied): give csops's user permission to read it")]
    locked.chmod(0o644)
    monkeypatch.undo()
    loading.load_source(con, landing, "crm", "run-2")  # readable again: new to the warehouse, its day reloads
    assert con.execute("select id, _load_run_id from raw.crm_tickets order by 1").fetchall() == [(1, "run-2"), (2, "run-2")]


def test_a_pretty_printed_page_loads_and_another_streams_file_is_listed_not_rejected(tmp_path):
    landing = tmp_path / "landing"
    page = {"tickets": [ticket(1), ticket(2)], "after_cursor": "abc", "end_of_stream": True}
    (landing / "crm/2026-03-02").mkdir(parents=True)
    (landing / "crm/2026-03-02/tickets-0001.json").write_text(json.dumps(page, indent=2))
    users = [{"id": 7, "name": "Ann", "role": "agent", "created_at": "2026-03-02T10:00:00Z"}] * 3
    land(landing, "crm/2026-03-02/tickets-0002.jsonl", users)
    con = duckdb.connect()
    loading.load_source(con, landing, "crm", "run-1")
    assert rows(con, "crm_tickets") == 2 and rows(con, "crm_users") == 0
    assert con.execute("select count(*) from audit.rejected_rows").fetchone() == (0,)
    (name, records, reason), = con.execute("select source_file, records, reason from audit.unread_files").fetchall()
    assert (name, records) == ("crm/2026-03-02/tickets-0002.jsonl", 3)
    assert reason.startswith("named for tickets, but none of its 3 records") and "look like users" in reason


def test_rows_read_is_what_the_reader_routed_so_a_lost_record_shows(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    land(landing, "crm/2026-03-02/tickets.jsonl", [ticket(1), ticket(2), {"id": 3}])
    original = loading.load_json_records

    def losing_one(con, table, records, *args):  # a loader bug: one record never inserted nor rejected
        return original(con, table, records[1:], *args)

    monkeypatch.setattr(loading, "load_json_records", losing_one)
    con = duckdb.connect()
    loading.load_source(con, landing, "crm", "run-1")
    assert con.execute("select rows_read, rows_loaded, rows_rejected from audit.load_log").fetchone() == (3, 1, 1)
    assert routing.read_deliveries(loading.source_files(landing, "crm")[0], "crm").read_counts("crm_tickets") == {
        "crm/2026-03-02/tickets.jsonl": 3}
