"""The agents on the phones through a UTC day: when each is free, their breaks, their shift's
end, and what their event stream says of each call they take."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from csops.simulator.agent_events import AgentStream, contact_details
from csops.simulator.roster import Shift

if TYPE_CHECKING:
    from csops.simulator.phone import QueuedCall

LUNCH_BREAK = timedelta(minutes=30)  # a break this long is the custom status "Lunch", a shorter one "Break"


@dataclass
class AgentSlot:
    shift: Shift
    free_at: datetime  # when the agent's last event happened: free since
    stream: AgentStream  # what Connect's agent event stream says of the agent today
    breaks_taken: int = 0
    gone: bool = False


def next_agent(pool: list, at: datetime) -> AgentSlot | None:
    """The agent who frees up first, with breaks and shift ends applied on the way."""
    while pool:
        free_at, index, slot = pool[0]
        breaks = slot.shift.breaks
        if slot.breaks_taken < len(breaks) and max(free_at, at) >= breaks[slot.breaks_taken][0]:
            heapq.heappop(pool)
            take_break(slot)
            heapq.heappush(pool, (slot.free_at, index, slot))
            continue
        if max(free_at, at) >= slot.shift.ends_at:
            heapq.heappop(pool)
            release(slot, free_at, None)
            continue
        return slot
    return None


def take_break(slot: AgentSlot) -> None:
    """The agent's next break, from when they are free: a custom status, then "Available" again."""
    starts, ends = slot.shift.breaks[slot.breaks_taken]
    begins = max(slot.free_at, starts)
    slot.stream.status(begins, "Lunch" if ends - starts >= LUNCH_BREAK else "Break")
    slot.stream.status(begins + (ends - starts), "Available")
    slot.breaks_taken += 1
    slot.free_at = begins + (ends - starts)


def take_breaks(slot: AgentSlot, before: datetime) -> None:
    """The breaks the agent would begin before ``before``."""
    breaks = slot.shift.breaks
    while slot.breaks_taken < len(breaks) and max(slot.free_at, breaks[slot.breaks_taken][0]) < before:
        take_break(slot)


def release(slot: AgentSlot, free_at: datetime, day_end: datetime | None) -> None:
    """The agent logs out at their shift's end (or when they free up after it); not yet when the
    shift runs past ``day_end``: it goes on tomorrow."""
    if slot.gone or (day_end is not None and slot.shift.ends_at > day_end):
        return
    slot.gone = True
    slot.stream.logout(max(free_at, slot.shift.ends_at))


def agent_handles(stream: AgentStream, call: QueuedCall, answer_at: datetime, connected_at: datetime, talk: int,
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
