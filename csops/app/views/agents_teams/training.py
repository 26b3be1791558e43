"""Section: did a training help? Each cohort's difference in differences and its interval, as
``training_impact`` states them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, labels
from csops.app.data import people
from csops.app.views.agents_teams.outliers import single_value
from csops.app.views.agents_teams.scorecard import AGENT_KPIS
from csops.kernel.publication import Publication

# The estimates of a cohort-KPI: null in the mart where it is not shown (``is_shown`` false).
TRAINING_ESTIMATES = ("trained_before_value", "trained_after_value", "control_before_value", "control_after_value",
                      "difference_in_differences", "difference_ci95_low", "difference_ci95_high")
SIDES = (("trained", "Trained agents", charts.PALETTE[0], "solid"), ("control", "Other agents", "#7f7f7f", "dash"))


def render(publication: Publication) -> None:
    st.header("Training: did it help?")
    rows = people.training_impact(publication)
    if rows.empty:
        st.info("No training cohort to compare yet: the training log (`CSOPS_HOME/manager/training_log.csv`) has "
                "no completion with agents who have a KPI value both in the weeks before and in the weeks after it.")
        return
    window = single_value(rows, "training_window_weeks")
    min_agents = single_value(rows, "training_min_agents")
    weeks = f"{int(window)} weeks" if window is not None else "`training_window_weeks`"
    fewest = f"{int(min_agents)}" if min_agents is not None else "`training_min_agents`"
    st.caption(
        f"For each training (name and completion date), each KPI over the {weeks} before and after completion: the "
        "trained agents' mean against the mean of the agents without that training over the same weeks. The "
        "difference in differences (DiD) is the trained agents' change minus the others' change, with its 95% "
        "interval (agents are the unit). An interval that excludes 0 is a change beyond chance; for AHT, below 0 "
        "means shorter calls. The sidebar's dates, teams and channels do not apply: a cohort is every trained agent, "
        "whichever their team, over all channels.")

    measures = {column: labels.measure(publication, column) for column in AGENT_KPIS}
    rows = rows.assign(completed_on=pd.to_datetime(rows["completed_on"]).dt.date)
    shown = rows[rows["is_shown"].astype(bool)]
    for (training_name, completed), cohort in shown.groupby(["training_name", "completed_on"], sort=False):
        st.subheader(f"{components.plain(training_name)}, completed {completed}")  # the manager's training log
        if not cohort["is_window_complete"].astype(bool).all():
            st.caption("The weeks after completion have not all happened yet: the 'after' side is still filling.")
        st.plotly_chart(training_figure(cohort, measures), width="stretch",
                        key=f"people_training_{training_name}_{completed}")

    hidden = rows[~rows["is_shown"].astype(bool)]
    if not hidden.empty:
        cohorts = ", ".join(sorted({f"{components.plain(name)} ({day}, {int(n)} trained)"
                                    for name, day, n in zip(hidden["training_name"], hidden["completed_on"],
                                                            hidden["trained_agent_count"])}))
        st.info(f"Not shown (fewer than {fewest} trained agents with the KPI before and after, too few to tell "
                f"a change from chance): {cohorts}. Their estimates read n/a below.")
    if shown.empty:
        st.caption("No cohort has enough trained agents to show an estimate yet.")
    _render_tables(publication, rows, measures)
    st.caption("No drill-down here: no mart lists which agents took a training (the training log is not "
               "published), so the contacts behind a cohort cannot be picked out.")


def _render_tables(publication: Publication, rows: pd.DataFrame, measures: dict[str, labels.Measure]) -> None:
    rows = rows.assign(kpi_label=rows["kpi"].map({kpi: measure.label for kpi, measure in measures.items()})
                       .fillna(rows["kpi"]))
    shown = ("training_name", "completed_on", "kpi_label", "trained_agent_count", "control_agent_count",
             *TRAINING_ESTIMATES, "is_shown", "is_window_complete")
    aht = rows[rows["kpi"] == "aht_seconds"]
    rates = rows[rows["kpi"] != "aht_seconds"]
    if not aht.empty:
        components.table(aht, file_name="training_impact_aht", key="people_training_aht",
                         column_config=labels.columns(publication, shown),
                         caption="AHT, in seconds (DiD below 0: the trained agents' calls got shorter than the "
                                 "others').")
    if not rates.empty:
        components.table(rates, file_name="training_impact_rates", key="people_training_rates",
                         column_config=labels.columns(publication, shown,
                                                      formats=dict.fromkeys(TRAINING_ESTIMATES, labels.RATE)),
                         caption=" and ".join(components.plain(measure.label) for measure in measures.values()
                                              if measure.is_rate)
                         + ", as rates; the DiD is in percentage points (above 0: the trained agents improved "
                           "more than the others).")


def training_figure(cohort: pd.DataFrame, measures: dict[str, labels.Measure]) -> go.Figure:
    """Per KPI: both sides' before and after (top), and the DiD with its 95% interval (bottom)."""
    kpis = [kpi for kpi in measures if kpi in set(cohort["kpi"])]
    titles = [charts.chart_text(measures[kpi].label) for kpi in kpis]
    figure = make_subplots(rows=2, cols=len(kpis), row_heights=[0.65, 0.35], vertical_spacing=0.2,
                           horizontal_spacing=0.1, subplot_titles=titles + [f"DiD, {title}" for title in titles])
    for column_index, (kpi, title) in enumerate(zip(kpis, titles), start=1):
        row, measure = cohort[cohort["kpi"] == kpi].iloc[0], measures[kpi]
        for side, name, color, dash in SIDES:
            figure.add_trace(go.Scatter(
                x=["Before", "After"], y=[row[f"{side}_before_value"], row[f"{side}_after_value"]],
                name=name, legendgroup=side, showlegend=column_index == 1, mode="lines+markers",
                line={"color": color, "width": 3, "dash": dash}, marker={"size": 10, "color": color},
                hovertemplate=(f"{name} (n = {int(row[f'{side}_agent_count'])})<br>%{{x}}: {measure.field()}"
                               "<extra></extra>"),
            ), row=1, col=column_index)
        difference = row["difference_in_differences"]
        figure.add_trace(go.Scatter(
            x=[difference], y=["DiD"], mode="markers", showlegend=False, marker={"size": 12, "color": SIDES[0][2]},
            error_x=charts.interval_bars(difference, row["difference_ci95_low"], row["difference_ci95_high"],
                                         width=6),
            hovertemplate=(f"DiD {measure.field('x')}<br>95% interval {measure.format(row['difference_ci95_low'])} "
                           f"to {measure.format(row['difference_ci95_high'])}<extra></extra>"),
        ), row=2, col=column_index)
        figure.add_vline(x=0, line_color=charts.MUTED_COLOR, line_width=1, row=2, col=column_index)
        figure.update_yaxes(showticklabels=False, row=2, col=column_index)
        figure.update_yaxes(title_text=title if column_index == 1 else None,
                            tickformat=".0%" if measure.is_rate else None, row=1, col=column_index)
        figure.update_xaxes(title_text="percentage points" if measure.is_rate else "seconds",
                            tickformat=".1%" if measure.is_rate else None, row=2, col=column_index)
    figure.update_layout(height=520, margin={"t": 40, "b": 40}, legend={"orientation": "h", "y": 1.12})
    return figure
