"""The csops dashboard: ``streamlit run csops/app/streamlit_app.py``.

The entry point sets the page up, states in the sidebar which publication the numbers
come from (as-of time, when it was published, the parameter values the build used),
and runs the selected page. It reads the marts through ``csops.app.data`` only and imports
neither Dagster nor dbt: the app runs beside the pipeline, not inside it
(tests/app/test_app_imports.py imports it where neither can be imported).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st

from csops.app import components, data, filters, quality_docs
from csops.app.views import (agents_teams, csat_by_channel, customer_feedback, data_quality, first_contact_resolution,
                       overview, queues_staffing, sla_backlog)
from csops.kernel.last_run import LastRun
from csops.kernel.publication import Publication

# Shown under "Parameters used"; the timestamps are shown on their own lines above.
_TIMESTAMP_PARAMETERS = ("as_of_at", "built_at")


# The pages, in the order a manager reads them. Each is a file (so AppTest can switch to it): a
# module, or the ``__init__.py`` of a package of sections, with TITLE, URL_PATH and render(),
# which it runs when Streamlit runs the file.
PAGES = (overview, sla_backlog, queues_staffing, first_contact_resolution, customer_feedback, csat_by_channel,
         agents_teams, data_quality)


def main() -> None:
    st.set_page_config(page_title="csops", layout="wide")
    page = st.navigation([
        st.Page(Path(view.__file__), title=view.TITLE, url_path=view.URL_PATH, default=index == 0)
        for index, view in enumerate(PAGES)
    ])
    publication = data.current_publication()
    if publication is not None:
        filters.render_global_filters(publication)
    render_publication_sidebar(publication)
    last_run = data.last_run()
    render_quality_sidebar(last_run)
    render_blocked_run_notice(publication, last_run)
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


def render_blocked_run_notice(publication: Publication | None, last_run: LastRun | None) -> None:
    """Say so when the latest run was not published: the numbers shown are the last good run's."""
    if last_run is None or not last_run.is_failed:
        return
    if publication is None:
        kept = "Nothing has been published yet, so there is nothing to show."
    else:
        kept = (f"You are seeing the last good run, `{publication.run_id[:8]}`, published "
                f"{format_utc(publication.published_at)}.")
    if last_run.outcome != "blocked":  # failed outside any check, or killed: its error, shown literally
        st.warning(f"**The latest run, `{last_run.run_id[:8]}` ({format_utc(last_run.at)}), was not published:** "
                   f"{components.plain(last_run.status())} {kept}\n\nWhat happened: `csops audit`.",
                   icon=":material/block:")
        return
    failures = last_run.blocking_failure_count or len(last_run.blocking_failures)
    # Asset and check names come from the checks' records: shown literally, whatever they hold.
    shown = "\n".join(f"- {components.code(failure)}" for failure in last_run.blocking_failures[:5])
    more = f"\n- ... and {failures - 5} more" if failures > 5 else ""
    st.warning(
        f"**The latest run, `{last_run.run_id[:8]}` ({format_utc(last_run.at)}), was not published:** "
        f"{failures} blocking check(s) failed. {kept}\n\n{shown}{more}\n\n"
        "Every failure, with the rows behind it: `csops audit`, or the Data Docs (sidebar).",
        icon=":material/block:",
    )


def render_quality_sidebar(last_run: LastRun | None) -> None:
    """Where the checks behind these numbers can be read."""
    with st.sidebar:
        st.subheader("Data quality")
        if last_run is not None:
            # The status may quote an error (a file name, a path): shown literally.
            st.caption(f"Latest run `{last_run.run_id[:8]}`: {components.plain(last_run.status())}, "
                       f"{format_utc(last_run.at)}")
        url = quality_docs.data_docs_url()
        if url is None:
            st.caption("No quality checks have run yet.")
        else:
            st.markdown(f"[Great Expectations Data Docs]({url}) (open offline)")


def _render_parameters(parameters: dict[str, Any]) -> None:
    shown = {name: value for name, value in parameters.items() if name not in _TIMESTAMP_PARAMETERS}
    if not shown:
        st.caption("This build recorded no parameters.")
        return
    st.markdown("**Parameters used**")
    # Named as in KPI_DEFINITIONS.md so a reader can look each one up.
    st.markdown("\n".join(f"- `{name}` = {components.code(value)}" for name, value in shown.items()))


def format_utc(moment: datetime | str | None) -> str:
    """``YYYY-MM-DD HH:MM UTC`` for a UTC timestamp, naive or aware, or its ISO text."""
    if moment is None:
        return "n/a"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


if __name__ == "__main__":
    main()
