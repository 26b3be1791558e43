"""Amazon Connect's contact records (CTRs) of the phone day, and the truth row the simulator
writes beside each: what became of the contact, which no export says outright."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from csops.simulator.agent_events import AWS_ACCOUNT_ID, INSTANCE_ARN, agent_arn
from csops.simulator.model import Attempt
from csops.simulator.population import Agent, Population


def contact_record(people: Population, attempt: Attempt, contact_id: str, initial_id: str, previous_id: str | None,
                   method: str, initiated_at: datetime) -> dict:
    """The record as the IVR leaves it: queue, agent and end filled in by what happens next."""
    return {
        "AWSAccountId": AWS_ACCOUNT_ID,
        "InstanceARN": INSTANCE_ARN,
        "ContactId": contact_id,
        "InitialContactId": initial_id if initial_id != contact_id else None,
        "PreviousContactId": previous_id,
        "NextContactId": None,
        "Channel": "VOICE",
        "InitiationMethod": method,
        "InitiationTimestamp": initiated_at,
        "ConnectedToSystemTimestamp": initiated_at,
        "DisconnectTimestamp": None,
        "LastUpdateTimestamp": None,
        "DisconnectReason": None,
        "CustomerEndpoint": {"Address": people.customers[attempt.customer_index].phone_e164, "Type": "TELEPHONE_NUMBER"},
        "SystemEndpoint": {"Address": "+18005550100", "Type": "TELEPHONE_NUMBER"},
        "Queue": None,
        "Agent": None,
        "Attributes": {"ivr_intent": attempt.category},
    }


def contact_truth(attempt: Attempt, contact_id: str, initial_id: str, outcome: str, *, resolved: bool,
                  team: str | None, agent: int | None, wait: float | None = None) -> dict:
    return {
        "system": "telephony", "contact_ref": contact_id, "chain_ref": initial_id, "issue_id": attempt.issue_id,
        "attempt_no": attempt.attempt_no, "is_repeat": attempt.attempt_no > 1, "channel": "phone",
        "contact_at": attempt.at,
        "category": attempt.category, "customer_index": attempt.customer_index, "outcome": outcome,
        "is_resolved": resolved, "team_key": team, "agent_index": agent,
        "queue_wait_seconds": None if wait is None or math.isinf(wait) else round(wait, 1),
    }


def end_unanswered(record: dict, queued_at: datetime, at: datetime, reason: str) -> None:
    """The caller leaves the queue unanswered at ``at``: moved on by the flow, hung up, or called back later."""
    record["Queue"].update({"DequeueTimestamp": at, "Duration": int((at - queued_at).total_seconds())})
    record["DisconnectTimestamp"] = at
    record["DisconnectReason"] = reason
    record["LastUpdateTimestamp"] = at + timedelta(seconds=30)


def record_answer(record: dict, people: Population, agent: Agent, team_key: str, answer_at: datetime, wait: float,
                  connected_at: datetime, talk: int, hold: int, acw: int, ended_talk: datetime,
                  free_at: datetime) -> None:
    """The agent's part of an answered call: talk and hold, then after-contact work until ``free_at``."""
    record["Queue"].update({"DequeueTimestamp": answer_at, "Duration": int(wait)})
    record["Agent"] = {
        "Username": agent.connect_username_as_typed,
        "ARN": agent_arn(agent),
        "RoutingProfile": {"Name": team_key},
        "HierarchyGroups": {"Level1": {"GroupName": people.teams[team_key].name}},
        "ConnectedToAgentTimestamp": connected_at,
        "AgentInteractionDuration": talk,
        "CustomerHoldDuration": hold,
        "LongestHoldDuration": hold,
        "NumberOfHolds": 1 if hold else 0,
        "AfterContactWorkStartTimestamp": ended_talk,
        "AfterContactWorkEndTimestamp": free_at,
        "AfterContactWorkDuration": acw,
    }
    record["DisconnectTimestamp"] = ended_talk
    record["LastUpdateTimestamp"] = free_at + timedelta(seconds=20)
