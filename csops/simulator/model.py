"""The data that flows through a simulated day: issues, contact attempts, outcomes, surveys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Attempt:
    """A customer reaching out about an issue: the first time, or again."""

    issue_id: str
    customer_index: int
    category: str
    channel: str
    at: datetime  # naive UTC
    attempt_no: int  # 1 for the first contact about the issue
    previous_contact_ref: str | None = None


@dataclass
class Experience:
    """What a customer lived through on a contact: it drives the survey answers."""

    channel: str
    team_key: str
    agent_index: int
    resolved: bool
    wait_seconds: float = 0.0
    first_reply_breached: bool = False


@dataclass
class Survey:
    contact_system: str
    contact_ref: str
    customer_index: int
    sent_at: datetime
    response_id: str | None = None
    started_at: datetime | None = None
    recorded_at: datetime | None = None
    csat_score: int | None = None
    nps_score: int | None = None
    ces_score: int | None = None
    is_resolved_answer: bool | None = None
    comment: str = ""
    themes: tuple[str, ...] = ()
    sentiment: float | None = None


@dataclass
class TicketEvent:
    at: datetime
    author_id: int
    via: str  # the audit's via.channel: web, email, api, rule
    events: list[dict]
    row: dict  # the audit as Zendesk exports it


@dataclass
class Ticket:
    ticket_id: int
    issue_id: str
    attempt_no: int
    customer_index: int
    channel: str
    via_channel: str
    category: str
    priority: str
    created_at: datetime
    submitter_id: int
    timeline: list[TicketEvent] = field(default_factory=list)
    # The ticket's (status, priority, group_id, assignee_id) after each audit, for the daily snapshots.
    states: list[tuple[datetime, tuple]] = field(default_factory=list)
