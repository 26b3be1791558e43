"""Amazon Connect's agent event stream as Kinesis Data Firehose delivers it, landed beside a
simulated center with no reshaping: the snapshots are replayed into agent states by the
documented state machine (docs/source_formats.md), a lost LOGOUT is bounded and warned of,
and unusable records are rejected with their reason.

The records are written for csops from AWS's documentation of the agent event stream (its
data model, its sample stream, its after-contact-work example); values are invented.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.real_deliveries import land, query

DAY = "2026-03-03"
INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/0e7a3b52-5cf1-4b33-9e2e-3a6c7d0f4e11"
VOICE_AGENT = f"{INSTANCE}/agent/6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
CHAT_AGENT = f"{INSTANCE}/agent/7d2e3f40-5b6c-4d7e-9f80-0a1b2c3d4e5f"


def snapshot(username: str, status: str, contacts: list[dict] = (), profile: str = "Basic Routing Profile") -> dict:
    """An AgentSnapshot as the data model documents it."""
    queue = {"ARN": f"{INSTANCE}/queue/5e8f1a2b-3c4d-4e5f-a6b7-c8d9e0f1a2b3", "Name": "BasicQueue"}
    return {
        "AgentStatus": {"ARN": f"{INSTANCE}/agent-state/{status.lower().replace(' ', '-')}", "Name": status,
                        "StartTimestamp": f"{DAY}T14:59:00.000Z"},
        "NextAgentStatus": None,
        "Configuration": {
            "AgentHierarchyGroups": None, "FirstName": "Test", "LastName": "Agent", "Username": username,
            "RoutingProfile": {"ARN": f"{INSTANCE}/routing-profile/1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
                               "Name": profile, "DefaultOutboundQueue": queue, "InboundQueues": [queue],
                               "Concurrency": [{"AvailableSlots": 1, "Channel": "VOICE", "MaximumSlots": 1}]},
        },
        "Contacts": list(contacts),
    }


def contact(contact_id: str, state: str, since: str, *, channel: str = "VOICE", connected: str | None = None,
            queue: str = "BasicQueue") -> dict:
    return {"Channel": channel, "ConnectedToAgentTimestamp": connected, "ContactId": contact_id,
            "InitialContactId": None, "InitiationMethod": "INBOUND", "QueueTimestamp": None,
            "Queue": {"ARN": f"{INSTANCE}/queue/{queue.lower()}", "Name": queue},
            "State": state, "StateStartTimestamp": since}


def event(agent_arn: str, event_id: str, at: str, event_type: str, current: dict | None,
          previous: dict | None = None) -> dict:
    return {"AWSAccountId": "123456789012", "AgentARN": agent_arn, "CurrentAgentSnapshot": current,
            "EventId": event_id, "EventTimestamp": at, "EventType": event_type, "InstanceARN": INSTANCE,
            "PreviousAgentSnapshot": previous, "Version": "2019-05-25"}


def voice_agent_events(typed: str) -> list[dict]:
    """A shift's start, a call and its after-contact work, then lunch, and no LOGOUT: lost."""
    at = lambda clock: f"{DAY}T{clock}Z"  # noqa: E731
    available = snapshot(typed, "Available")
    on_call = snapshot(typed, "Available", [contact("rv-1", "CONNECTED", at("15:03:10.000"), connected=at("15:03:10.000"))])
    wrapping_up = snapshot(typed, "Available", [contact("rv-1", "ENDED", at("15:06:00.000"), connected=at("15:03:10.000"))])
    lunch = snapshot(typed, "Lunch")
    return [
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000001", at("15:00:00.000"), "LOGIN", None),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000002", at("15:00:00.350"), "STATE_CHANGE", available,
              snapshot(typed, "Offline")),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000003", at("15:02:00.350"), "HEART_BEAT", available, available),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000004", at("15:03:10.000"), "STATE_CHANGE", on_call, available),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000005", at("15:05:10.000"), "HEART_BEAT", on_call, on_call),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000006", at("15:06:00.000"), "STATE_CHANGE", wrapping_up, on_call),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000007", at("15:06:45.000"), "STATE_CHANGE", available,
              wrapping_up),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000008", at("15:07:00.000"), "STATE_CHANGE", lunch, available),
        event(VOICE_AGENT, "a0000001-0000-4000-8000-000000000009", at("15:09:00.000"), "HEART_BEAT", lunch, lunch),
    ]


def chat_agent_events() -> list[dict]:
    """Two chats at once, a missed call, a status the center has not mapped, a LOGOUT and the
    "Offline" heartbeats Connect goes on sending after it."""
    at = lambda clock: f"{DAY}T{clock}Z"  # noqa: E731
    k1 = lambda state, since: contact("k1", state, at(since), channel="CHAT", connected=at("16:00:00.000"))  # noqa: E731
    k2 = lambda state, since: contact("k2", state, at(since), channel="CHAT", connected=at("16:01:00.000"))  # noqa: E731
    user = "Chat.Agent"
    states = [
        ("16:00:00.000", "STATE_CHANGE", snapshot(user, "Available", [k1("CONNECTED", "16:00:00.000")])),
        ("16:01:00.000", "STATE_CHANGE", snapshot(user, "Available", [k1("CONNECTED", "16:00:00.000"),
                                                                        k2("CONNECTED", "16:01:00.000")])),
        ("16:03:00.000", "STATE_CHANGE", snapshot(user, "Available", [k1("ENDED", "16:03:00.000"),
                                                                        k2("CONNECTED", "16:01:00.000")])),
        ("16:04:00.000", "STATE_CHANGE", snapshot(user, "Available", [k2("ENDED", "16:04:00.000")])),
        ("16:05:00.000", "STATE_CHANGE", snapshot(user, "Available", [contact("m1", "MISSED", at("16:05:00.000"))])),
        ("16:06:00.000", "STATE_CHANGE", snapshot(user, "Team huddle")),
        ("16:08:00.000", "STATE_CHANGE", snapshot(user, "Offline")),
        ("16:08:00.500", "LOGOUT", None),
        ("16:10:00.500", "HEART_BEAT", snapshot(user, "Offline")),
    ]
    return [event(CHAT_AGENT, f"b0000001-0000-4000-8000-00000000000{n}", at(clock), kind, current, current)
            for n, (clock, kind, current) in enumerate(states, start=1)]


# A record as AWS's documentation prints it, with its explanatory comments: not JSON.
COMMENTED_RECORD = """{
    "AWSAccountId": "123456789012",
    "AgentARN": "%s",
    "CurrentAgentSnapshot": null,
    "EventId": "c0000001-0000-4000-8000-000000000001",
    "EventTimestamp": "%sT17:00:00.000Z",
    "EventType": "LOGIN",  //The agent logged in.
    "InstanceARN": "%s",
    "PreviousAgentSnapshot": null,
    "Version": "2019-05-25"
}
""" % (VOICE_AGENT, DAY, INSTANCE)


def land_agent_event_stream(landing: Path, username: str) -> None:
    """Firehose objects: records concatenated with no delimiter; one gzipped; one pretty-printed
    from the docs; one record without its agent."""
    prefix = f"telephony/agent-event-stream/{DAY.replace('-', '/')}"
    land(landing, f"{prefix}/15/aes-delivery-1-2026-03-03-15-10-00-0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
         "".join(json.dumps(e) for e in voice_agent_events(username.upper())))
    no_agent = event(None, "c0000001-0000-4000-8000-000000000002", f"{DAY}T16:30:00.000Z", "HEART_BEAT", None)
    del no_agent["AgentARN"]
    land(landing, f"{prefix}/16/aes-delivery-1-2026-03-03-16-59-00-1c2d3e4f-5061-4b7c-9d8e-0f1a2b3c4d5e.gz",
         gzip.compress("".join(json.dumps(e) for e in [*chat_agent_events(), no_agent]).encode()))
    land(landing, f"{prefix}/17/aes-delivery-1-2026-03-03-17-00-00-2d3e4f50-6172-4c8d-8e9f-1a2b3c4d5e6f",
         COMMENTED_RECORD)


def test_snapshots_are_read_as_states(delivered):
    staged = query(delivered, f"""
        select agent_event_type, connect_agent_username, agent_state, contact_record_id, agent_status_name
        from staging.stg_telephony__agent_events where connect_agent_arn = '{VOICE_AGENT}' order by event_at""")
    user = delivered.agent_username  # typed in capitals, staged lower-cased; the LOGIN named by the next event
    assert staged == [
        ("LOGIN", user, "OFFLINE", None, None),
        ("STATE_CHANGE", user, "AVAILABLE", None, "Available"),
        ("HEART_BEAT", user, "AVAILABLE", None, "Available"),
        ("STATE_CHANGE", user, "ON_CONTACT", "rv-1", "Available"),
        ("HEART_BEAT", user, "ON_CONTACT", "rv-1", "Available"),
        ("STATE_CHANGE", user, "AFTER_CONTACT_WORK", "rv-1", "Available"),  # ACW: "Available", the call ENDED
        ("STATE_CHANGE", user, "AVAILABLE", None, "Available"),
        ("STATE_CHANGE", user, "BREAK", None, "Lunch"),
        ("HEART_BEAT", user, "BREAK", None, "Lunch"),
    ]


def test_a_lost_logout_is_bounded_by_the_heartbeat_timeout_and_warned(delivered):
    intervals = query(delivered, f"""
        select agent_state, strftime(state_started_at, '%H:%M:%S'), strftime(state_ended_at, '%H:%M:%S'),
            is_ended_by_agent_event_silence
        from intermediate.int_agent_state_intervals where connect_agent_arn = '{VOICE_AGENT}'
        order by state_started_at, agent_state_interval_id""")
    assert intervals == [
        ("OFFLINE", "15:00:00", "15:00:00", False),
        ("AVAILABLE", "15:00:00", "15:03:10", False),
        ("ON_CONTACT", "15:03:10", "15:06:00", False),
        ("AFTER_CONTACT_WORK", "15:06:00", "15:06:45", False),
        ("AVAILABLE", "15:06:45", "15:07:00", False),
        ("BREAK", "15:07:00", "15:13:00", True),  # the last heartbeat + 240 s, not the as-of time
    ]
    warnings = query(delivered, """
        select observed from audit.quality_results
        where check_name like '%agent_events_stopped%' and not is_passed and severity = 'warn'""")
    assert warnings and f"{delivered.agent_username} silent after {DAY} 15:09:00 UTC" in warnings[-1][0], warnings


def test_concurrent_chats_a_missed_call_and_an_unmapped_status(delivered):
    intervals = query(delivered, f"""
        select agent_state, contact_record_id, contact_state, most_connected_contact_count,
            strftime(state_started_at, '%H:%M:%S'), strftime(state_ended_at, '%H:%M:%S')
        from intermediate.int_agent_state_intervals where connect_agent_arn = '{CHAT_AGENT}'
        order by state_started_at""")
    assert intervals == [
        ("ON_CONTACT", "k1", "CONNECTED", 2, "16:00:00", "16:03:00"),  # k2 joins: still k1's, connected first
        ("ON_CONTACT", "k2", "CONNECTED", 1, "16:03:00", "16:04:00"),
        ("AFTER_CONTACT_WORK", "k2", "ENDED", 0, "16:04:00", "16:05:00"),
        ("BREAK", "m1", "MISSED", 0, "16:05:00", "16:06:00"),
        ("BREAK", None, None, 0, "16:06:00", "16:08:00"),
        ("OFFLINE", None, None, 0, "16:08:00", None),  # its heartbeats after the LOGOUT stay offline
    ]
    warnings = query(delivered, """
        select observed from audit.quality_results
        where check_name like '%unmapped_agent_status_name%' and not is_passed""")
    assert warnings and "Team huddle" in warnings[-1][0], warnings


def test_unusable_records_are_rejected_with_their_reason(delivered):
    rejected = dict(query(delivered, """
        select regexp_extract(source_file, '/(1[0-9])/', 1), reason from audit.rejected_rows
        where raw_table = 'telephony_agent_events'"""))
    assert rejected.keys() == {"16", "17"}, rejected
    assert 'missing required field "AgentARN"' in rejected["16"]
    assert rejected["17"].startswith("malformed JSON")
    assert query(delivered, f"""
        select count(*) from raw.telephony_agent_events where AgentARN in ('{VOICE_AGENT}', '{CHAT_AGENT}')
    """) == [(18,)]
