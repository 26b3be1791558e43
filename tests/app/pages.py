"""Helpers the app's page tests share: open a page through Streamlit's AppTest, work its sidebar,
find its tables and charts' values, and read the expected values from the current publication.

The ``pipeline_app_home`` fixture (in ``conftest.py``) is the home these tests usually run on.
"""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from csops.kernel.paths import CsopsHome
from csops.kernel.publication import read_current

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_ENTRY_POINT = REPO_ROOT / "csops" / "app" / "streamlit_app.py"


# The publication -------------------------------------------------------------------------------

def read_published(home: CsopsHome, sql: str, parameters: list | dict | None = None) -> pd.DataFrame:
    """Query ``home``'s current publication read-only, as the source of expected values.

    ``parameters`` are positional (a list, for ``?``) or named (a dict, for ``$name``). Columns
    that hold a day (``*_date``, and training_impact's ``completed_on``) come back as ``datetime.date``.
    """
    publication = read_current(home)
    assert publication is not None
    with duckdb.connect(str(publication.path), read_only=True) as con:
        frame = con.execute(sql, parameters if parameters is not None else []).df()
    for column in frame.columns:
        if column.endswith("_date") or column == "completed_on":
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def kpi_labels(home: CsopsHome) -> dict[str, str]:
    """kpi_name -> kpi_label of the KPI registry the publication carries: what the pages call a KPI."""
    rows = read_published(home, "select kpi_name, kpi_label from marts.dim_kpis")
    return dict(zip(rows["kpi_name"], rows["kpi_label"]))


def contact_dates(home: CsopsHome) -> tuple[date, date]:
    """The contacts' first and last day: the sidebar's date range when untouched."""
    bounds = read_published(home, "select min(contact_date) as first_date, max(contact_date) as last_date "
                                  "from marts.fct_contacts").iloc[0]
    return bounds["first_date"], bounds["last_date"]


# The app ---------------------------------------------------------------------------------------

def assert_no_exception(app: AppTest, *, allow_error: bool = True) -> None:
    """The last run raised nothing (and, unless ``allow_error``, showed no ``st.error`` either)."""
    assert not app.exception, [exception.value for exception in app.exception]
    if not allow_error:
        assert not app.error, [error.value for error in app.error]


def open_page(page: str, *, allow_error: bool = True) -> AppTest:
    """The app, run once and switched to ``page`` (e.g. ``"views/overview.py"``), without exception."""
    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=60).run()
    app.switch_page(page).run()
    assert_no_exception(app, allow_error=allow_error)
    return app


def widget(widgets, label: str):
    """The widget of ``widgets`` (e.g. ``app.selectbox``, ``app.sidebar.multiselect``) labelled ``label``."""
    return next(candidate for candidate in widgets if candidate.label == label)


def sidebar_filters(app: AppTest, *, dates: tuple[date, date] | None = None, channels: list[str] | None = None,
                    teams: list[str] | None = None, allow_error: bool = True) -> AppTest:
    """Set the sidebar's "Contact dates", "Channels" and "Teams" (those given), then run the app once."""
    if dates is not None:
        widget(app.sidebar.date_input, "Contact dates").set_value(dates)
    if channels is not None:
        widget(app.sidebar.multiselect, "Channels").set_value(channels)
    if teams is not None:
        widget(app.sidebar.multiselect, "Teams").set_value(teams)
    app.run()
    assert_no_exception(app, allow_error=allow_error)
    return app


def table_with(app: AppTest, *columns: str, without: tuple[str, ...] = ()) -> pd.DataFrame:
    """The one table shown whose columns include ``columns`` and none of ``without``."""
    found = [frame.value for frame in app.dataframe
             if set(columns) <= set(frame.value.columns) and not set(without) & set(frame.value.columns)]
    assert len(found) == 1, [list(frame.value.columns) for frame in app.dataframe]
    return found[0]


def captions(app: AppTest) -> str:
    """The text of every caption, one a line."""
    return "\n".join(caption.value for caption in app.caption)


def infos(app: AppTest) -> str:
    """The text of every ``st.info``, one a line."""
    return "\n".join(info.value for info in app.info)


def plotly_values(encoded) -> list:
    """A Plotly array as a list: Plotly sends numeric arrays base64-encoded, with a shape when 2-D
    (nested lists then). A plain JSON array is returned as it is, ``None`` included."""
    if isinstance(encoded, dict):
        values = np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"])
        if "shape" in encoded:
            values = values.reshape([int(size) for size in str(encoded["shape"]).split(",")])
        return values.tolist()
    return list(encoded)
