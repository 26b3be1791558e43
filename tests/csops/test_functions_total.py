"""Every function dbt calls is total: any input, null included, gives a value or null, never
an error (issue 13: one caller number ``phonenumbers`` could not read stopped the whole build).

Property-style without hypothesis: loops over hostile inputs, called as dbt calls them, through
DuckDB with the dbt plugin's registrations (csops/dbt_functions.py), row by row and as one column.
"""

from __future__ import annotations

import itertools
import math

import duckdb
import pytest

from csops.dbt_functions import Plugin
from csops.kernel.identity import email_key, normalised_email, normalised_phone, phone_key

HOSTILE_TEXTS = [
    None, "", " ", "\t\n", "\x00", "\u200b", "anonymous", "ANONYMOUS ", "restricted", "unknown", "null", "None",
    "+190011112222", "+1", "+", "++1555", "0", "0" * 60, "9" * 300, "+" * 300, "x" * 100_000, "tel:", "tel:+1",
    "+1 555-010-1234 ext. " + "9" * 50, "(555) 010-1234;ext=", "٠١٢٣٤٥٦٧٨٩", "１２３４５６７８９０", "+44 (0) 20",
    "@", "@@", "a@", "@b", " @ ", "jane doe@example.com", "jane@exa mple.com", "<jane@example.com>", "mailto:",
    "😀😡", "Ω≈ç√∫", "'; drop table x; --", "%s%s%n", "{{ var }}", "\\", '"', "NaN", "-inf", "1e309",
    "Nobody actually solved my issue.", "NOT not NOT but but BUT!!!", ":) :( <3 </3", "kind of sort of",
    "no" * 5_000, "!" * 5_000, "\r\n" * 100,
]
LONE_SURROGATE = "\ud83d"  # not UTF-8, so DuckDB never hands it over; Python callers might
TEXT_FUNCTIONS = ("csops_phone_key", "csops_email_key", "csops_sentiment")

HOSTILE_NUMBERS = [None, 0.0, -0.0, 1.0, -1.0, 0.5, 0.975, 1.0000001, 20.0, 180.0, 1800.0, 1e-300, 1e300,
                   1e5, 1e6, math.inf, -math.inf, math.nan]


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    Plugin.configure_connection(None, connection)
    yield connection
    connection.close()


def _text_results(con, function: str) -> list:
    con.execute("create or replace temp table hostile_texts (ordinal integer, hostile_text varchar)")
    con.executemany("insert into hostile_texts values (?, ?)", list(enumerate(HOSTILE_TEXTS)))
    return [value for value, in con.execute(f"select {function}(hostile_text) from hostile_texts order by ordinal")
            .fetchall()]


@pytest.mark.parametrize("function", TEXT_FUNCTIONS)
def test_text_functions_give_a_value_or_null_for_any_text(con, function):
    results = _text_results(con, function)
    assert len(results) == len(HOSTILE_TEXTS)
    if function == "csops_sentiment":
        assert all(result is None or -1 <= result <= 1 for result in results)
        assert results[0] is None and results[1] is None  # no comment has no sentiment
    else:
        assert all(result is None or (isinstance(result, str) and len(result) == 32) for result in results)


def test_the_python_functions_are_total_too():
    """The same functions called from Python (the simulator, the tests), lone surrogate included."""
    for text in [*HOSTILE_TEXTS, LONE_SURROGATE]:
        for function in (phone_key, email_key, normalised_phone, normalised_email):
            result = function(text)
            assert result is None or isinstance(result, str), (function, text)


def test_what_is_no_number_or_email_has_no_key_and_is_not_an_error(con):
    rows = con.execute("""
        select csops_phone_key(phone), csops_email_key(email)
        from (values ('+190011112222', ''), ('anonymous', '   '), ('', '@'), (null, 'jane doe@example.com'),
                     ('+1 555-010-1234', 'JANE@Example.com ')) as given(phone, email)
    """).fetchall()
    assert rows[:4] == [(None, None)] * 4
    assert rows[4] == (phone_key("+15550101234"), email_key("jane@example.com")) and None not in rows[4]


def test_numeric_functions_give_a_value_or_null_for_any_numbers(con):
    """Erlang C and the t quantile over every combination of hostile numbers, as one column each
    (DuckDB hands vectorised functions whole vectors, so a bad row must not spoil its neighbours)."""
    con.execute("create or replace temp table hostile_numbers (a double, b double, c double, d double, e double)")
    combinations = list(itertools.product(HOSTILE_NUMBERS, [None, 180.0, -1.0, math.inf, 0.0],
                                          [1800.0, 0.0, None, -1800.0], [0.8, 1.0, 2.0, None, -math.inf],
                                          [20.0, None, -20.0, math.inf]))
    con.executemany("insert into hostile_numbers values (?, ?, ?, ?, ?)", combinations)
    agents, levels, quantiles = zip(*con.execute("""
        select csops_erlang_c_agents(a, b, c, d, e), csops_erlang_c_service_level(a, a, b, c, e),
            csops_t_quantile(d, a)
        from hostile_numbers
    """).fetchall())
    assert len(agents) == len(combinations)
    assert all(value is None or value >= 0 for value in agents)
    assert all(value is None or 0 <= value <= 1 for value in levels)
    assert all(value is None or math.isfinite(value) for value in quantiles)
    # Sound rows among them still get their answer: 100 calls, AHT 180 s in 30 minutes, 80% in 20 s.
    assert con.execute("select csops_erlang_c_agents(100, 180, 1800, 0.8, 20)").fetchone() == (14,)
    assert con.execute("select csops_t_quantile(0.975, 10)").fetchone()[0] == pytest.approx(2.228, abs=1e-3)


def test_a_load_no_queue_has_is_null_not_an_endless_search(con):
    """1e300 Erlangs once looped for ever (floor(A) + 1 == A in floating point)."""
    assert con.execute("select csops_erlang_c_agents(1e300, 180, 1800, 0.8, 20), "
                       "csops_erlang_c_agents(100, 180, 0, 0.8, 20)").fetchone() == (None, None)
