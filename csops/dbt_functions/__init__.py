"""A dbt-duckdb plugin that gives dbt's DuckDB connection csops's own functions.

``profiles.yml`` names this module. Staging calls ``csops_phone_key(phone)`` and
``csops_email_key(email)`` (csops/identity.py): the one place identifiers are normalised
and pseudonymised; int_customer_keys, ``csops_crm_user_key(id)`` for a customer's key (a
keyed hash of their Zendesk user id). survey_comment_examples calls ``csops_redact(text)``
(csops/redaction.py) on the comments it publishes. The queue marts call
``csops_erlang_c_agents(...)`` and ``csops_erlang_c_service_level(...)`` (csops/erlang.py)
for required agents; training impact, ``csops_t_quantile(p, df)`` (SciPy's Student t) for
its intervals.

Every function is total and registered with ``null_handling=SPECIAL``: under DuckDB's
default a function may not return null (and one caller number no library can read stopped
the whole build), so here any input, null included, gives a value or null, never an error.
A null identifier key is warned about, with its file and line, by the staging checks
(csops/orchestration/quality.py).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb.func import ARROW, SPECIAL
from scipy.stats import t as student_t

from csops.dbt_functions.erlang import required_agents, service_level
from csops.kernel.identity import crm_user_key, email_key, phone_key
from csops.kernel.redaction import redact
from csops.dbt_functions.sentiment import compound_score


def _floats(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow column as floats, null as nan (so one null input makes a null result)."""
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=float)


def _doubles(values: np.ndarray) -> pa.Array:
    """Floats as a DuckDB DOUBLE column; nan and infinities (no KPI is infinite) as null."""
    missing = ~np.isfinite(values)
    return pa.array(np.where(missing, 0.0, values), mask=missing, type=pa.float64())


def erlang_c_agents(offered_calls, aht_seconds, interval_seconds, target_rate, threshold_seconds) -> pa.Array:
    agents = required_agents(*map(_floats, (offered_calls, aht_seconds, interval_seconds, target_rate,
                                            threshold_seconds)))
    missing = ~np.isfinite(agents)
    return pa.array(np.where(missing, 0, agents).astype(np.int64), mask=missing, type=pa.int64())


def erlang_c_service_level(agents, offered_calls, aht_seconds, interval_seconds, threshold_seconds) -> pa.Array:
    # csops/erlang.py gives nan wherever an input is missing or no queue's.
    return _doubles(service_level(*map(_floats, (agents, offered_calls, aht_seconds, interval_seconds,
                                                 threshold_seconds))))


def t_quantile(probability, degrees_of_freedom) -> pa.Array:
    """Student's t quantile, for the 95% intervals of small groups (training impact); null
    outside its domain (a probability off (0, 1), degrees of freedom not above 0)."""
    with np.errstate(invalid="ignore"):
        return _doubles(student_t.ppf(_floats(probability), _floats(degrees_of_freedom)))


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        # SPECIAL: the functions receive nulls and may return null (text that is no number or
        # email has no key); under DEFAULT a null result is an error that stops the build.
        conn.create_function("csops_phone_key", phone_key, ["VARCHAR"], "VARCHAR", null_handling=SPECIAL)
        conn.create_function("csops_email_key", email_key, ["VARCHAR"], "VARCHAR", null_handling=SPECIAL)
        conn.create_function("csops_crm_user_key", crm_user_key, ["VARCHAR"], "VARCHAR", null_handling=SPECIAL)
        # A customer's text with emails and phone numbers (any country's way) taken out.
        conn.create_function("csops_redact", redact, ["VARCHAR"], "VARCHAR", null_handling=SPECIAL)
        # VADER compound score of a survey comment, in [-1, 1] (csops/sentiment.py).
        conn.create_function("csops_sentiment", compound_score, ["VARCHAR"], "DOUBLE", null_handling=SPECIAL)
        # Vectorised (a whole vector of rows per call) and null-aware: a missing input
        # (no AHT in an interval nobody answered) gives null, never an estimate.
        conn.create_function("csops_erlang_c_agents", erlang_c_agents, ["DOUBLE"] * 5, "BIGINT",
                             type=ARROW, null_handling=SPECIAL)
        conn.create_function("csops_erlang_c_service_level", erlang_c_service_level, ["DOUBLE"] * 5, "DOUBLE",
                             type=ARROW, null_handling=SPECIAL)
        conn.create_function("csops_t_quantile", t_quantile, ["DOUBLE"] * 2, "DOUBLE", type=ARROW,
                             null_handling=SPECIAL)
