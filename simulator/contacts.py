"""One day's contacts, drawn from a random stream of that day alone.

Each day's draws depend only on the seed and the date, so a day simulated on its own
is identical to the same day simulated within a longer period; events that spill into
later days (a late solve, a survey answered two days later) are found by re-drawing
the few earlier days they can come from.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from simulator.config import CATEGORIES, CHANNEL_MIX, WEEKDAY_VOLUME, CenterConfig
from simulator.population import population

# How many days after a contact its last event (solve, survey answer) can happen.
LOOKBACK_DAYS = 3
# Local hours the center is staffed, weekday and weekend.
OPEN_HOURS = {"weekday": (8, 20), "weekend": (9, 17)}
# Intraday arrival shape (local hour -> weight): a morning peak and an early-afternoon one.
HOURLY_WEIGHT = {8: 0.7, 9: 1.2, 10: 1.5, 11: 1.4, 12: 1.0, 13: 1.1, 14: 1.3, 15: 1.2,
                 16: 1.0, 17: 0.8, 18: 0.6, 19: 0.4}


@dataclass(frozen=True)
class Survey:
    sent_at: datetime
    response_id: str | None
    recorded_at: datetime | None
    started_at: datetime | None
    csat_score: int | None
    nps_score: int | None
    ces_score: int | None
    is_resolved_answer: bool | None
    comment: str


@dataclass(frozen=True)
class Contact:
    ref: str  # Connect ContactId or Zendesk ticket id, as text
    system: str  # "telephony" or "crm"
    channel: str
    customer_index: int
    agent_index: int | None
    category: str
    created_at: datetime
    # phone
    queue_wait_seconds: int | None
    talk_seconds: int | None
    hold_seconds: int | None
    after_contact_work_seconds: int | None
    # ticket
    first_reply_at: datetime | None
    solved_at: datetime | None
    survey: Survey | None

    @property
    def is_answered(self) -> bool:
        return self.agent_index is not None

    @property
    def ended_at(self) -> datetime:
        if self.system == "crm":
            return self.solved_at or self.created_at
        handled = (self.talk_seconds or 0) + (self.hold_seconds or 0)
        return self.created_at + timedelta(seconds=(self.queue_wait_seconds or 0) + handled)


def ticket_id_base(day: date) -> int:
    """Ticket ids grow with the date, as Zendesk's do, and never collide across days."""
    return (day.toordinal() - date(2020, 1, 1).toordinal()) * 10_000


def _local_arrival(rng: random.Random, day: date, tz: ZoneInfo) -> datetime:
    opens, closes = OPEN_HOURS["weekday" if day.weekday() < 5 else "weekend"]
    hours = [h for h in HOURLY_WEIGHT if opens <= h < closes]
    hour = rng.choices(hours, weights=[HOURLY_WEIGHT[h] for h in hours])[0]
    local = datetime.combine(day, time(hour), tzinfo=tz) + timedelta(seconds=rng.randrange(3600))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _survey(rng: random.Random, config: CenterConfig, channel: str, ended_at: datetime) -> Survey | None:
    if rng.random() >= config.survey_send_rate:
        return None
    sent_at = ended_at + timedelta(minutes=rng.randrange(5, 60))
    if rng.random() >= config.survey_response_rate:
        return Survey(sent_at, None, None, None, None, None, None, None, "")
    delay = timedelta(minutes=min(rng.expovariate(1 / 600), (LOOKBACK_DAYS - 1) * 24 * 60))
    recorded_at = sent_at + delay
    is_top2 = rng.random() < config.csat_top2_probability(channel)
    csat = (5 if rng.random() < 0.6 else 4) if is_top2 else rng.choices((1, 2, 3), weights=(3, 3, 4))[0]
    nps = min(10, max(0, csat * 2 + rng.choice((-1, 0, 0, 1))))
    ces = min(7, max(1, csat + rng.choice((0, 1, 2))))
    comment = _comment(rng, csat)
    return Survey(
        sent_at=sent_at,
        response_id="R_" + uuid.UUID(int=rng.getrandbits(128)).hex[:15],
        recorded_at=recorded_at,
        started_at=recorded_at - timedelta(seconds=rng.randrange(30, 400)),
        csat_score=csat,
        nps_score=nps,
        ces_score=ces,
        is_resolved_answer=csat >= 4 or rng.random() < 0.3,
        comment=comment,
    )


def _comment(rng: random.Random, csat: int) -> str:
    if rng.random() < 0.5:
        return ""
    good = ("Quick and friendly, thanks!", "The agent solved it in one go.", "Very helpful support.")
    bad = ("I waited far too long.", "Still not fixed, I had to call again.", "Nobody answered my email for days.")
    return rng.choice(good if csat >= 4 else bad)


@lru_cache(maxsize=LOOKBACK_DAYS + 2)
def day_contacts(config: CenterConfig, day: date) -> tuple[Contact, ...]:
    """Every contact created on ``day`` (center-local), in creation order."""
    rng = random.Random(f"{config.seed}:{day.isoformat()}")
    tz = ZoneInfo(config.timezone)
    people = population(config)
    expected = config.agents * config.contacts_per_agent_day * WEEKDAY_VOLUME[day.weekday()] * (5 / 7)
    count = max(0, round(rng.gauss(expected, math.sqrt(expected))))
    channels, weights = zip(*CHANNEL_MIX.items())
    next_ticket_id = ticket_id_base(day)
    contacts = []
    for created_at in sorted(_local_arrival(rng, day, tz) for _ in range(count)):
        channel = rng.choices(channels, weights=weights)[0]
        customer = rng.randrange(len(people.customers))
        category = rng.choice(CATEGORIES)
        if channel == "phone":
            wait = int(rng.expovariate(1 / 45))
            answered = rng.random() >= config.abandon_rate
            talk = int(rng.lognormvariate(math.log(300), 0.5)) if answered else None
            hold = (int(rng.expovariate(1 / 60)) if rng.random() < 0.25 else 0) if answered else None
            acw = int(rng.lognormvariate(math.log(60), 0.4)) if answered else None
            contact = Contact(
                ref=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                system="telephony", channel=channel, customer_index=customer,
                agent_index=rng.randrange(len(people.agents)) if answered else None,
                category=category, created_at=created_at,
                queue_wait_seconds=wait, talk_seconds=talk, hold_seconds=hold,
                after_contact_work_seconds=acw, first_reply_at=None, solved_at=None, survey=None,
            )
        else:
            next_ticket_id += 1
            first_reply = created_at + timedelta(minutes=int(rng.expovariate(1 / (240 if channel == "email" else 30))) + 1)
            solved = first_reply + timedelta(minutes=int(rng.expovariate(1 / 600)) + 5)
            solved = min(solved, created_at + timedelta(days=LOOKBACK_DAYS - 1))
            first_reply = min(first_reply, solved)
            contact = Contact(
                ref=str(next_ticket_id), system="crm", channel=channel, customer_index=customer,
                agent_index=rng.randrange(len(people.agents)), category=category, created_at=created_at,
                queue_wait_seconds=None, talk_seconds=None, hold_seconds=None,
                after_contact_work_seconds=None, first_reply_at=first_reply, solved_at=solved, survey=None,
            )
        if contact.is_answered:
            contact = replace(contact, survey=_survey(rng, config, channel, contact.ended_at))
        contacts.append(contact)
    return tuple(contacts)


def local_date(moment: datetime, config: CenterConfig) -> date:
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(config.timezone)).date()
