"""Zendesk's records as its API exports them: a ticket's snapshots and the days they land on,
the users, the groups and the group memberships."""

from __future__ import annotations

from datetime import date, datetime

from csops.simulator.exports import utc_text
from csops.simulator.model import Ticket
from csops.simulator.population import BOT_USER_ID, Population
from csops.simulator.tickets import CATEGORY_FIELD_ID, TICKET_TYPES

# When the simulated staff were set up in Zendesk: the agents' users and the groups at this
# moment, their group memberships on its day.
STAFF_CREATED_AT = datetime(2025, 6, 1, 9)
MEMBERSHIPS_SINCE = STAFF_CREATED_AT.date()


def ticket_snapshots(ticket: Ticket, people: Population):
    """How to write the ticket as Zendesk's incremental export hands it over, as it stood after
    a given change: what never changes is built once per ticket (a day's snapshot reuses it)."""
    customer = people.customers[ticket.customer_index]
    base = {
        "id": ticket.ticket_id,
        "created_at": ticket.created_at,
        "updated_at": None,
        "status": None,
        "priority": None,
        "type": TICKET_TYPES[ticket.category],
        "subject": f"{ticket.category.title()} request",
        "via": {"channel": ticket.via_channel, "source": {"from": {}, "to": {}, "rel": None}},
        "requester_id": customer.zendesk_user_id,
        "submitter_id": ticket.submitter_id,
        "assignee_id": None,
        "group_id": None,
        "organization_id": None,
        "brand_id": 1,
        "tags": [ticket.category, ticket.channel],
        "custom_fields": [{"id": CATEGORY_FIELD_ID, "value": ticket.category}],
    }

    def snapshot(fields: tuple, updated_at: datetime) -> dict:
        status, priority, group_id, assignee_id = fields
        return {**base, "updated_at": updated_at, "status": status, "priority": priority,
                "assignee_id": assignee_id, "group_id": group_id}

    return snapshot


def emissions_by_day(ticket: Ticket, people: Population) -> dict[date, tuple]:
    """What the ticket adds to each UTC day's export: its snapshot at the day's last change,
    and the day's audits, built once when the ticket is planned."""
    snapshot = ticket_snapshots(ticket, people)
    by_day: dict[date, list] = {}
    for event, (at, fields) in zip(ticket.timeline, ticket.states):
        entry = by_day.setdefault(event.at.date(), [None, []])
        entry[0] = (at, fields)
        entry[1].append(event.row)
    return {day: (ticket.customer_index, snapshot(fields, at), audits)
            for day, ((at, fields), audits) in by_day.items()}


def users(people: Population, customer_indexes: list[int], day: date, with_bot: bool) -> list[dict]:
    """Agents and the bot every day (a daily export of staff); the customers seen today."""
    stamp = f"{day.isoformat()}T00:00:00Z"
    rows = [] if not with_bot else [{"id": BOT_USER_ID, "name": "Support Bot", "email": "bot@support.example.com", "phone": None,
             "role": "agent", "time_zone": "UTC", "active": True, "created_at": "2025-01-01T00:00:00Z",
             "updated_at": "2025-01-01T00:00:00Z"}]
    # A leaver stays, downgraded: Zendesk keeps the user (active, as an end-user) and their tickets.
    rows += [{"id": a.zendesk_user_id, "name": a.name, "email": a.email, "phone": None, "role": a.role_on(day),
              "time_zone": people.teams[a.team_on(day)].timezone, "active": True,
              "created_at": utc_text(STAFF_CREATED_AT), "updated_at": _agent_updated_at(a, day)}
             for a in people.agents]
    for index in customer_indexes:
        customer = people.customers[index]
        rows.append({"id": customer.zendesk_user_id, "name": f"{customer.first_name} {customer.last_name}",
                     "email": customer.email_as_typed, "phone": customer.phone_as_typed, "role": "end-user",
                     "time_zone": "Eastern Time (US & Canada)", "active": True,
                     "created_at": "2025-01-01T00:00:00Z", "updated_at": stamp})
    return rows


def _agent_updated_at(agent, day: date) -> str:
    """Zendesk stamps a user's updated_at on any change: a move to a team in another time zone is
    one, a role changed (made admin, downgraded to end-user when they leave) another."""
    changes = [STAFF_CREATED_AT]
    if agent.moves_on is not None and day >= agent.moves_on:
        changes.append(datetime.combine(agent.moves_on, datetime.min.time()))
    changes += [moment for moment in (agent.promoted_at, agent.leaves_at)
                if moment is not None and day >= moment.date()]
    return utc_text(max(changes))


def groups(people: Population) -> list[dict]:
    return [{"id": gid, "name": people.teams[key].name, "created_at": utc_text(STAFF_CREATED_AT)}
            for key, gid in people.group_ids.items()]


def group_memberships(people: Population, day: date) -> list[dict]:
    """Each agent's group on ``day``: an agent who moved team shows in the new group from then on;
    a leaver's membership is gone from the day they left (Zendesk deletes a downgraded agent's)."""
    rows = []
    for agent in people.agents:
        if agent.leaves_at is not None and day >= agent.leaves_at.date():
            continue
        team = agent.team_on(day)
        since = agent.moves_on if agent.moves_on and day >= agent.moves_on else MEMBERSHIPS_SINCE
        rows.append({"id": agent.zendesk_user_id * 10 + list(people.group_ids).index(team),
                     "user_id": agent.zendesk_user_id, "group_id": people.group_ids[team], "default": True,
                     "created_at": f"{since.isoformat()}T00:00:00Z", "updated_at": f"{since.isoformat()}T00:00:00Z"})
    return rows
