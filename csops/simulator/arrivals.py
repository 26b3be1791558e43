"""New issues: the customers who reach out during a UTC day, by their local clock and calendar."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, datetime, timedelta

from csops.simulator.calendar import to_local
from csops.simulator.config import CATEGORIES, CATEGORY_MIX, FIRST_CHANNEL_MIX, HOLIDAY_VOLUME, HOURLY_VOLUME, \
    WEEKDAY_VOLUME, CenterConfig
from csops.simulator.model import Attempt
from csops.simulator.population import Population

CUSTOMER_TIMEZONE_TEAM = "tier1_east"  # arrivals follow the clock and holidays of the East coast


def new_issues(rng: random.Random, config: CenterConfig, people: Population, day: date) -> list[Attempt]:
    """New issues reaching out during the UTC day, by the customers' local clock and calendar."""
    customer_clock = people.teams[CUSTOMER_TIMEZONE_TEAM]
    per_hour = config.agents * config.issues_per_agent_day / sum(HOURLY_VOLUME.values())
    channels = tuple(FIRST_CHANNEL_MIX)
    channel_cum_weights = tuple(itertools.accumulate(FIRST_CHANNEL_MIX.values()))
    category_cum_weights = tuple(itertools.accumulate(CATEGORY_MIX))
    births = []
    for hour in range(24):
        hour_start = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
        local = to_local(hour_start, customer_clock.tz)
        rate = per_hour * WEEKDAY_VOLUME[local.weekday()] * HOURLY_VOLUME.get(local.hour, 0.02)
        # Customers keep public holidays, not the center's company days (seeds/team_holidays.csv).
        if customer_clock.is_public_holiday(local.date()):
            rate *= HOLIDAY_VOLUME
        for _ in range(_poisson(rng, rate)):
            births.append((hour_start + timedelta(seconds=rng.randrange(3600)),
                           rng.randrange(len(people.customers)),
                           rng.choices(CATEGORIES, cum_weights=category_cum_weights)[0],
                           rng.choices(channels, cum_weights=channel_cum_weights)[0]))
    births.sort()
    return [Attempt(f"I{day:%Y%m%d}-{config.shard_index}-{n:06d}", customer, category, channel, at, 1)
            for n, (at, customer, category, channel) in enumerate(births)]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:  # normal approximation: exact enough, and fast for big centers
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count
