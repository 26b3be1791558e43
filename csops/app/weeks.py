"""The app's one week rule: a week starts on Monday, as the weekly marts' ``week_start_date`` does."""

from __future__ import annotations

from datetime import date, timedelta

DAYS_IN_WEEK = 7


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week: the weekly marts' ``week_start_date``."""
    return day - timedelta(days=day.weekday())


def week_end(week_start_date: date) -> date:
    """The Sunday of the week starting ``week_start_date``."""
    return week_start_date + timedelta(days=DAYS_IN_WEEK - 1)
