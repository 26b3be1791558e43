"""What every page shows the same way: empty states, tables with their CSV, drill-down to records.

A page passes frames that came from the marts (``csops.app.data``); these functions only lay
them out. Drill-down is a choice of one aggregate row ("show the records behind it"), not
a click on the table, so that it works the same in a browser and in AppTest.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from csops.app import data, filters, kpi_tiles
from csops.app.data import kpis
from csops.app.data.overview import OVERVIEW_MART
from csops.kernel.publication import Publication

PageBody = Callable[[Publication, filters.Filters], None]

NO_PUBLICATION = ("No data has been published yet. Run `csops run` to build the marts; "
                  "this page shows them as soon as the run publishes (refresh the page).")
NO_SELECTION = "Select at least one channel (and team) in the sidebar to see this page."
NO_DATED_ROWS = "The current publication has no dated contacts to filter on. Run `csops run` once data has landed."

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # CommonMark lets a backslash escape each of these
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_WORD_JOINER = "\u2060"  # invisible, and no line break at it
_AUTOLINK_START = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE)


def plain(text: object) -> str:
    """``text`` as Markdown that shows it literally, for a value from the URL or the data inside
    ``st.markdown``, ``st.caption``, ``st.info``, headers, labels and help texts.

    Every ASCII punctuation character is backslash-escaped (no link, image, emphasis, HTML, LaTeX
    or ``:color[...]``). Escapes do not stop Streamlit's GFM autolinks, which are found in the
    text after parsing (``https://...``, ``www.``, ``name@host``), nor its ``:emoji:`` codes: an
    invisible word joiner after each ``:`` and ``@`` and before the dot of ``www.`` does. Line
    breaks become spaces, so a value stays inside its sentence.
    """
    text = _LINE_BREAK.sub(" ", str(text))
    text = _AUTOLINK_START.sub(_WORD_JOINER, text)
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


def code(text: object) -> str:
    """``text`` as a Markdown code span: literal too (no autolink or emoji either), in monospace, for
    identifiers such as a check's name or a parameter's value."""
    text = _LINE_BREAK.sub(" ", str(text))
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    # A span drops one space at each end when both are there: pad, so that the text keeps its own.
    padded = text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" "))
    return f"{fence} {text} {fence}" if padded else f"{fence}{text}{fence}"


def publication_or_stop() -> Publication | None:
    """The current publication, or an explanation and None when there is none yet."""
    publication = data.current_publication()
    if publication is None:
        st.info(NO_PUBLICATION)
    return publication


def chosen_filters(publication: Publication) -> filters.Filters | None:
    """The sidebar's filters for this publication; None, with an explanation, when it has nothing dated."""
    options = data.filter_options(publication)
    if options is None:
        st.info(NO_DATED_ROWS)
        return None
    return filters.current(options)


def start_page(*marts: str) -> tuple[Publication, filters.Filters] | None:
    """What every page starts with: the publication, its marts and the sidebar's filters; None,
    with an explanation on the page, when one of them is missing."""
    publication = publication_or_stop()
    if publication is None or not needs_tables(publication, *marts):
        return None
    chosen = chosen_filters(publication)
    return None if chosen is None else (publication, chosen)


def page(title: str, *marts: str, needs_selection: bool = False,
         kpi_area: str | None = None) -> Callable[[PageBody], Callable[[], None]]:
    """A page's ``render()`` around its body: the title, then ``body(publication, chosen)`` once the
    publication, the marts the page reads (and the KPI registry its labels come from) and the
    sidebar's filters are there, else why not, on the page. ``needs_selection``: the body also needs
    a channel, and a team where the publication has teams. ``kpi_area``: the page owns the
    registry's KPIs of that area, shown as tiles above the body (csops.app.kpi_tiles)."""
    def decorate(body: PageBody) -> Callable[[], None]:
        @functools.wraps(body)
        def render() -> None:
            st.title(title)
            started = start_page(*marts, kpis.REGISTRY_MART)
            if started is None:
                return
            if needs_selection and not started[1].has_selection:
                st.info(NO_SELECTION)
                return
            if kpi_area is not None and data.has_table(started[0], OVERVIEW_MART):
                kpi_tiles.render_area(started[0], kpi_area, started[1])
            body(*started)
        return render
    return decorate


def channel_periods(publication: Publication, chosen: filters.Filters, grains: tuple[data.PeriodGrain, ...], *,
                    key: str, what: str, counted: str) -> tuple[data.PeriodGrain, pd.DataFrame] | None:
    """The grain the manager picks (``grains``: a mart per period, per channel, of ``what``) and its
    rows for the sidebar's dates and channels; None, with an explanation, when there are none (no
    ``counted``, the records the marts count)."""
    grain = st.radio("Grain", grains, format_func=lambda choice: choice.label, horizontal=True, key=key)
    if not chosen.channels:
        st.info(f"Select at least one channel in the sidebar to see {what} by channel.")
        return None
    rows = data.period_rows(publication, grain, chosen.start_date, chosen.end_date, chosen.channels)
    if rows.empty:
        st.info(f"No {counted} in the selected channels between {chosen.start_date} and {chosen.end_date}.")
        return None
    return grain, rows


def needs_tables(publication: Publication, *tables: str) -> bool:
    """Whether the publication has these marts; if not, say which are missing."""
    missing = [table for table in tables if not data.has_table(publication, table)]
    if missing:
        st.info("The current publication has no " + ", ".join(f"`marts.{t}`" for t in missing)
                + ". Run `csops run` again to publish them.")
    return not missing


def table(rows: pd.DataFrame, *, file_name: str, key: str, column_config: dict[str, Any] | None = None,
          caption: str | None = None) -> None:
    """A table of mart rows and a button to download exactly those rows as CSV (rates as 0-1 fractions).

    ``column_config`` (``csops.app.labels.columns``) names the columns shown, in order, with their
    labels and formats: rates stay 0-1 fractions in the frame and the CSV, the column only shows
    them as percentages (a pandas Styler would cost ~0.1-0.4 s per rerun on a few hundred rows).
    """
    if caption:
        st.caption(caption)
    st.dataframe(rows, column_config=column_config or None, hide_index=True, width="stretch",
                 column_order=list(column_config) if column_config else None)
    st.download_button("Download these rows (CSV)", data=rows.to_csv(index=False), file_name=f"{file_name}.csv",
                       mime="text/csv", key=f"download_{key}", on_click="ignore")


def drill_down(rows: pd.DataFrame, *, label: Callable[[pd.Series], str], records: Callable[[pd.Series], pd.DataFrame],
               key: str, what: str = "contacts", file_name: str = "records") -> None:
    """Pick one of ``rows`` and see the records behind it (``records(row)``), with their CSV."""
    if rows.empty:
        return
    labels = [label(row) for _, row in rows.iterrows()]
    with st.expander(f"Drill down: the {what} behind a row", expanded=False):
        choice = st.selectbox(f"Show the {what} behind", options=range(len(labels)), index=None,
                              format_func=labels.__getitem__, key=f"drill_{key}", placeholder="Choose a row")
        if choice is None:
            return
        found = records(rows.iloc[choice])
        total = int(found.attrs.get("total_count", len(found)))
        if found.empty:
            st.info(f"No {what} behind this row.")
            return
        more = f" (the first {len(found):,} of {total:,}; the CSV has these)" if total > len(found) else ""
        table(found, file_name=f"{file_name}_{labels[choice]}".replace(" ", "_").replace("/", "-"),
              key=f"drill_{key}", caption=f"{total:,} {what}{more}.")
