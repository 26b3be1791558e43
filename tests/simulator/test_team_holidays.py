"""The simulated center keeps the holidays the dbt project keeps: public holidays of each team's
country, as ``seeds/team_holidays.csv`` amends them per team (int_holidays does the same)."""

from __future__ import annotations

from datetime import date

from csops.simulator.calendar import first_holiday_on_or_after, team_holiday_decisions, teams

COMPANY_DAY = date(2026, 3, 3)  # a Tuesday: every team would be open
PRESIDENTS_DAY = date(2026, 2, 16)  # a Monday, a US public holiday Billing works


def test_every_team_is_closed_on_the_company_day():
    for team in teams().values():
        assert team.hours[COMPANY_DAY.weekday()] is not None, team.key  # closed by the seed, not the weekday
        assert team.is_holiday(COMPANY_DAY), team.key
        assert not team.is_public_holiday(COMPANY_DAY), team.key
        assert team.open_window_utc(COMPANY_DAY) is None, team.key
        # The days around it keep their hours.
        assert team.open_window_utc(date(2026, 3, 2)) is not None, team.key
        assert team.open_window_utc(date(2026, 3, 4)) is not None, team.key


def test_billing_works_presidents_day_and_the_other_us_teams_do_not():
    billing = teams()["billing"]
    assert billing.is_public_holiday(PRESIDENTS_DAY)
    assert not billing.is_holiday(PRESIDENTS_DAY)
    window = billing.open_window_utc(PRESIDENTS_DAY)
    assert window is not None
    # Its Monday hours, 09:00-17:00 in Chicago (CST, UTC-6).
    assert [moment.isoformat() for moment in window] == ["2026-02-16T15:00:00", "2026-02-16T23:00:00"]
    for key in ("tier1_east", "tier1_west"):
        assert teams()[key].open_window_utc(PRESIDENTS_DAY) is None, key
    # Tier 2 (London) is open: Presidents' Day is no GB holiday.
    assert teams()["tier2"].open_window_utc(PRESIDENTS_DAY) is not None


def test_business_seconds_skip_the_company_day():
    """A reply owed at Monday's closing waits for Wednesday's opening: Tuesday is closed."""
    east = teams()["tier1_east"]
    monday_close = east.open_window_utc(date(2026, 3, 2))[1]
    wednesday_open = east.open_window_utc(date(2026, 3, 4))[0]
    assert east.next_open_at(monday_close) == wednesday_open
    assert east.add_business_seconds(monday_close, 600).isoformat() == "2026-03-04T13:10:00"


def test_the_thin_staffing_week_follows_public_holidays_only():
    # From the company day, the next public holiday is Memorial Day, not the company day itself.
    assert first_holiday_on_or_after(COMPANY_DAY) == date(2026, 5, 25)
    # Presidents' Day stays the story's holiday although Billing works it.
    assert first_holiday_on_or_after(date(2026, 2, 10)) == PRESIDENTS_DAY


def test_the_seed_rows_the_center_ships():
    assert team_holiday_decisions() == {
        **{(key, COMPANY_DAY): True for key in ("tier1_east", "tier1_west", "tier2", "billing")},
        ("billing", PRESIDENTS_DAY): False,
    }
