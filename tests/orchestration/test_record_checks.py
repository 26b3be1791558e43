"""Issue 15: nothing wrong loads as if it were right. Every declared type is checked wherever it
sits in a record (nested vendor objects too), a key written twice, a blank key, an implausible
moment and bytes that are not UTF-8 each reject their record, with its place, and no reason
quotes what a customer typed. Loader-level: landed files in the vendors' shapes, loaded into
DuckDB by ``load_days``; no dbt."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from csops.orchestration.deliveries import read_json_records
from csops.orchestration.loading import load_days
from tests.orchestration.test_agent_event_stream import VOICE_AGENT, contact, event, snapshot
from csops.orchestration.raw_tables import RAW_TABLES
from tests.vendor_records import contact_record, zendesk_audit, zendesk_ticket, zendesk_user

DAY = date(2026, 3, 3)
FOLDER = DAY.isoformat()


def loaded(tmp_path: Path, source: str, files: dict[str, str | bytes]) -> duckdb.DuckDBPyConnection:
    """Land ``files`` (paths under the source's day folder) and load that day."""
    for name, data in files.items():
        path = tmp_path / "landing" / source / FOLDER / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    con = duckdb.connect()
    load_days(con, tmp_path / "landing", source, [DAY], "run-1")
    return con


def rejected(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[int, str, str]]:
    """record number -> (line, reason, raw text) of every rejected row."""
    return {record: (line, reason, text) for record, line, reason, text in con.execute(
        "select record_number, line_number, reason, raw_text from audit.rejected_rows").fetchall()}


def ticket(ticket_id: int, **changes) -> dict:
    return {**zendesk_ticket(ticket_id, created=f"{FOLDER}T14:00:00Z", updated=f"{FOLDER}T14:30:00Z"), **changes}


def lines(*records: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_an_id_is_a_json_integer_or_a_string_of_digits(tmp_path):
    con = loaded(tmp_path, "crm", {"tickets.jsonl": lines(
        ticket(1, assignee_id=900006.6), ticket(2, assignee_id="0x10"), ticket(3, assignee_id=900006.0),
        ticket(4, assignee_id=1e3), ticket(5, assignee_id=" 900006"), ticket(6, assignee_id=True),
        ticket(7, assignee_id="900006"), ticket(8, assignee_id=900006), ticket(9, assignee_id=None),
        ticket(10, custom_fields=[{"id": 360000001, "value": "billing"}, {"id": 360000002.5, "value": "x"}]),
    )})
    reasons = {record: reason for record, (_, reason, _) in rejected(con).items()}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 10]
    # The value is quoted as JSON wrote it (a string in quotes), through csops.kernel.redaction.redact,
    # which may take a long fraction for a phone number.
    assert all(reasons[n].startswith('not an integer: "assignee_id" = ') for n in (1, 3, 4))
    assert (reasons[2], reasons[5], reasons[6]) == ('not an integer: "assignee_id" = "0x10"',
                                                    'not an integer: "assignee_id" = " 900006"',
                                                    'not an integer: "assignee_id" = true')
    assert reasons[10].startswith('not an integer: "custom_fields[1].id" = ')
    assert con.execute("select id, assignee_id from raw.crm_tickets order by id").fetchall() == [
        (7, 900006), (8, 900006), (9, None)]


def test_a_key_written_twice_rejects_its_record_wherever_it_sits(tmp_path):
    plain = json.dumps(ticket(1))
    twice = plain[:-1] + ', "status": "solved"}'  # DuckDB would keep "open", orjson "solved"
    page = json.dumps({"tickets": [ticket(3), ticket(4)], "after_cursor": None, "end_of_stream": True})
    page = page.replace('"id": 4,', '"id": 4, "group_id": 1,', 1)  # a second group_id inside the page's second ticket
    voice = json.dumps(contact_record("v-1", initiated=f"{FOLDER}T15:00:00Z"))
    nested = voice.replace('"Username": "Jane.Doe"', '"Username": "Jane.Doe", "Username": "John.Roe"')
    assert nested != voice
    crm = loaded(tmp_path, "crm", {"tickets.jsonl": lines(twice, ticket(2)), "tickets-page.json": page})
    telephony = loaded(tmp_path / "t", "telephony", {"ctr/15/object": voice.replace("v-1", "v-0") + nested})
    found = {(file, record): (line, reason) for file, record, line, reason in crm.execute(
        "select source_file, record_number, line_number, reason from audit.rejected_rows").fetchall()}
    assert found == {(f"crm/{FOLDER}/tickets.jsonl", 1): (1, 'duplicated key: "status"'),
                     (f"crm/{FOLDER}/tickets-page.json", 2): (1, 'duplicated key: "group_id"')}
    assert crm.execute("select id from raw.crm_tickets order by id").fetchall() == [(2,), (3,)]
    (line, reason, text), = rejected(telephony).values()
    assert (line, reason) == (1, 'duplicated key: "Agent.Username"') and text == nested  # as delivered
    assert telephony.execute("select ContactId from raw.telephony_contact_records").fetchall() == [("v-0",)]


def test_a_page_whose_own_key_is_written_twice_is_rejected_whole():
    page = '{"tickets": [%s], "tickets": [%s], "end_of_stream": true}' % (json.dumps(ticket(1)), json.dumps(ticket(2)))
    records = list(read_json_records(Path("tickets.json"), "tickets", page))
    assert [(r.line, r.ordinal, r.reason) for r in records] == [(1, 1, 'duplicated key: "tickets"')]


def test_nested_timestamps_are_checked_as_top_level_ones_are(tmp_path):
    at = f"{FOLDER}T15:01:00"
    records = [contact_record(f"c-{n}", initiated=f"{FOLDER}T15:00:00Z") for n in range(4)]
    records[1]["Agent"]["ConnectedToAgentTimestamp"] = at
    records[2]["Queue"]["EnqueueTimestamp"] = "yesterday afternoon"
    records[3]["Agent"]["AfterContactWorkEndTimestamp"] = "2099-03-03T15:07:00Z"
    events = [event(VOICE_AGENT, f"e-{n}", f"{FOLDER}T15:0{n}:00.000Z", "STATE_CHANGE", snapshot("Jane.Doe", "Available", [
        contact("k1", "CONNECTED", f"{FOLDER}T15:00:00.000Z", connected=f"{FOLDER}T15:00:00.000Z"),
        contact("k2", "CONNECTED", f"{FOLDER}T15:00:00.000{'Z' if n == 0 else ''}")])) for n in range(2)]
    con = loaded(tmp_path, "telephony", {"ctr/15/object": "".join(json.dumps(r) for r in records),
                                         "agent-event-stream/15/object": "".join(json.dumps(e) for e in events)})
    reasons = {(table, record): reason for table, record, reason in con.execute(
        "select raw_table, record_number, reason from audit.rejected_rows").fetchall()}
    assert reasons == {
        ("telephony_contact_records", 2): f'timestamp without a timezone: "Agent.ConnectedToAgentTimestamp" = {at}',
        ("telephony_contact_records", 3): 'field "Queue.EnqueueTimestamp" is not a timestamp: yesterday afternoon',
        ("telephony_contact_records", 4): 'implausible timestamp: "Agent.AfterContactWorkEndTimestamp" = '
                                          '2099-03-03T15:07:00Z (before 2000 or after the load)',
        ("telephony_agent_events", 2): 'timestamp without a timezone: "CurrentAgentSnapshot.Contacts[1].StateStartTimestamp"'
                                       f' = {FOLDER}T15:00:00.000',
    }
    assert con.execute("select ContactId from raw.telephony_contact_records").fetchall() == [("c-0",)]
    assert con.execute("select EventId from raw.telephony_agent_events").fetchall() == [("e-0",)]


def test_durations_are_non_negative_numbers(tmp_path):
    records = [contact_record(f"c-{n}", initiated=f"{FOLDER}T15:00:00Z") for n in range(5)]
    records[1]["Agent"]["AgentInteractionDuration"] = -125
    records[2]["Queue"]["Duration"] = "20"  # staging's cast would read a string as null
    records[3]["Agent"]["NumberOfHolds"] = -1
    records[4]["Agent"]["CustomerHoldDuration"] = 0
    con = loaded(tmp_path, "telephony", {"contact_records.jsonl": lines(*records)})
    assert {record: reason for record, (_, reason, _) in rejected(con).items()} == {
        2: 'negative duration: "Agent.AgentInteractionDuration" = -125',
        3: 'field "Queue.Duration" is not a number: "20"',
        4: 'negative duration: "Agent.NumberOfHolds" = -1',
    }
    assert con.execute("select count(*) from raw.telephony_contact_records").fetchone() == (2,)


def test_moments_before_2000_or_after_the_load_are_implausible(tmp_path):
    con = loaded(tmp_path, "crm", {"tickets.jsonl": lines(
        ticket(1, created_at="1970-01-01T00:00:00Z"), ticket(2, updated_at="2099-03-03T14:30:00Z"),
        ticket(3, created_at="2000-01-01T00:00:00Z"), ticket(4, created_at="1999-12-31T23:00:00-05:00"),
    )})
    assert {record: reason for record, (_, reason, _) in rejected(con).items()} == {
        1: 'implausible timestamp: "created_at" = 1970-01-01T00:00:00Z (before 2000 or after the load)',
        2: 'implausible timestamp: "updated_at" = 2099-03-03T14:30:00Z (before 2000 or after the load)',
    }  # 1999-12-31T23:00-05:00 is 2000-01-01 04:00 UTC: plausible
    assert con.execute("select id from raw.crm_tickets order by id").fetchall() == [(3,), (4,)]


def test_a_blank_required_key_is_rejected(tmp_path):
    records = [contact_record(contact_id, initiated=f"{FOLDER}T15:00:00Z") for contact_id in ("", "  ", "c-1")]
    con = loaded(tmp_path, "telephony", {"contact_records.jsonl": lines(*records)})
    assert {record: reason for record, (_, reason, _) in rejected(con).items()} == {
        1: 'empty required field "ContactId"', 2: 'empty required field "ContactId"'}
    assert con.execute("select ContactId from raw.telephony_contact_records").fetchall() == [("c-1",)]


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_bytes_that_are_not_utf8_reject_their_record_only(tmp_path, packed):
    """A Latin-1 name in a JSON-lines file, and a line of noise, each end as one rejected row
    with its line; the rejected text is stored, the foreign bytes as U+FFFD."""
    good = [json.dumps(contact_record(f"c-{n}", initiated=f"{FOLDER}T15:00:00Z")).encode() for n in range(3)]
    latin1 = good[1].replace(b'"Jane.Doe"', '"Jos\u00e9.Doe"'.encode("latin-1"))
    data = b"\n".join([good[0], latin1, b"\x9c\xff\xfe garbage \xe9", good[2]]) + b"\n"
    con = loaded(tmp_path, "telephony", {"contact_records.jsonl": gzip.compress(data) if packed else data})
    found = rejected(con)
    assert sorted(found) == [2, 3]
    assert found[2][0] == 2 and found[2][1].startswith("not UTF-8: byte 0xe9 at character ")
    assert '"Jos\ufffd.Doe"' in found[2][2]
    assert found[3][0] == 3 and found[3][1].startswith("not UTF-8: byte 0x9c at character 1 ")
    assert found[3][2] == "\ufffd\ufffd\ufffd garbage \ufffd"
    assert con.execute("select ContactId, _source_line from raw.telephony_contact_records order by 1").fetchall() == [
        ("c-0", 1), ("c-2", 4)]


def test_a_foreign_byte_in_a_firehose_object_rejects_that_record(tmp_path):
    records = [json.dumps(contact_record(f"c-{n}", initiated=f"{FOLDER}T15:00:00Z")).encode() for n in range(3)]
    records[1] = records[1].replace(b'"Jane.Doe"', b'"Jos\xe9.Doe"')
    con = loaded(tmp_path, "telephony", {"ctr/15/object": b"".join(records)})
    (record, (line, reason, _)), = rejected(con).items()
    assert (record, line) == (2, 1) and reason.startswith("not UTF-8: byte 0xe9")
    assert con.execute("select ContactId, _source_record from raw.telephony_contact_records order by 1").fetchall() == [
        ("c-0", 1), ("c-2", 3)]


def test_reasons_never_quote_what_a_customer_typed(tmp_path):
    con = loaded(tmp_path, "crm", {"tickets.jsonl": lines(
        ticket(1, requester_id="jane.doe@example.com"), ticket(2, via={"channel": "mail me at jane@example.com"}),
        ticket(3, created_at="call +1 415 555 0101"),
    )})
    reasons = {record: reason for record, (_, reason, _) in rejected(con).items()}
    assert reasons[1] == 'not an integer: "requester_id" = "[email]"'
    assert reasons[2] == 'unknown channel "mail me at [email]": add it to seeds/channel_map.csv'
    assert reasons[3].startswith('field "created_at" is not a timestamp: call ') and "555" not in reasons[3]


def test_booleans_are_json_true_or_false_wherever_they_sit(tmp_path):
    """DuckDB's cast reads "yes", "1", 1 and "t" as true: int_ticket_audit_events would publish
    a private note as a public reply."""
    def audit(audit_id: int, public) -> dict:
        return zendesk_audit(audit_id, 1, created=f"{FOLDER}T10:00:00Z", events=[
            {"id": audit_id * 10 + n, "type": "Comment", "author_id": 7001, "body": "On it.", "public": value}
            for n, value in enumerate((True, public))])
    def user(user_id: int, active) -> dict:
        return {**zendesk_user(user_id), "active": active}
    con = loaded(tmp_path, "crm", {
        "ticket_audits.jsonl": lines(audit(1, "yes"), audit(2, 1), audit(3, False), audit(4, None), audit(5, "true")),
        "users.jsonl": lines(user(1, "yes"), user(2, 1), user(3, "jane@example.com"), user(4, False), user(5, None)),
    })
    reasons = {(table, record): reason for table, record, reason in con.execute(
        "select raw_table, record_number, reason from audit.rejected_rows").fetchall()}
    assert reasons == {
        ("crm_ticket_audits", 1): 'not a boolean: "events[1].public" = "yes"',
        ("crm_ticket_audits", 2): 'not a boolean: "events[1].public" = 1',
        ("crm_ticket_audits", 5): 'not a boolean: "events[1].public" = "true"',
        ("crm_users", 1): 'not a boolean: "active" = "yes"',
        ("crm_users", 2): 'not a boolean: "active" = 1',
        ("crm_users", 3): 'not a boolean: "active" = "[email]"',
    }
    assert con.execute("select id from raw.crm_ticket_audits order by id").fetchall() == [(3,), (4,)]
    assert con.execute("select id, active from raw.crm_users order by id").fetchall() == [(4, False), (5, None)]


def test_a_json_column_holds_the_shape_staging_reads(tmp_path):
    """A JSON column holding a text or a number hides every field below it from its checks."""
    records = [contact_record(f"c-{n}", initiated=f"{FOLDER}T15:00:00Z") for n in range(6)]
    records[1]["Agent"] = "bob"
    records[2]["Queue"] = 5
    records[3]["CustomerEndpoint"] = [{"Address": "jane@example.com", "Type": "EMAIL"}] * 4  # cut in the reason
    records[4]["Agent"] = records[4]["Queue"] = None  # the contact never left the IVR
    del records[5]["Attributes"]
    events = [event(VOICE_AGENT, "e-0", f"{FOLDER}T15:00:00.000Z", "LOGIN", None),
              event(VOICE_AGENT, "e-1", f"{FOLDER}T15:01:00.000Z", "STATE_CHANGE", "Available")]
    telephony = loaded(tmp_path / "t", "telephony", {"contact_records.jsonl": lines(*records),
                                                     "agent-event-stream/15/object": lines(*events)})
    found = {(table, record): reason for table, record, reason in telephony.execute(
        "select raw_table, record_number, reason from audit.rejected_rows").fetchall()}
    endpoint = found.pop(("telephony_contact_records", 4))
    assert found == {("telephony_contact_records", 2): 'not an object: "Agent" = "bob"',
                     ("telephony_contact_records", 3): 'not an object: "Queue" = 5',
                     ("telephony_agent_events", 2): 'not an object: "CurrentAgentSnapshot" = "Available"'}
    assert endpoint.startswith('not an object: "CustomerEndpoint" = [{"Address":"[email]","Type":"EMAIL"},')
    assert endpoint.endswith("...") and len(endpoint) == len('not an object: "CustomerEndpoint" = ') + 80
    assert telephony.execute("select ContactId from raw.telephony_contact_records order by 1").fetchall() == [
        ("c-0",), ("c-4",), ("c-5",)]
    crm = loaded(tmp_path / "c", "crm", {
        "ticket_audits.jsonl": lines(zendesk_audit(1, 1, created=f"{FOLDER}T10:00:00Z", events={}),
                                     zendesk_audit(2, 1, created=f"{FOLDER}T10:00:00Z", events=[])),
        "tickets.jsonl": lines(ticket(1, via="email"), ticket(2, custom_fields={"id": 360000001}), ticket(3, via=None)),
    })
    assert {(table, record): reason for table, record, reason in crm.execute(
        "select raw_table, record_number, reason from audit.rejected_rows").fetchall()} == {
        ("crm_ticket_audits", 1): 'not a list: "events" = {}',
        ("crm_tickets", 1): 'not an object: "via" = "email"',
        ("crm_tickets", 2): 'not a list: "custom_fields" = {"id":360000001}'}
    assert crm.execute("select id from raw.crm_tickets").fetchall() == [(3,)]


def test_every_json_column_of_a_json_export_declares_its_shape():
    for table in RAW_TABLES:
        if table.file_format == "jsonl":
            declared = [name for name, _ in table.json_shapes]
            assert declared == [name for name, kind in table.columns if kind == "JSON"], table.table_name
