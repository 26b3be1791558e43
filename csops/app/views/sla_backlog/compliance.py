"""Section: are we meeting our SLAs, and where not? Compliance per creation day and priority x
channel x team (``ticket_sla_compliance_daily``), with the tickets behind a row."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from csops.app import charts, components, filters, labels
from csops.app.data import records, sla
from csops.app.views.sla_backlog.dimensions import DIMENSIONS, NO_TICKET_CHANNEL, kind_label, ordered_values
from csops.kernel.publication import Publication

TARGET_KPI = "sla_compliance_rate"
HEATMAP_ROW_PIXELS = 18
# The trend's largest marker (the row with the most tickets), in pixels across.
MAX_MARKER_PIXELS = 22
TABLE_COLUMNS = ("created_date", "ticket_priority", "channel", "team_name", "policy_hours", "target_minutes",
                 "ticket_count", "met_count", "breached_count", "in_flight_count", "unmeasured_count",
                 "sla_compliance_rate", "mean_completed_elapsed_sla_minutes", "p50_completed_elapsed_sla_minutes")


def render(publication: Publication, chosen: filters.Filters, team_names: dict[str, str],
           colors: dict[str, dict[str, str]]) -> None:
    st.subheader("Are we meeting our SLAs, and where not?")
    kinds = sla.sla_kinds(publication)
    if not kinds:
        st.info("The SLA compliance mart has no rows yet: no ticket has been loaded.")
        return
    left, right = st.columns(2)
    kind = left.radio("SLA", kinds, format_func=kind_label, horizontal=True, key="sla_kind")
    dimension_label = right.radio("Colour by", list(DIMENSIONS), horizontal=True, key="sla_colour_by")
    dimension = DIMENSIONS[dimension_label]
    rows = sla.compliance_rows(publication, kind, chosen.start_date, chosen.end_date, chosen.channels,
                               chosen.teams, chosen.is_every_team)
    if rows.empty:
        st.info(f"No ticket with a {kind_label(kind).lower()} SLA was created between {chosen.start_date} and "
                f"{chosen.end_date} in the selected channels and teams. {NO_TICKET_CHANNEL}")
        return
    rows = rows.assign(team_name=rows["team_key"].map(team_names).fillna(rows["team_key"]))
    # The registry's target is the first response's (the overview's SLA compliance).
    target = labels.kpi(publication, TARGET_KPI) if kind == "first_response" else None

    st.plotly_chart(compliance_trend(rows, dimension, dimension_label, colors, team_names, target),
                    width="stretch", key="sla_compliance_trend")
    st.caption(
        f"**Are we meeting our {kind_label(kind).lower()} SLA, day by day?** Each point is one row of "
        "`ticket_sla_compliance_daily`: the tickets created that day in one priority, channel and team, with their "
        "compliance = met / (met + breached). Tickets still in flight count in neither. Rows are not pooled: "
        f"a day has one point per priority x channel x team, grouped by {dimension_label.lower()}. A point's area "
        "is its number of tickets: a small point rests on few tickets and swings easily. Hover for the counts. "
        "A day with nothing met or breached yet has no point."
        + (f" Dashed line: the {target.target_value:.0%} target of the overview "
           f"({str(target.target_source).replace('_', ' ')})." if target is not None and target.has_target else "")
    )
    st.plotly_chart(compliance_heatmap(rows, dimension, team_names), width="stretch", key="sla_compliance_heatmap")
    st.caption(
        f"**Where are we missing it?** One line per priority x channel x team (grouped by "
        f"{dimension_label.lower()} first), one column per creation day; red is low compliance, green high, "
        "blank where the row has no settled ticket. Nothing is ranked: the rows are the mart's, in a fixed order."
    )
    components.table(
        rows, file_name=f"ticket_sla_compliance_daily_{kind}_{chosen.start_date}_{chosen.end_date}",
        key="sla_compliance", column_config=labels.columns(publication, TABLE_COLUMNS),
        caption=f"The mart's {len(rows):,} rows for these filters: {int(rows['met_count'].sum()):,} tickets met, "
                f"{int(rows['breached_count'].sum()):,} breached, {int(rows['in_flight_count'].sum()):,} in flight "
                f"(elapsed minutes in the policy's hours; rates in the CSV are fractions from 0 to 1).",
    )
    _render_drill_down(publication, rows, kind)


def _render_drill_down(publication: Publication, rows: pd.DataFrame, kind: str) -> None:
    days = sorted(rows["created_date"].unique(), reverse=True)
    day = st.selectbox("Drill-down: creation day", days, key="sla_drill_day",
                       help="Pick a day, then one of its rows below, to list the tickets behind it.")
    components.drill_down(
        rows[rows["created_date"] == day], key="sla_compliance", what="tickets", file_name=f"ticket_slas_{kind}",
        label=lambda row: (f"{row['created_date']} {row['ticket_priority']} {row['channel']} {row['team_name']}: "
                           f"{row['ticket_count']} tickets ({row['met_count']} met, {row['breached_count']} "
                           f"breached, {row['in_flight_count']} in flight)"),
        records=lambda row: records.ticket_slas(
            publication, row["created_date"], row["created_date"], team_key=row["team_key"], sla_kind=kind,
            channel=row["channel"], ticket_priority=row["ticket_priority"], is_sla_applicable=True),
    )


def compliance_trend(rows: pd.DataFrame, dimension: str, dimension_label: str, colors: dict[str, dict[str, str]],
                     team_names: dict[str, str], target: labels.Kpi | None) -> go.Figure:
    figure = go.Figure()
    hover = (
        f"<b>%{{x|{charts.DATE_FORMAT}}}</b> %{{customdata[0]}} / %{{customdata[1]}} / %{{customdata[2]}}<br>"
        "compliance %{y:.1%}<br>met %{customdata[3]}, breached %{customdata[4]}, in flight %{customdata[5]}, "
        "tickets %{customdata[6]}<extra></extra>"
    )
    # The names the hover shows, as Plotly text; rows keeps them as the data has them, to pick each trace's rows.
    shown_rows = rows.assign(**{column: charts.chart_texts(rows[column])
                                for column in ("ticket_priority", "channel", "team_name")})
    for value in ordered_values(rows[dimension], dimension):
        value_rows = shown_rows[rows[dimension] == value]
        name = charts.chart_text(team_names.get(value, value) if dimension == "team_key" else value)
        figure.add_trace(go.Scatter(
            x=value_rows["created_date"], y=value_rows["sla_compliance_rate"], name=name, offsetgroup=name,
            mode="markers",
            marker={"color": colors[dimension].get(value, charts.MUTED_COLOR), "opacity": 0.65,
                    # Marker area in proportion to the row's tickets: a rate of 0% over one ticket stays a small dot.
                    **charts.area_markers(value_rows["ticket_count"], rows["ticket_count"].max(), MAX_MARKER_PIXELS)},
            customdata=value_rows[["ticket_priority", "channel", "team_name", "met_count", "breached_count",
                                   "in_flight_count", "ticket_count"]].to_numpy(),
            hovertemplate=hover,
        ))
    if target is not None:
        charts.add_target_line(figure, target.target_value, ".0%")
    figure.update_layout(
        xaxis_title="Ticket creation date", yaxis_title="SLA compliance (met / settled)", yaxis_tickformat=".0%",
        yaxis_range=[-0.03, 1.03], legend_title_text=dimension_label, legend_itemsizing="constant",
        scattermode="group", scattergap=0.5, hovermode="closest", margin={"t": 30, "b": 40},
    )
    figure.update_xaxes(**charts.period_ticks(rows["created_date"]))
    return figure


def compliance_heatmap(rows: pd.DataFrame, dimension: str, team_names: dict[str, str]) -> go.Figure:
    others = [column for column in DIMENSIONS.values() if column != dimension]
    order = [dimension, *others]
    keys = rows[order].drop_duplicates()
    for column in order:
        keys[f"_{column}_rank"] = keys[column].map(
            {value: index for index, value in enumerate(ordered_values(rows[column], column))})
    keys = keys.sort_values([f"_{column}_rank" for column in order])
    names = {"team_key": lambda key: team_names.get(key, key)}
    labelled = keys.assign(label=keys[order].apply(
        lambda key: charts.chart_text(" · ".join(names.get(column, str)(key[column]) for column in order)), axis=1))
    label_of = dict(zip(map(tuple, labelled[order].to_numpy()), labelled["label"]))
    with_labels = rows.assign(label=[label_of[tuple(key)] for key in rows[order].to_numpy()])
    text = (with_labels["met_count"].astype(str) + " met, " + with_labels["breached_count"].astype(str)
            + " breached, " + with_labels["in_flight_count"].astype(str) + " in flight")
    with_labels = with_labels.assign(hover_text=text)
    days = sorted(rows["created_date"].unique())
    rates = with_labels.pivot(index="label", columns="created_date", values="sla_compliance_rate")
    hover_text = with_labels.pivot(index="label", columns="created_date", values="hover_text")
    # Top to bottom in the order above: Plotly draws the first y category at the bottom.
    row_labels = list(reversed(labelled["label"].tolist()))
    rates = rates.reindex(index=row_labels, columns=days)
    hover_text = hover_text.reindex(index=row_labels, columns=days).fillna("no tickets")
    figure = go.Figure(go.Heatmap(
        x=days, y=row_labels, z=rates.to_numpy(), text=hover_text.to_numpy(), zmin=0, zmax=1,
        colorscale="RdYlGn", colorbar={"title": {"text": "Compliance"}, "tickformat": ".0%"}, xgap=1, ygap=1,
        hovertemplate=(f"<b>%{{y}}</b><br>%{{x|{charts.DATE_FORMAT}}}: compliance %{{z:.1%}}<br>%{{text}}"
                       "<extra></extra>"),
    ))
    figure.update_layout(xaxis_title="Ticket creation date", yaxis_title=None, margin={"t": 30, "b": 40, "l": 10},
                         height=120 + HEATMAP_ROW_PIXELS * len(row_labels))
    figure.update_xaxes(**charts.period_ticks(rows["created_date"]))
    figure.update_yaxes(type="category", tickfont={"size": 11})
    return figure
