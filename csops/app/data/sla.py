"""Ticket SLAs and backlog, as the marts state them: compliance per creation day
(``ticket_sla_compliance_daily``), the tickets breaching now (``fct_ticket_slas``) and the
end-of-day backlog (``ticket_backlog_daily``).

Rows come back at the marts' grain with the marts' columns; nothing here forms a rate.
Team filters: the marts report a ticket whose group is no team as team ``unknown``, the unknown
member of ``dim_teams``, which the team filter picks like any team.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from csops.app.data import MartColumns, frame
from csops.kernel.publication import Publication

UNKNOWN_TEAM = "unknown"

COMPLIANCE = MartColumns("ticket_sla_compliance_daily", (
    "created_date", "sla_kind", "ticket_priority", "channel", "team_key", "policy_hours", "target_minutes",
    "ticket_count", "met_count", "breached_count", "in_flight_count", "unmeasured_count", "sla_compliance_rate",
    "mean_completed_elapsed_sla_minutes", "p50_completed_elapsed_sla_minutes", "as_of_at",
))
BACKLOG = MartColumns("ticket_backlog_daily", (
    "backlog_date", "team_key", "channel", "measured_at", "backlog_ticket_count", "backlog_age_p50_hours",
    "backlog_age_p90_hours", "created_ticket_count", "solve_count", "reopen_count", "reporting_timezone",
))
BREACHES = MartColumns("fct_ticket_slas", (
    "ticket_id", "sla_kind", "ticket_priority", "channel", "team_key", "created_at", "created_date", "policy_hours",
    "target_minutes", "elapsed_sla_minutes", "elapsed_calendar_minutes", "as_of_at",
))
TEAM_NAMES = MartColumns("dim_teams", ("team_key", "team_name"))
COMPLIANCE_MART, SLA_FACT, BACKLOG_MART, TEAMS_DIMENSION = (COMPLIANCE.mart, BREACHES.mart, BACKLOG.mart,
                                                           TEAM_NAMES.mart)

# Urgent first: the order a manager reads priorities in.
_PRIORITY_ORDER = "case ticket_priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 " \
                  "when 'low' then 3 else 4 end"
_TEAM_CONDITION = "($every_team or list_contains($teams, {alias}team_key))"
# The tickets breaching now, whatever their creation date: the SLA is breached and its clock still
# runs at the as-of time. A CTE body, with the team's name.
_BREACHING_NOW = f"""
    select {BREACHES.select("slas")}, teams.team_name
    from marts.{SLA_FACT} as slas
    left join marts.{TEAMS_DIMENSION} as teams on slas.team_key = teams.team_key
    where slas.sla_status = 'breached'
        and not slas.is_completed
        and list_contains($channels, slas.channel)
        and {_TEAM_CONDITION.format(alias="slas.")}
"""


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
        select {COMPLIANCE.select()}
        from marts.{COMPLIANCE_MART}
        where sla_kind = $sla_kind
            and created_date between $start_date and $end_date
            and list_contains($channels, channel)
            and {_TEAM_CONDITION.format(alias="")}
        order by created_date, {_PRIORITY_ORDER}, channel, team_key
    """, {"sla_kind": sla_kind, "start_date": start_date, "end_date": end_date,
          **_filter_parameters(channels, teams, every_team)})


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
        with breaching as ({_BREACHING_NOW})

        select ticket_id, sla_kind, ticket_priority, channel, team_key, team_name, created_at, created_date,
            policy_hours, target_minutes, elapsed_sla_minutes, elapsed_calendar_minutes, as_of_at
        from breaching
        order by created_at, ticket_id, sla_kind
    """, _filter_parameters(channels, teams, every_team))


def breach_counts(publication: Publication, channels, teams, every_team: bool) -> pd.DataFrame:
    """How many tickets are breaching now, per SLA kind, team and priority (the same tickets
    as :func:`breaches_in_flight`)."""
    return frame(publication, f"""
        with breaching as ({_BREACHING_NOW}),

        counted as (
            select sla_kind, team_key, team_name, ticket_priority, count(*) as breached_in_flight_count
            from breaching
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
        select {BACKLOG.select("backlog")},
            coalesce(teams.team_name, backlog.team_key) as team_name
        from marts.{BACKLOG_MART} as backlog
        left join marts.{TEAMS_DIMENSION} as teams on backlog.team_key = teams.team_key
        where backlog.backlog_date between $start_date and $end_date
            and list_contains($channels, backlog.channel)
            and {_TEAM_CONDITION.format(alias="backlog.")}
        order by backlog.backlog_date, team_name, backlog.channel
    """, {"start_date": start_date, "end_date": end_date, **_filter_parameters(channels, teams, every_team)})
