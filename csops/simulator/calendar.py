"""Team schedules and holidays: the seeds csops's dbt project reads, read here too.

``seeds/team_schedules.csv`` says when each team is open, in its own timezone, and which
country's public holidays close it (the ``holidays`` package knows them);
``seeds/team_holidays.csv`` amends them per team, as ``int_holidays`` does: a row with
``is_closed`` true closes the team that day (a company day), one with ``is_closed`` false keeps
it open on a public holiday it works.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
UTC = timezone.utc


@dataclass(frozen=True)
class Team:
    key: str
    name: str
    timezone: str
    holiday_country: str
    hours: tuple[tuple[time, time] | None, ...]  # by weekday, Monday first; None = closed

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.timezone)

    def is_holiday(self, day: date) -> bool:
        """Whether a holiday closes the team on its local ``day``: a public holiday of its
        country, unless ``seeds/team_holidays.csv`` says otherwise for this team and day."""
        decided = team_holiday_decisions().get((self.key, day))
        return self.is_public_holiday(day) if decided is None else decided

    def is_public_holiday(self, day: date) -> bool:
        """A public holiday of the team's country (the ``holidays`` package), whatever the seed says."""
        return day in _holidays(self.holiday_country, day.year)

    def open_window_utc(self, local_day: date) -> tuple[datetime, datetime] | None:
        """The team's open hours on ``local_day`` (its own calendar), as naive UTC; None if closed."""
        return _open_window_utc(self, local_day)

    def _compute_open_window_utc(self, local_day: date) -> tuple[datetime, datetime] | None:
        hours = self.hours[local_day.weekday()]
        if hours is None or self.is_holiday(local_day):
            return None
        opens = datetime.combine(local_day, hours[0], tzinfo=self.tz).astimezone(UTC).replace(tzinfo=None)
        closes = datetime.combine(local_day, hours[1], tzinfo=self.tz).astimezone(UTC).replace(tzinfo=None)
        return opens, closes

    def next_open_at(self, moment: datetime) -> datetime:
        """``moment`` if the team is open then, else when it next opens (naive UTC)."""
        local_day = local_date(moment, self.tz)
        for offset in range(0, 15):
            window = self.open_window_utc(local_day + timedelta(days=offset))
            if window is None:
                continue
            opens, closes = window
            if moment < closes:
                return max(moment, opens)
        return moment

    def add_business_seconds(self, moment: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of open time after ``moment``: work waits for opening hours."""
        current = self.next_open_at(moment)
        remaining = seconds
        for _ in range(60):
            local_day = local_date(current, self.tz)
            window = self.open_window_utc(local_day)
            if window is not None and window[0] <= current < window[1]:
                available = (window[1] - current).total_seconds()
                if remaining <= available:
                    return current + timedelta(seconds=remaining)
                remaining -= available
                current = window[1]
            current = self.next_open_at(current + timedelta(seconds=1))
        return current


@lru_cache(maxsize=4096)
def _open_window_utc(team: Team, local_day: date) -> tuple[datetime, datetime] | None:
    return team._compute_open_window_utc(local_day)


@lru_cache(maxsize=None)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=None)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(tz)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar date at ``moment`` (naive UTC) in ``tz``, cached per hour: every
    timezone csops simulates is a whole number of hours from UTC."""
    return _local_date_of_hour(moment.replace(minute=0, second=0, microsecond=0), tz)


@lru_cache(maxsize=65536)
def _local_date_of_hour(hour: datetime, tz: ZoneInfo) -> date:
    return to_local(hour, tz).date()


@lru_cache(maxsize=1)
def teams() -> dict[str, Team]:
    rows: dict[str, dict] = {}
    with (SEEDS / "team_schedules.csv").open() as handle:
        for row in csv.DictReader(handle):
            team = rows.setdefault(row["team_key"], {"name": row["team_name"], "timezone": row["timezone"],
                                                     "country": row["holiday_country"], "hours": [None] * 7})
            team["hours"][int(row["weekday"])] = (time.fromisoformat(row["opens_at"]), time.fromisoformat(row["closes_at"]))
    return {key: Team(key, t["name"], t["timezone"], t["country"], tuple(t["hours"])) for key, t in rows.items()}


_TRUE, _FALSE = {"true", "t", "1", "yes", "y"}, {"false", "f", "0", "no", "n"}


@lru_cache(maxsize=1)
def team_holiday_decisions() -> dict[tuple[str, date], bool]:
    """``seeds/team_holidays.csv``: (team key, local date) -> closed (True) or kept open (False).
    The center may ship no file, or a header alone: public holidays then hold everywhere."""
    path = SEEDS / "team_holidays.csv"
    if not path.exists():
        return {}
    decisions = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            flag = (row["is_closed"] or "").strip().lower()
            if flag not in _TRUE | _FALSE:
                raise ValueError(f"{path.name}: is_closed must be true or false, not {row['is_closed']!r}")
            decisions[(row["team_key"], date.fromisoformat(row["holiday_date"].strip()))] = flag in _TRUE
    return decisions


def first_holiday_on_or_after(day: date, country: str = "US") -> date:
    """The first public holiday of ``country`` on or after ``day`` (the thin-staffing week's):
    the package's calendar only, never a team's company day."""
    for offset in range(366):
        candidate = day + timedelta(days=offset)
        if candidate in _holidays(country, candidate.year):
            return candidate
    return day


@dataclass(frozen=True)
class SlaPolicy:
    priority: str
    channel: str
    first_response_target_min: int
    resolution_target_min: int
    hours: str


@lru_cache(maxsize=1)
def sla_policies() -> dict[tuple[str, str], SlaPolicy]:
    with (SEEDS / "sla_policies.csv").open() as handle:
        return {
            (row["priority"], row["channel"]): SlaPolicy(
                row["priority"], row["channel"], int(row["first_response_target_min"]),
                int(row["resolution_target_min"]), row["hours"])
            for row in csv.DictReader(handle)
        }
