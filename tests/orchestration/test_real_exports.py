"""Deliveries in the vendors' real shapes, landed beside a simulated center with no reshaping:
the run publishes, the records are staged with the right values, and every unusable record or
file is rejected or listed with its reason.

The records are written for csops from the vendors' documentation (tests/vendor_records.py).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.real_deliveries import land, query
from tests.vendor_records import contact_record, zendesk_audit, zendesk_ticket, zendesk_user

DAY = "2026-03-04"
TICKET_BASE = 990_000_000


def land_connect_records_and_zendesk(landing: Path, username: str) -> None:
    typed = username.upper()  # Connect keeps the case an admin typed

    # Amazon Connect through Kinesis Data Firehose, synced from S3 as is.
    prefix = f"telephony/connect-ctr-delivery/{DAY.replace('-', '/')}"
    records = [
        contact_record("real-voice", initiated=f"{DAY}T15:00:00Z", username=typed, queue="Billing"),
        contact_record("real-old", initiated=f"{DAY}T15:10:00Z", username=typed, disconnect_reason=None,
                       attributes={}),
        contact_record("real-task", initiated=f"{DAY}T15:20:00Z", channel="TASK", queue="Back office",
                       initiation_method="API", username=None),
        contact_record("real-anonymous", initiated=f"{DAY}T15:30:00Z", caller="anonymous", queue="General",
                       username=None),
    ]
    broken = json.dumps(contact_record("real-broken", initiated=f"{DAY}T15:40:00Z"))[:150]
    land(landing, f"{prefix}/15/csops-test-ctr-1-2026-03-04-15-59-00-7a1e0f4e-2b6c-4d8e-9f10-1a2b3c4d5e6f",
         json.dumps(records[0]) + broken + json.dumps(records[1]))
    land(landing, f"{prefix}/16/csops-test-ctr-1-2026-03-04-16-59-00-8b2f1a5f-3c7d-4e9f-8a21-2b3c4d5e6f70.gz",
         gzip.compress("".join(json.dumps(r) for r in records[2:]).encode()))

    # Zendesk: the incremental export's page, Airbyte and Singer records, dlt's JSON lines.
    crm = f"crm/{DAY}"
    land(landing, f"{crm}/incremental-tickets.json", json.dumps({
        "tickets": [
            zendesk_ticket(TICKET_BASE + 1, status="deleted", created=f"{DAY}T14:00:00Z", updated=f"{DAY}T14:30:00Z"),
            zendesk_ticket(TICKET_BASE + 2, channel="sample_ticket", created=f"{DAY}T14:00:00Z",
                           updated=f"{DAY}T14:00:00Z"),
            zendesk_ticket(TICKET_BASE + 3, channel="voice", rel="voicemail", group_id=123456789,
                           created=f"{DAY}T14:05:00Z", updated=f"{DAY}T14:06:00Z"),
        ],
        "after_cursor": "MTU3NjYxMzUzOS4wfHw0NTF8", "after_url": None, "before_cursor": None, "before_url": None,
        "end_of_stream": True}))
    land(landing, f"{crm}/airbyte/tickets.jsonl", json.dumps({
        "stream": "tickets", "emitted_at": 1772633000000,
        "data": zendesk_ticket(TICKET_BASE + 4, channel="native_messaging", created=f"{DAY}T14:10:00Z",
                               updated=f"{DAY}T14:20:00Z")}) + "\n")
    land(landing, f"{crm}/singer/zendesk.singer", "\n".join(json.dumps(message) for message in [
        {"type": "SCHEMA", "stream": "ticket_audits", "schema": {}, "key_properties": ["id"]},
        {"type": "RECORD", "stream": "ticket_audits", "record": zendesk_audit(
            TICKET_BASE + 41, TICKET_BASE + 4, created=f"{DAY}T14:20:00Z", author_id=9001,
            events=[{"id": 1, "type": "Create", "field_name": "status", "value": "new"}])},
        {"type": "STATE", "value": {}},
    ]) + "\n")
    dlt_user = zendesk_user(9001, role="end-user", email="CUSTOMER.one@Example.com", phone="+1 555-010-9999")
    land(landing, f"{crm}/zendesk/users/1772633000.5.jsonl", json.dumps(dlt_user) + "\n")
    land(landing, f"{crm}/organizations.json", json.dumps({"organizations": [{"id": 1, "name": "Acme"}],
                                                           "next_page": None, "count": 1}))
    land(landing, "crm/notes.txt", "where the files came from")



def test_the_run_publishes(delivered):
    """Unusable records are rejected, a lost LOGOUT and an unmapped status are warnings: the run publishes."""
    assert delivered.exit_code == 0, delivered.output
    assert "Published for the app" in delivered.output


def test_connect_records_stage_with_their_values(delivered):
    staged = {row[0]: row[1:] for row in query(delivered, """
        select contact_record_id, channel, is_customer_contact, queue_name, connect_agent_username,
            initiated_at, disconnect_reason, customer_phone_key is null
        from staging.stg_telephony__contact_records where contact_record_id like 'real-%'""")}
    assert set(staged) == {"real-voice", "real-old", "real-task", "real-anonymous"}
    channel, customer, queue, agent, initiated, reason, no_key = staged["real-voice"]
    assert (channel, customer, queue, agent, reason, no_key) == (
        "phone", True, "Billing", delivered.agent_username, "CUSTOMER_DISCONNECT", False)
    assert str(initiated) == f"{DAY} 15:00:00"  # UTC, as Connect writes it
    assert staged["real-old"][5] is None and staged["real-old"][3] == delivered.agent_username
    assert staged["real-task"][:2] == (None, False)
    assert staged["real-anonymous"][6] is True  # no number, no customer key: not an error


def test_a_task_is_no_customer_contact(delivered):
    assert query(delivered, "select count(*) from marts.fct_contacts where contact_id = 'telephony:real-task'") == [(0,)]
    assert query(delivered, "select count(*) from marts.fct_queue_segments where contact_record_id = 'real-task'") == [(0,)]
    assert query(delivered, "select count(*) from marts.fct_contacts where contact_id = 'telephony:real-voice'") == [(1,)]


def test_zendesk_records_stage_with_their_values(delivered):
    staged = {row[0]: row[1:] for row in query(delivered, f"""
        select ticket_id, ticket_status, channel, is_customer_contact, is_deleted
        from staging.stg_crm__tickets where ticket_id > {TICKET_BASE}""")}
    assert staged == {TICKET_BASE + 1: ("deleted", "email", True, True),
                      TICKET_BASE + 2: ("open", None, False, False),  # Zendesk's sample ticket
                      TICKET_BASE + 3: ("open", "phone", True, False),  # a voicemail
                      TICKET_BASE + 4: ("open", "chat", True, False)}  # native messaging, through Airbyte
    # Neither the deleted ticket nor the sample one is a contact in the marts.
    assert query(delivered, f"select contact_id from marts.fct_contacts where contact_id like 'crm:99000000%' "
                            "order by 1") == [(f"crm:{TICKET_BASE + 3}",), (f"crm:{TICKET_BASE + 4}",)]
    assert query(delivered, f"select count(*) from raw.crm_ticket_audits where ticket_id = {TICKET_BASE + 4}") == [(1,)]
    assert query(delivered, "select role from raw.crm_users where id = 9001") == [("end-user",)]


def test_the_broken_record_is_rejected_and_its_neighbours_load(delivered):
    rejected = query(delivered, "select source_file, record_number, reason from audit.rejected_rows "
                                "where source_file like '%csops-test-ctr%'")
    assert len(rejected) == 1 and rejected[0][1] == 2 and rejected[0][2].startswith("malformed JSON")
    assert query(delivered, "select count(*) from raw.telephony_contact_records "
                            "where ContactId in ('real-voice', 'real-old')") == [(2,)]


def test_files_csops_does_not_read_are_listed_with_why(delivered):
    assert "Files not loaded (2)" in delivered.output, delivered.output
    assert f"crm/{DAY}/organizations.json: records csops does not read" in delivered.output
    assert "crm/notes.txt: no landing day in its path" in delivered.output
