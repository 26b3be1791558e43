"""The parameters of a simulated contact center, and the stories it plants.

Every random draw comes from streams seeded by ``seed`` and the day, so the same
configuration always writes the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta

# Share of new issues by the channel the customer first uses.
FIRST_CHANNEL_MIX = {"phone": 0.46, "email": 0.26, "chat": 0.15, "web": 0.08, "social": 0.05}
# Zendesk's spellings of our ticket channels (a seed maps them back).
VIA_CHANNEL = {"email": "email", "chat": "chat", "web": "web"}
SOCIAL_VIA_CHANNELS = ("twitter", "facebook")

CATEGORIES = ("billing", "technical", "account", "delivery", "returns")
CATEGORY_MIX = (0.28, 0.27, 0.18, 0.17, 0.10)

# Relative volume by local weekday (Monday first): Monday is the busiest day.
WEEKDAY_VOLUME = (1.35, 1.10, 1.00, 0.98, 0.92, 0.40, 0.25)
# Relative volume by local hour: a morning peak and an early-afternoon one.
HOURLY_VOLUME = {7: 0.12, 8: 0.8, 9: 1.35, 10: 1.6, 11: 1.45, 12: 1.05, 13: 1.15, 14: 1.35, 15: 1.25,
                 16: 1.05, 17: 0.8, 18: 0.55, 19: 0.4, 20: 0.1, 21: 0.06, 22: 0.04}
# Volume on a public holiday, relative to the same weekday.
HOLIDAY_VOLUME = 0.35


@dataclass(frozen=True)
class Stories:
    """The planted stories: each on by default, each switchable (`--no-story NAME`)."""

    monday_email_backlog: bool = True
    weak_team: bool = True
    training_cohort: bool = True
    holiday_thin_staffing: bool = True
    staff_turnover: bool = True
    replyless_solves: bool = True

    # Monday emails wait this many times longer for a first reply.
    monday_email_reply_delay_factor: float = 4.0
    # The weak team: same work as its sister team, resolves less and pleases less.
    weak_team_key: str = "tier1_west"
    weak_team_resolution_factor: float = 0.72
    weak_team_csat_penalty: float = 0.6  # on the latent 1-5 satisfaction scale
    # The training: a cohort of tier-1 agents completes it at this offset into the period.
    training_cohort_size: int = 8
    training_offset_days: int = 28
    training_handle_time_factor: float = 0.8
    training_resolution_gain: float = 0.10
    # The thin week: this share of agents is on leave in the week of the period's first holiday.
    holiday_leave_share: float = 0.4
    # Staff turnover, in each center (each shard): this share of its agents leaves (at least one
    # of eight or more), downgraded to end-user on a working day this many days into the period: the
    # first leaver in the second week (40-70% of a two-week period), the others 40-70% into the
    # 60-day default. Days from the start, never from `days`: landing more days later must not
    # move a leave already landed. One other agent is promoted to admin part-way.
    turnover_leaver_share: float = 0.05
    turnover_first_leave_days: tuple[int, int] = (6, 9)
    turnover_leave_days: tuple[int, int] = (24, 42)
    turnover_promotion_days: tuple[int, int] = (4, 11)
    # Reply-less solves: this share of customer tickets (not chat, not agent-created) is solved
    # with a private note and no public reply; this share of those is reopened by the customer,
    # then answered publicly and solved again.
    replyless_share: float = 0.04
    replyless_reopen_share: float = 0.6

    @staticmethod
    def names() -> tuple[str, ...]:
        return tuple(f.name for f in fields(Stories) if f.type in ("bool", bool))


@dataclass(frozen=True)
class CenterConfig:
    agents: int = 60
    days: int = 60
    start: date = date(2026, 1, 5)
    seed: int = 7
    stories: Stories = field(default_factory=Stories)
    # Issues a day per agent on an ordinary Tuesday, before weekday and holiday factors.
    issues_per_agent_day: float = 24.0
    # Customers are many more than a day's contacts: an issue rarely meets an unrelated one.
    customers_per_agent: int = 400
    survey_send_rate: float = 0.45
    survey_response_rate: float = 0.30
    # Connect delivers a share of contact records a second time, updated, the next day.
    redelivered_record_rate: float = 0.02
    defects_rate: float = 0.0
    # Which part of a large center this is (csops/simulator/shards.py); a whole center is shard 0.
    shard_index: int = 0
    agent_offset: int = 0
    customer_offset: int = 0

    def stream(self, *names: object) -> str:
        """The seed of one random stream: the center's seed, the shard, and what it is for."""
        return ":".join(str(part) for part in (self.seed, self.shard_index, *names))

    @property
    def customers(self) -> int:
        return self.agents * self.customers_per_agent

    @property
    def end(self) -> date:
        """The last simulated day (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    @property
    def training_date(self) -> date:
        return self.start + timedelta(days=self.stories.training_offset_days)
