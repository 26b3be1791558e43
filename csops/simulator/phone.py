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

from csops.simulator.agent_events import INSTANCE_ARN, AgentStream, agent_arn, contact_details, queue_arn
from csops.simulator.calendar import local_date
from csops.simulator.config import CenterConfig
from csops.simulator.model import Attempt, Experience, Survey
from csops.simulator.population import QUEUE_OF_TEAM, Population, Shift
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
LUNCH_BREAK = timedelta(minutes=30)  # a break this long is the custom status "Lunch", a shorter one "Break"


def utc_text(moment: datetime) -> str:
    """A naive UTC moment as vendors write it, ``2026-01-05T14:03:00Z`` (isoformat is C-fast)."""
    return moment.isoformat(timespec="seconds") + "Z"


@dataclass
class AgentSlot:
    shift: Shift
    free_at: datetime  # when the agent's last event happened: free since
    stream: AgentStream  # what Connect's agent event stream says of the agent today
    breaks_taken: int = 0
    gone: bool = False


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
        _release(out, slot, slot.free_at, day_end)
        if slot.shift.ends_at > day_end:
            # Breaks due before midnight are taken today, so tomorrow's events all come after
            # today's and the heartbeats of today's evening say what the agent was doing.
            _take_breaks(slot, day_end)
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
    contact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    queue = _queue_for(attempt, rng)
    ivr_end = attempt.at + timedelta(seconds=IVR_SECONDS + rng.randrange(0, 20))
    teams_open = any(
        people.teams[team].open_window_utc(_local_date(people, team, attempt.at)) is not None
        and people.teams[team].next_open_at(attempt.at) == attempt.at
        for team, team_queue in QUEUE_OF_TEAM.items() if team_queue == queue
    )
    self_service = rng.random() < SELF_SERVICE_SHARE.get(attempt.category, 0.0)
    if self_service or not teams_open:
        record = _record(people, attempt, contact_id, contact_id, None, "INBOUND", attempt.at)
        record["DisconnectTimestamp"] = ivr_end
        record["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"
        record["Attributes"]["ivr_outcome"] = "self_service" if self_service else "closed_message"
        record["LastUpdateTimestamp"] = ivr_end + timedelta(seconds=30)
        out.records.append(record)
        out.truth.append(_truth(attempt, contact_id, contact_id, "ivr_self_service" if self_service else "closed",
                                resolved=self_service, team=None, agent=None))
        if self_service:
            return []
        # The customer calls again once the line is open.
        opens = min(people.teams[t].next_open_at(attempt.at) for t, q in QUEUE_OF_TEAM.items() if q == queue)
        return [Attempt(attempt.issue_id, attempt.customer_index, attempt.category, "phone",
                        opens + timedelta(minutes=rng.randrange(5, 240)), attempt.attempt_no + 1, contact_id)]
    return [QueuedCall(ivr_end, 0, attempt, queue, "INBOUND", contact_id, contact_id, None, attempt.at)]


def _local_date(people: Population, team: str, moment: datetime) -> date:
    return local_date(moment, people.teams[team].tz)


def _next_agent(out: PhoneDay, pool: list, at: datetime) -> AgentSlot | None:
    """The agent who frees up first, with breaks and shift ends applied on the way."""
    while pool:
        free_at, index, slot = pool[0]
        breaks = slot.shift.breaks
        if slot.breaks_taken < len(breaks) and max(free_at, at) >= breaks[slot.breaks_taken][0]:
            heapq.heappop(pool)
            _take_break(slot)
            heapq.heappush(pool, (slot.free_at, index, slot))
            continue
        if max(free_at, at) >= slot.shift.ends_at:
            heapq.heappop(pool)
            _release(out, slot, free_at, None)
            continue
        return slot
    return None


def _take_break(slot: AgentSlot) -> None:
    """The agent's next break, from when they are free: a custom status, then "Available" again."""
    starts, ends = slot.shift.breaks[slot.breaks_taken]
    begins = max(slot.free_at, starts)
    slot.stream.status(begins, "Lunch" if ends - starts >= LUNCH_BREAK else "Break")
    slot.stream.status(begins + (ends - starts), "Available")
    slot.breaks_taken += 1
    slot.free_at = begins + (ends - starts)


def _take_breaks(slot: AgentSlot, before: datetime) -> None:
    """The breaks the agent would begin before ``before``."""
    breaks = slot.shift.breaks
    while slot.breaks_taken < len(breaks) and max(slot.free_at, breaks[slot.breaks_taken][0]) < before:
        _take_break(slot)


def _release(out: PhoneDay, slot: AgentSlot, free_at: datetime, day_end: datetime | None) -> None:
    if slot.gone or (day_end is not None and slot.shift.ends_at > day_end):
        return
    slot.gone = True
    slot.stream.logout(max(free_at, slot.shift.ends_at))


def _serve(rng: random.Random, config: CenterConfig, people: Population, day: date, out: PhoneDay,
           pools: dict, call: QueuedCall) -> list:
    attempt = call.attempt
    pool = pools.setdefault(call.queue, [])
    slot = _next_agent(out, pool, call.at)
    answer_at = max(call.at, slot.free_at) if slot else None
    wait = (answer_at - call.at).total_seconds() if answer_at else math.inf
    patience = math.inf if call.is_callback else rng.expovariate(1 / people.customers[attempt.customer_index].patience_seconds)
    record = _record(people, attempt, call.contact_id, call.initial_contact_id, call.previous_contact_id,
                     call.initiation_method, call.initiated_at)
    record["Queue"] = {"Name": call.queue, "ARN": queue_arn(call.queue),
                       "EnqueueTimestamp": call.at}
    follow_ups: list = []

    misrouted = call.queue == "General" and attempt.category == "billing" and not call.is_callback
    if misrouted and wait > FLOW_TRANSFER_AFTER_SECONDS and patience > FLOW_TRANSFER_AFTER_SECONDS:
        moved_at = call.at + timedelta(seconds=FLOW_TRANSFER_AFTER_SECONDS)
        _end_unanswered(record, call, moved_at, "CONTACT_FLOW_DISCONNECT")
        out.records.append(record)
        out.truth.append(_truth(attempt, call.contact_id, call.initial_contact_id, "queue_transfer_by_flow",
                                resolved=False, team=None, agent=None))
        next_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        follow_ups.append(QueuedCall(moved_at, 0, attempt, "Billing", "QUEUE_TRANSFER", next_id,
                                     call.initial_contact_id, call.contact_id, moved_at))
        return follow_ups

    offered_callback = (not call.is_callback and wait > CALLBACK_OFFER_AFTER_SECONDS
                        and patience > CALLBACK_OFFER_AFTER_SECONDS and rng.random() < CALLBACK_TAKE_UP)
    if offered_callback:
        asked_at = call.at + timedelta(seconds=CALLBACK_OFFER_AFTER_SECONDS)
        _end_unanswered(record, call, asked_at, "CUSTOMER_DISCONNECT")
        record["Attributes"]["callback_requested"] = "true"
        out.records.append(record)
        out.truth.append(_truth(attempt, call.contact_id, call.initial_contact_id, "callback_requested",
                                resolved=False, team=None, agent=None))
        callback_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        follow_ups.append(QueuedCall(asked_at, 0, attempt, call.queue, "CALLBACK", callback_id,
                                     call.initial_contact_id, call.contact_id, asked_at, is_callback=True))
        return follow_ups

    if slot is None or wait > patience:
        gave_up_at = call.at + timedelta(seconds=min(patience, 4 * 3600))
        _end_unanswered(record, call, gave_up_at, "CUSTOMER_DISCONNECT")
        out.records.append(record)
        outcome = "short_abandon" if patience < SHORT_ABANDON_SECONDS else "abandoned"
        out.truth.append(_truth(attempt, call.contact_id, call.initial_contact_id, outcome,
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
    trained = stories.training_cohort and agent.is_trained and day >= config.training_date
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
    _agent_handles(slot.stream, call, answer_at, connected_at, talk, hold, ended_talk, free_at)

    # Tier 2 takes a transfer only while it is open (London hours); otherwise tier 1 tries itself.
    tier2_open = people.teams["tier2"].next_open_at(ended_talk) == ended_talk
    transfers = (call.queue == "General" and attempt.category == "technical" and tier2_open
                 and rng.random() < AGENT_TRANSFER_SHARE)
    resolution = _resolution_probability(config, people, slot.shift.team_key, agent.index, trained)
    resolved = (not transfers) and rng.random() < resolution
    record["Queue"].update({"DequeueTimestamp": answer_at, "Duration": int(wait)})
    record["Agent"] = {
        "Username": agent.connect_username_as_typed,
        "ARN": agent_arn(agent),
        "RoutingProfile": {"Name": slot.shift.team_key},
        "HierarchyGroups": {"Level1": {"GroupName": people.teams[slot.shift.team_key].name}},
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
    # Agents wrap up optimistically: a share of calls that did not fix the issue are marked
    # resolved all the same, which is why operational FCR also looks for the repeat contact.
    wrapped_resolved = resolved or rng.random() < OPTIMISTIC_WRAP_UP_SHARE
    record["Attributes"]["disposition"] = "transferred" if transfers else ("resolved" if wrapped_resolved else "not_resolved")
    if transfers:
        record["DisconnectReason"] = None
        record["TransferCompletedTimestamp"] = ended_talk
        record["TransferredToEndpoint"] = {"Address": "queue:Technical", "Type": "QUEUE"}
        next_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        follow_ups.append(QueuedCall(ended_talk, 0, attempt, "Technical", "TRANSFER", next_id,
                                     call.initial_contact_id, call.contact_id, ended_talk))
    else:
        record["DisconnectReason"] = "CUSTOMER_DISCONNECT" if rng.random() < 0.7 else "AGENT_DISCONNECT"
    out.records.append(record)
    out.truth.append(_truth(attempt, call.contact_id, call.initial_contact_id,
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


def _resolution_probability(config: CenterConfig, people: Population, team_key: str, agent_index: int,
                            trained: bool) -> float:
    stories = config.stories
    probability = 0.80 * people.agents[agent_index].resolution_skill
    if stories.weak_team and team_key == stories.weak_team_key:
        probability *= stories.weak_team_resolution_factor
    if trained:
        probability += stories.training_resolution_gain
    return min(0.97, probability)


def next_attempt(rng: random.Random, attempt: Attempt, ended_at: datetime, contact_ref: str) -> Attempt:
    """The customer comes back about the same issue: often within days, sometimes on another channel."""
    channel = attempt.channel if rng.random() < 0.6 else rng.choice(("phone", "email", "chat", "web"))
    delay = timedelta(hours=min(rng.expovariate(1 / 40), 9 * 24)) + timedelta(minutes=30)
    return Attempt(attempt.issue_id, attempt.customer_index, attempt.category, channel, ended_at + delay,
                   attempt.attempt_no + 1, contact_ref)


def _end_unanswered(record: dict, call: QueuedCall, at: datetime, reason: str) -> None:
    record["Queue"].update({"DequeueTimestamp": at, "Duration": int((at - call.at).total_seconds())})
    record["DisconnectTimestamp"] = at
    record["DisconnectReason"] = reason
    record["LastUpdateTimestamp"] = at + timedelta(seconds=30)


def _record(people: Population, attempt: Attempt, contact_id: str, initial_id: str, previous_id: str | None,
            method: str, initiated_at: datetime) -> dict:
    return {
        "AWSAccountId": "111122223333",
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


def _truth(attempt: Attempt, contact_id: str, initial_id: str, outcome: str, *, resolved: bool,
           team: str | None, agent: int | None, wait: float | None = None) -> dict:
    return {
        "system": "telephony", "contact_ref": contact_id, "chain_ref": initial_id, "issue_id": attempt.issue_id,
        "attempt_no": attempt.attempt_no, "is_repeat": attempt.attempt_no > 1, "channel": "phone",
        "contact_at": attempt.at,
        "category": attempt.category, "customer_index": attempt.customer_index, "outcome": outcome,
        "is_resolved": resolved, "team_key": team, "agent_index": agent,
        "queue_wait_seconds": None if wait is None or math.isinf(wait) else round(wait, 1),
    }


def _agent_handles(stream: AgentStream, call: QueuedCall, answer_at: datetime, connected_at: datetime, talk: int,
                   hold: int, ended_talk: datetime, free_at: datetime) -> None:
    """The call's states in the agent's snapshots: connecting (a callback, while Connect dials
    the customer), connected, on hold half-way through the talk, ended while the agent wraps up
    (after-contact work), cleared."""
    details = contact_details(call.contact_id, call.initial_contact_id, call.initiation_method, call.queue, call.at)
    if connected_at > answer_at:
        stream.contact(answer_at, call.contact_id, "CONNECTING", details)
    stream.contact(connected_at, call.contact_id, "CONNECTED", details)
    if hold:
        held_at = connected_at + timedelta(seconds=talk // 2)
        stream.contact(held_at, call.contact_id, "CONNECTED_ONHOLD")
        stream.contact(held_at + timedelta(seconds=hold), call.contact_id, "CONNECTED")
    stream.contact(ended_talk, call.contact_id, "ENDED")
    stream.cleared(free_at, call.contact_id)
