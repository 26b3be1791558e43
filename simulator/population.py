"""Agents, teams and customers: drawn once from the seed, the same on every day."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from simulator.config import CenterConfig

FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon",
               "Kemi", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tara")
LAST_NAMES = ("Alvarez", "Brown", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
              "Jones", "Khan", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel", "Rossi", "Smith")
TEAMS = (("tier1", "Tier 1 Support"), ("tier2", "Tier 2 Support"), ("billing", "Billing Department"))

# Zendesk ids live in their own ranges so that a stray join across kinds fails visibly.
GROUP_ID_BASE = 360_000_000
AGENT_USER_ID_BASE = 900_000
CUSTOMER_USER_ID_BASE = 1_000_000


@dataclass(frozen=True)
class Agent:
    index: int
    zendesk_user_id: int
    connect_username: str
    name: str
    email: str
    team_key: str
    group_id: int


@dataclass(frozen=True)
class Customer:
    index: int
    zendesk_user_id: int
    first_name: str
    last_name: str
    email: str
    phone_e164: str


@dataclass(frozen=True)
class Population:
    agents: tuple[Agent, ...]
    customers: tuple[Customer, ...]
    groups: tuple[tuple[int, str], ...]


def phone_for(index: int) -> str:
    """A fictional North-American number: 555-01xx is reserved for fiction."""
    area = 201 + index // 100
    return f"+1{area}5550{100 + index % 100:03d}"


@lru_cache(maxsize=4)
def population(config: CenterConfig) -> Population:
    rng = random.Random(f"{config.seed}:population")
    groups = tuple((GROUP_ID_BASE + i, name) for i, (_, name) in enumerate(TEAMS))
    team_weights = (0.6, 0.25, 0.15)
    agents = []
    for i in range(config.agents):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        team = rng.choices(range(len(TEAMS)), weights=team_weights)[0]
        agents.append(Agent(
            index=i,
            zendesk_user_id=AGENT_USER_ID_BASE + i,
            connect_username=f"{first}.{last}{i}".lower(),
            name=f"{first} {last}",
            email=f"{first}.{last}{i}@support.example.com".lower(),
            team_key=TEAMS[team][0],
            group_id=groups[team][0],
        ))
    customers = []
    for i in range(config.customers):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        customers.append(Customer(
            index=i,
            zendesk_user_id=CUSTOMER_USER_ID_BASE + i,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{i}@mail.example.org".lower(),
            phone_e164=phone_for(i),
        ))
    return Population(agents=tuple(agents), customers=tuple(customers), groups=groups)
