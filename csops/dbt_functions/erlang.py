"""Erlang C: the service level a number of agents can give a queue, and the fewest agents
that meet a target (KPI_DEFINITIONS.md section 1, "required agents").

The textbook formula, for a traffic intensity A = offered calls x AHT / interval (in
Erlangs), N agents and a threshold t:

    Erlang B   B(N, A) = P(N; A) / F(N; A)            (Poisson pmf over Poisson cdf)
    Erlang C   C(N, A) = N B / (N - A (1 - B))        (probability a caller waits)
    SL(N)      = 1 - C(N, A) exp(-(N - A) t / AHT)

Written with SciPy's Poisson pmf and cdf rather than the factorial sums, which overflow
past a few hundred agents. With N <= A the queue grows without end: the service level is 0.

The functions take numpy arrays (DuckDB hands a whole vector of rows at once, see
``csops/dbt_functions.py``); plain numbers work too. They are total: inputs no queue can
have (missing, infinite, negative, a zero-length interval, a load beyond
``MAX_TRAFFIC_ERLANGS``) give nan, never an exception or a search that does not end.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson

# A service level short of 1 is met within a few square roots of the load above it (the
# "square-root staffing" rule); the bound only keeps an impossible target (1.0) from looping.
def _agents_bound(load):
    return load + 10 * np.sqrt(load) + 100


# The largest load the search takes on: a million calls of an hour each in one hour is no
# queue's, but a unit mistake's (milliseconds for seconds). Past it the answer is nan; without
# it a huge load would loop (floor(A) + 1 == A in floating point) or search for hours.
MAX_TRAFFIC_ERLANGS = 1e5


def traffic_erlangs(offered_calls, aht_seconds, interval_seconds):
    """The offered load in Erlangs: offered calls x AHT / interval length; nan for inputs no
    queue has (missing, infinite or negative, an interval not above zero, a load past
    ``MAX_TRAFFIC_ERLANGS``)."""
    calls, aht, interval = np.broadcast_arrays(*(np.asarray(value, dtype=float)
                                                 for value in (offered_calls, aht_seconds, interval_seconds)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        load = calls * aht / interval
        usable = (np.isfinite(calls) & np.isfinite(aht) & np.isfinite(interval) & (calls >= 0) & (aht >= 0)
                  & (interval > 0) & (load <= MAX_TRAFFIC_ERLANGS))
    return np.where(usable, load, np.nan)


def _service_level_at(agents, load, threshold_seconds, aht_seconds):
    agents, load = np.asarray(agents, dtype=float), np.asarray(load, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        erlang_b = poisson.pmf(agents, load) / poisson.cdf(agents, load)
        erlang_c = agents * erlang_b / (agents - load * (1 - erlang_b))
        level = 1 - erlang_c * np.exp(-(agents - load) * np.asarray(threshold_seconds, dtype=float)
                                      / np.asarray(aht_seconds, dtype=float))
    # No load: nobody waits. Not more agents than Erlangs: everyone waits, ever longer.
    level = np.where(load <= 0, 1.0, np.where(agents <= load, 0.0, level))
    # A missing or impossible input (nan load, agents or threshold) is no service level.
    level = np.where(np.isnan(load) | np.isnan(agents) | np.isnan(threshold_seconds), np.nan, level)
    return np.clip(level, 0.0, 1.0)


def service_level(agents, offered_calls, aht_seconds, interval_seconds, threshold_seconds):
    """Predicted share of calls answered within ``threshold_seconds`` with ``agents`` agents."""
    load = traffic_erlangs(offered_calls, aht_seconds, interval_seconds)
    return _service_level_at(agents, load, threshold_seconds, aht_seconds)


def required_agents(offered_calls, aht_seconds, interval_seconds, target_rate, threshold_seconds):
    """The smallest whole number of agents whose predicted service level is at least ``target_rate``.

    Zero offered calls need 0 agents. The search starts at the first N above the traffic
    intensity (any fewer can never keep up) and adds one agent at a time to the rows not yet
    meeting the target. A target that cannot be met (1 or more) gives nan.
    """
    load = np.atleast_1d(traffic_erlangs(offered_calls, aht_seconds, interval_seconds))
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float), load.shape)
    threshold = np.broadcast_to(np.asarray(threshold_seconds, dtype=float), load.shape)
    target = np.broadcast_to(np.asarray(target_rate, dtype=float), load.shape)
    agents = np.where(load > 0, np.floor(load) + 1, 0.0)
    agents[np.isnan(load) | np.isnan(target) | np.isnan(threshold)] = np.nan
    bound = _agents_bound(load)
    pending = np.flatnonzero((load > 0) & ~np.isnan(agents))
    while pending.size:
        met = _service_level_at(agents[pending], load[pending], threshold[pending], aht[pending]) >= target[pending]
        pending = pending[~met]
        agents[pending] += 1
        beyond = agents[pending] > bound[pending]
        agents[pending[beyond]] = np.nan
        pending = pending[~beyond]
    return agents
