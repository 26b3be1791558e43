"""The KPI marts' suites block what would put a wrong number in front of a manager."""

from __future__ import annotations

from datetime import date

import pandas

from csops.quality.validation import validate_dataframe


def test_reconciliation_that_does_not_add_up_blocks_publication(tmp_path):
    frame = pandas.DataFrame({
        "contact_date": [date(2026, 3, 2), date(2026, 3, 2)], "channel": ["phone", "email"],
        "staged_contact_count": [10, 5], "fact_contact_count": [9, 5], "mart_contact_count": [9, 5],
        "ivr_only_call_count": [3, 0], "is_reconciled": [False, True], "volume_ratio_to_trailing_mean": [1.0, None],
    })
    result = validate_dataframe(frame, "marts.reconciliation_contacts_daily", tmp_path, "run-1")
    assert not result.success
    failed = {outcome.expectation_type for outcome in result.failed}
    assert {"expect_column_pair_values_to_be_equal", "expect_column_values_to_be_in_set"} <= failed


def test_more_first_contact_resolutions_than_eligible_contacts_blocks(tmp_path):
    frame = pandas.DataFrame({
        "contact_date": [date(2026, 3, 2)], "channel": ["phone"], "inbound_contact_count": [10],
        "resolved_on_contact_count": [8], "fcr_eligible_contact_count": [6], "first_contact_resolved_count": [7],
        "window_open_contact_count": [2], "operational_fcr_rate": [7 / 6], "survey_fcr_response_count": [0],
        "survey_fcr_rate": [None],
    })
    result = validate_dataframe(frame, "marts.fcr_by_channel_day", tmp_path, "run-1")
    assert not result.success
    assert {o.expectation_type for o in result.failed} == {
        "expect_column_values_to_be_between", "expect_column_pair_values_a_to_be_greater_than_b"}
