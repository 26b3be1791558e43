"""A Zendesk ticket's audit log, written change by change as its life is planned: each audit
with its events and the ticket's fields after it, and the hand-over of a leaver's tickets."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from csops.simulator.calendar import local_date
from csops.simulator.config import CenterConfig
from csops.simulator.model import Ticket, TicketEvent
from csops.simulator.population import AGENT_USER_ID_BASE, Agent, Population
from csops.simulator.roster import Roster, agent_on_shift


def comment(author: int, body: str, public: bool = True) -> dict:
    """A comment event: public (the customer sees it) or a private note."""
    return {"type": "Comment", "public": public, "author_id": author, "body": body}


class AuditLog:
    """A ticket's audits as they are written, each change set with its events and the fields
    after it; and the hand-over of a leaver's tickets (the staff turnover story)."""

    def __init__(self, config: CenterConfig, people: Population, roster: Roster, ticket: Ticket, fields: dict):
        self.config, self.people, self.roster, self.ticket, self.fields = config, people, roster, ticket, fields
        self.event_id = ticket.ticket_id * 100

    def audit(self, at: datetime, author: int, via_channel: str, events: list[dict], **changes) -> None:
        self._hand_over(at)
        self._write(at, author, via_channel, events, changes)

    def acting(self, agent: Agent, at: datetime) -> Agent:
        """Who works the ticket at ``at``: its assignee, ``agent``, or the colleague who took it
        over when ``agent`` left."""
        self._hand_over(at)
        assignee = self.fields["assignee_id"]
        return agent if assignee == agent.zendesk_user_id or assignee is None else self._agent(assignee)

    def _agent(self, user_id: int) -> Agent:
        return self.people.agents[user_id - AGENT_USER_ID_BASE - self.config.agent_offset]

    def _hand_over(self, at: datetime) -> None:
        """A ticket still unsolved when its assignee leaves goes to a colleague of their team at
        the leave moment, as a manager reassigns it (or when it is reopened after, or when
        the next thing happens to it). A solved ticket keeps its assignee, as Zendesk does."""
        assignee = self.fields["assignee_id"]
        if assignee is None or self.fields["status"] in ("solved", "closed"):
            return
        leaver = self._agent(assignee)
        if leaver.leaves_at is None:
            return
        team_key = leaver.team_on(leaver.leaves_on)
        if not leaver.has_left(local_date(at, self.people.teams[team_key].tz)):
            return
        moment = min(at, max(leaver.leaves_at, self.ticket.timeline[-1].at + timedelta(minutes=1)))
        # A stream of the ticket's own: the other tickets' draws stay as they were.
        rng = random.Random(self.config.stream("handover", self.ticket.ticket_id, moment.isoformat()))
        colleague = agent_on_shift(rng, self.people, self.roster, team_key, moment)
        self._write(moment, colleague.zendesk_user_id, "web", [], {"assignee_id": colleague.zendesk_user_id})

    def _write(self, at: datetime, author: int, via_channel: str, events: list[dict], changes: dict) -> None:
        fields, ticket = self.fields, self.ticket
        for name, value in changes.items():
            if fields[name] != value:
                self.event_id += 1
                events.append({"id": self.event_id, "type": "Change", "field_name": name, "value": value,
                               "previous_value": fields[name]})
                fields[name] = value
        for event in events:
            if "id" not in event:
                self.event_id += 1
                event["id"] = self.event_id
        ticket.timeline.append(TicketEvent(at, author, via_channel, events, {
            "id": ticket.ticket_id * 100 + len(ticket.timeline), "ticket_id": ticket.ticket_id, "created_at": at,
            "author_id": author, "via": {"channel": via_channel}, "events": events}))
        ticket.states.append((at, (fields["status"], fields["priority"], fields["group_id"], fields["assignee_id"])))
