"""The app's one door into the warehouse: the current publication, opened read-only.

This package holds every query the app makes, parameterised: the core here (the
publication, its connection, the cached :func:`frame`, the filter options), and one
module per area's marts (``kpis``, ``overview``, ``sla``, ``queues``, ``fcr``, ``feedback``,
``people``, ``quality``) and the records behind any aggregate (``records``).

The app never opens the pipeline's working warehouse (see ``csops.kernel.publication``). Each
rerun asks ``published/current.json`` which publication is current, so a new run's
marts reach an open browser tab on its next rerun, without restarting the server.

Everything cached here is keyed by the publication's file path: a publication file
never changes once written, so a cached answer for a path is never stale, and a new
publication (a new path) is a cache miss by construction.

Queries return the marts' columns as they are, named in a :class:`MartColumns` declaration
beside the query. KPIs are defined in the marts only; the app shows their rates, intervals, n,
flags and ranks and never recomputes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from csops.app.weeks import DAYS_IN_WEEK, week_start
from csops.kernel.paths import csops_home
from csops.kernel.last_run import LastRun, read_last_run
from csops.kernel.publication import KEEP_PUBLICATIONS, Publication, read_current

BUILD_PARAMETERS = "build_parameters"

# Every filter change is a new cache key; bound the memory that can take.
_QUERY_CACHE_ENTRIES = 1024


@dataclass(frozen=True)
class MartColumns:
    """The columns the app reads from one mart, named once: the query selects them by name (a mart
    gaining a column changes nothing), and a test checks each against the mart's contract."""

    mart: str
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return f"marts.{self.mart}"

    def select(self, alias: str | None = None) -> str:
        """The columns as a select list, each prefixed with ``alias.`` when given."""
        return ", ".join(f"{alias}.{column}" if alias else column for column in self.columns)


@dataclass(frozen=True)
class PeriodGrain:
    """A period grain (a day or a week) of marts stated per channel, and the mart that states it."""

    label: str
    read: MartColumns
    period_column: str
    period_label: str
    days: int  # how many contact days one period holds

    @property
    def mart(self) -> str:
        return self.read.mart

    def first_period(self, start_date: date) -> date:
        """The first period touching ``start_date``: a week is read whole."""
        return week_start(start_date) if self.days == DAYS_IN_WEEK else start_date

    def last_day(self, period_start: date) -> date:
        """The last contact date of the period starting on ``period_start``."""
        return period_start + timedelta(days=self.days - 1)


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


# Where the contact dates and channels come from, in order of preference: the contacts fact and
# the dimensions; a publication of the CSAT marts alone (the app's tests make one) still filters.
_DATE_SOURCES = (("fct_contacts", "contact_date"), ("feedback_by_channel_day", "contact_date"))


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


def period_rows(publication: Publication, grain: PeriodGrain, start_date: date, end_date: date,
                channels: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The grain's mart rows for the periods touching ``start_date``..``end_date`` (a week is read
    whole: the mart states it per whole week, and the app does not recompute part of one) in
    ``channels``, by period then channel."""
    period = grain.period_column
    return frame(publication, f"""
        select {grain.read.select()}
        from {grain.read.table}
        where {period} between $first_period and $end_date
            and list_contains($channels, channel)
        order by {period}, channel
    """, {"first_period": grain.first_period(start_date), "end_date": end_date,
          "channels": tuple(sorted(channels))})


# The teams each agent was in during the week starting ``$week_start_date`` (from the agent's
# team spells): their names joined with " / " and their keys, one row per agent.
_AGENT_TEAMS_OF_WEEK = """
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


def agent_week_rows(publication: Publication, read: MartColumns, week_start_date: date, teams: tuple[str, ...],
                    include_teamless: bool, order_by: str) -> pd.DataFrame:
    """One week of an agent-week mart (``read``: its ``week_start_date``, ``agent_id`` and measures)
    for the agents who were in a chosen team on any day of it (``dim_agent_teams``), with the agent's
    name and the team(s) of that week, oldest first: an agent who moved mid-week has both, and one
    row for the week, as the mart states it. ``include_teamless`` also keeps agents in no team that
    week and the mart's row without an agent, as when every team is chosen."""
    return frame(publication, f"""
        with week_spells as ({_AGENT_TEAMS_OF_WEEK})

        select
            {read.select("performance")},
            coalesce(agents.agent_name, performance.agent_id::varchar) as agent_name,
            coalesce(week_spells.team_names, 'No team') as team_names
        from {read.table} as performance
        left join marts.dim_agents as agents
            on performance.agent_id = agents.agent_id
        left join week_spells
            on performance.agent_id = week_spells.agent_id
        where performance.week_start_date = $week_start_date
            and (
                list_has_any(week_spells.team_keys, $teams)
                or ($include_teamless and week_spells.team_keys is null)
            )
        order by {order_by}
    """, {"week_start_date": week_start_date, "teams": tuple(sorted(teams)), "include_teamless": include_teamless})


def frame(publication: Publication, sql: str, parameters: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rows of a parameterised query (``$name`` placeholders) on the publication, cached per
    publication file. Columns named ``*_date`` come back as dates (DuckDB gives timestamps)."""
    hashable = {name: tuple(value) if isinstance(value, (list, set)) else value
                for name, value in (parameters or {}).items()}
    return _frame(str(publication.path), sql, tuple(sorted(hashable.items())))


@st.cache_data(max_entries=_QUERY_CACHE_ENTRIES, show_spinner=False)
def _frame(publication_path: str, sql: str, parameters: tuple) -> pd.DataFrame:
    # Streamlit runs each session's script in its own thread and a DuckDB connection
    # must not be used by two threads at once, so every query takes its own cursor.
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
    """The parameter values the build used (``marts.build_parameters``, the newest build), as
    plain Python values; empty when the publication has no ``build_parameters``."""
    if not has_table(publication, BUILD_PARAMETERS):
        return {}
    rows = frame(publication, f"select * from marts.{BUILD_PARAMETERS} order by built_at desc nulls last limit 1")
    if rows.empty:
        return {}
    return {column: _python_value(value) for column, value in rows.iloc[0].items()}


def _close_connection(connection: duckdb.DuckDBPyConnection) -> None:
    connection.close()


# One connection per publication file, shared by all sessions. Only the few newest
# publications stay on disk (KEEP_PUBLICATIONS), so older connections are closed when
# they drop out of the cache rather than held open forever.
@st.cache_resource(max_entries=KEEP_PUBLICATIONS, on_release=_close_connection, show_spinner=False)
def _connection(publication_path: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(publication_path, read_only=True)


def _python_value(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value
