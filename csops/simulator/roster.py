"""Who works when: each agent's shift on a team-local day with its breaks, and who of a team
is at work at a given moment."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from csops.simulator.calendar import local_date
from csops.simulator.config import CenterConfig
from csops.simulator.population import Agent, Population

SHIFT_HOURS = 8


@dataclass(frozen=True)
class Shift:
    agent: Agent
    team_key: str
    starts_at: datetime  # naive UTC
    ends_at: datetime
    breaks: tuple[tuple[datetime, datetime], ...]


def shifts_on(people: Population, config: CenterConfig, local_day: date) -> list[Shift]:
    """Who works on ``local_day`` (each team's own calendar day), with their breaks.

    Rosters are a pure function of the seed and the day, so any day can be drawn alone.
    """
    rng = random.Random(config.stream("roster", local_day.isoformat()))
    stories = config.stories
    thin_week = stories.holiday_thin_staffing and 0 <= (local_day - people.holiday_week_start).days < 7
    result = []
    for agent in people.agents:
        on_leave = rng.random() < (stories.holiday_leave_share if thin_week else 0.04)  # leave and sickness
        team = people.teams[agent.team_on(local_day)]
        window = team.open_window_utc(local_day)
        if on_leave or window is None or local_day.weekday() in agent.days_off or agent.has_left(local_day):
            continue
        opens, closes = window
        starts = opens + timedelta(hours=agent.shift_start_offset_hours)
        ends = min(closes, starts + timedelta(hours=SHIFT_HOURS))
        if ends - starts < timedelta(hours=3):  # a short day (Saturday): everyone comes at opening
            starts, ends = opens, closes
        middle = starts + (ends - starts) / 2
        breaks = (
            (starts + timedelta(hours=2), starts + timedelta(hours=2, minutes=15)),
            (middle, middle + timedelta(minutes=30)),
        )
        result.append(Shift(agent, team.key, starts, ends, tuple(b for b in breaks if b[1] < ends)))
    return result


def local_days_touching(utc_day: date) -> tuple[date, date, date]:
    """The calendar days, in any team's timezone, that overlap the UTC day."""
    return utc_day - timedelta(days=1), utc_day, utc_day + timedelta(days=1)


class Roster:
    """Shifts by team-local day, drawn on demand: a pure function of the seed and the day."""

    def __init__(self, people: Population, config: CenterConfig):
        self._people, self._config = people, config
        self._days: dict[date, list[Shift]] = {}
        self._by_team: dict[tuple[date, str], list[Shift]] = {}

    def on(self, local_day: date) -> list[Shift]:
        if local_day not in self._days:
            self._days[local_day] = shifts_on(self._people, self._config, local_day)
            for shift in self._days[local_day]:
                self._by_team.setdefault((local_day, shift.team_key), []).append(shift)
        return self._days[local_day]

    def of_team(self, local_day: date, team_key: str) -> list[Shift]:
        self.on(local_day)
        return self._by_team.get((local_day, team_key), [])

    def forget_before(self, local_day: date) -> None:
        """Drop days no longer needed, so memory stays flat as days go by."""
        for old in [d for d in self._days if d < local_day]:
            del self._days[old]
        for old in [key for key in self._by_team if key[0] < local_day]:
            del self._by_team[old]


def agent_on_shift(rng: random.Random, people: Population, roster: Roster, team_key: str,
                   moment: datetime) -> Agent:
    """An agent of the team working at ``moment``; else any agent of the team that day."""
    local_day = local_date(moment, people.teams[team_key].tz)
    shifts = roster.of_team(local_day, team_key)
    for _ in range(6):  # most of a team works most of the day: a few draws find someone
        if not shifts:
            break
        shift = shifts[int(rng.random() * len(shifts))]
        if shift.starts_at <= moment < shift.ends_at:
            return shift.agent
    working = [s.agent for s in shifts if s.starts_at <= moment < s.ends_at]
    candidates = (working or [s.agent for s in shifts] or people.agents_of(team_key, local_day)
                  or people.present_agents(local_day) or list(people.agents))
    return rng.choice(candidates)
