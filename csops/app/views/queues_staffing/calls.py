"""What the queue sections share: the calls behind an interval or a day, and how a day, a week,
an interval and a rate are written."""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import queues, records
from csops.kernel.publication import Publication


def interval_calls(publication: Publication, row: pd.Series) -> pd.DataFrame:
    """The offered calls of one queue-interval: as many as the mart's offered_calls."""
    return records.queue_segments(publication, queue_name=row["queue_name"],
                                  interval_start_at=pd.Timestamp(row["interval_start_at"]).to_pydatetime(),
                                  is_offered=True)


def day_calls(publication: Publication, row: pd.Series, only_abandoned: bool) -> pd.DataFrame:
    """The offered (or abandoned) calls of one queue-day: as many as the mart's count."""
    outcome = {"queue_outcome": ("abandoned", "short_abandon")} if only_abandoned else {}
    return records.queue_segments(publication, row["queue_date"], row["queue_date"], queue_name=row["queue_name"],
                                  is_offered=True, **outcome)


def interval_label(row: pd.Series) -> str:
    local = pd.Timestamp(row["interval_start_local_at"])
    return (f"{row['queue_name']} {local:%a %Y-%m-%d %H:%M}: {int(row['offered_calls'])} offered, "
            f"service level {percent(row['service_level_rate'])}")


def week_label(week: queues.Week) -> str:
    return f"{week.start_date:%a %Y-%m-%d} to {week.end_date:%a %Y-%m-%d}" + ("" if week.is_complete else " (partial)")


def day_label(day: date) -> str:
    return f"{day:%a %Y-%m-%d}"


def percent(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def first(rows: pd.DataFrame, column: str, default):
    """The column's first value (a setting every row of the mart repeats), else ``default``."""
    values = rows[column].dropna()
    return values.iloc[0] if not values.empty else default
