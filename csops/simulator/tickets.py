"""Tickets (email, chat, web form, social): the whole Zendesk lifecycle, planned at creation.

Routing to a group by category; an automated acknowledgement (a trigger's notification
for email and web, a bot's public comment for chat and social); a first public reply
in the group's business hours; pending (waiting on the customer) and on-hold (a third
party); private notes; escalation to tier 2 or the billing department; priority changes;
solve, reopen when the fix did not hold, solve again; closed four days after the solve.
Some are solved with a private note and no reply (the reply-less solves story), and a
leaver's unsolved tickets pass to a colleague (the staff turnover story).
Each change is an audit with its events, as Zendesk's audit log has them.
"""

import hashlib
import itertools
import random
from datetime import datetime, timedelta

from csops.simulator.calendar import UTC, Team, local_date, sla_policies, to_local
from csops.simulator.config import CATEGORIES, SOCIAL_VIA_CHANNELS, VIA_CHANNEL, CenterConfig
from csops.simulator.model import Attempt, Experience, Survey, Ticket
from csops.simulator.population import BOT_USER_ID, Agent, Population
from csops.simulator.resolution import is_trained, next_attempt, resolution_probability
from csops.simulator.roster import Roster, agent_on_shift
from csops.simulator.surveys import plan_survey
from csops.simulator.ticket_audits import AuditLog, comment

PRIORITY_MIX = (("low", 0.15), ("normal", 0.6), ("high", 0.2), ("urgent", 0.05))
PRIORITIES = tuple(p for p, _ in PRIORITY_MIX)
PRIORITY_CUM_WEIGHTS = tuple(itertools.accumulate(w for _, w in PRIORITY_MIX))
TICKET_TYPES = {"billing": "question", "technical": "problem", "account": "task", "delivery": "incident",
                "returns": "question"}
# Mean business minutes to a first reply, by channel, on an ordinary day.
FIRST_REPLY_MEAN_MINUTES = {"email": 150, "web": 150, "social": 90, "chat": 2}
WORK_MEAN_MINUTES = {"email": 240, "web": 240, "social": 180, "chat": 25}
AGENT_CREATED_SHARE = 0.03  # tickets an agent opens for a customer (proactive, outbound)
ESCALATION_SHARE = {"technical": 0.25, "account": 0.08}
# Tickets whose first reply is the answer, solving them at once ("one-touch"): common on
# chat, less so where customers write at length.
ONE_TOUCH_SHARE = {"email": 0.35, "web": 0.35, "social": 0.4, "chat": 0.55}
CLOSE_AFTER = timedelta(days=4)
CATEGORY_FIELD_ID = 360_000_001
TICKET_RESOLUTION_BASE = 0.82  # before the agent's skill and the stories (resolution.py)


def route(category: str, customer_index: int) -> str:
    """The group a new ticket goes to: billing to billing, the rest to a tier-1 team."""
    if category == "billing":
        return "billing"
    return "tier1_east" if customer_index % 20 < 11 else "tier1_west"


def plan_ticket(rng: random.Random, config: CenterConfig, people: Population, attempt: Attempt, ticket_id: int,
                roster: Roster) -> tuple[Ticket, list[dict], Survey | None, Attempt | None]:
    """A ticket with its whole timeline; its truth rows; its survey; the customer's next attempt, if any."""
    customer = people.customers[attempt.customer_index]
    priority = rng.choices(PRIORITIES, cum_weights=PRIORITY_CUM_WEIGHTS)[0]
    channel = attempt.channel
    via = rng.choice(SOCIAL_VIA_CHANNELS) if channel == "social" else VIA_CHANNEL[channel]
    team_key = route(attempt.category, attempt.customer_index)
    created_at = attempt.at
    agent_created = rng.random() < AGENT_CREATED_SHARE
    first_agent = agent_on_shift(rng, people, roster, team_key, created_at)
    ticket = Ticket(ticket_id, attempt.issue_id, attempt.attempt_no, attempt.customer_index, channel, via,
                    attempt.category, priority, created_at,
                    submitter_id=first_agent.zendesk_user_id if agent_created else customer.zendesk_user_id)
    log = AuditLog(config, people, roster, ticket, {"status": "new", "priority": priority,
                                                     "group_id": people.group_ids[team_key], "assignee_id": None})
    audit = log.audit

    opener = ticket.submitter_id
    audit(created_at, opener, "web" if channel == "web" else channel if channel in ("email", "chat") else "api", [
        {"type": "Create", "field_name": "status", "value": "new"},
        {"type": "Create", "field_name": "priority", "value": priority},
        {"type": "Create", "field_name": "group_id", "value": log.fields["group_id"]},
        {"type": "Create", "field_name": "type", "value": TICKET_TYPES[attempt.category]},
        comment(opener, f"[{attempt.category}] " + ("Reaching out about your account." if agent_created
                                                    else "Hello, I need help, please.")),
    ])
    if not agent_created:
        if channel in ("email", "web"):
            audit(created_at + timedelta(seconds=5), -1, "rule",
                  [{"type": "Notification", "subject": "We received your request", "recipients": [customer.zendesk_user_id]}])
        else:
            audit(created_at + timedelta(seconds=3), BOT_USER_ID, "api",
                  [comment(BOT_USER_ID, "Thanks for your message! An agent will be with you shortly.")])

    team = people.teams[team_key]
    stories = config.stories
    delay_minutes = rng.expovariate(1 / FIRST_REPLY_MEAN_MINUTES[channel])
    local_created = to_local(created_at, team.tz)
    if stories.monday_email_backlog and channel == "email" and local_created.weekday() == 0:
        delay_minutes *= stories.monday_email_reply_delay_factor
    if stories.holiday_thin_staffing and 0 <= (local_created.date() - people.holiday_week_start).days < 7:
        delay_minutes *= 2.5
    replied_at = team.add_business_seconds(created_at, 60 + delay_minutes * 60)
    agent = agent_on_shift(rng, people, roster, team_key, replied_at)
    agent_team = agent.team_on(local_date(replied_at, team.tz))
    if not agent_created and channel != "chat" and _replyless(config, ticket_id):
        return _replyless_solve(config, people, attempt, ticket, log, customer, channel, priority, team, agent,
                                agent_team, created_at, replied_at)
    asks_for_info = rng.random() < 0.28 and channel != "chat"
    one_touch = not asks_for_info and not agent_created and rng.random() < ONE_TOUCH_SHARE[channel]
    first_reply = ("Could you send us your order number?" if asks_for_info else
                   "This should be sorted now." if one_touch else "Thanks, here is what we will do.")
    audit(replied_at, agent.zendesk_user_id, "web", [comment(agent.zendesk_user_id, first_reply)],
          assignee_id=agent.zendesk_user_id, status="pending" if asks_for_info else "solved" if one_touch else "open")
    if one_touch:
        return _solve(rng, config, people, attempt, ticket, log, customer, channel, priority, team,
                      team_key, agent, agent_team, created_at, replied_at, replied_at, team_key, agent_created)
    moment = replied_at
    if asks_for_info:
        moment = moment + timedelta(minutes=30 + rng.expovariate(1 / 480))
        audit(moment, customer.zendesk_user_id, channel if channel in ("email", "chat") else "web",
              [comment(customer.zendesk_user_id, "Here it is.")], status="open")
    if rng.random() < 0.25:
        moment = moment + timedelta(minutes=5 + rng.expovariate(1 / 30))
        agent = log.acting(agent, moment)
        audit(moment, agent.zendesk_user_id, "web", [comment(agent.zendesk_user_id, "Internal note: checked the order history.", public=False)])
    if rng.random() < 0.05 and priority in ("low", "normal"):
        moment = moment + timedelta(minutes=10)
        agent = log.acting(agent, moment)
        audit(moment, agent.zendesk_user_id, "web", [], priority="high")
    if attempt.category == "billing" and rng.random() < 0.2:
        moment = moment + timedelta(minutes=15)
        agent = log.acting(agent, moment)
        audit(moment, agent.zendesk_user_id, "web", [comment(agent.zendesk_user_id, "Waiting on the payment provider.", public=False)], status="hold")
        moment = moment + timedelta(hours=2 + rng.expovariate(1 / 20))
        agent = log.acting(agent, moment)
        audit(moment, agent.zendesk_user_id, "web", [], status="open")
    solver_team = team_key
    if rng.random() < ESCALATION_SHARE.get(attempt.category, 0.0) and team_key.startswith("tier1"):
        solver_team = "tier2" if attempt.category == "technical" else "billing"
        moment = moment + timedelta(minutes=20 + rng.expovariate(1 / 60))
        escalated_to = agent_on_shift(rng, people, roster, solver_team, people.teams[solver_team].next_open_at(moment))
        agent = log.acting(agent, moment)
        audit(moment, agent.zendesk_user_id, "web", [comment(agent.zendesk_user_id, "Escalating to a specialist team.", public=False)],
              group_id=people.group_ids[solver_team], assignee_id=escalated_to.zendesk_user_id)
        agent, agent_team = escalated_to, solver_team
    work = rng.expovariate(1 / WORK_MEAN_MINUTES[channel]) * (
        stories.training_handle_time_factor if is_trained(config, agent, moment.date()) else 1.0)
    solved_at = people.teams[solver_team].add_business_seconds(moment, 120 + work * 60)
    agent = log.acting(agent, solved_at)
    audit(solved_at, agent.zendesk_user_id, "web", [comment(agent.zendesk_user_id, "This should be sorted now.")], status="solved")
    return _solve(rng, config, people, attempt, ticket, log, customer, channel, priority, team,
                  team_key, agent, agent_team, created_at, replied_at, solved_at, solver_team, agent_created)


def _replyless(config: CenterConfig, ticket_id: int) -> bool:
    """Whether this customer ticket is solved without a reply: a hash of the ticket, no draw
    from the day's ticket stream (the other stories' tickets stay as they were)."""
    return config.stories.replyless_solves and _unit(config, "replyless", ticket_id) < config.stories.replyless_share


def _unit(config: CenterConfig, purpose: str, ticket_id: int) -> float:
    digest = hashlib.blake2b(config.stream(purpose, ticket_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2 ** 64


def _replyless_solve(config, people, attempt, ticket, log, customer, channel, priority, team, agent, agent_team,
                     created_at, first_solved_at):
    """Solved without any public reply: a private note, then solved (a duplicate, or the
    customer said on the phone it was fine). The first solve stops the first-response clock;
    most such customers write back, are answered publicly and solved again."""
    rng = random.Random(config.stream("replyless", ticket.ticket_id))
    stories = config.stories
    audit, ticket_id = log.audit, ticket.ticket_id
    audit(first_solved_at, agent.zendesk_user_id, "web",
          [comment(agent.zendesk_user_id, rng.choice(REPLYLESS_NOTES), public=False)],
          assignee_id=agent.zendesk_user_id, status="solved")
    reopened = _unit(config, "replyless-reopen", ticket_id) < stories.replyless_reopen_share
    solved_at, resolved = first_solved_at, True  # a duplicate, or fine already: nothing left to do
    if reopened:
        came_back = first_solved_at + timedelta(hours=min(72.0, 1 + rng.expovariate(1 / 20)))
        audit(came_back, customer.zendesk_user_id, "email",
              [comment(customer.zendesk_user_id, "Nobody answered me and it is not sorted.")], status="open")
        reply_minutes = rng.expovariate(1 / FIRST_REPLY_MEAN_MINUTES[channel])
        answered_at = team.add_business_seconds(came_back, 60 + reply_minutes * 60)
        agent = log.acting(agent, answered_at)
        audit(answered_at, agent.zendesk_user_id, "web",
              [comment(agent.zendesk_user_id, "Sorry for the silence: here is what we will do.")])
        work = rng.expovariate(1 / WORK_MEAN_MINUTES[channel]) * (
            stories.training_handle_time_factor if is_trained(config, agent, answered_at.date()) else 1.0)
        solved_at = team.add_business_seconds(answered_at, 120 + work * 60)
        agent = log.acting(agent, solved_at)
        audit(solved_at, agent.zendesk_user_id, "web", [comment(agent.zendesk_user_id, "This should be sorted now.")],
              status="solved")
        resolved = rng.random() < _resolution_probability(config, agent, agent_team, solved_at)
    # The documented rule: the first solve stops a reply-less ticket's first-response clock.
    return _close(rng, config, people, attempt, ticket, log, channel, priority, team, agent, agent_team,
                  created_at, first_solved_at, solved_at, resolved, agent_created=False, reopened=reopened,
                  escalated=False, one_touch=False, replyless=True, first_solved_at=first_solved_at)


REPLYLESS_NOTES = (
    "Duplicate of the customer's earlier request: merged, nothing to answer here.",
    "The customer said on the phone it is fine now: solving.",
)


def _truth_row(attempt: Attempt, ticket: Ticket, channel: str, priority: str, *, resolved: bool, agent: Agent,
               agent_team: str, reopened: bool, escalated: bool, agent_created: bool, breached: bool,
               one_touch: bool, replyless: bool, first_solved_at: datetime) -> dict:
    return {
        "system": "crm", "contact_ref": str(ticket.ticket_id), "chain_ref": str(ticket.ticket_id),
        "issue_id": attempt.issue_id, "attempt_no": attempt.attempt_no, "is_repeat": attempt.attempt_no > 1,
        "channel": channel, "contact_at": ticket.created_at,
        "category": attempt.category, "customer_index": attempt.customer_index, "outcome": "solved",
        "is_resolved": resolved, "team_key": agent_team, "agent_index": agent.index, "is_reopened": reopened,
        "is_escalated": escalated, "is_agent_created": agent_created, "priority": priority,
        "is_first_reply_breached": breached, "is_one_touch": one_touch,
        # Solved without any public reply first: its first-response clock stopped at the first solve.
        "is_replyless_solve": replyless, "first_solved_at": first_solved_at,
    }


def _solve(rng, config, people, attempt, ticket, log, customer, channel, priority, team, team_key,
           agent, agent_team, created_at, replied_at, solved_at, solver_team, agent_created):
    """From the solve on: the fix holds or not (a reopen, a second solve), the close, the
    survey, the truth, and the customer's next attempt when the issue is not resolved."""
    audit = log.audit
    one_touch = solved_at == replied_at
    first_solved_at = solved_at
    solver_calendar = people.teams[solver_team]
    resolved = rng.random() < _resolution_probability(config, agent, agent_team, solved_at)
    reopened = not resolved and rng.random() < 0.45
    if reopened:
        came_back = solved_at + timedelta(hours=1 + rng.expovariate(1 / 20))
        audit(came_back, customer.zendesk_user_id, "email", [comment(customer.zendesk_user_id, "It is still not working.")], status="open")
        solved_at = solver_calendar.add_business_seconds(came_back, 600 + rng.expovariate(1 / 120) * 60)
        resolved = rng.random() < 0.85
        agent = log.acting(agent, solved_at)
        audit(solved_at, agent.zendesk_user_id, "web", [comment(agent.zendesk_user_id, "Fixed properly this time.")], status="solved")
    return _close(rng, config, people, attempt, ticket, log, channel, priority, team, agent, agent_team,
                  created_at, replied_at, solved_at, resolved, agent_created=agent_created, reopened=reopened,
                  escalated=solver_team != team_key, one_touch=one_touch, replyless=False,
                  first_solved_at=first_solved_at)


def _close(rng, config, people, attempt, ticket, log, channel, priority, team, agent, agent_team, created_at,
           clock_stopped_at, solved_at, resolved, *, agent_created, **truth):
    """The close after the final solve, the first-response breach (to ``clock_stopped_at``: the
    first reply, or the first solve when none came before it), the survey, the truth row, and the
    customer's next attempt when the issue is not resolved."""
    log.audit(solved_at + CLOSE_AFTER, -1, "rule", [], status="closed")
    policy = sla_policies()[(priority, channel)]
    breached = _minutes(created_at, clock_stopped_at, team, policy.hours) > policy.first_response_target_min
    experience = Experience(channel, agent_team, agent.index, resolved, first_reply_breached=breached)
    survey = plan_survey(rng, config, people, "crm", str(ticket.ticket_id), attempt.customer_index, solved_at,
                         attempt.category, experience)
    rows = [_truth_row(attempt, ticket, channel, priority, resolved=resolved, agent=agent, agent_team=agent_team,
                       agent_created=agent_created, breached=breached, **truth)]
    follow_up = None if resolved or agent_created else next_attempt(rng, attempt, solved_at, str(ticket.ticket_id))
    return ticket, rows, survey, follow_up


def _minutes(start: datetime, end: datetime, team: Team, hours: str) -> float:
    """Elapsed minutes, in the team's open hours when the policy says business hours."""
    if hours == "calendar":
        return (end - start).total_seconds() / 60
    total, moment = 0.0, start
    for _ in range(60):
        window = team.open_window_utc(local_date(moment, team.tz))
        if window is not None:
            opens, closes = max(window[0], moment), min(window[1], end)
            total += max(0.0, (closes - opens).total_seconds() / 60)
        next_day = local_date(moment, team.tz) + timedelta(days=1)
        moment = datetime.combine(next_day, datetime.min.time(), tzinfo=team.tz).astimezone(UTC).replace(tzinfo=None)
        if moment >= end:
            break
    return total


def _resolution_probability(config: CenterConfig, agent: Agent, team_key: str, moment: datetime) -> float:
    return resolution_probability(config, agent, team_key, is_trained(config, agent, moment.date()),
                                  TICKET_RESOLUTION_BASE)


assert set(CATEGORIES) == set(TICKET_TYPES)
