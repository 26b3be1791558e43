"""Training impact and agents over a longer simulated period: the planted training cohort's
shift (KPI_DEFINITIONS.md section 5) is recovered by the marts."""

from __future__ import annotations

import contextlib
import io

import duckdb
import pytest

from csops import cli
from csops.kernel.paths import CsopsHome
from tests.conftest import restored_environment

# 28 days before the training (the simulator's offset) and 4 weeks after it (the window), and a day
# for the last answers to land.
LONG_CENTER = ["simulate", "--agents", "20", "--days", "58", "--start", "2026-03-02", "--seed", "5"]


@pytest.fixture(scope="module")
def long_home(tmp_path_factory) -> CsopsHome:
    root = tmp_path_factory.mktemp("long_center")
    output = io.StringIO()
    with restored_environment(), contextlib.redirect_stdout(output):
        assert cli.main(["--home", str(root), *LONG_CENTER]) == 0
        assert cli.main(["--home", str(root), "run"]) == 0, output.getvalue()
    return CsopsHome(root)


@pytest.fixture(scope="module")
def impact(long_home) -> dict[str, dict]:
    with duckdb.connect(str(long_home.warehouse), read_only=True) as con:
        frame = con.execute("select * from marts.training_impact").df()
    return {row["kpi"]: row for row in frame.to_dict("records")}


def test_the_training_log_names_the_cohort(long_home, impact):
    cohort = long_home.training_log.read_text().splitlines()[1:]
    assert len(cohort) == 8
    assert {row["trained_agent_count"] for row in impact.values()} == {8}
    assert all(row["is_shown"] and row["is_window_complete"] for row in impact.values())


def test_trained_agents_handle_calls_a_fifth_faster(impact):
    """The simulator cuts a trained agent's talk and after-call work to 0.8."""
    aht = impact["aht_seconds"]
    assert aht["difference_ci95_high"] < 0  # the interval excludes no effect
    trained_ratio = aht["trained_after_value"] / aht["trained_before_value"]
    control_ratio = aht["control_after_value"] / aht["control_before_value"]
    assert trained_ratio / control_ratio == pytest.approx(0.8, abs=0.08)


def test_trained_agents_resolve_more_on_first_contact(impact):
    """The simulator adds 0.10 to a trained agent's chance to resolve."""
    fcr = impact["operational_fcr_rate"]
    assert fcr["difference_in_differences"] > 0.02
    assert fcr["difference_ci95_low"] < fcr["difference_in_differences"] < fcr["difference_ci95_high"]
