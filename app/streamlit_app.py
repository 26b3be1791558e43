"""The csops dashboard: ``streamlit run app/streamlit_app.py``.

The entry point sets the page up, states in the sidebar which publication the numbers
come from (as-of time, when it was published, the parameter values the build used),
and runs the selected page. It reads the marts through ``app.data`` only and imports
neither Dagster nor dbt: the app runs beside the pipeline, not inside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from app import data
from app.views import csat_by_channel
from csops.publication import Publication

# Shown under "Parameters used"; the timestamps are shown on their own lines above.
_TIMESTAMP_PARAMETERS = ("as_of_at", "built_at")


def main() -> None:
    st.set_page_config(page_title="csops", layout="wide")
    page = st.navigation(
        [
            st.Page(
                csat_by_channel.render,
                title=csat_by_channel.TITLE,
                url_path=csat_by_channel.URL_PATH,
                default=True,
            ),
        ]
    )
    render_publication_sidebar(data.current_publication())
    page.run()


def render_publication_sidebar(publication: Publication | None) -> None:
    """Which build the numbers on every page come from."""
    with st.sidebar:
        st.subheader("Publication")
        if publication is None:
            st.caption("Nothing published yet.")
            return
        parameters = data.build_parameters(publication)
        as_of_at = parameters.get("as_of_at") or publication.as_of
        st.markdown(f"**Data as of** {format_utc(as_of_at)}")
        st.caption(f"Published {format_utc(publication.published_at)} by run `{publication.run_id}`")
        _render_parameters(parameters)


def _render_parameters(parameters: dict[str, Any]) -> None:
    shown = {name: value for name, value in parameters.items() if name not in _TIMESTAMP_PARAMETERS}
    if not shown:
        st.caption("This build recorded no parameters.")
        return
    st.markdown("**Parameters used**")
    # Named as in KPI_DEFINITIONS.md so a reader can look each one up.
    st.markdown("\n".join(f"- `{name}` = {value}" for name, value in shown.items()))


def format_utc(moment: datetime | str | None) -> str:
    """``YYYY-MM-DD HH:MM UTC`` for a UTC timestamp, naive or aware, or its ISO text."""
    if moment is None:
        return "n/a"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


if __name__ == "__main__":
    main()
