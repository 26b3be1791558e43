"""Exports as the vendors and the field's extractors deliver them, landed with no reshaping:
every record loaded or rejected with its reason, every file read or listed with why."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from csops.orchestration import loading
from csops.orchestration.deliveries import read_json_records
from csops.orchestration.files import landing_day
from tests.vendor_records import contact_record, with_changes, zendesk_audit, zendesk_ticket, zendesk_user

DAY = "2026-02-03"


def land(landing: Path, relative: str, data: bytes | str) -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def load(landing: Path, *sources: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for source in sources:
        loading.load_source(con, landing, source, "run-1")
    return con


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture
def firehose_landing(tmp_path) -> Path:
    """Connect contact records as Firehose writes them to S3, synced as is: UTC hour prefixes,
    objects named <stream>-<version>-<time>-<uuid> with no extension, concatenated records."""
    landing = tmp_path / "landing"
    prefix = "telephony/connect-ctr/2026/02/03"
    concatenated = "".join(json.dumps(contact_record(f"c{i}", initiated=f"{DAY}T14:0{i}:00Z")) for i in range(3))
    land(landing, f"{prefix}/14/ctr-stream-1-2026-02-03-14-10-00-0b8e1c1e-4c1c-4f7e-9d5c-0d2f0e6b7a01", concatenated)
    # The same stream with GZIP compression: Firehose adds ".gz"; a sync may drop it.
    compressed = gzip.compress("".join(json.dumps(contact_record(f"g{i}", initiated=f"{DAY}T15:0{i}:00Z"))
                                       for i in range(2)).encode())
    land(landing, f"{prefix}/15/ctr-stream-1-2026-02-03-15-10-00-1c9f2d2f-5d2d-4a8f-8e6d-1e3f1f7c8b02.gz", compressed)
    land(landing, f"{prefix}/16/ctr-stream-1-2026-02-03-16-10-00-2d0a3e3a-6e3e-4b9a-9f7e-2f4a2a8d9c03", compressed)
    # A transformation that adds newlines, and a center's pretty-printed export.
    land(landing, f"{prefix}/17/ctr-stream-1-2026-02-03-17-10-00-3e1b4f4b-7f4f-4cab-8a8f-3a5b3b9eab04",
         "\n".join(json.dumps(contact_record(f"n{i}", initiated=f"{DAY}T17:0{i}:00Z")) for i in range(2)) + "\n")
    land(landing, f"{prefix}/18/pretty.json",
         "\n".join(json.dumps(contact_record(f"p{i}", initiated=f"{DAY}T18:0{i}:00Z"), indent=2) for i in range(2)))
    # A record cut short in the middle of an object: its neighbours must survive.
    first, second = (json.dumps(contact_record(c, initiated=f"{DAY}T19:00:00Z")) for c in ("b1", "b2"))
    broken = json.dumps(contact_record("cut", initiated=f"{DAY}T19:00:00Z"))[:200]
    land(landing, f"{prefix}/19/ctr-stream-1-2026-02-03-19-10-00-4f2c5a5c-8a5a-4dbc-9b9a-4b6c4cafbc05",
         first + broken + second)
    return landing


def test_firehose_objects_load_one_row_per_record(firehose_landing):
    con = load(firehose_landing, "telephony")
    loaded = dict(rows(con, "select ContactId, _source_record from raw.telephony_contact_records"))
    assert set(loaded) == {"c0", "c1", "c2", "g0", "g1", "n0", "n1", "p0", "p1", "b1", "b2"}
    assert [loaded[c] for c in ("c0", "c1", "c2")] == [1, 2, 3]  # each record's place in its object
    assert loaded["b2"] == 3  # after the broken record, which is record 2
    rejected = rows(con, "select source_file, line_number, record_number, reason from audit.rejected_rows")
    assert len(rejected) == 1
    source_file, line, record, reason = rejected[0]
    assert source_file.endswith("4f2c5a5c-8a5a-4dbc-9b9a-4b6c4cafbc05") and (line, record) == (1, 2)
    assert reason.startswith("malformed JSON")
    # read = loaded + rejected, per file, in the load log; the landing day is the prefix's UTC day
    logged = rows(con, "select sum(rows_read), sum(rows_loaded), sum(rows_rejected), min(landing_date), "
                       "max(landing_date), count(*) from audit.load_log")
    assert logged == [(14, 13, 1, landing_day("2026/02/03/x"), landing_day("2026/02/03/x"), 6)]
    pretty = dict(rows(con, "select ContactId, _source_line from raw.telephony_contact_records where ContactId like 'p%'"))
    assert pretty["p0"] == 1 and pretty["p1"] > 10  # the line a pretty-printed record starts on


def test_real_contact_record_fields_load_and_the_unread_ones_are_ignored(firehose_landing):
    con = load(firehose_landing, "telephony")
    agent, queue, reason = rows(con, "select Agent, Queue, DisconnectReason from raw.telephony_contact_records "
                                     "where ContactId = 'c0'")[0]
    assert json.loads(agent)["Username"] == "Jane.Doe" and json.loads(queue)["Name"] == "Billing"
    assert reason == "CUSTOMER_DISCONNECT"


def test_records_without_disconnect_reason_and_tasks_load(tmp_path):
    landing = tmp_path / "landing"
    old = contact_record("old", disconnect_reason=None)
    task = contact_record("task", channel="TASK", queue="Back office", initiation_method="API")
    land(landing, "telephony/ctr/2026/02/03/14/obj-1", json.dumps(old) + json.dumps(task))
    con = load(landing, "telephony")
    assert dict(rows(con, "select ContactId, DisconnectReason from raw.telephony_contact_records")) == {
        "old": None, "task": "CUSTOMER_DISCONNECT"}
    assert rows(con, "select count(*) from audit.rejected_rows") == [(0,)]


def test_zendesk_api_pages_and_connector_records_load_into_their_tables(tmp_path):
    landing = tmp_path / "landing"
    day = f"crm/{DAY}"
    # The incremental ticket export (cursor), a page of audits, users, groups and memberships.
    land(landing, f"{day}/incremental_tickets_page1.json", json.dumps({
        "tickets": [zendesk_ticket(1), zendesk_ticket(2, status="deleted", channel="sample_ticket")],
        "after_url": "https://example.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=abc",
        "after_cursor": "abc", "before_url": None, "before_cursor": None, "end_of_stream": True}))
    land(landing, f"{day}/audits.json", json.dumps({
        "audits": [zendesk_audit(11, 1)], "before_cursor": None, "after_cursor": None,
        "before_url": None, "after_url": None}))
    land(landing, f"{day}/users.json", json.dumps({"users": [zendesk_user(7001)], "end_of_stream": True,
                                                   "after_cursor": "x", "after_url": None}))
    land(landing, f"{day}/groups.json", json.dumps({
        "groups": [{"id": 360001, "name": "Support", "url": "u", "deleted": False, "default": True,
                    "description": "", "is_public": True, "created_at": "2025-01-01T00:00:00Z",
                    "updated_at": "2025-01-01T00:00:00Z"}], "next_page": None, "previous_page": None, "count": 1}))
    land(landing, f"{day}/group_memberships.json", json.dumps({
        "group_memberships": [{"id": 5, "url": "u", "user_id": 7001, "group_id": 360001, "default": True,
                               "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}],
        "next_page": None, "previous_page": None, "count": 1}))
    # Airbyte's records, Singer's messages (with the tap's bookkeeping), dlt's JSON lines.
    land(landing, f"{day}/airbyte/zendesk.jsonl", "\n".join(json.dumps(line) for line in [
        {"stream": "tickets", "data": zendesk_ticket(3, channel="voice", rel="voicemail"), "emitted_at": 1770112800000},
        {"stream": "ticket_audits", "data": zendesk_audit(31, 3), "emitted_at": 1770112800000},
        {"type": "RECORD", "record": {"stream": "users", "data": zendesk_user(7002, email="bob@example.com"),
                                      "emitted_at": 1770112800000}},
    ]))
    land(landing, f"{day}/singer/out.singer", "\n".join(json.dumps(line) for line in [
        {"type": "SCHEMA", "stream": "tickets", "schema": {"type": "object"}, "key_properties": ["id"]},
        {"type": "RECORD", "stream": "tickets", "record": zendesk_ticket(4, channel="native_messaging"),
         "time_extracted": "2026-02-03T10:00:00Z"},
        {"type": "STATE", "value": {"bookmarks": {"tickets": {"updated_at": "2026-02-03T10:00:00Z"}}}},
    ]))
    dlt_ticket = zendesk_ticket(5, channel="api")
    flattened = {key: value for key, value in dlt_ticket.items() if key != "via"}
    flattened |= {"via__channel": "api", "via__source__rel": None, "_dlt_load_id": "1770112800.1", "_dlt_id": "a1b2"}
    land(landing, f"{day}/zendesk_support/tickets/1770112800.1.0001.jsonl", json.dumps(flattened) + "\n")
    # An endpoint csops does not read: listed, never silently dropped.
    land(landing, f"{day}/organizations.json", json.dumps({"organizations": [{"id": 1, "name": "Acme"}],
                                                           "next_page": None, "count": 1}))
    con = load(landing, "crm")
    assert dict(rows(con, "select id, status from raw.crm_tickets order by id")) == {
        1: "open", 2: "deleted", 3: "open", 4: "open", 5: "open"}
    assert rows(con, "select id, json_extract_string(via, '$.channel') from raw.crm_tickets where id = 5") == [(5, "api")]
    assert sorted(i for i, in rows(con, "select id from raw.crm_ticket_audits")) == [11, 31]
    assert sorted(i for i, in rows(con, "select id from raw.crm_users")) == [7001, 7002]
    assert rows(con, "select id, name from raw.crm_groups") == [(360001, "Support")]
    assert rows(con, "select user_id, group_id from raw.crm_group_memberships") == [(7001, 360001)]
    unread = rows(con, "select source_file, records, reason from audit.unread_files")
    assert len(unread) == 1 and unread[0][0].endswith("organizations.json") and unread[0][1] == 1
    assert "'organizations'" in unread[0][2]
    assert rows(con, "select count(*) from audit.rejected_rows") == [(0,)]


def test_a_backfill_of_years_loads_as_one_delivery(tmp_path):
    landing = tmp_path / "landing"
    tickets = [zendesk_ticket(n, created=f"{2020 + n % 6}-0{1 + n % 9}-1{n % 10}T10:00:00Z",
                              updated=f"{2020 + n % 6}-0{1 + n % 9}-1{n % 10}T12:00:00Z", status="closed")
               for n in range(1, 200)]
    land(landing, "crm/2026-02-03/tickets-backfill.json", json.dumps({"tickets": tickets, "end_of_stream": True}))
    con = load(landing, "crm")
    assert rows(con, "select count(*), min(_landing_date) from raw.crm_tickets") == [
        (199, landing_day("2026-02-03/x"))]


def test_every_file_is_loaded_or_listed_with_why(tmp_path):
    landing = tmp_path / "landing"
    land(landing, "telephony/ctr/2026/02/03/14/obj", json.dumps(contact_record("ok")))
    land(landing, "telephony/stray.json", json.dumps(contact_record("no-day")))  # at the source's root
    land(landing, "README.txt", "notes")  # outside any source folder
    land(landing, "telephony/ctr/2026/02/03/14/manifest.txt", "not json at all")
    land(landing, "telephony/ctr/2026/02/03/14/object.snappy", b"\xff\x06\x00\x00sNaPpY")
    land(landing, "telephony/ctr/2026/02/03/14/truncated.gz", gzip.compress(b'{"ContactId": "x"}')[:12])
    archive = landing / "telephony/ctr/2026/02/03/15/obj.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as handle:  # Firehose's ZIP compression: one object inside
        handle.writestr("obj", json.dumps(contact_record("zipped")))
    con = load(landing, "telephony")
    assert sorted(c for c, in rows(con, "select ContactId from raw.telephony_contact_records")) == ["ok", "zipped"]
    unread = {name: reason for name, reason in rows(con, "select source_file, reason from audit.unread_files")}
    assert set(unread) == {"telephony/ctr/2026/02/03/14/manifest.txt", "telephony/ctr/2026/02/03/14/object.snappy",
                           "telephony/ctr/2026/02/03/14/truncated.gz"}
    assert unread["telephony/ctr/2026/02/03/14/manifest.txt"].startswith("not JSON")
    assert "compressed file that cannot be unpacked" in unread["telephony/ctr/2026/02/03/14/truncated.gz"]
    placed = dict(loading.unplaced_files(landing))
    assert placed["README.txt"].startswith("not under a source folder")
    assert placed["telephony/stray.json"].startswith("no landing day in its path")
    # Read and found unusable counts as seen: the next run does not read them again.
    assert loading.stale_days(loading.landed_inventory(landing), loading.loaded_inventory(con)) == []


def test_a_file_holding_another_export_is_listed_not_loaded(tmp_path):
    landing = tmp_path / "landing"
    land(landing, f"crm/{DAY}/tickets.jsonl", '{"order": 1, "sku": "x"}\n')
    con = load(landing, "crm")
    assert rows(con, "select count(*) from raw.crm_tickets") == [(0,)]
    (name, records, reason), = rows(con, "select source_file, records, reason from audit.unread_files")
    assert (name, records) == (f"crm/{DAY}/tickets.jsonl", 1)
    assert reason == "not a crm tickets export: no record has id, created_at, updated_at, status; its fields are order, sku"


def test_reading_any_shape_gives_the_same_records(tmp_path):
    records = [zendesk_ticket(n) for n in range(1, 4)]
    shapes = {
        "lines": "\n".join(json.dumps(r) for r in records),
        "concatenated": "".join(json.dumps(r) for r in records),
        "pretty": "\n".join(json.dumps(r, indent=4) for r in records),
        "array": json.dumps(records, indent=1),
        "page": json.dumps({"tickets": records, "end_of_stream": True}),
        "sequence": "".join("\x1e" + json.dumps(r) + "\n" for r in records),  # RFC 7464 JSON text sequence
    }
    for name, text in shapes.items():
        path = tmp_path / name
        path.write_text(text)
        read = list(read_json_records(path))
        assert [json.loads(r.text)["id"] for r in read] == [1, 2, 3], name
        assert [r.ordinal for r in read] == [1, 2, 3] and all(r.reason is None for r in read), name


def test_a_broken_record_in_pretty_printed_json_keeps_its_neighbours(tmp_path):
    good = [json.dumps(zendesk_ticket(n), indent=2) for n in (1, 2)]
    broken = json.dumps(zendesk_ticket(9), indent=2)[:300]
    path = tmp_path / "pretty.json"
    path.write_text(good[0] + "\n" + broken + "\n" + good[1])
    read = list(read_json_records(path))
    assert [(r.ordinal, r.reason is None) for r in read] == [(1, True), (2, False), (3, True)]
    assert json.loads(read[2].text)["id"] == 2 and read[2].line == good[0].count("\n") + broken.count("\n") + 3


def test_with_changes_keeps_the_original():
    ticket = zendesk_ticket(1)
    assert with_changes(ticket, status="solved")["status"] == "solved" and ticket["status"] == "open"


@pytest.mark.parametrize("separator", ["", "\n"])
def test_a_record_cut_anywhere_never_takes_its_neighbours(tmp_path, separator):
    """Firehose concatenates records (or a transformation puts them on lines): wherever a record
    is cut short, and when two broken records follow each other, every whole record still loads."""
    records = [json.dumps(contact_record(f"c{i}"), separators=(",", ":")) for i in range(4)]
    path = tmp_path / "object"
    middle = records[1]
    for cut in range(1, len(middle)):
        path.write_text(separator.join([records[0], middle[:cut], records[2]]))
        read = list(read_json_records(path))
        assert [r.reason is None for r in read] == [True, False, True], (cut, middle[:cut][-20:])
        assert json.loads(read[2].text)["ContactId"] == "c2"
    for cut in range(20, len(middle) - 10, 37):  # two broken records in a row stay two rejected records
        path.write_text(separator.join([records[0], middle[:cut], records[2][:cut + 5], records[3]]))
        assert [r.reason is None for r in read_json_records(path)] == [True, False, False, True], cut


def test_the_distribution_history_loads_as_the_api_spells_it(tmp_path):
    """Qualtrics' reference names the field distributionID; its API's responses say distributionId."""
    landing = tmp_path / "landing"
    element = {"contactId": "CID_1", "contactLookupId": "CGC_1", "distributionId": "EMD_1", "status": "SurveyStarted",
               "surveyLink": "https://example.qualtrics.com/jfe/form/SV_1", "contactFrequencyRuleId": None,
               "responseId": None, "responseCompletedAt": None, "sentAt": "2026-02-03T09:00:00.123Z",
               "openedAt": "2026-02-03T09:05:00.000Z", "responseStartedAt": "2026-02-03T09:06:00.000Z",
               "surveySessionId": "FS_1"}
    land(landing, f"surveys/{DAY}/history-page-1.json", json.dumps({
        "result": {"elements": [element, {**element, "distributionId": None, "distributionID": "EMD_2"}],
                   "nextPage": None}, "meta": {"httpStatus": "200 - OK", "requestId": "r-1"}}))
    con = load(landing, "surveys")
    assert rows(con, "select distributionID, status from raw.surveys_distribution_history order by 1") == [
        ("EMD_1", "SurveyStarted"), ("EMD_2", "SurveyStarted")]
    assert rows(con, "select count(*) from audit.rejected_rows") == [(0,)]
