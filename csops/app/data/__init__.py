"""The app's one door into the warehouse: the current publication, opened read-only.

This package holds every query the app makes, parameterised: the core here (the
publication, its connection, the cached :func:`frame`, the filter options, CSAT), and one
module per page's marts (``overview``, ``sla``, ``queues``, ``fcr``, ``feedback``,
``people``, ``quality``) and the records behind any aggregate (``records``).

The app never opens the pipeline's working warehouse (see ``csops.kernel.publication``). Each
rerun asks ``published/current.json`` which publication is current, so a new run's
marts reach an open browser tab on its next rerun, without restarting the server.

Everything cached here is keyed by the publication's file path: a publication file
never changes once written, so a cached answer for a path is never stale, and a new
publication (a new path) is a cache miss by construction.

Queries return the marts' columns as they are. KPIs are defined in the marts only; the
app shows their rates, intervals, n and low-sample flags and never recomputes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from csops.kernel.paths import csops_home
from csops.kernel.publication import KEEP_PUBLICATIONS, LastRun, Publication, read_current, read_last_run

BUILD_PARAMETERS = "build_parameters"


@dataclass(frozen=True)
class CsatGrain:
    """A period grain of CSAT by channel, and the mart that states CSAT at that grain."""

    label: str
    mart: str
    period_column: str
    period_label: str


# Weekly first: a channel's day rarely reaches min_responses, its week usually does.
CSAT_GRAINS = (
    CsatGrain("Week", "csat_by_channel_week", "week_start_date", "Week starting (Monday)"),
    CsatGrain("Day", "csat_by_channel_day", "contact_date", "Contact date"),
)
# The daily mart bounds the date filter: its dates are the contacts' own.
CSAT_MART = "csat_by_channel_day"

# The measure columns of the CSAT marts, in the order the app shows and exports them,
# after the grain's period column. Named rather than ``select *`` so that a mart gaining
# a column changes nothing here.
CSAT_MEASURE_COLUMNS = (
    "channel",
    "response_count",
    "top2_response_count",
    "csat_top2_rate",
    "csat_top2_rate_ci95_low",
    "csat_top2_rate_ci95_high",
    "csat_mean_score",
    "is_low_sample",
    "min_responses",
)

# Every filter change is a new cache key; bound the memory that can take.
_QUERY_CACHE_ENTRIES = 256


def csat_columns(grain: CsatGrain) -> tuple[str, ...]:
    return (grain.period_column, *CSAT_MEASURE_COLUMNS)


def csat_grains(publication: Publication) -> list[CsatGrain]:
    """The grains whose mart this publication carries, weekly first."""
    return [grain for grain in CSAT_GRAINS if has_table(publication, grain.mart)]


def current_publication() -> Publication | None:
    """The publication ``current.json`` points at now; None before the first ``csops run``.

    Deliberately not cached: it is one small file read, and reading it on every rerun
    is what lets a new publication replace the old one without a restart.
    """
    return read_current(csops_home())


def last_run() -> LastRun | None:
    """What the latest run did (published, or blocked by a failed blocking check); not cached, as
    :func:`current_publication`, so a blocked run is told on the next rerun."""
    return read_last_run(csops_home())


@dataclass(frozen=True)
class FilterOptions:
    """What the global filters can choose from in a publication."""

    first_date: date
    last_date: date
    channels: tuple[str, ...]
    teams: tuple[tuple[str, str], ...]  # (team_key, team_name)


# Where the contact dates and channels come from, in order of preference: the contacts
# fact and the dimensions when published; a publication with only the CSAT marts still filters.
_DATE_SOURCES = (("fct_contacts", "contact_date"), (CSAT_MART, "contact_date"))


def filter_options(publication: Publication) -> FilterOptions | None:
    """The date range, channels and teams to filter on; None when nothing dated is published."""
    source = next(((table, column) for table, column in _DATE_SOURCES if has_table(publication, table)), None)
    if source is None:
        return None
    bounds = frame(publication, f"select min({source[1]}) as first_date, max({source[1]}) as last_date "
                                f"from marts.{source[0]}")
    if bounds.empty or pd.isna(bounds.iloc[0]["first_date"]):
        return None
    channel_table = "dim_channels" if has_table(publication, "dim_channels") else source[0]
    channel_list = frame(publication, f"select distinct channel from marts.{channel_table} order by channel")
    teams = ()
    if has_table(publication, "dim_teams"):
        team_rows = frame(publication, "select team_key, team_name from marts.dim_teams order by team_name")
        teams = tuple(zip(team_rows["team_key"], team_rows["team_name"]))
    return FilterOptions(
        first_date=bounds.iloc[0]["first_date"],
        last_date=bounds.iloc[0]["last_date"],
        channels=tuple(channel_list["channel"]),
        teams=teams,
    )


# The teams each agent was in during the week starting ``$week_start_date`` (from the agent's
# team spells): their names joined with " / " and their keys, one row per agent. A CTE body
# for the pages that list agents with their teams.
AGENT_TEAMS_OF_WEEK = """
    select
        spells.agent_id,
        string_agg(coalesce(teams.team_name, spells.team_key), ' / ' order by spells.valid_from_date)
            as team_names,
        list(spells.team_key order by spells.valid_from_date) as team_keys
    from marts.dim_agent_teams as spells
    left join marts.dim_teams as teams
        on spells.team_key = teams.team_key
    where spells.valid_from_date < $week_start_date + 7
        and (spells.valid_to_date is null or spells.valid_to_date > $week_start_date)
    group by spells.agent_id
"""


def frame(publication: Publication, sql: str, parameters: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rows of a parameterised query (``$name`` placeholders) on the publication, cached per
    publication file. Columns named ``*_date`` come back as dates (DuckDB gives timestamps)."""
    hashable = {name: tuple(value) if isinstance(value, (list, set)) else value
                for name, value in (parameters or {}).items()}
    return _frame(str(publication.path), sql, tuple(sorted(hashable.items())))


@st.cache_data(max_entries=_QUERY_CACHE_ENTRIES * 4, show_spinner=False)
def _frame(publication_path: str, sql: str, parameters: tuple) -> pd.DataFrame:
    with _connection(publication_path).cursor() as cursor:
        result = cursor.execute(sql, {name: list(value) if isinstance(value, tuple) else value
                                      for name, value in parameters}).df()
    for column in result.columns:
        if column.endswith("_date") and pd.api.types.is_datetime64_any_dtype(result[column]):
            result[column] = result[column].dt.date
    return result


def has_table(publication: Publication, table_name: str) -> bool:
    """Whether the publication carries ``marts.<table_name>``."""
    return table_name in publication.tables


def build_parameters(publication: Publication) -> dict[str, Any]:
    """The parameter values the build used (``marts.build_parameters``), newest build first.

    Empty when the publication has no ``build_parameters`` table.
    """
    if not has_table(publication, BUILD_PARAMETERS):
        return {}
    return _build_parameters(str(publication.path))


def channels(publication: Publication) -> list[str]:
    """The channels present in the CSAT mart, alphabetically."""
    return _csat_channels(str(publication.path))


def csat_date_bounds(publication: Publication) -> tuple[date, date] | None:
    """First and last contact date in the CSAT mart; None when the mart has no rows."""
    return _csat_date_bounds(str(publication.path))


def csat_by_channel(
    publication: Publication,
    grain: CsatGrain,
    start_date: date,
    end_date: date,
    channels: tuple[str, ...] | list[str],
) -> pd.DataFrame:
    """Rows of the grain's mart for contact dates ``start_date`` to ``end_date`` (inclusive)
    and a channel in ``channels``, ordered by period then channel.

    A week is shown whole when any of its days is in the range: the mart states CSAT per
    whole week, and the app does not recompute it for part of one.
    """
    first_period = start_date - timedelta(days=start_date.weekday()) if grain.period_column == "week_start_date" else start_date
    # Sorted so that the same selection in another order hits the same cache entry.
    return _csat_rows(str(publication.path), grain, first_period, end_date, tuple(sorted(channels)))


def _close_connection(connection: duckdb.DuckDBPyConnection) -> None:
    connection.close()


# One connection per publication file, shared by all sessions. Only the few newest
# publications stay on disk (KEEP_PUBLICATIONS), so older connections are closed when
# they drop out of the cache rather than held open forever.
@st.cache_resource(max_entries=KEEP_PUBLICATIONS, on_release=_close_connection, show_spinner=False)
def _connection(publication_path: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(publication_path, read_only=True)


def _query(publication_path: str, sql: str, parameters: list[Any] | None = None) -> pd.DataFrame:
    # Streamlit runs each session's script in its own thread and a DuckDB connection
    # must not be used by two threads at once, so every query takes its own cursor.
    with _connection(publication_path).cursor() as cursor:
        return cursor.execute(sql, parameters or []).df()


@st.cache_data(max_entries=_QUERY_CACHE_ENTRIES, show_spinner=False)
def _build_parameters(publication_path: str) -> dict[str, Any]:
    frame = _query(
        publication_path,
        f"select * from marts.{BUILD_PARAMETERS} order by built_at desc nulls last limit 1",
    )
    if frame.empty:
        return {}
    # Plain Python values (datetime, int, str) rather than numpy/pandas scalars.
    return {column: _python_value(value) for column, value in frame.iloc[0].items()}


@st.cache_data(max_entries=_QUERY_CACHE_ENTRIES, show_spinner=False)
def _csat_channels(publication_path: str) -> list[str]:
    frame = _query(publication_path, f"select distinct channel from marts.{CSAT_MART} order by channel")
    return frame["channel"].tolist()


@st.cache_data(max_entries=_QUERY_CACHE_ENTRIES, show_spinner=False)
def _csat_date_bounds(publication_path: str) -> tuple[date, date] | None:
    frame = _query(
        publication_path,
        f"select min(contact_date) as first_date, max(contact_date) as last_date from marts.{CSAT_MART}",
    )
    first_date, last_date = frame.iloc[0]["first_date"], frame.iloc[0]["last_date"]
    if pd.isna(first_date):
        return None
    return pd.Timestamp(first_date).date(), pd.Timestamp(last_date).date()


@st.cache_data(max_entries=_QUERY_CACHE_ENTRIES, show_spinner=False)
def _csat_rows(
    publication_path: str,
    grain: CsatGrain,
    first_period: date,
    end_date: date,
    channels: tuple[str, ...],
) -> pd.DataFrame:
    period = grain.period_column
    frame = _query(
        publication_path,
        f"""
        select {", ".join(csat_columns(grain))}
        from marts.{grain.mart}
        where {period} between ? and ?
            and list_contains(?::varchar[], channel)
        order by {period}, channel
        """,
        [first_period, end_date, list(channels)],
    )
    # DuckDB hands DATE back as a timestamp; the mart's grain is a calendar date.
    frame[period] = pd.to_datetime(frame[period]).dt.date
    return frame


def _python_value(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value
