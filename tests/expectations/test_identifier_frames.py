"""The staging frames' unreadable identifiers (csops/orchestration/quality.py), on small real DuckDB tables:
a value exported but no library can read warns with its file and line; a blank or withheld one does not."""

from __future__ import annotations

import duckdb
import pytest

from csops.orchestration.model_frames import STAGING_FRAMES
from csops.quality.validation import validate_dataframe

USERS_PAGE = "crm/2026-03-02/users-0001.json"  # an API page: every record on line 1


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        connection.execute("""
            create schema raw; create schema staging;
            create table raw.crm_users (id bigint, email varchar, phone varchar, _source_file varchar,
                _source_line bigint, _source_record bigint);
            create table staging.stg_crm__users (crm_user_id bigint, email_key varchar, phone_key varchar,
                _source_file varchar, _source_line bigint, _source_record bigint);
        """)
        yield connection


def add_user(con, user_id: int, email: str | None, phone: str | None, email_key: str | None,
             phone_key: str | None, record: int) -> None:
    con.execute("insert into raw.crm_users values (?, ?, ?, ?, 1, ?)", [user_id, email, phone, USERS_PAGE, record])
    con.execute("insert into staging.stg_crm__users values (?, ?, ?, ?, 1, ?)",
                [user_id, email_key, phone_key, USERS_PAGE, record])


def test_unreadable_values_warn_by_position_and_blank_or_withheld_ones_do_not(con, tmp_path):
    add_user(con, 1, "jane@example.com", "+1 555-010-1234", "k1", "p1", record=1)  # read: keys
    add_user(con, 2, "n/a", None, None, None, record=2)  # an email that is none
    add_user(con, 3, "  ", "anonymous", None, None, record=3)  # blank, withheld: nothing to read
    add_user(con, 4, None, "+190011112222", None, None, record=4)  # a number no library reads
    frame = con.execute(STAGING_FRAMES["stg_crm__users"]).df().set_index("crm_user_id")
    assert frame["unreadable_email"].dropna().to_dict() == {2: f"{USERS_PAGE}:1 #2"}
    assert frame["unreadable_phone"].dropna().to_dict() == {4: f"{USERS_PAGE}:1 #4"}

    result = validate_dataframe(frame.reset_index(), "staging.stg_crm__users", tmp_path, "run-1")
    assert result.success  # warnings only: the build goes on
    failed = {outcome.columns: outcome for outcome in result.failed}
    assert set(failed) == {("unreadable_email",), ("unreadable_phone",)}
    assert all(outcome.severity == "warning" for outcome in failed.values())
    assert f"{USERS_PAGE}:1 #2" in failed[("unreadable_email",)].observed
    assert "n/a" not in failed[("unreadable_email",)].observed  # the position, never the value
