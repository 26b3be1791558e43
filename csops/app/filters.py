"""The global filters (date range, channels, teams), kept in the URL so that a view can be shared.

They sit in the sidebar, above every page. Their state lives in ``st.session_state`` (the
widgets' keys) and is written to ``st.query_params`` on every rerun, so the address bar
always holds the view: ``?from=2026-01-05&to=2026-01-31&channel=phone&channel=email&team=tier1_east``.
A link opened in a new session starts from those parameters. Values a publication does not
have (a channel gone, a date outside its range) are not kept silently: they are dropped and
the sidebar says which.

The options come from the publication (``app.data.filter_options``); each page reads the
chosen values with :func:`current` and applies them to its own marts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from csops.app import components, data
from csops.kernel.publication import Publication

DATES_KEY = "filter_dates"
CHANNELS_KEY = "filter_channels"
TEAMS_KEY = "filter_teams"
# The publication the widgets' state was checked against: a new one checks it again.
CHECKED_KEY = "filter_checked_for"
PARAM_FROM, PARAM_TO, PARAM_CHANNEL, PARAM_TEAM = "from", "to", "channel", "team"


@dataclass(frozen=True)
class Filters:
    """What the manager chose. Empty ``channels`` or ``teams`` means none was chosen."""

    start_date: date
    end_date: date
    channels: tuple[str, ...]
    teams: tuple[str, ...]  # team keys
    all_channels: tuple[str, ...] = field(default=(), compare=False)
    all_teams: tuple[str, ...] = field(default=(), compare=False)
    options: data.FilterOptions | None = field(default=None, compare=False)  # what could be chosen

    @property
    def is_every_channel(self) -> bool:
        return set(self.channels) >= set(self.all_channels)

    @property
    def is_every_team(self) -> bool:
        return set(self.teams) >= set(self.all_teams)

    @property
    def has_selection(self) -> bool:
        """At least one channel, and one team where the publication has teams."""
        return bool(self.channels) and (bool(self.teams) or not self.all_teams)


def render_global_filters(publication: Publication) -> Filters | None:
    """Draw the sidebar filters for this publication and return what they hold; None when the
    publication has no dated rows to filter."""
    options = data.filter_options(publication)
    if options is None:
        return None
    dropped = _restore_state(publication, options)
    team_labels = dict(options.teams)
    with st.sidebar:
        st.subheader("Filters")
        st.date_input("Contact dates", key=DATES_KEY, min_value=options.first_date, max_value=options.last_date,
                      format="YYYY-MM-DD")
        st.multiselect("Channels", options=list(options.channels), key=CHANNELS_KEY)
        if options.teams:
            st.multiselect("Teams", options=list(team_labels), key=TEAMS_KEY, format_func=team_labels.get)
        if dropped:
            # Literal text: a value from the URL is the visitor's, not ours, and must not become a link.
            st.caption("Not in this publication, so left out: " + ", ".join(components.plain(item) for item in dropped))
    filters = current(options)
    _write_query_params(filters)
    return filters


def current(options: data.FilterOptions | None = None) -> Filters:
    """The filters as the sidebar holds them (call after :func:`render_global_filters`)."""
    chosen = tuple(st.session_state.get(DATES_KEY) or ())
    start_date = chosen[0] if chosen else options.first_date
    # While the range picker waits for its second click, the range is that one day.
    end_date = chosen[1] if len(chosen) > 1 else start_date
    return Filters(
        start_date=start_date,
        end_date=end_date,
        channels=tuple(st.session_state.get(CHANNELS_KEY) or ()),
        teams=tuple(st.session_state.get(TEAMS_KEY) or ()),
        all_channels=options.channels if options else (),
        all_teams=tuple(key for key, _ in options.teams) if options else (),
        options=options,
    )


def _restore_state(publication: Publication, options: data.FilterOptions) -> list[str]:
    """Fill the widgets' state from the URL (first run of a session) or keep the session's
    choice, checked against what this publication has. Returns what had to be dropped."""
    dropped: list[str] = []
    if st.session_state.get(CHECKED_KEY) == str(publication.path):
        return dropped
    params = st.query_params
    has_state = DATES_KEY in st.session_state
    first, last = options.first_date, options.last_date

    if has_state:
        chosen_dates = tuple(st.session_state[DATES_KEY])
    else:
        chosen_dates = tuple(d for d in (_date(params.get(PARAM_FROM)), _date(params.get(PARAM_TO))) if d)
    if len(chosen_dates) == 2 and first <= chosen_dates[0] <= chosen_dates[1] <= last:
        st.session_state[DATES_KEY] = chosen_dates
    else:
        if chosen_dates:
            dropped.append("dates outside " + f"{first} to {last}")
        st.session_state[DATES_KEY] = (first, last)

    for key, param, known in ((CHANNELS_KEY, PARAM_CHANNEL, list(options.channels)),
                              (TEAMS_KEY, PARAM_TEAM, [team for team, _ in options.teams])):
        wanted = list(st.session_state[key]) if key in st.session_state else params.get_all(param)
        if not wanted and not has_state:
            wanted = known  # no choice made: everything
        st.session_state[key] = [value for value in wanted if value in known]
        dropped += [f"{param} {_shortened(value)!r}" for value in wanted if value not in known]
    st.session_state[CHECKED_KEY] = str(publication.path)
    return dropped


def _write_query_params(filters: Filters) -> None:
    params = {PARAM_FROM: filters.start_date.isoformat(), PARAM_TO: filters.end_date.isoformat()}
    # "Every channel" is the default: left out, so a shared link stays short and stays
    # "every channel" when a new channel appears.
    if not filters.is_every_channel:
        params[PARAM_CHANNEL] = list(filters.channels)
    if filters.all_teams and not filters.is_every_team:
        params[PARAM_TEAM] = list(filters.teams)
    # Writing the address bar does not rerun the page.
    st.query_params.from_dict(params)


def _shortened(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit - 3] + "..."


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
