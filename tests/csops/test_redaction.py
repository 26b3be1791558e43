"""What a customer typed loses its emails and phone numbers, written any country's way, and keeps
its dates, times, amounts and order numbers; and the app shows the audit trail's quoted values
only redacted."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from csops.kernel.redaction import redact

CASES = [
    # (text, redacted): issue 15's formats first
    ("Appelez-moi au 06 12 34 56 78 svp", "Appelez-moi au [phone] svp"),
    ("my cell is 555/867/5309.", "my cell is [phone]."),
    ("London office +44 20 7946 0958", "London office [phone]"),
    ("Ruf an: 0049 30 1234567", "Ruf an: [phone]"),
    ("écrivez à josé@exämple.fr merci", "écrivez à [email] merci"),
    ("请联系 用户@例子.广告，谢谢", "请联系 [email]，谢谢"),
    ("全角 用户＠例子。广告", "全角 [email]"),
    # North American numbers, as before
    ("Call +1 (555) 010-1234 or 555.010.1234 tomorrow", "Call [phone] or [phone] tomorrow"),
    ("(555) 010-1234, 555-010-1234, 1-800-555-0199, +15550101234", "[phone], [phone], [phone], [phone]"),
    ("my number 555-0101", "my number [phone]"),
    ("4155550101", "[phone]"),
    ("+33 6 12 34 56 78 or 07700 900123", "[phone] or [phone]"),
    # numbers listed one after another go whole, however the matcher groups them
    ("nums 06 12 34 56 78 06 98 76 54 32 / 555 010 1234 end", "nums [phone] end"),
    ("Mail me at jane.doe+orders@mail.example.co.uk or JOHN_SMITH@Sub.Domain.Example.com.",
     "Mail me at [email] or [email]."),
    ("mailto:o'brien@example.ie", "mailto:[email]"),
    # what is no contact detail stays
    ("order 12 came late", "order 12 came late"),
    ("paid 1,299.00 and then $12,345,678.00", "paid 1,299.00 and then $12,345,678.00"),
    ("on 2026-03-04 at 10:30, and 12/03/2026 between 10:30-11:45",
     "on 2026-03-04 at 10:30, and 12/03/2026 between 10:30-11:45"),
    ("on 2026 03 04 I waited 45 minutes, 3 times", "on 2026 03 04 I waited 45 minutes, 3 times"),
    # a bare run shorter than a full number is an order or account number: the mart's [number]
    ("ticket 123456, order 1234567, ref 12345678", "ticket 123456, order 1234567, ref 12345678"),
    ("meet @ 10 tomorrow", "meet @ 10 tomorrow"),
    ("Jane was great!", "Jane was great!"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "redacted"), CASES, ids=[text[:30] or "empty" for text, _ in CASES])
def test_redaction_takes_out_contact_details_and_nothing_else(text, redacted):
    assert redact(text) == redacted


@pytest.mark.parametrize("value", [None, 12, float("nan")])
def test_what_is_no_text_comes_back_as_it_was(value):
    assert redact(value) is value


def test_redacting_twice_changes_nothing_more():
    for text, _ in CASES:
        assert redact(redact(text)) == redact(text)


def test_a_comment_full_of_numbers_is_redacted_fast():
    # Every comment of a big center goes through this in the build: a few hundred microseconds each.
    import time

    texts = [f"I called {i % 9} times about order 1234567 on 2026-03-04, paid 1,299.00; ring 06 12 34 {i % 100:02d} 78"
             for i in range(2_000)]
    started = time.perf_counter()
    redacted = [redact(text) for text in texts]
    assert time.perf_counter() - started < 5
    assert all(text.endswith("ring [phone]") and "1234567" in text for text in redacted)


def test_the_dbt_function_redacts_in_sql():
    from csops.dbt_functions import Plugin

    con = duckdb.connect()
    Plugin.configure_connection(None, con)
    assert con.execute("select csops_redact('ring 0049 30 1234567'), csops_redact(null)").fetchone() == (
        "ring [phone]", None)


# --- the app's data-quality page: the audit trail shows quoted values redacted ---------------------


@pytest.fixture
def audit_publication(tmp_path):
    from csops.kernel.publication import Publication

    path = tmp_path / "publication.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema audit")
        con.execute("create table audit.rejected_rows (run_id varchar, source varchar, raw_table varchar, "
                    "reason varchar, source_file varchar, line_number bigint, record_number bigint, landing_date date)")
        con.executemany("insert into audit.rejected_rows "
                        "values ('r1', 'surveys', 'surveys_responses', ?, ?, ?, ?, ?)", [
            ("score out of range: Q1 = 'jane@example.org' (csat, on the 1-5 scale)", "surveys/f.csv", 4, 4,
             date(2026, 3, 2)),
            ("score out of range: Q1 = '+44 20 7946 0958' (csat, on the 1-5 scale)", "surveys/f.csv", 5, 5,
             date(2026, 3, 2)),
            # A reason whose value comes before any ": ", so its kind holds it.
            ("more than one contact surveyed 用户@例子.广告", "surveys/f.csv", 6, 6, date(2026, 3, 2)),
        ])
        con.execute("create table audit.quality_results (run_id varchar, checked_at timestamp, check_source varchar, "
                    "asset varchar, check_name varchar, severity varchar, is_passed boolean, observed varchar, "
                    "report_path varchar)")
        con.execute("insert into audit.quality_results values ('r1', ?, 'great_expectations', "
                    "'stg_surveys__responses', 'unresolved_contact_ref is null', 'warn', false, "
                    "'1 row: crm:josé@exämple.fr at surveys/f.csv:4', null)", [datetime(2026, 3, 2, 6)])
    return Publication(path=path, run_id="r1", published_at="2026-03-02T06:00:00", as_of=None, tables=(),
                       audit_tables=("rejected_rows", "quality_results"))


def test_the_data_quality_page_shows_rejected_rows_and_checks_redacted(audit_publication):
    from csops.app.data import quality

    shown = date(2026, 3, 1), date(2026, 3, 3)
    reasons = quality.rejections_by_reason(audit_publication, *shown)
    assert sorted(zip(reasons["reason_kind"], reasons["rejected_row_count"])) == [
        ("more than one contact surveyed [email]", 1), ("score out of range", 2)]
    rows = quality.rejected_rows(audit_publication, "surveys_responses", "score out of range", *shown)
    assert list(rows["reason"]) == ["score out of range: Q1 = '[email]' (csat, on the 1-5 scale)",
                                    "score out of range: Q1 = '[phone]' (csat, on the 1-5 scale)"]
    assert rows.attrs["total_count"] == 2
    # The kind as the page shows it (redacted) still finds its rows.
    assert list(quality.rejected_rows(audit_publication, "surveys_responses",
                                      "more than one contact surveyed [email]", *shown)["line_number"]) == [6]
    observed = quality.checks(audit_publication, "r1")["observed"]
    assert list(observed) == ["1 row: crm:[email] at surveys/f.csv:4"]


def test_the_new_dbt_functions_are_total_on_hostile_text():
    from csops.dbt_functions import Plugin
    from tests.csops.test_functions_total import HOSTILE_TEXTS

    con = duckdb.connect()
    Plugin.configure_connection(None, con)
    con.execute("create temp table hostile_texts (ordinal integer, hostile_text varchar)")
    con.executemany("insert into hostile_texts values (?, ?)", list(enumerate(HOSTILE_TEXTS)))
    rows = con.execute("select hostile_text, csops_redact(hostile_text), csops_crm_user_key(hostile_text) "
                       "from hostile_texts order by ordinal").fetchall()
    assert len(rows) == len(HOSTILE_TEXTS)
    assert all((redacted is None) == (text is None) for text, redacted, _ in rows)
    assert all(key is None or len(key) == 32 for _, _, key in rows)
    assert rows[0][2] is None and rows[1][2] is None  # no id, no key

