"""The FCR sections' drill-down: the contacts behind a row, in the set the manager picks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csops.app import components
from csops.app.data import fcr, records
from csops.kernel.publication import Publication

CAME_BACK = list(fcr.CONTACT_SETS)[1]
NO_CHANNEL = "Select at least one channel in the sidebar to see FCR by channel."
NO_TEAM = "Select at least one team in the sidebar to see FCR by team and agent."


def contacts_drill_down(publication: Publication, rows: pd.DataFrame, *, key: str, label, scope,
                        newest_first: bool = False) -> None:
    """The contacts behind one row, in the set the manager picks (eligible, came back, window open, all)."""
    if newest_first:
        rows = rows.iloc[::-1]
    contact_set = st.radio("Contacts to list in the drill-down", list(fcr.CONTACT_SETS), horizontal=True,
                           key=f"{key}_set")
    components.drill_down(
        rows, key=key, what="contacts", file_name="fcr_contacts", label=label,
        records=lambda row: records.fcr_contacts(publication, **scope(row), **fcr.CONTACT_SETS[contact_set]),
    )


def equal_or_null(column: str, value) -> dict:
    """A records filter on ``column``: equal to ``value``, or null when the row's value is null."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return {"null_columns": (column,)}
    return {column: value}


def counts_label(row: pd.Series) -> str:
    return (f"{int(row['fcr_eligible_contact_count']):,} eligible, {int(row['window_open_contact_count']):,} "
            f"window open, {int(row['inbound_contact_count']):,} inbound")
