"""Section: what is breaching right now? The tickets whose SLA is breached and whose clock still
runs at the as-of time (``fct_ticket_slas``), counted per team and priority."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, filters, labels
from csops.app.data import records, sla
from csops.app.views.sla_backlog.dimensions import PRIORITY_COLORS, SLA_KIND_LABELS, kind_label, ordered_values
from csops.kernel.publication import Publication

COUNT_COLUMNS = ("sla_kind", "team_name", "ticket_priority", "breached_in_flight_count")
TICKET_COLUMNS = ("ticket_id", "sla_kind", "ticket_priority", "channel", "team_name", "created_at", "policy_hours",
                  "target_minutes", "elapsed_sla_minutes", "elapsed_calendar_minutes")


def render(publication: Publication, chosen: filters.Filters) -> None:
    st.subheader("What is breaching right now?")
    as_of = sla.as_of_at(publication)
    as_of_text = f"{as_of:%Y-%m-%d %H:%M} UTC" if as_of else "the as-of time"
    st.caption(
        f"Tickets whose SLA target is already exceeded and whose clock still runs at {as_of_text} (first response: "
        "no agent reply yet; agent work: not solved yet). The date filter does not apply here: a ticket breaching "
        "now is shown whatever day it was created. Channel and team filters apply (team: the team whose schedule "
        "governs the clock)."
    )
    counts = sla.breach_counts(publication, chosen.channels, chosen.teams, chosen.is_every_team)
    tickets = sla.breaches_in_flight(publication, chosen.channels, chosen.teams, chosen.is_every_team)
    kinds = [kind for kind in SLA_KIND_LABELS if kind in set(counts["sla_kind"])] + sorted(
        set(counts["sla_kind"]) - set(SLA_KIND_LABELS))
    for column, kind in zip(st.columns(len(SLA_KIND_LABELS)), SLA_KIND_LABELS):
        column.metric(f"{SLA_KIND_LABELS[kind]}: breaching now",
                      f"{int(counts.loc[counts['sla_kind'] == kind, 'breached_in_flight_count'].sum()):,} tickets")
    if counts.empty:
        st.info(f"No ticket is breaching its SLA at {as_of_text} in the selected channels and teams.")
        return
    st.plotly_chart(breach_figure(counts, kinds), width="stretch", key="sla_breach_counts")
    st.caption("**Which teams and priorities hold the breaches?** Tickets breaching now, per team whose schedule "
               "governs the clock, stacked by priority. Counts, not rates: a big team has more tickets to breach.")
    components.table(counts, file_name="tickets_breaching_now_by_team_priority", key="sla_breach_counts",
                     column_config=labels.columns(publication, COUNT_COLUMNS))
    components.drill_down(
        counts, key="sla_breaches", what="tickets", file_name="tickets_breaching_now",
        label=lambda row: (f"{kind_label(row['sla_kind'])} {row['team_name']} {row['ticket_priority']}: "
                           f"{row['breached_in_flight_count']} tickets"),
        records=lambda row: records.ticket_slas(
            publication, team_key=row["team_key"], sla_kind=row["sla_kind"], ticket_priority=row["ticket_priority"],
            sla_status="breached", is_completed=False, channel=tuple(chosen.channels)),
    )
    components.table(
        tickets, file_name="tickets_breaching_now", key="sla_breach_tickets",
        column_config=labels.columns(publication, TICKET_COLUMNS),
        caption=(f"**Which tickets?** The {len(tickets):,} tickets breaching now, the oldest ticket first (the mart "
                 "does not state the moment of each breach). Elapsed time is in the policy's minutes (business "
                 "minutes of the team's schedule, or calendar minutes), to the as-of time."),
    )


def breach_figure(counts: pd.DataFrame, kinds: list[str]) -> go.Figure:
    figure = make_subplots(rows=1, cols=len(kinds), subplot_titles=[charts.chart_text(kind_label(kind))
                                                                    for kind in kinds], shared_yaxes=True)
    # Team names become tick labels and the hover's %{x}: Plotly text (the kind and priority still pick rows).
    counts = counts.assign(team_name=charts.chart_texts(counts["team_name"]))
    shown_in_legend: set[str] = set()
    for index, kind in enumerate(kinds, start=1):
        kind_counts = counts[counts["sla_kind"] == kind]
        for priority in ordered_values(counts["ticket_priority"], "ticket_priority"):
            priority_counts = kind_counts[kind_counts["ticket_priority"] == priority]
            if priority_counts.empty:
                continue
            shown_priority = charts.chart_text(priority)
            figure.add_trace(go.Bar(
                x=priority_counts["team_name"], y=priority_counts["breached_in_flight_count"], name=shown_priority,
                legendgroup=shown_priority, showlegend=priority not in shown_in_legend,
                marker_color=PRIORITY_COLORS.get(priority, charts.MUTED_COLOR),
                hovertemplate=f"<b>%{{x}}</b> {shown_priority}: %{{y}} tickets<extra></extra>",
            ), row=1, col=index)
            shown_in_legend.add(priority)
    figure.update_layout(barmode="stack", legend_title_text="Priority", margin={"t": 40, "b": 40}, height=340)
    # The same team order in every panel, whichever team has breaches of which kind.
    figure.update_xaxes(categoryorder="array", categoryarray=sorted(counts["team_name"].unique()))
    figure.update_yaxes(title_text="Tickets breaching now", row=1, col=1)
    return figure
