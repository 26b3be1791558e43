"""A dbt-duckdb plugin that gives dbt's DuckDB connection csops's own functions.

``profiles.yml`` names this module. Staging calls ``csops_phone_key(phone)`` and
``csops_email_key(email)`` (csops/identity.py): the one place identifiers are normalised
and pseudonymised. The queue marts call ``csops_erlang_c_agents(...)`` and
``csops_erlang_c_service_level(...)`` (csops/erlang.py) for required agents; training
impact, ``csops_t_quantile(p, df)`` (SciPy's Student t) for its intervals.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb.func import ARROW, SPECIAL
from scipy.stats import t as student_t

from csops.erlang import required_agents, service_level
from csops.identity import email_key, phone_key
from csops.sentiment import compound_score


def _floats(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow column as floats, null as nan (so one null input makes a null result)."""
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=float)


def erlang_c_agents(offered_calls, aht_seconds, interval_seconds, target_rate, threshold_seconds) -> pa.Array:
    agents = required_agents(*map(_floats, (offered_calls, aht_seconds, interval_seconds, target_rate,
                                            threshold_seconds)))
    missing = np.isnan(agents)
    return pa.array(np.where(missing, 0, agents).astype(np.int64), mask=missing, type=pa.int64())


def erlang_c_service_level(agents, offered_calls, aht_seconds, interval_seconds, threshold_seconds) -> pa.Array:
    inputs = [_floats(column) for column in (agents, offered_calls, aht_seconds, interval_seconds, threshold_seconds)]
    level = service_level(*inputs)
    missing = np.isnan(np.sum(inputs, axis=0)) | np.isnan(level)
    return pa.array(np.where(missing, 0.0, level), mask=missing, type=pa.float64())


def t_quantile(probability, degrees_of_freedom) -> pa.Array:
    """Student's t quantile, for the 95% intervals of small groups (training impact)."""
    quantile = student_t.ppf(_floats(probability), _floats(degrees_of_freedom))
    missing = np.isnan(quantile)
    return pa.array(np.where(missing, 0.0, quantile), mask=missing, type=pa.float64())


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function("csops_phone_key", phone_key, ["VARCHAR"], "VARCHAR")
        conn.create_function("csops_email_key", email_key, ["VARCHAR"], "VARCHAR")
        # VADER compound score of a survey comment, in [-1, 1] (csops/sentiment.py).
        conn.create_function("csops_sentiment", compound_score, ["VARCHAR"], "DOUBLE")
        # Vectorised (a whole vector of rows per call) and null-aware: a missing input
        # (no AHT in an interval nobody answered) gives null, never an estimate.
        conn.create_function("csops_erlang_c_agents", erlang_c_agents, ["DOUBLE"] * 5, "BIGINT",
                             type=ARROW, null_handling=SPECIAL)
        conn.create_function("csops_erlang_c_service_level", erlang_c_service_level, ["DOUBLE"] * 5, "DOUBLE",
                             type=ARROW, null_handling=SPECIAL)
        conn.create_function("csops_t_quantile", t_quantile, ["DOUBLE"] * 2, "DOUBLE", type=ARROW,
                             null_handling=SPECIAL)
