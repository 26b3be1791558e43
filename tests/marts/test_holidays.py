"""Holidays per team (KPI_DEFINITIONS.md section 2): the public holidays of each team's country
as ``seeds/team_holidays.csv`` amends them (``int_holidays``), honoured by the business calendar
and the SLA marts.

On the test center (2026-03-02..15) the seed makes Tuesday 2026-03-03 a company day for every
team, and keeps Billing open on Presidents' Day (2026-02-16, before the tickets: seen in
``int_holidays`` only). The expectations are recomputed here from the seeds and the
``holidays`` package, without the simulator's calendar or the dbt models.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import holidays
import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
COMPANY_DAY = date(2026, 3, 3)
PRESIDENTS_DAY = date(2026, 2, 16)
UTC = timezone.utc


@dataclass(frozen=True)
class Schedule:
    """A team's schedule as the seeds give it, read without csops's own code."""

    team_key: str
    zone: ZoneInfo
    country: str
    hours: dict[int, tuple[time, time]]  # by weekday, Monday 0; a missing weekday is closed
    decisions: dict[date, bool]  # team_holidays.csv: closed (True) or kept open (False)

    def is_closed_by_holiday(self, day: date, *, honour_seed: bool = True) -> bool:
        if honour_seed and day in self.decisions:
            return self.decisions[day]
        return day in holidays.country_holidays(self.country, years=day.year)

    def window(self, day: date, *, honour_seed: bool = True) -> tuple[datetime, datetime] | None:
        """The open hours of local ``day``, as naive UTC; None when closed."""
        hours = self.hours.get(day.weekday())
        if hours is None or self.is_closed_by_holiday(day, honour_seed=honour_seed):
            return None
        return tuple(
            datetime.combine(day, moment, tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)
            for moment in hours)

    def business_minutes(self, start: datetime, end: datetime, *, honour_seed: bool = True) -> float:
        first = start.replace(tzinfo=UTC).astimezone(self.zone).date() - timedelta(days=1)
        last = end.replace(tzinfo=UTC).astimezone(self.zone).date() + timedelta(days=1)
        seconds = 0.0
        for offset in range((last - first).days + 1):
            window = self.window(first + timedelta(days=offset), honour_seed=honour_seed)
            if window is not None:
                seconds += max(0.0, (min(end, window[1]) - max(start, window[0])).total_seconds())
        return seconds / 60


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def seed_days() -> list[dict[str, str]]:
    return read_seed("team_holidays")


@pytest.fixture(scope="module")
def schedules(seed_days) -> dict[str, Schedule]:
    decisions: dict[str, dict[date, bool]] = {}
    for row in seed_days:
        decisions.setdefault(row["team_key"], {})[date.fromisoformat(row["holiday_date"])] = row["is_closed"] == "true"
    teams: dict[str, Schedule] = {}
    for row in read_seed("team_schedules"):
        team = teams.setdefault(row["team_key"], Schedule(
            row["team_key"], ZoneInfo(row["timezone"]), row["holiday_country"], {}, decisions.get(row["team_key"], {})))
        team.hours[int(row["weekday"])] = (time.fromisoformat(row["opens_at"]), time.fromisoformat(row["closes_at"]))
    return teams


@pytest.fixture(scope="module")
def warehouse(pipeline_home):
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        yield con


def test_the_seed_closes_every_team_on_the_company_day_and_opens_billing_on_presidents_day(seed_days, schedules):
    """The rows the center ships, which the rest of this module relies on."""
    closed = {(row["team_key"], row["holiday_date"]) for row in seed_days if row["is_closed"] == "true"}
    assert {(key, COMPANY_DAY.isoformat()) for key in schedules} <= closed
    assert {"team_key": "billing", "holiday_date": PRESIDENTS_DAY.isoformat(), "is_closed": "false",
            "holiday_name": "Billing works Presidents' Day"} in seed_days
    # Without the seed, every team would be open on the company day.
    assert all(team.window(COMPANY_DAY, honour_seed=False) is not None for team in schedules.values())


def test_int_holidays_is_the_package_amended_by_the_seed_per_team(warehouse, schedules):
    rows = warehouse.execute(
        "select team_key, holiday_date, holiday_source from intermediate.int_holidays").fetchall()
    years = range(min(day.year for _, day, _ in rows), max(day.year for _, day, _ in rows) + 1)
    expected = set()
    for team in schedules.values():
        for day in holidays.country_holidays(team.country, years=years):
            if team.decisions.get(day, True):
                expected.add((team.team_key, day, "team_holidays seed" if day in team.decisions else "package"))
        expected |= {(team.team_key, day, "team_holidays seed") for day, closed in team.decisions.items() if closed}
    assert set(rows) == expected
    on_presidents_day = {team_key for team_key, day, _ in rows if day == PRESIDENTS_DAY}
    assert on_presidents_day == {"tier1_east", "tier1_west"}  # Billing works it; Tier 2 is in London


def test_the_company_day_has_no_open_minutes_for_any_team(warehouse, schedules):
    open_seconds = {
        (team_key, local_date): seconds
        for team_key, local_date, seconds in warehouse.execute("""
            select team_key, local_date, sum(open_seconds)
            from intermediate.int_business_calendar
            where local_date between date '2026-03-02' and date '2026-03-04'
            group by all
        """).fetchall()
    }
    for team_key, team in schedules.items():
        assert (team_key, COMPANY_DAY) not in open_seconds, team_key
        # The days either side keep their weekday's hours: the calendar does cover the dates.
        for day in (COMPANY_DAY - timedelta(days=1), COMPANY_DAY + timedelta(days=1)):
            opens, closes = team.window(day)
            assert open_seconds.get((team_key, day)) == (closes - opens).total_seconds(), (team_key, day)
    # Nor does an interval of another date reach into the company day (UTC bounds).
    intervals = warehouse.execute("""
        select team_key, opens_at, closes_at from intermediate.int_business_calendar
        where local_date between date '2026-03-01' and date '2026-03-05'
    """).fetchall()
    overlapping = []
    for team_key, opens_at, closes_at in intervals:
        zone = schedules[team_key].zone
        day_starts, day_ends = (
            datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            for day in (COMPANY_DAY, COMPANY_DAY + timedelta(days=1)))
        if opens_at < day_ends and closes_at > day_starts:
            overlapping.append((team_key, opens_at, closes_at))
    assert overlapping == []


def test_a_clock_running_over_the_company_day_does_not_count_it(warehouse, schedules):
    """Business-hours clocks that started before the company day and stopped after it: the
    mart's business minutes are the seeds' open minutes between start and stop, without the
    company day, which alone would add that Tuesday's hours (so the check fails if the day
    were not honoured)."""
    clocks = warehouse.execute("""
        select ticket_id, sla_kind, team_key, started_at, completed_at, elapsed_business_minutes
        from marts.fct_ticket_slas
        where sla_kind in ('first_response', 'full_resolution')
            and policy_hours = 'business' and is_completed and team_key is not null
            and started_at < timestamp '2026-03-03 18:00'
            and completed_at > timestamp '2026-03-03 12:00'
        order by ticket_id, sla_kind
    """).fetchall()
    spanning = [clock for clock in clocks
                if clock[3] < schedules[clock[2]].window(COMPANY_DAY, honour_seed=False)[0]
                and clock[4] > schedules[clock[2]].window(COMPANY_DAY, honour_seed=False)[1]]
    assert len(spanning) >= 10, "the small center has tickets waiting over the company day"
    assert {clock[1] for clock in spanning} == {"first_response", "full_resolution"}
    wrong = []
    for ticket_id, sla_kind, team_key, started_at, completed_at, elapsed in spanning:
        team = schedules[team_key]
        expected = team.business_minutes(started_at, completed_at)
        opens, closes = team.window(COMPANY_DAY, honour_seed=False)
        company_day_minutes = (closes - opens).total_seconds() / 60
        assert team.business_minutes(started_at, completed_at, honour_seed=False) == pytest.approx(
            expected + company_day_minutes)
        if elapsed is None or abs(elapsed - expected) > 1 / 60:
            wrong.append((ticket_id, sla_kind, team_key, elapsed, expected))
    assert wrong == []


def test_no_first_response_lands_on_the_company_day(warehouse):
    """Nobody works on the company day: no reply (nor solve) stops a first-response clock on
    that local date of the governing team, while they do the day before and the day after."""
    completions = Counter(dict(warehouse.execute("""
        with teams as (select distinct team_key, timezone from seeds.team_schedules)
        select cast(timezone(teams.timezone, slas.completed_at at time zone 'UTC') as date) as local_date, count(*)
        from marts.fct_ticket_slas as slas
        inner join teams using (team_key)
        where slas.sla_kind = 'first_response' and slas.is_completed
        group by all
    """).fetchall()))
    created = Counter(dict(warehouse.execute("""
        select cast(created_at as date), count(*) from marts.fct_ticket_slas
        where sla_kind = 'first_response' group by all
    """).fetchall()))
    assert created[COMPANY_DAY - timedelta(days=1)] > 0 and created[COMPANY_DAY + timedelta(days=1)] > 0
    assert completions[COMPANY_DAY - timedelta(days=1)] > 0 and completions[COMPANY_DAY + timedelta(days=1)] > 0
    assert completions[COMPANY_DAY] == 0
