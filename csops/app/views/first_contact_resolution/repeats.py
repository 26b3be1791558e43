"""Section: one week's repeat contacts. Where do customers come back, about what
(``fcr_repeat_paths_weekly``'s groups), and on which channel (its paths)?"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from csops.app import charts, components, filters, labels
from csops.app.data import fcr, records
from csops.app.views.first_contact_resolution.drill import CAME_BACK, NO_CHANNEL, contacts_drill_down, equal_or_null
from csops.app.weeks import week_end
from csops.kernel.publication import Publication

NO_CATEGORY = "(no category)"
ALL_CATEGORIES = "All categories"
# The group's counts, repeated on each of its paths, are the group's: the paths table says so.
PATH_LABELS = {"channel": "First channel", "group_repeat_contact_count": "Group came back",
               "fcr_eligible_contact_count": "Group FCR-eligible (n)"}


def choose_week(publication: Publication, chosen: filters.Filters) -> date | None:
    """The week of the repeat and agent sections: the latest in the range whose windows have all closed."""
    weeks = fcr.weeks(publication, chosen.start_date, chosen.end_date)
    if weeks.empty:
        st.info(f"No FCR week between {chosen.start_date} and {chosen.end_date}.")
        return None
    open_weeks = dict(zip(weeks["week_start_date"], weeks["has_open_windows"].astype(bool)))
    complete = [index for index, week in enumerate(weeks["week_start_date"]) if not open_weeks[week]]
    st.divider()
    return st.selectbox(
        "Week for repeat contacts and agents", list(weeks["week_start_date"]), index=complete[0] if complete else 0,
        key=f"fcr_week_{chosen.start_date}_{chosen.end_date}",
        format_func=lambda week: f"{week} (Monday)"
        + (": incomplete, windows still open" if open_weeks.get(week) else ""),
        help="Opens on the latest week in the range whose repeat windows have all closed.",
    )


def _category(value) -> str | None:
    return None if value == NO_CATEGORY else value


def render(publication: Publication, chosen: filters.Filters, week: date) -> None:
    st.subheader(f"Where do customers come back, and about what? Week of {week}")
    if not chosen.channels:
        st.info(NO_CHANNEL)
        return
    groups = fcr.repeat_groups(publication, week, chosen.channels)
    if groups.empty:
        st.info(f"No contacts in the selected channels in the week of {week}.")
        return
    groups = groups.assign(issue_category=groups["issue_category"].fillna(NO_CATEGORY))
    if int(groups["window_open_contact_count"].sum()) > 0:
        st.warning(f"The week of {week} is incomplete: some of its contacts' repeat windows are still open, and "
                   "they are left out of these repeat rates until they close.", icon=":material/schedule:")
    st.plotly_chart(repeat_heatmap(groups), width="stretch", key="fcr_repeat_heatmap")
    st.caption(
        "**Where do customers come back, about what?** Each cell is one channel x issue category group of "
        "`fcr_repeat_paths_weekly`: the repeat rate, the share of its FCR-eligible contacts (resolved on contact, "
        "window closed) whose customer came back about the same category on any channel (1 - operational FCR of "
        "the group), with n = eligible contacts. Darker is worse; a small n swings easily (this mart has no "
        "low-sample flag, so nothing is ranked). The channel filter picks the first contact's channel; "
        "**the team filter does not apply** (the mart has no team)."
    )
    components.table(
        groups, file_name=f"fcr_repeat_groups_{week}", key="fcr_repeat_groups",
        column_config=labels.columns(publication, ("channel", "issue_category", "fcr_eligible_contact_count",
                                                   "group_repeat_contact_count", "repeat_rate",
                                                   "window_open_contact_count", "inbound_contact_count")),
        caption=f"The week's {len(groups):,} channel x category groups, as the mart states them.",
    )
    contacts_drill_down(
        publication, groups, key="fcr_repeat_groups",
        label=lambda row: (f"{row['channel']} / {row['issue_category']}: {int(row['fcr_eligible_contact_count']):,} "
                           f"eligible, {int(row['group_repeat_contact_count']):,} came back"),
        scope=lambda row: {"start_date": week, "end_date": week_end(week), "channel": row["channel"],
                           **equal_or_null("issue_category", _category(row["issue_category"]))},
    )
    _render_paths(publication, week, chosen)


def _render_paths(publication: Publication, week: date, chosen: filters.Filters) -> None:
    st.markdown("**Where do they go next?**")
    paths = fcr.repeat_paths(publication, week, chosen.channels)
    if paths.empty:
        st.info(f"No FCR-eligible contact in the selected channels came back in the week of {week}.")
        return
    paths = paths.assign(issue_category=paths["issue_category"].fillna(NO_CATEGORY))
    categories = sorted(paths["issue_category"].unique())
    category = st.selectbox("Issue category (where customers go next)", [ALL_CATEGORIES, *categories],
                            key=f"fcr_path_category_{week}")
    shown = paths if category == ALL_CATEGORIES else paths[paths["issue_category"] == category]
    st.plotly_chart(paths_sankey(shown, charts.colors(chosen.all_channels)), width="stretch", key="fcr_paths_sankey")
    category_shown = "all categories" if category == ALL_CATEGORIES else components.plain(category)
    st.caption(
        "**Where do customers go next when they come back?** Left: the channel of the resolved contact; right: the "
        "channel of the customer's first repeat about the same category within the window. Band widths are the "
        f"week's repeat contacts (`repeat_contact_count`) for {category_shown}; "
        "contacts that did not come back are not drawn. Shares are in the table below, as the mart states them."
    )
    components.table(
        shown, file_name=f"fcr_repeat_paths_{week}", key="fcr_repeat_paths",
        column_config=labels.columns(publication, ("channel", "issue_category", "next_channel", "repeat_contact_count",
                                                   "next_channel_share_rate", "next_channel_repeat_rate",
                                                   "group_repeat_contact_count", "fcr_eligible_contact_count"),
                                     relabel=PATH_LABELS),
        caption="Each path's contacts, its share of the group's repeats and of the group's eligible contacts.",
    )
    components.drill_down(
        shown, key=f"fcr_repeat_paths_{week}", what="contacts", file_name="fcr_path_contacts",
        label=lambda row: (f"{row['channel']} / {row['issue_category']} -> {row['next_channel']}: "
                           f"{int(row['repeat_contact_count']):,} contacts"),
        records=lambda row: records.fcr_contacts(
            publication, week, week_end(week), channel=row["channel"], first_repeat_channel=row["next_channel"],
            **equal_or_null("issue_category", _category(row["issue_category"])), **fcr.CONTACT_SETS[CAME_BACK]),
    )


def repeat_heatmap(groups: pd.DataFrame) -> go.Figure:
    rates = groups.pivot(index="issue_category", columns="channel", values="repeat_rate")
    counts = groups.pivot(index="issue_category", columns="channel", values="fcr_eligible_contact_count")
    repeated = groups.pivot(index="issue_category", columns="channel", values="group_repeat_contact_count")
    text = [[("n/a" if pd.isna(rate) else f"{rate:.0%}") + ("" if pd.isna(n) else f"<br>n={int(n)}")
             for rate, n in zip(rate_row, n_row)]
            for rate_row, n_row in zip(rates.to_numpy(), counts.to_numpy())]
    figure = go.Figure(go.Heatmap(
        z=rates.to_numpy(), x=[charts.chart_text(channel) for channel in rates.columns],
        y=[charts.chart_text(category) for category in rates.index], text=text, texttemplate="%{text}",
        customdata=[list(zip(n_row, r_row)) for n_row, r_row in zip(counts.to_numpy(), repeated.to_numpy())],
        colorscale="Reds", zmin=0, colorbar={"title": {"text": "Repeat rate"}, "tickformat": ".0%"},
        hovertemplate=("<b>%{x} / %{y}</b><br>repeat rate %{z:.1%}<br>%{customdata[1]} of %{customdata[0]} "
                       "eligible came back<extra></extra>"),
    ))
    figure.update_layout(xaxis_title="Channel of the first contact", yaxis_title="Issue category",
                         yaxis={"autorange": "reversed"}, margin={"t": 20, "b": 40},
                         height=max(260, 60 * len(rates.index) + 120))
    return figure


def paths_sankey(paths: pd.DataFrame, channel_colors: dict[str, str]) -> go.Figure:
    # One week's counts, added up over the issue categories shown: a count per channel pair, no rate.
    flows = paths.groupby(["channel", "next_channel"], as_index=False)["repeat_contact_count"].sum()
    sources = sorted(flows["channel"].unique())
    targets = sorted(flows["next_channel"].unique())
    node_labels = ([f"{charts.chart_text(channel)} (first contact)" for channel in sources]
                   + [f"{charts.chart_text(channel)} (came back on)" for channel in targets])
    color_of = {channel: channel_colors.get(str(channel), charts.MUTED_COLOR) for channel in [*sources, *targets]}
    figure = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": node_labels, "color": [color_of[channel] for channel in [*sources, *targets]], "pad": 18,
              "thickness": 16},
        link={"source": [sources.index(channel) for channel in flows["channel"]],
              "target": [len(sources) + targets.index(channel) for channel in flows["next_channel"]],
              "value": flows["repeat_contact_count"].tolist(),
              "color": [charts.translucent(color_of[channel]) for channel in flows["channel"]],
              "hovertemplate": "%{source.label} -> %{target.label}: %{value} contacts<extra></extra>"},
    ))
    figure.update_layout(margin={"t": 20, "b": 20}, height=360)
    return figure
