"""CSAT mart tables written by hand, in the marts' contract shape, for tests of their readers."""

from __future__ import annotations

import duckdb

from tests.reference import wilson_interval_95


def create_csat_mart(con: duckdb.DuckDBPyConnection, table: str, period_column: str, counts: list[tuple],
                     min_responses: int) -> None:
    """``table`` with one row per (period, channel, responses, responses scoring 4-5, mean score)."""
    con.execute(f"""
        create table {table} (
            {period_column} date,
            channel varchar,
            response_count bigint,
            top2_response_count bigint,
            csat_top2_rate double,
            csat_mean_score double,
            csat_top2_rate_ci95_low double,
            csat_top2_rate_ci95_high double,
            is_low_sample boolean,
            min_responses integer,
        )
    """)
    rows = []
    for period, channel, responses, top2, mean_score in counts:
        low, high = wilson_interval_95(top2, responses)
        rows.append((period, channel, responses, top2, top2 / responses, mean_score, low, high,
                     responses < min_responses, min_responses))
    if rows:
        con.executemany(f"insert into {table} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
