"""Queues and staffing: the queue marts (``queue_interval_metrics``, ``queue_daily_metrics``) as they are.

Every rate, wait, load and agent count here is a mart column (KPI_DEFINITIONS.md section 1,
docs/kpis/queues_and_calls.md); nothing is summed or averaged across rows. The one thing added
is the interval's start in the reporting timezone, for display: the mart's intervals are UTC and
its ``interval_date`` is the reporting-timezone date, so a heatmap's rows are that day's local times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from csops.app.data import MartColumns, build_parameters, frame
from csops.app.weeks import week_end, week_start
from csops.kernel.publication import Publication

INTERVAL_MART = "queue_interval_metrics"
DAILY_MART = "queue_daily_metrics"
# The daily mart's row for calls that ended in the IVR: no queue, never offered.
IVR_ROW = "(ivr)"

# The interval mart's columns the page shows or exports, in that order.
INTERVALS = MartColumns(INTERVAL_MART, (
    "queue_name", "interval_start_at", "interval_date", "offered_calls", "answered_calls", "abandoned_calls",
    "short_abandoned_calls", "callback_requested_calls", "service_level_rate", "asa_seconds", "abandon_rate",
    "staffed_agents", "required_agents", "is_understaffed", "required_agents_service_level_rate", "traffic_erlangs",
    "erlang_aht_seconds", "occupancy_rate", "queue_interval_minutes", "sl_threshold_seconds",
    "short_abandon_seconds", "service_level_target",
))

# The daily mart's columns the abandons trend and table show, in that order.
DAILY = MartColumns(DAILY_MART, (
    "queue_date", "queue_name", "offered_calls", "answered_calls", "abandoned_calls", "short_abandoned_calls",
    "callback_requested_calls", "abandon_rate", "asa_seconds", "service_level_rate", "p90_wait_seconds",
    "longest_wait_seconds", "short_abandon_seconds", "sl_threshold_seconds", "service_level_target",
))


@dataclass(frozen=True)
class Week:
    """A Monday-to-Sunday week that has interval rows within the date filter."""

    start_date: date  # Monday
    is_complete: bool  # all 7 days inside the date filter

    @property
    def end_date(self) -> date:
        return week_end(self.start_date)


def reporting_timezone(publication: Publication) -> str:
    """The timezone of the marts' dates (``reporting_timezone`` of the build)."""
    return str(build_parameters(publication)["reporting_timezone"])


def queue_names(publication: Publication, start_date: date, end_date: date) -> list[str]:
    """Queues with an interval row in the date range, alphabetically."""
    rows = frame(publication, f"""
        select distinct queue_name
        from marts.{INTERVAL_MART}
        where interval_date between $start_date and $end_date
        order by queue_name
    """, {"start_date": start_date, "end_date": end_date})
    return rows["queue_name"].tolist()


def weeks(publication: Publication, start_date: date, end_date: date) -> list[Week]:
    """The weeks with interval rows in the date range, newest first.

    A week is complete when its Monday to Sunday all lie inside the date range (the sidebar's range
    never reaches past the data's dates): a week the data has not finished yet is not complete,
    a week the centre was closed on Sunday is.
    """
    rows = frame(publication, f"""
        select distinct interval_date
        from marts.{INTERVAL_MART}
        where interval_date between $start_date and $end_date
    """, {"start_date": start_date, "end_date": end_date})
    starts = sorted({week_start(day) for day in rows["interval_date"]}, reverse=True)
    return [Week(start, start >= start_date and week_end(start) <= end_date) for start in starts]


def default_week(choices: list[Week]) -> Week | None:
    """The latest complete week, else the latest week."""
    return next((week for week in choices if week.is_complete), choices[0] if choices else None)


def interval_rows(publication: Publication, start_date: date, end_date: date, queues: tuple[str, ...] | list[str],
                  timezone: str) -> pd.DataFrame:
    """The interval mart's rows for interval dates ``start_date``..``end_date`` and these queues, with
    ``interval_start_local_at``: the interval's start in ``timezone`` (for display only)."""
    return frame(publication, f"""
        select
            {INTERVALS.select()},
            timezone($timezone, interval_start_at at time zone 'UTC') as interval_start_local_at
        from marts.{INTERVAL_MART}
        where interval_date between $start_date and $end_date
            and list_contains($queues, queue_name)
        order by queue_name, interval_start_at
    """, {"start_date": start_date, "end_date": end_date, "queues": tuple(sorted(queues)), "timezone": timezone})


def interval_dates(publication: Publication, start_date: date, end_date: date, queue_name: str) -> list[date]:
    """The queue's interval dates in the range that have an interval row, newest first."""
    rows = frame(publication, f"""
        select distinct interval_date
        from marts.{INTERVAL_MART}
        where interval_date between $start_date and $end_date and queue_name = $queue_name
        order by interval_date desc
    """, {"start_date": start_date, "end_date": end_date, "queue_name": queue_name})
    return rows["interval_date"].tolist()


def daily_rows(publication: Publication, start_date: date, end_date: date,
               queues: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The daily mart's rows for queue dates ``start_date``..``end_date`` and these queues (never the
    '(ivr)' row: its calls were not offered to a queue), by date then queue."""
    return frame(publication, f"""
        select {DAILY.select()}
        from marts.{DAILY_MART}
        where queue_date between $start_date and $end_date
            and queue_name <> '{IVR_ROW}'
            and list_contains($queues, queue_name)
        order by queue_date, queue_name
    """, {"start_date": start_date, "end_date": end_date, "queues": tuple(sorted(queues))})
