"""Teams, agents and customers: drawn once from the seed, the same on every day.

Agents have their own handle-time and resolution skill, a shift pattern with breaks,
and some change team part-way through the period; a few leave, one is made admin.
Customers have names, emails and phone numbers that each system writes its own way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from csops.simulator.calendar import Team, first_holiday_on_or_after, teams
from csops.simulator.config import CenterConfig
from csops.simulator.turnover import with_turnover

FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kemi",
               "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
               "Wen", "Xavi", "Yara", "Zoe")
LAST_NAMES = ("Alvarez", "Brown", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones",
              "Khan", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel", "Rossi", "Smith", "Tanaka", "Ubeda",
              "Vargas", "Walsh", "Yilmaz", "Zhou")

# Share of agents per team; phone queue each team answers.
TEAM_SHARE = {"tier1_east": 0.36, "tier1_west": 0.30, "tier2": 0.17, "billing": 0.17}
QUEUE_OF_TEAM = {"tier1_east": "General", "tier1_west": "General", "tier2": "Technical", "billing": "Billing"}

# Zendesk ids live in their own ranges so that a join across kinds fails visibly.
GROUP_ID_BASE = 360_000_000
AGENT_USER_ID_BASE = 900_000
BOT_USER_ID = 899_999
CUSTOMER_USER_ID_BASE = 1_000_000
# Share of agents who move team part-way through the period (tier 1 -> tier 2 promotions).
TEAM_MOVE_SHARE = 0.08
# Hours after opening that shifts start, as a planner staffs to the forecast: the East team
# covers the New York morning peak before the West coast opens.
SHIFT_START_OFFSETS = {"tier1_east": (0, 0, 0, 0, 1, 1, 2, 4), "tier1_west": (0, 1, 2, 3, 4), "billing": (0, 0, 0, 1)}


@dataclass(frozen=True)
class Agent:
    index: int  # position in this shard's list
    number: int  # across the whole center: names, ids and the truth use it
    zendesk_user_id: int
    connect_username: str
    name: str
    email: str
    team_key: str  # at the start of the period
    moves_to_team: str | None
    moves_on: date | None
    handle_time_factor: float
    resolution_skill: float
    csat_bias: float  # on the latent 1-5 satisfaction scale
    shift_start_offset_hours: int  # shift starts this many hours after the team opens
    days_off: tuple[int, int]  # weekdays off
    is_trained: bool  # in the training cohort (when that story is on)
    # Staff turnover (csops/simulator/config.py): the day a leaver leaves (their team's calendar) and
    # the moment Zendesk downgrades them to end-user (naive UTC, early that day, before the team
    # opens); the moment an agent is made admin.
    leaves_on: date | None = None
    leaves_at: datetime | None = None
    promoted_at: datetime | None = None

    @property
    def connect_username_as_typed(self) -> str:
        """The Connect username as an admin typed it (``Jane.Doe.12``): Connect keeps the case,
        the Zendesk email is lower case, and csops matches them case-insensitively."""
        return ".".join(part.capitalize() for part in self.connect_username.split("."))

    def team_on(self, day: date) -> str:
        if self.moves_on is not None and day >= self.moves_on:
            return self.moves_to_team
        return self.team_key

    def has_left(self, local_day: date) -> bool:
        """Whether the agent has left by ``local_day`` (their team's calendar): from the leave day
        on, they work no shift and touch no ticket."""
        return self.leaves_on is not None and local_day >= self.leaves_on

    def role_on(self, utc_day: date) -> str:
        """The Zendesk role at the end of the UTC day: agent, admin once promoted, end-user once left."""
        if self.leaves_at is not None and utc_day >= self.leaves_at.date():
            return "end-user"
        if self.promoted_at is not None and utc_day >= self.promoted_at.date():
            return "admin"
        return "agent"


@dataclass(frozen=True)
class Customer:
    index: int  # position in this shard's list
    number: int  # across the whole center
    zendesk_user_id: int
    first_name: str
    last_name: str
    email: str
    phone_e164: str
    patience_seconds: float  # mean time this caller waits in a queue before hanging up

    @property
    def phone_as_typed(self) -> str:
        """How a person typed their number into the CRM: three habits seen in real data."""
        national = self.phone_e164[2:]
        habit = self.number % 3
        if habit == 0:
            return f"+1 {national[:3]}-{national[3:6]}-{national[6:]}"
        if habit == 1:
            return f"({national[:3]}) {national[3:6]}-{national[6:]}"
        return self.phone_e164[1:]

    @property
    def email_as_typed(self) -> str:
        return self.email.upper() if self.number % 5 == 0 else self.email


def make_customers(config: CenterConfig) -> tuple[Customer, ...]:
    """Every customer of the shard. Their details come from a fixed integer hash of the seed
    and their number rather than from a random stream: as deterministic, and several times
    cheaper for the hundreds of thousands of customers of a large center."""
    customers = []
    for index in range(config.customers):
        number = config.customer_offset + index
        mixed = _mix(config.seed * 1_000_003 + number)
        first = FIRST_NAMES[mixed % len(FIRST_NAMES)]
        last = LAST_NAMES[(mixed >> 8) % len(LAST_NAMES)]
        customers.append(Customer(
            index=index,
            number=number,
            zendesk_user_id=CUSTOMER_USER_ID_BASE + number,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{number}@mail.example.org".lower(),
            phone_e164=phone_for(number),
            patience_seconds=CALLER_PATIENCE_SECONDS[(mixed >> 16) % len(CALLER_PATIENCE_SECONDS)],
        ))
    return tuple(customers)


def _mix(value: int) -> int:
    """SplitMix64's finaliser: a well-spread 64-bit hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


# Mean seconds a caller waits in a queue before hanging up: patient and impatient people.
CALLER_PATIENCE_SECONDS = (60.0, 120.0, 180.0, 300.0)


@dataclass(frozen=True)
class Population:
    teams: dict[str, Team]
    group_ids: dict[str, int]
    agents: tuple[Agent, ...]
    customers: tuple[Customer, ...]
    holiday_week_start: date

    def agents_of(self, team_key: str, day: date) -> list[Agent]:
        """The team's agents on ``day`` (its calendar), less those who have left."""
        return [agent for agent in self.agents if agent.team_on(day) == team_key and not agent.has_left(day)]

    def present_agents(self, day: date) -> list[Agent]:
        return [agent for agent in self.agents if not agent.has_left(day)]


def phone_for(number: int) -> str:
    """A fictional North-American number in area code 555, which is not assigned: +1 555 EEE LLLL."""
    if number >= 10_000_000:
        raise ValueError("csops simulates at most 10 million customers")
    return f"+1555{number // 10_000:03d}{number % 10_000:04d}"


@lru_cache(maxsize=4)
def population(config: CenterConfig) -> Population:
    rng = random.Random(config.stream("population"))
    team_map = teams()
    group_ids = {key: GROUP_ID_BASE + i for i, key in enumerate(team_map)}
    team_keys = list(TEAM_SHARE)
    # Every team gets at least one agent; the rest follow the shares.
    assigned = team_keys[: config.agents] + rng.choices(team_keys, weights=list(TEAM_SHARE.values()),
                                                        k=max(0, config.agents - len(team_keys)))
    rng.shuffle(assigned)
    stories = config.stories
    tier1_indexes = [i for i, key in enumerate(assigned) if key.startswith("tier1")]
    cohort = set(rng.sample(tier1_indexes, min(stories.training_cohort_size, len(tier1_indexes)))) \
        if stories.training_cohort else set()
    movers = [i for i in tier1_indexes if i not in cohort]
    moving = set(rng.sample(movers, round(len(movers) * TEAM_MOVE_SHARE))) if movers else set()
    agents = []
    for i, team_key in enumerate(assigned):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        number = config.agent_offset + i
        moves_on = config.start + timedelta(days=rng.randrange(10, 50)) if i in moving else None
        weekend = rng.random() < 0.3 and team_key.startswith("tier1")  # some tier-1 agents cover Saturdays
        agents.append(Agent(
            index=i,
            number=number,
            zendesk_user_id=AGENT_USER_ID_BASE + number,
            connect_username=f"{first}.{last}.{number}".lower(),
            name=f"{first} {last}",
            email=f"{first}.{last}.{number}@support.example.com".lower(),
            team_key=team_key,
            moves_to_team="tier2" if moves_on else None,
            moves_on=moves_on,
            handle_time_factor=rng.lognormvariate(0, 0.18),
            resolution_skill=min(1.15, max(0.75, rng.gauss(1.0, 0.08))),
            csat_bias=rng.gauss(0, 0.25),
            shift_start_offset_hours=rng.choice(SHIFT_START_OFFSETS.get(team_key, (0, 1, 2, 3, 4))),
            days_off=(1, 6) if weekend else (5, 6),
            is_trained=i in cohort,
        ))
    if stories.staff_turnover:
        agents = with_turnover(config, agents, team_map)
    customers = make_customers(config)
    holiday = first_holiday_on_or_after(config.start + timedelta(days=7))
    return Population(
        teams=team_map,
        group_ids=group_ids,
        agents=tuple(agents),
        customers=customers,
        holiday_week_start=holiday - timedelta(days=holiday.weekday()),
    )
