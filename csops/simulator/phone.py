"""One UTC day of calls: IVR, queues against the agents on shift, patience, transfers, callbacks.

Calls are taken in the order they arrive. Each queue is FIFO: a caller gets the agent
who frees up first, and hangs up when the wait exceeds their patience. Agents take
their breaks, leave at the end of their shift, and carry an unfinished call over the
UTC midnight (the day's end state goes into the simulator's carried state).
"""

from __future__ import annotations

import heapq
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from csops.simulator.agent_events import AgentStream, queue_arn
from csops.simulator.calendar import local_date
from csops.simulator.config import CenterConfig
from csops.simulator.contact_records import contact_record, contact_truth, end_unanswered, record_answer
from csops.simulator.model import Attempt, Experience, Survey
from csops.simulator.phone_agents import AgentSlot, agent_handles, next_agent, release, take_breaks
from csops.simulator.population import QUEUE_OF_TEAM, Population
from csops.simulator.resolution import is_trained, next_attempt, resolution_probability
from csops.simulator.roster import Shift
from csops.simulator.surveys import plan_survey

TALK_SECONDS_BY_CATEGORY = {"billing": 300, "technical": 420, "account": 260, "delivery": 220, "returns": 240}
IVR_SECONDS = 35
SELF_SERVICE_SHARE = {"billing": 0.18, "delivery": 0.12}  # answered by the IVR, never queued
MISROUTED_SHARE = 0.08  # billing callers who pick the general option; the flow moves them on
FLOW_TRANSFER_AFTER_SECONDS = 30
AGENT_TRANSFER_SHARE = 0.35  # technical calls a tier-1 agent hands to tier 2
CALLBACK_OFFER_AFTER_SECONDS = 60
CALLBACK_TAKE_UP = 0.3
OPTIMISTIC_WRAP_UP_SHARE = 0.3  # unresolved calls an agent wraps up as resolved
RETRY_AFTER_ABANDON = 0.55
SHORT_ABANDON_SECONDS = 5  # KPI_DEFINITIONS.md's default short_abandon_s
CALLBACK_DIAL_SECONDS = 15  # a callback reaches the agent first, then Connect dials the customer
PHONE_RESOLUTION_BASE = 0.80  # before the agent's skill and the stories (resolution.py)


def _new_contact_id(rng: random.Random) -> str:
    """A Connect ContactId: a random UUID, drawn from the phone day's stream."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(order=True)
class QueuedCall:
    at: datetime  # when the caller enters the queue
    seq: int
    attempt: Attempt = field(compare=False)
    queue: str = field(compare=False)
    initiation_method: str = field(compare=False)
    contact_id: str = field(compare=False)
    initial_contact_id: str = field(compare=False)
    previous_contact_id: str | None = field(compare=False)
    initiated_at: datetime = field(compare=False)
    is_callback: bool = field(compare=False, default=False)


@dataclass
class PhoneDay:
    records: list[dict] = field(default_factory=list)
    agent_events: list[dict] = field(default_factory=list)
    later_attempts: list[Attempt] = field(default_factory=list)  # repeats on later days
    surveys: list[Survey] = field(default_factory=list)
    truth: list[dict] = field(default_factory=list)
    # Per agent on a shift across midnight: (shift start, free since, breaks taken, "Available" since).
    agent_carry: dict[int, tuple[datetime, datetime, int, datetime]] = field(default_factory=dict)
    redeliveries: list[dict] = field(default_factory=list)  # records Connect sends again tomorrow


def simulate_phone_day(rng: random.Random, config: CenterConfig, people: Population, day: date,
                       attempts: list[Attempt], shifts: list[Shift],
                       carried: dict[int, tuple[datetime, datetime, int, datetime]]) -> PhoneDay:
    day_start = datetime.combine(day, datetime.min.time())
    day_end = day_start + timedelta(days=1)
    out = PhoneDay()
    pools: dict[str, list[tuple[datetime, int, AgentSlot]]] = {}
    slots = []
    for shift in shifts:
        if shift.ends_at <= day_start or shift.starts_at >= day_end:
            continue
        free_at, breaks_taken, available_since = shift.starts_at, 0, shift.starts_at
        carry = carried.get(shift.agent.index)
        if carry and carry[0] == shift.starts_at:  # the same shift, begun yesterday (UTC)
            free_at, breaks_taken, available_since = max(free_at, carry[1]), carry[2], carry[3]
        queue = QUEUE_OF_TEAM[shift.team_key]
        stream = AgentStream(shift.agent, shift.team_key, people.teams[shift.team_key].name, queue)
        if day_start <= shift.starts_at < day_end:
            stream.login(shift.starts_at)
        else:
            stream.resume(free_at, available_since, day_start)
        slot = AgentSlot(shift, free_at, stream, breaks_taken)
        slots.append(slot)
        heapq.heappush(pools.setdefault(QUEUE_OF_TEAM[shift.team_key], []), (free_at, shift.agent.index, slot))

    arrivals: list[tuple[datetime, int, Attempt]] = []
    for seq, attempt in enumerate(attempts):
        heapq.heappush(arrivals, (attempt.at, seq, attempt))
    seq = len(attempts)
    queued: list[QueuedCall] = []
    while arrivals or queued:
        # Take whichever comes first: a new call reaching the IVR, or a caller entering a queue.
        if queued and (not arrivals or queued[0].at <= arrivals[0][0]):
            follow_ups = _serve(rng, config, people, day, out, pools, heapq.heappop(queued))
        else:
            follow_ups = _enter(rng, people, out, heapq.heappop(arrivals)[2])
        for follow_up in follow_ups:
            seq += 1
            if isinstance(follow_up, QueuedCall):
                follow_up.seq = seq
                heapq.heappush(queued, follow_up)
            elif follow_up.channel == "phone" and follow_up.at < day_end:
                heapq.heappush(arrivals, (follow_up.at, seq, follow_up))
            else:
                out.later_attempts.append(follow_up)
    for slot in slots:
        release(slot, slot.free_at, day_end)
        if slot.shift.ends_at > day_end:
            # Breaks due before midnight are taken today, so tomorrow's events all come after
            # today's and the heartbeats of today's evening say what the agent was doing.
            take_breaks(slot, day_end)
        out.agent_events += slot.stream.events(day_end)
        if slot.shift.ends_at > day_end:
            out.agent_carry[slot.shift.agent.index] = (slot.shift.starts_at, slot.free_at, slot.breaks_taken,
                                                       slot.stream.status_since)
    return out


def _queue_for(attempt: Attempt, rng: random.Random) -> str:
    if attempt.category == "billing" and rng.random() >= MISROUTED_SHARE:
        return "Billing"
    return "General"


def _enter(rng: random.Random, people: Population, out: PhoneDay, attempt: Attempt) -> list:
    """The IVR: self-service or a closed line ends the call here; otherwise the caller is queued."""
    contact_id = _new_contact_id(rng)
    queue = _queue_for(attempt, rng)
    ivr_end = attempt.at + timedelta(seconds=IVR_SECONDS + rng.randrange(0, 20))
    teams_open = any(
        people.teams[team].open_window_utc(_local_date(people, team, attempt.at)) is not None
        and people.teams[team].next_open_at(attempt.at) == attempt.at
        for team, team_queue in QUEUE_OF_TEAM.items() if team_queue == queue
    )
    self_service = rng.random() < SELF_SERVICE_SHARE.get(attempt.category, 0.0)
    if self_service or not teams_open:
        record = contact_record(people, attempt, contact_id, contact_id, None, "INBOUND", attempt.at)
        record["DisconnectTimestamp"] = ivr_end
        record["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"
        record["Attributes"]["ivr_outcome"] = "self_service" if self_service else "closed_message"
        record["LastUpdateTimestamp"] = ivr_end + timedelta(seconds=30)
        out.records.append(record)
        outcome = "ivr_self_service" if self_service else "closed"
        out.truth.append(contact_truth(attempt, contact_id, contact_id, outcome, resolved=self_service, team=None,
                                       agent=None))
        if self_service:
            return []
        # The customer calls again once the line is open.
        opens = min(people.teams[t].next_open_at(attempt.at) for t, q in QUEUE_OF_TEAM.items() if q == queue)
        return [Attempt(attempt.issue_id, attempt.customer_index, attempt.category, "phone",
                        opens + timedelta(minutes=rng.randrange(5, 240)), attempt.attempt_no + 1, contact_id)]
    return [QueuedCall(ivr_end, 0, attempt, queue, "INBOUND", contact_id, contact_id, None, attempt.at)]


def _local_date(people: Population, team: str, moment: datetime) -> date:
    return local_date(moment, people.teams[team].tz)


def _serve(rng: random.Random, config: CenterConfig, people: Population, day: date, out: PhoneDay,
           pools: dict, call: QueuedCall) -> list:
    attempt = call.attempt
    pool = pools.setdefault(call.queue, [])
    slot = next_agent(pool, call.at)
    answer_at = max(call.at, slot.free_at) if slot else None
    wait = (answer_at - call.at).total_seconds() if answer_at else math.inf
    patience = math.inf if call.is_callback else rng.expovariate(1 / people.customers[attempt.customer_index].patience_seconds)
    record = contact_record(people, attempt, call.contact_id, call.initial_contact_id, call.previous_contact_id,
                            call.initiation_method, call.initiated_at)
    record["Queue"] = {"Name": call.queue, "ARN": queue_arn(call.queue),
                       "EnqueueTimestamp": call.at}
    follow_ups: list = []

    misrouted = call.queue == "General" and attempt.category == "billing" and not call.is_callback
    if misrouted and wait > FLOW_TRANSFER_AFTER_SECONDS and patience > FLOW_TRANSFER_AFTER_SECONDS:
        moved_at = call.at + timedelta(seconds=FLOW_TRANSFER_AFTER_SECONDS)
        end_unanswered(record, call.at, moved_at, "CONTACT_FLOW_DISCONNECT")
        out.records.append(record)
        out.truth.append(contact_truth(attempt, call.contact_id, call.initial_contact_id, "queue_transfer_by_flow",
                                       resolved=False, team=None, agent=None))
        next_id = _new_contact_id(rng)
        follow_ups.append(QueuedCall(moved_at, 0, attempt, "Billing", "QUEUE_TRANSFER", next_id,
                                     call.initial_contact_id, call.contact_id, moved_at))
        return follow_ups

    offered_callback = (not call.is_callback and wait > CALLBACK_OFFER_AFTER_SECONDS
                        and patience > CALLBACK_OFFER_AFTER_SECONDS and rng.random() < CALLBACK_TAKE_UP)
    if offered_callback:
        asked_at = call.at + timedelta(seconds=CALLBACK_OFFER_AFTER_SECONDS)
        end_unanswered(record, call.at, asked_at, "CUSTOMER_DISCONNECT")
        record["Attributes"]["callback_requested"] = "true"
        out.records.append(record)
        out.truth.append(contact_truth(attempt, call.contact_id, call.initial_contact_id, "callback_requested",
                                       resolved=False, team=None, agent=None))
        callback_id = _new_contact_id(rng)
        follow_ups.append(QueuedCall(asked_at, 0, attempt, call.queue, "CALLBACK", callback_id,
                                     call.initial_contact_id, call.contact_id, asked_at, is_callback=True))
        return follow_ups

    if slot is None or wait > patience:
        gave_up_at = call.at + timedelta(seconds=min(patience, 4 * 3600))
        end_unanswered(record, call.at, gave_up_at, "CUSTOMER_DISCONNECT")
        out.records.append(record)
        outcome = "short_abandon" if patience < SHORT_ABANDON_SECONDS else "abandoned"
        out.truth.append(contact_truth(attempt, call.contact_id, call.initial_contact_id, outcome,
                                       resolved=False, team=None, agent=None, wait=patience))
        if rng.random() < RETRY_AFTER_ABANDON:
            follow_ups.append(Attempt(attempt.issue_id, attempt.customer_index, attempt.category, "phone",
                                      gave_up_at + timedelta(minutes=rng.randrange(2, 90)), attempt.attempt_no + 1,
                                      call.contact_id))
        return follow_ups

    # Answered.
    heapq.heappop(pool)
    agent = slot.shift.agent
    stories = config.stories
    trained = is_trained(config, agent, day)
    talk = TALK_SECONDS_BY_CATEGORY[attempt.category] * agent.handle_time_factor * rng.lognormvariate(0, 0.45)
    talk *= stories.training_handle_time_factor if trained else 1.0
    hold = rng.expovariate(1 / 70) if rng.random() < 0.25 else 0.0
    acw = rng.lognormvariate(math.log(55), 0.45) * (stories.training_handle_time_factor if trained else 1.0)
    talk, hold, acw = int(talk) + 20, int(hold), int(acw)
    connected_at = answer_at + (timedelta(seconds=CALLBACK_DIAL_SECONDS) if call.is_callback else timedelta(0))
    ended_talk = connected_at + timedelta(seconds=talk + hold)
    free_at = ended_talk + timedelta(seconds=acw)
    slot.free_at = free_at
    heapq.heappush(pool, (free_at, agent.index, slot))
    agent_handles(slot.stream, call, answer_at, connected_at, talk, hold, ended_talk, free_at)

    # Tier 2 takes a transfer only while it is open (London hours); otherwise tier 1 tries itself.
    tier2_open = people.teams["tier2"].next_open_at(ended_talk) == ended_talk
    transfers = (call.queue == "General" and attempt.category == "technical" and tier2_open
                 and rng.random() < AGENT_TRANSFER_SHARE)
    resolution = resolution_probability(config, agent, slot.shift.team_key, trained, PHONE_RESOLUTION_BASE)
    resolved = (not transfers) and rng.random() < resolution
    record_answer(record, people, agent, slot.shift.team_key, answer_at, wait, connected_at, talk, hold, acw,
                  ended_talk, free_at)
    # Agents wrap up optimistically: a share of calls that did not fix the issue are marked
    # resolved all the same, which is why operational FCR also looks for the repeat contact.
    wrapped_resolved = resolved or rng.random() < OPTIMISTIC_WRAP_UP_SHARE
    record["Attributes"]["disposition"] = "transferred" if transfers else ("resolved" if wrapped_resolved else "not_resolved")
    if transfers:
        record["DisconnectReason"] = None
        record["TransferCompletedTimestamp"] = ended_talk
        record["TransferredToEndpoint"] = {"Address": "queue:Technical", "Type": "QUEUE"}
        next_id = _new_contact_id(rng)
        follow_ups.append(QueuedCall(ended_talk, 0, attempt, "Technical", "TRANSFER", next_id,
                                     call.initial_contact_id, call.contact_id, ended_talk))
    else:
        record["DisconnectReason"] = "CUSTOMER_DISCONNECT" if rng.random() < 0.7 else "AGENT_DISCONNECT"
    out.records.append(record)
    out.truth.append(contact_truth(attempt, call.contact_id, call.initial_contact_id,
                                   "transferred_by_agent" if transfers else "answered", resolved=resolved,
                                   team=slot.shift.team_key, agent=agent.index, wait=wait))
    if rng.random() < config.redelivered_record_rate:
        # Connect delivers the record again the next day, updated (a wrap-up note added later).
        updated = {**record, "Attributes": {**record["Attributes"], "wrapup_note": "updated after the call"},
                   "LastUpdateTimestamp": free_at + timedelta(hours=rng.randrange(1, 8))}
        out.redeliveries.append(updated)
        out.truth[-1]["is_redelivered"] = True
    if transfers:
        return follow_ups
    experience = Experience("phone", slot.shift.team_key, agent.index, resolved, wait_seconds=wait)
    survey = plan_survey(rng, config, people, "telephony", call.initial_contact_id, attempt.customer_index,
                         free_at, attempt.category, experience)
    if survey is not None:
        out.surveys.append(survey)
    if not resolved:
        follow_ups.append(next_attempt(rng, attempt, free_at, call.initial_contact_id))
    return follow_ups
