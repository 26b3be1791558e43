"""Ticket SLAs and backlog, as the marts state them: compliance per creation day
(``ticket_sla_compliance_daily``), the tickets breaching now (``fct_ticket_slas``) and the
end-of-day backlog (``ticket_backlog_daily``).

Rows come back at the marts' grain with the marts' columns; nothing here forms a rate.
Team filters: the marts report a ticket whose group is no team as team ``unknown`` (null
``team_key`` in the fact). No team filter can pick it, so it is shown only when every team
is selected.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from csops.app.data import frame, has_table
from csops.kernel.publication import Publication

COMPLIANCE_MART = "ticket_sla_compliance_daily"
SLA_FACT = "fct_ticket_slas"
BACKLOG_MART = "ticket_backlog_daily"
TEAMS_DIMENSION = "dim_teams"
TARGETS_MART = "kpi_targets"
UNKNOWN_TEAM = "unknown"

# The compliance mart's columns, in the order the page shows and exports them.
COMPLIANCE_COLUMNS = (
    "created_date",
    "sla_kind",
    "ticket_priority",
    "channel",
    "team_key",
    "policy_hours",
    "target_minutes",
    "ticket_count",
    "met_count",
    "breached_count",
    "in_flight_count",
    "unmeasured_count",
    "sla_compliance_rate",
    "mean_completed_elapsed_sla_minutes",
    "p50_completed_elapsed_sla_minutes",
    "as_of_at",
)
BACKLOG_COLUMNS = (
    "backlog_date",
    "team_key",
    "channel",
    "measured_at",
    "backlog_ticket_count",
    "backlog_age_p50_hours",
    "backlog_age_p90_hours",
    "created_ticket_count",
    "solve_count",
    "reopen_count",
    "reporting_timezone",
)

# Urgent first: the order a manager reads priorities in.
_PRIORITY_ORDER = "case ticket_priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 " \
                  "when 'low' then 3 else 4 end"
_TEAM_CONDITION = "($every_team or list_contains($teams, team_key))"


def _filter_parameters(channels, teams, every_team: bool) -> dict:
    return {"channels": tuple(sorted(channels)), "teams": tuple(sorted(teams)), "every_team": bool(every_team)}


def sla_kinds(publication: Publication) -> list[str]:
    """The SLA kinds the compliance mart states (those with a target), first response first."""
    kinds = frame(publication, f"select distinct sla_kind from marts.{COMPLIANCE_MART} "
                               "order by sla_kind = 'first_response' desc, sla_kind")
    return kinds["sla_kind"].tolist()


def compliance_rows(publication: Publication, sla_kind: str, start_date: date, end_date: date,
                    channels, teams, every_team: bool) -> pd.DataFrame:
    """``ticket_sla_compliance_daily`` rows of one SLA kind, tickets created ``start_date`` to
    ``end_date``, in the channels and teams chosen; by day, priority (urgent first), channel, team."""
    return frame(publication, f"""
        select {", ".join(COMPLIANCE_COLUMNS)}
        from marts.{COMPLIANCE_MART}
        where sla_kind = $sla_kind
            and created_date between $start_date and $end_date
            and list_contains($channels, channel)
            and {_TEAM_CONDITION}
        order by created_date, {_PRIORITY_ORDER}, channel, team_key
    """, {"sla_kind": sla_kind, "start_date": start_date, "end_date": end_date,
          **_filter_parameters(channels, teams, every_team)})


def compliance_target(publication: Publication) -> pd.Series | None:
    """The overview's SLA-compliance target (``kpi_targets``), or None when not published."""
    if not has_table(publication, TARGETS_MART):
        return None
    rows = frame(publication, f"select kpi_label, target_value, target_direction, target_source "
                              f"from marts.{TARGETS_MART} where kpi_name = 'sla_compliance_rate'")
    return None if rows.empty else rows.iloc[0]


def as_of_at(publication: Publication) -> datetime | None:
    """The as-of time the SLA fact was built at: what "now" means for breaches in flight."""
    rows = frame(publication, f"select max(as_of_at) as as_of_at from marts.{SLA_FACT}")
    value = rows.iloc[0]["as_of_at"]
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def breaches_in_flight(publication: Publication, channels, teams, every_team: bool) -> pd.DataFrame:
    """Tickets whose SLA is breached and whose clock still runs at the as-of time
    (``sla_status = 'breached'`` and not ``is_completed``), in the channels and teams chosen,
    whatever their creation date; the oldest ticket first."""
    return frame(publication, f"""
        select slas.ticket_id, slas.sla_kind, slas.ticket_priority, slas.channel,
            coalesce(slas.team_key, '{UNKNOWN_TEAM}') as team_key,
            coalesce(teams.team_name, '{UNKNOWN_TEAM}') as team_name,
            slas.created_at, slas.created_date, slas.policy_hours, slas.target_minutes,
            slas.elapsed_sla_minutes, slas.elapsed_calendar_minutes, slas.as_of_at
        from marts.{SLA_FACT} as slas
        left join marts.{TEAMS_DIMENSION} as teams on slas.team_key = teams.team_key
        where slas.sla_status = 'breached'
            and not slas.is_completed
            and list_contains($channels, slas.channel)
            and ($every_team or list_contains($teams, slas.team_key))
        order by slas.created_at, slas.ticket_id, slas.sla_kind
    """, _filter_parameters(channels, teams, every_team))


def breach_counts(publication: Publication, channels, teams, every_team: bool) -> pd.DataFrame:
    """How many tickets are breaching now, per SLA kind, team and priority (the same tickets
    as :func:`breaches_in_flight`)."""
    return frame(publication, f"""
        with counted as (
            select slas.sla_kind,
                coalesce(slas.team_key, '{UNKNOWN_TEAM}') as team_key,
                coalesce(teams.team_name, '{UNKNOWN_TEAM}') as team_name,
                slas.ticket_priority,
                count(*) as breached_in_flight_count
            from marts.{SLA_FACT} as slas
            left join marts.{TEAMS_DIMENSION} as teams on slas.team_key = teams.team_key
            where slas.sla_status = 'breached'
                and not slas.is_completed
                and list_contains($channels, slas.channel)
                and ($every_team or list_contains($teams, slas.team_key))
            group by all
        )

        select * from counted
        order by sla_kind = 'first_response' desc, sla_kind, team_name, {_PRIORITY_ORDER}
    """, _filter_parameters(channels, teams, every_team))


def backlog_rows(publication: Publication, start_date: date, end_date: date, channels, teams,
                 every_team: bool) -> pd.DataFrame:
    """``ticket_backlog_daily`` rows for backlog days ``start_date`` to ``end_date``, in the
    channels and teams chosen, with the team's name; by day, team, channel."""
    return frame(publication, f"""
        select {", ".join(f"backlog.{column}" for column in BACKLOG_COLUMNS[:2])},
            coalesce(teams.team_name, backlog.team_key) as team_name,
            {", ".join(f"backlog.{column}" for column in BACKLOG_COLUMNS[2:])}
        from marts.{BACKLOG_MART} as backlog
        left join marts.{TEAMS_DIMENSION} as teams on backlog.team_key = teams.team_key
        where backlog.backlog_date between $start_date and $end_date
            and list_contains($channels, backlog.channel)
            and ($every_team or list_contains($teams, backlog.team_key))
        order by backlog.backlog_date, team_name, backlog.channel
    """, {"start_date": start_date, "end_date": end_date, **_filter_parameters(channels, teams, every_team)})
