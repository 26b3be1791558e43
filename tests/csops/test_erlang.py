"""Erlang C (csops/erlang.py) against textbook values, and as DuckDB sees it through the dbt plugin."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest

from csops.dbt_functions import Plugin
from csops.dbt_functions.erlang import required_agents, service_level, traffic_erlangs

# The textbook example: 100 calls in 30 minutes, AHT 180 s = 10 Erlangs, 80% in 20 s.
TEXTBOOK = {"offered_calls": 100, "aht_seconds": 180, "interval_seconds": 1800, "threshold_seconds": 20}


def erlang_c_by_factorials(agents: int, load: float) -> float:
    """The formula as printed, with factorial sums: an independent reference for small N."""
    top = load ** agents / math.factorial(agents) * agents / (agents - load)
    return top / (sum(load ** k / math.factorial(k) for k in range(agents)) + top)


def test_textbook_example_needs_14_agents():
    assert traffic_erlangs(100, 180, 1800) == pytest.approx(10.0)
    assert service_level(14, **TEXTBOOK) == pytest.approx(0.888, abs=5e-4)
    assert service_level(13, **TEXTBOOK) == pytest.approx(0.796, abs=5e-4)
    assert required_agents(target_rate=0.8, **TEXTBOOK) == 14
    assert required_agents(target_rate=0.85, **TEXTBOOK) == 14
    assert required_agents(target_rate=0.9, **TEXTBOOK) == 15


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 15, 20])
def test_service_level_matches_the_factorial_formula(agents):
    expected = 1 - erlang_c_by_factorials(agents, 10.0) * math.exp(-(agents - 10.0) * 20 / 180)
    assert service_level(agents, **TEXTBOOK) == pytest.approx(expected, rel=1e-10)


def test_no_load_needs_no_agents():
    """Zero offered calls need 0 agents: a known answer, not a missing one."""
    assert required_agents(0, 180, 1800, 0.8, 20) == 0
    assert service_level(0, 0, 180, 1800, 20) == 1.0


def test_agents_not_above_the_load_never_keep_up():
    """With N <= A Erlangs the queue grows without end: service level 0, and the answer is above A."""
    assert service_level(10, **TEXTBOOK) == 0.0
    assert service_level(9, **TEXTBOOK) == 0.0
    for calls in (1, 7, 100, 333, 5000):
        load = traffic_erlangs(calls, 240, 900)
        assert required_agents(calls, 240, 900, 0.8, 20) > load


def test_required_agents_is_the_smallest_meeting_the_target():
    rng = np.random.default_rng(7)
    calls = rng.integers(1, 400, size=200)
    aht = rng.integers(60, 900, size=200)
    agents = required_agents(calls, aht, 1800, 0.8, 20)
    assert (service_level(agents, calls, aht, 1800, 20) >= 0.8).all()
    assert (service_level(agents - 1, calls, aht, 1800, 20) < 0.8).all()


def test_large_loads_stay_finite():
    """SciPy's Poisson terms keep thousands of Erlangs finite, where factorials overflow."""
    agents = required_agents(100_000, 180, 1800, 0.8, 20)
    assert 10_000 < agents < 10_100
    assert 0.8 <= service_level(agents, 100_000, 180, 1800, 20) < 1


def test_duckdb_functions_from_the_dbt_plugin():
    con = duckdb.connect()
    Plugin.configure_connection(None, con)
    rows = con.execute("""
        select
            csops_erlang_c_agents(calls, 180, 1800, 0.8, 20),
            csops_erlang_c_service_level(14, calls, 180, 1800, 20)
        from (values (100), (0), (null)) as offered(calls)
    """).fetchall()
    assert rows[0][0] == 14 and rows[0][1] == pytest.approx(0.8884, abs=1e-4)
    assert rows[1] == (0, 1.0)
    assert rows[2] == (None, None)  # a missing input is null, never estimated
