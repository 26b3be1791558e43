"""The parameters of a simulated contact center, and the truths it plants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Share of a day's contacts per channel (phone goes through Amazon Connect, the rest
# through Zendesk). Zendesk spells channels its own way: see VIA_CHANNEL.
CHANNEL_MIX = {"phone": 0.46, "email": 0.26, "chat": 0.15, "web": 0.08, "social": 0.05}
VIA_CHANNEL = {"email": "email", "chat": "chat", "web": "web", "social": "twitter"}

# Relative volume by weekday (Monday first): Monday is the busiest day.
WEEKDAY_VOLUME = (1.30, 1.10, 1.00, 1.00, 0.95, 0.35, 0.25)

# Planted truth: probability that a 1-5 CSAT answer is 4 or 5, per channel. The marts'
# tests check that csat_by_channel_day recovers these.
CSAT_TOP2_PROBABILITY = {"phone": 0.82, "email": 0.70, "chat": 0.86, "web": 0.74, "social": 0.60}

CATEGORIES = ("billing", "technical", "account", "delivery", "returns")


@dataclass(frozen=True)
class CenterConfig:
    agents: int = 60
    days: int = 60
    start: date = date(2026, 1, 5)
    seed: int = 7
    timezone: str = "America/New_York"
    contacts_per_agent_day: float = 24.0
    customers_per_agent: int = 120
    survey_send_rate: float = 0.45
    survey_response_rate: float = 0.30
    abandon_rate: float = 0.06
    # A tuple of pairs, not a dict, so the config stays hashable (it keys the caches).
    csat_top2_probability_by_channel: tuple[tuple[str, float], ...] = tuple(CSAT_TOP2_PROBABILITY.items())

    def csat_top2_probability(self, channel: str) -> float:
        return dict(self.csat_top2_probability_by_channel)[channel]

    @property
    def customers(self) -> int:
        return self.agents * self.customers_per_agent
