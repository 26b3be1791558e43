"""Homes for the app tests: one with a real (synthetic) publication, one with none.

``published_home`` writes its marts by hand and publishes them with the pipeline's own
``csops.kernel.publication.publish``, so the app reads a real DuckDB file exactly as it will
read one built by ``csops run``. Tests read expected values back from that file rather
than from the numbers below, so they hold for a pipeline-built publication too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from csops.kernel.paths import CsopsHome, csops_home
from csops.kernel.publication import publish
from tests.synthetic_marts import create_csat_mart

REPO_ROOT = Path(__file__).resolve().parents[2]
REGISTRY_SEED = REPO_ROOT / "seeds" / "kpi_registry.csv"

MIN_RESPONSES = 30
AS_OF_AT = datetime(2024, 3, 7, 17, 42, 5)  # naive UTC, as the mart stores it

# (contact_date, channel, responses, responses scoring 4 or 5, mean score)
CSAT_COUNTS = [
    (date(2024, 3, 4), "chat", 41, 33, 4.12),
    (date(2024, 3, 4), "email", 58, 40, 3.81),
    (date(2024, 3, 4), "phone", 120, 101, 4.30),
    (date(2024, 3, 5), "chat", 37, 31, 4.20),
    (date(2024, 3, 5), "email", 12, 7, 3.42),  # the low-sample row: n < MIN_RESPONSES
    (date(2024, 3, 5), "phone", 133, 109, 4.22),
    (date(2024, 3, 6), "chat", 45, 36, 4.05),
    (date(2024, 3, 6), "email", 61, 47, 3.95),
    (date(2024, 3, 6), "phone", 128, 112, 4.41),
    (date(2024, 3, 11), "chat", 39, 30, 4.01),  # a second week
    (date(2024, 3, 11), "phone", 117, 95, 4.18),
]




def write_synthetic_marts(con: duckdb.DuckDBPyConnection, csat_counts: list[tuple], as_of_at: datetime) -> None:
    """Create schema ``marts`` in ``con`` with the CSAT columns of the feedback marts by channel, the
    KPI registry (``dim_kpis``: its seed, as dbt publishes it) and ``build_parameters``."""
    con.execute("create schema marts")
    con.execute("create table marts.dim_kpis as select * from read_csv(?)", [str(REGISTRY_SEED)])
    write_csat_columns(con, "marts.feedback_by_channel_day", "contact_date", csat_counts)
    write_synthetic_weekly_mart(con, csat_counts)
    con.execute(
        """
        create table marts.build_parameters as
        select
            ?::timestamp as as_of_at,
            'America/New_York' as reporting_timezone,
            ?::integer as min_responses,
            20 as sl_threshold_seconds,
            7 as fcr_window_days,
            ?::timestamp as built_at,
        """,
        [as_of_at, MIN_RESPONSES, as_of_at],
    )


def write_csat_columns(con: duckdb.DuckDBPyConnection, table: str, period_column: str, counts: list[tuple]) -> None:
    """``table`` with the CSAT columns of the feedback marts (``csat_response_count``: the rate's n)."""
    create_csat_mart(con, table, period_column, counts, MIN_RESPONSES)
    con.execute(f"alter table {table} rename column response_count to csat_response_count")
    con.execute(f"alter table {table} rename column top2_response_count to csat_top2_response_count")


def write_synthetic_weekly_mart(con: duckdb.DuckDBPyConnection, csat_counts: list[tuple]) -> None:
    """``feedback_by_channel_week``'s CSAT columns over the same responses: counts summed per
    Monday-started week."""
    weeks: dict[tuple, list[float]] = {}
    for contact_date, channel, response_count, top2_count, mean_score in csat_counts:
        week = weeks.setdefault((contact_date - timedelta(days=contact_date.weekday()), channel), [0, 0, 0.0])
        week[0] += response_count
        week[1] += top2_count
        week[2] += mean_score * response_count
    weekly = [(week_start, channel, n, top2, total / n)
              for (week_start, channel), (n, top2, total) in sorted(weeks.items())]
    write_csat_columns(con, "marts.feedback_by_channel_week", "week_start_date", weekly)


@pytest.fixture
def empty_home(tmp_path, monkeypatch) -> CsopsHome:
    """A CSOPS_HOME where nothing has been published."""
    monkeypatch.setenv("CSOPS_HOME", str(tmp_path / "csops_home"))
    return csops_home()


@pytest.fixture
def published_home(tmp_path, monkeypatch) -> CsopsHome:
    """A CSOPS_HOME whose current publication holds hand-made CSAT marts."""
    monkeypatch.setenv("CSOPS_HOME", str(tmp_path / "csops_home"))
    home = csops_home()
    with duckdb.connect(":memory:") as con:
        write_synthetic_marts(con, CSAT_COUNTS, AS_OF_AT)
        publish(home, con, run_id="test-run")
    return home


@pytest.fixture
def pipeline_app_home(pipeline_home, monkeypatch) -> CsopsHome:
    """The pipeline's CsopsHome (a publication ``csops run`` built), as the app's CSOPS_HOME."""
    monkeypatch.setenv("CSOPS_HOME", str(pipeline_home.root))
    return pipeline_home
