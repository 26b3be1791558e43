"""A simulated center, day by day: each UTC day's exports from that day's draws and the state carried over.

Issues chain across days (a repeat contact, a ticket still open, a survey answered two
days later), so the simulator keeps a small state between days, as the real upstream
systems do, in ``CSOPS_HOME/simulator/shard-<n>.pickle``. A day depends only on the seed, the
date and that state: simulating days one at a time lands the same bytes as simulating
them together, and memory stays flat however many days go by.
"""

from __future__ import annotations

import heapq
import pickle
import random
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from csops.simulator import exports, qualtrics_records, zendesk_records
from csops.simulator.arrivals import new_issues
from csops.simulator.config import CenterConfig
from csops.simulator.model import Attempt, Survey
from csops.simulator.phone import simulate_phone_day
from csops.simulator.population import population
from csops.simulator.roster import Roster, local_days_touching
from csops.simulator.tickets import plan_ticket

STATE_VERSION = 2


@dataclass
class CarriedState:
    """What one day hands the next. Everything in it is bounded by how long an issue lives."""

    center: tuple
    next_day: date
    pending_attempts: list[Attempt] = field(default_factory=list)
    # Per UTC day to come: (customer index, ticket snapshot, audits) of every ticket that changes then.
    ticket_emissions: dict[date, list[tuple]] = field(default_factory=dict)
    pending_surveys: list[Survey] = field(default_factory=list)
    redeliveries: list[dict] = field(default_factory=list)
    later_records: list[dict] = field(default_factory=list)
    later_agent_events: list[dict] = field(default_factory=list)
    agent_carry: dict = field(default_factory=dict)
    # Lines the defects injector held back from the last day: they arrive with the next one.
    late_lines: dict[str, list[str]] = field(default_factory=dict)


class CenterMismatch(ValueError):
    """The data folder holds another simulated center."""


def center_identity(config: CenterConfig) -> tuple:
    """Everything that makes a center what it is; ``days`` only says how far to land."""
    values = asdict(config)
    values.pop("days")
    return tuple(sorted((key, repr(value)) for key, value in values.items()))


TICKET_IDS_PER_SHARD_DAY = 20_000


def ticket_id_base(day: date) -> int:
    """Ticket ids grow with the date, as Zendesk's do, and never collide across days."""
    return (day.toordinal() - date(2020, 1, 1).toordinal()) * 100_000


def load_state(path: Path, config: CenterConfig) -> CarriedState:
    if not path.exists():
        return CarriedState(center=center_identity(config), next_day=config.start)
    with path.open("rb") as handle:
        version, state = pickle.load(handle)
    if version != STATE_VERSION or state.center != center_identity(config):
        raise CenterMismatch(
            f"{path.parent.parent} already holds another simulated center (other seed, size, start or stories). "
            "Use another CSOPS_HOME, or delete that folder to start again.")
    return state


def save_state(path: Path, state: CarriedState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        pickle.dump((STATE_VERSION, state), handle, protocol=5)
    temporary.replace(path)


@dataclass
class LandingDay:
    day: date
    files: dict[str, list[str]]  # relative landing path -> lines
    truth: dict[str, list[str]]  # relative truth path -> lines


def simulate_day(config: CenterConfig, state: CarriedState, roster: Roster) -> LandingDay:
    day = state.next_day
    people = population(config)
    day_start = datetime.combine(day, datetime.min.time())
    day_end = day_start + timedelta(days=1)
    stream = lambda name: random.Random(config.stream(day.isoformat(), name))  # noqa: E731

    due = [a for a in state.pending_attempts if a.at < day_end]
    state.pending_attempts = [a for a in state.pending_attempts if a.at >= day_end]
    attempts = sorted(due + new_issues(stream("births"), config, people, day),
                      key=lambda a: (a.at, a.issue_id, a.attempt_no))

    shifts = [shift for local_day in local_days_touching(day) for shift in roster.on(local_day)]
    phone = simulate_phone_day(stream("phone"), config, people, day, [a for a in attempts if a.channel == "phone"],
                               shifts, state.agent_carry)
    state.agent_carry = phone.agent_carry

    # Tickets: today's non-phone attempts, including those the phone day sent to another channel.
    ticket_rng = stream("tickets")
    queue = [(a.at, a.issue_id, a.attempt_no, a) for a in attempts if a.channel != "phone"]
    queue += [(a.at, a.issue_id, a.attempt_no, a) for a in phone.later_attempts if a.channel != "phone" and a.at < day_end]
    later = [a for a in phone.later_attempts if not (a.channel != "phone" and a.at < day_end)]
    heapq.heapify(queue)
    truth_rows, surveys = list(phone.truth), list(phone.surveys)
    next_ticket_id = ticket_id_base(day) + config.shard_index * TICKET_IDS_PER_SHARD_DAY
    while queue:
        _, _, _, attempt = heapq.heappop(queue)
        next_ticket_id += 1
        ticket, ticket_truth, survey, follow_up = plan_ticket(ticket_rng, config, people, attempt, next_ticket_id, roster)
        for emission_day, emission in zendesk_records.emissions_by_day(ticket, people).items():
            state.ticket_emissions.setdefault(emission_day, []).append(emission)
        truth_rows += ticket_truth
        if survey is not None:
            surveys.append(survey)
        if follow_up is None:
            continue
        if follow_up.at < day_end:
            if follow_up.channel != "phone":
                heapq.heappush(queue, (follow_up.at, follow_up.issue_id, follow_up.attempt_no, follow_up))
                continue
            follow_up.at += timedelta(days=1)  # today's calls are already placed: the customer rings tomorrow
        later.append(follow_up)
    state.pending_attempts += later

    ticket_rows, audit_rows, customers_seen = [], [], set()
    for customer_index, snapshot, audits in state.ticket_emissions.pop(day, []):
        ticket_rows.append(snapshot)
        audit_rows += audits
        customers_seen.add(customer_index)

    all_surveys = state.pending_surveys + surveys
    sent = [s for s in all_surveys if day_start <= s.sent_at < day_end]
    answered = [s for s in all_surveys if s.recorded_at is not None and day_start <= s.recorded_at < day_end]
    state.pending_surveys = [s for s in all_surveys if s.sent_at >= day_end or (s.recorded_at or day_start) >= day_end]

    records = state.later_records + state.redeliveries + phone.records
    state.later_records = [r for r in records if r["InitiationTimestamp"] >= day_end]
    records = [r for r in records if r["InitiationTimestamp"] < day_end]
    state.redeliveries = phone.redeliveries
    agent_events = state.later_agent_events + phone.agent_events
    state.later_agent_events = [e for e in agent_events if e["EventTimestamp"] >= day_end]
    agent_events = sorted((e for e in agent_events if e["EventTimestamp"] < day_end),
                          key=lambda e: (e["EventTimestamp"], e["EventId"]))

    stamp = day.isoformat()
    # Each system's own delivery (docs/source_formats.md): Zendesk API pages per endpoint,
    # Connect streams as Firehose objects in UTC hour folders, Qualtrics exports.
    files = {
        **exports.zendesk_pages("tickets", ticket_rows, day, always=True),
        **exports.zendesk_pages("ticket_audits", audit_rows, day, always=True),
        **exports.zendesk_pages("users", zendesk_records.users(people, sorted(customers_seen), day,
                                                               with_bot=config.shard_index == 0), day),
        **(exports.zendesk_pages("groups", zendesk_records.groups(people), day) if config.shard_index == 0
           else {}),
        **exports.zendesk_pages("group_memberships", zendesk_records.group_memberships(people, day), day),
        **exports.firehose_objects("contact-records", records, "LastUpdateTimestamp", day, config.seed,
                                   config.shard_index),
        **exports.firehose_objects("agent-events", agent_events, "EventTimestamp", day, config.seed,
                                   config.shard_index),
        f"surveys/{stamp}/responses.csv": qualtrics_records.qualtrics_responses(answered, people),
        f"surveys/{stamp}/distribution_history.json":
            qualtrics_records.qualtrics_distribution_history(sent, answered, people),
    }
    for row in truth_rows:  # the truth speaks of the whole center's agents and customers
        row["customer_index"] += config.customer_offset
        if row["agent_index"] is not None:
            row["agent_index"] += config.agent_offset
    truth = {
        f"{stamp}/contacts.jsonl": exports.jsonl(truth_rows),
        f"{stamp}/surveys.jsonl": exports.jsonl([qualtrics_records.survey_truth(s) for s in surveys]),
    }
    state.next_day = day + timedelta(days=1)
    roster.forget_before(day - timedelta(days=2))
    return LandingDay(day, files, truth)


def write_lines(path: Path, lines: list[str], append: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w", encoding="utf-8", newline="\n") as handle:
        if lines:
            handle.write("\n".join(lines))
            handle.write("\n")


def write_day_files(landing: Path, files: dict[str, list[str]], name_of=lambda relative: relative) -> None:
    """Write a day's files as their systems pack them (exports.packed): the units are records
    (or CSV lines); ``name_of`` gives each file its name on disk (a shard's part)."""
    for relative, units in files.items():
        path = landing / name_of(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(exports.packed(relative, units, last_page=exports.next_page(relative) not in files))
