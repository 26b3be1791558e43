"""Amazon Connect's agent event stream, written for one agent's shift on one UTC day.

The phone day (csops/simulator/phone.py) notes what happens to an agent, in time order: a login,
a status picked in the CCP ("Available", or a custom "Break" or "Lunch"), a contact's state
changing (CONNECTING, CONNECTED, CONNECTED_ONHOLD, then ENDED during after-contact work, when
the status stays "Available"), the contact cleared, a logout. :class:`AgentStream` writes
those as Connect's agent event stream does (docs/source_formats.md): one record per event
with the agent's full snapshot after it (``CurrentAgentSnapshot``) and before it
(``PreviousAgentSnapshot``); LOGIN and LOGOUT without snapshots; and a HEART_BEAT repeating
the snapshot whenever 120 s pass without another event, while the agent is logged in.

Connect's heartbeats also go on for up to an hour after a logout (status "Offline"); the
simulator leaves those out: they say nothing the LOGOUT has not, and would add a tenth to
the stream's bytes (30 per shift).

Everything is a pure function of what the day notes and of where the agent's stream stood
when the day began, so a day landed alone is the day landed with the others.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from csops.simulator.population import Agent

AWS_ACCOUNT_ID = "111122223333"
INSTANCE_ARN = f"arn:aws:connect:us-east-1:{AWS_ACCOUNT_ID}:instance/demo"
# The agent event stream's format version (the date format AWS documents; its samples show
# 2017-10-01 and 2019-05-25).
STREAM_VERSION = "2019-05-25"
# Connect publishes a HEART_BEAT when 120 s pass without another event for the agent.
HEARTBEAT = timedelta(seconds=120)
# Event ids are UUIDs, as Connect's: here derived from the event, so they are the same on every run.
EVENT_ID_NAMESPACE = uuid.UUID("5f0c3a6e-2b7d-4c1e-9a43-6d1f0b7e8c21")

AVAILABLE, OFFLINE = "Available", "Offline"
_LOGIN, _STATUS, _CONTACT, _CLEARED, _LOGOUT = range(5)


def agent_arn(agent: Agent) -> str:
    """The agent's ARN: the same in contact records and in the agent event stream."""
    return f"{INSTANCE_ARN}/agent/{agent.connect_username}"


def queue_arn(queue: str) -> str:
    return f"{INSTANCE_ARN}/queue/{queue.lower()}"


def last_heartbeat_before(anchor: datetime, moment: datetime) -> datetime:
    """The last moment of the stream's 120 s cadence from ``anchor`` that falls before ``moment``
    (``anchor`` itself when it is not before): where a day that ended at ``moment`` left an
    agent whose last event was at ``anchor``."""
    if anchor >= moment:
        return anchor
    return anchor + HEARTBEAT * (math.ceil((moment - anchor) / HEARTBEAT) - 1)


class AgentStream:
    """One agent's events on one UTC day: noted by the phone day, rendered by :meth:`events`."""

    def __init__(self, agent: Agent, team_key: str, team_name: str, queue: str):
        self.arn = agent_arn(agent)
        first_name, _, last_name = agent.name.partition(" ")
        queue_ref = {"ARN": queue_arn(queue), "Name": queue, "Channels": ["VOICE"]}

        def configuration(available_slots: int) -> dict:
            return {
                "AgentHierarchyGroups": {
                    "Level1": {"ARN": f"{INSTANCE_ARN}/agent-group/{team_key}", "Name": team_name},
                },
                "FirstName": first_name,
                "LastName": last_name,
                "RoutingProfile": {
                    "ARN": f"{INSTANCE_ARN}/routing-profile/{team_key}",
                    "Concurrency": [{"AvailableSlots": available_slots, "Channel": "VOICE", "MaximumSlots": 1}],
                    "DefaultOutboundQueue": queue_ref,
                    "InboundQueues": [queue_ref],
                    "Name": team_key,
                },
                "Username": agent.connect_username_as_typed,  # as in the contact records
            }

        # One voice slot: free, or taken by the contact in hand (after-contact work included).
        self._configurations = (configuration(1), configuration(0))
        self._notes: list[tuple[datetime, int, object]] = []
        # Where the stream stood when the day began, for an agent still logged in since yesterday.
        self._resumed: tuple[datetime, datetime] | None = None
        self.status_since: datetime | None = None  # when the current status began, once rendered

    # --- what the phone day notes, in time order ------------------------------------------

    def login(self, at: datetime) -> None:
        self._notes.append((at, _LOGIN, None))

    def resume(self, last_event_at: datetime, status_since: datetime, day_start: datetime) -> None:
        """The agent has been logged in and "Available" since before ``day_start``; their last
        event (or the shift's start, for the first day simulated) was at ``last_event_at``."""
        self._resumed = (last_heartbeat_before(last_event_at, day_start), status_since)

    def status(self, at: datetime, name: str) -> None:
        self._notes.append((at, _STATUS, name))

    def contact(self, at: datetime, contact_id: str, state: str, details: dict | None = None) -> None:
        """A contact's new state; ``details`` (its ids, channel, method, queue) on its first."""
        self._notes.append((at, _CONTACT, (contact_id, state, details)))

    def cleared(self, at: datetime, contact_id: str) -> None:
        """After-contact work done: the contact leaves the agent's snapshot."""
        self._notes.append((at, _CLEARED, contact_id))

    def logout(self, at: datetime) -> None:
        self._notes.append((at, _LOGOUT, None))

    # --- what Connect writes --------------------------------------------------------------

    def events(self, day_end: datetime) -> list[dict]:
        """The day's records, heartbeats included; a stream still logged in at ``day_end`` has
        its heartbeats up to then (the next day goes on from :func:`last_heartbeat_before`)."""
        written: list[dict] = []
        contacts: dict[str, dict] = {}
        snapshot = last_at = None
        status = since = None
        if self._resumed is not None:
            last_at, since = self._resumed
            status = AVAILABLE
            snapshot = self._snapshot(status, since, contacts)
        for at, kind, detail in self._notes:
            if snapshot is not None:
                written += self._heartbeats(snapshot, last_at, at)
            before = snapshot
            if kind == _LOGIN:
                written.append(self._event(at, "LOGIN", None, None))
                before = self._snapshot(OFFLINE, at, contacts)
                status, since = AVAILABLE, at
            elif kind == _STATUS:
                status, since = detail, at
            elif kind == _CONTACT:
                contact_id, state, details = detail
                contact = contacts.get(contact_id) or details
                contacts[contact_id] = {
                    **contact, "State": state, "StateStartTimestamp": at,
                    "ConnectedToAgentTimestamp": contact["ConnectedToAgentTimestamp"]
                    or (at if state == "CONNECTED" else None),
                }
            elif kind == _CLEARED:
                del contacts[detail]
            if kind == _LOGOUT:
                written.append(self._event(at, "STATE_CHANGE", before, self._snapshot(OFFLINE, at, contacts)))
                written.append(self._event(at, "LOGOUT", None, None))
                snapshot = status = since = None
            else:
                snapshot = self._snapshot(status, since, contacts)
                written.append(self._event(at, "STATE_CHANGE", before, snapshot))
            last_at = at
        if snapshot is not None:
            written += self._heartbeats(snapshot, last_at, day_end)
        self.status_since = since
        return self._with_event_ids(written)

    def _heartbeats(self, snapshot: dict, after: datetime, before: datetime) -> list[dict]:
        beats, at = [], after + HEARTBEAT
        while at < before:
            beats.append(self._event(at, "HEART_BEAT", snapshot, snapshot))
            at += HEARTBEAT
        return beats

    def _snapshot(self, status: str, since: datetime, contacts: dict[str, dict]) -> dict:
        return {
            "AgentStatus": {"ARN": f"{INSTANCE_ARN}/agent-state/{status.lower()}", "Name": status,
                            "StartTimestamp": since},
            "Configuration": self._configurations[1 if contacts else 0],
            "Contacts": list(contacts.values()),
            "NextAgentStatus": None,
        }

    def _event(self, at: datetime, event_type: str, previous: dict | None, current: dict | None) -> dict:
        return {
            "AWSAccountId": AWS_ACCOUNT_ID,
            "AgentARN": self.arn,
            "CurrentAgentSnapshot": current,
            "EventId": None,  # once the day's events are all written: see _with_event_ids
            "EventTimestamp": at,
            "EventType": event_type,
            "InstanceARN": INSTANCE_ARN,
            "PreviousAgentSnapshot": previous,
            "Version": STREAM_VERSION,
        }

    def _with_event_ids(self, events: list[dict]) -> list[dict]:
        """Each event's id from what it says: the agent, the time, the kind, the status and the
        contacts' states (two days may each write an event of the agent in the same second: a
        call cleared just after midnight, and the next call), and a count for exact repeats."""
        seen: dict[str, int] = {}
        for event in events:
            snapshot = event["CurrentAgentSnapshot"] or {}
            key = "|".join((self.arn, event["EventTimestamp"].isoformat(), event["EventType"],
                            str(snapshot.get("AgentStatus", {}).get("Name")),
                            *(f"{c['ContactId']}:{c['State']}" for c in snapshot.get("Contacts", ()))))
            seen[key] = seen.get(key, -1) + 1
            event["EventId"] = str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{key}|{seen[key]}"))
        return events


def contact_details(contact_id: str, initial_contact_id: str, initiation_method: str, queue: str,
                    queued_at: datetime) -> dict:
    """A voice contact as the agent's snapshot lists it, before its first state."""
    return {
        "Channel": "VOICE",
        "ConnectedToAgentTimestamp": None,
        "ContactId": contact_id,
        "InitialContactId": initial_contact_id if initial_contact_id != contact_id else None,
        "InitiationMethod": initiation_method,
        "Queue": {"ARN": queue_arn(queue), "Name": queue},
        "QueueTimestamp": queued_at,
        "State": None,
        "StateStartTimestamp": None,
    }
