"""What a contact leaves of the customer's issue: whether it was resolved (the agent's skill,
the weak team story, the training cohort story), and, when not, the customer's next attempt."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from csops.simulator.config import CenterConfig
from csops.simulator.model import Attempt
from csops.simulator.population import Agent

# However good the agent, some issues come back.
MAX_RESOLUTION_PROBABILITY = 0.97


def is_trained(config: CenterConfig, agent: Agent, day: date) -> bool:
    """Whether the agent works with the training behind them on ``day`` (the training cohort story)."""
    return config.stories.training_cohort and agent.is_trained and day >= config.training_date


def resolution_probability(config: CenterConfig, agent: Agent, team_key: str, trained: bool,
                           channel_base: float) -> float:
    """The chance the contact resolves the issue: the channel's base rate scaled by the agent's
    skill, lower on the weak team, higher once the agent is trained."""
    stories = config.stories
    probability = channel_base * agent.resolution_skill
    if stories.weak_team and team_key == stories.weak_team_key:
        probability *= stories.weak_team_resolution_factor
    if trained:
        probability += stories.training_resolution_gain
    return min(MAX_RESOLUTION_PROBABILITY, probability)


def next_attempt(rng: random.Random, attempt: Attempt, ended_at: datetime, contact_ref: str) -> Attempt:
    """The customer comes back about the same issue: often within days, sometimes on another channel."""
    channel = attempt.channel if rng.random() < 0.6 else rng.choice(("phone", "email", "chat", "web"))
    delay = timedelta(hours=min(rng.expovariate(1 / 40), 9 * 24)) + timedelta(minutes=30)
    return Attempt(attempt.issue_id, attempt.customer_index, attempt.category, channel, ended_at + delay,
                   attempt.attempt_no + 1, contact_ref)
