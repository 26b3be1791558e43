"""The expectation runner against real Great Expectations, on a mart read through DuckDB.

GX takes seconds to import, so every validation runs once, in module-scoped fixtures
sharing one quality folder (which also exercises repeated runs on the same GX context);
the tests then read the results. Network access is blocked while GX runs.
"""

from __future__ import annotations

import json
import re
import socket
from datetime import date
from pathlib import Path

import duckdb
import pandas
import pytest

from csops.quality.results import QualityResult, load_result, result_path
from csops.quality.severity import ERROR, SEVERITIES, WARNING
from csops.quality.suites import SUITES
from csops.quality.validation import validate_dataframe
from tests.reference import wilson_interval_95

TABLE = "marts.feedback_by_channel_day"
MIN_RESPONSES = 30

# (contact_date, channel, responses, responses scoring 4 or 5, mean score)
CSAT_COUNTS = [
    (date(2024, 3, 4), "chat", 41, 33, 4.12),
    (date(2024, 3, 4), "email", 58, 40, 3.81),
    (date(2024, 3, 4), "phone", 120, 101, 4.30),
    (date(2024, 3, 5), "chat", 37, 31, 4.20),
    (date(2024, 3, 5), "email", 12, 7, 3.42),
    (date(2024, 3, 5), "in_person", 1, 1, 5.00),
]


def mart_frame() -> pandas.DataFrame:
    """The mart as the pipeline hands it over: read out of DuckDB, with DuckDB's types; every
    response scored CSAT here, and half the invitations were answered."""
    rows = []
    for day, channel, responses, top2, mean_score in CSAT_COUNTS:
        low, high = wilson_interval_95(top2, responses)
        rows.append((day, channel, 2 * responses, responses, 0.5, responses, top2, top2 / responses, mean_score,
                     low, high, responses < MIN_RESPONSES, MIN_RESPONSES, 0, None))
    connection = duckdb.connect()
    connection.execute("""
        create table feedback_by_channel_day (
            contact_date date, channel varchar, invitations_sent_count bigint, response_count bigint,
            response_rate double, csat_response_count bigint, csat_top2_response_count bigint, csat_top2_rate double,
            csat_mean_score double, csat_top2_rate_ci95_low double, csat_top2_rate_ci95_high double,
            is_low_sample boolean, min_responses integer, nps_response_count bigint, nps double,
            ces_mean_score double, csat_good_rate double, survey_fcr_rate double
        )
    """)
    connection.executemany("insert into feedback_by_channel_day values "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, null)", rows)
    return connection.execute("select * from feedback_by_channel_day order by contact_date, channel").df()


@pytest.fixture(scope="module")
def quality_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("quality")


@pytest.fixture(scope="module")
def offline():
    """Fail loudly if anything in GX tries to reach the network."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture(scope="module")
def good_result(quality_dir, offline) -> QualityResult:
    return validate_dataframe(mart_frame(), TABLE, quality_dir, "run-good")


@pytest.fixture(scope="module")
def bad_result(quality_dir, offline, good_result) -> QualityResult:
    frame = mart_frame()
    # a rate above 1 whose interval excludes it ...
    frame.loc[0, "csat_top2_rate"] = 1.3
    # ... and a plausible rate whose interval lies wholly above it
    frame.loc[1, ["csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high"]] = [0.8, 0.9]
    return validate_dataframe(frame, TABLE, quality_dir, "run-bad")


@pytest.fixture(scope="module")
def warning_result(quality_dir, offline, bad_result) -> QualityResult:
    frame = mart_frame()
    frame.loc[0, "channel"] = "video"  # unknown to the channel map, still unique per day
    return validate_dataframe(frame, TABLE, quality_dir, "run-warning")


@pytest.fixture(scope="module")
def missing_column_result(quality_dir, offline, warning_result) -> QualityResult:
    return validate_dataframe(mart_frame().drop(columns=["csat_mean_score"]), TABLE, quality_dir, "run-missing")


@pytest.fixture(scope="module")
def repeated_results(quality_dir, offline, missing_column_result) -> tuple[QualityResult, QualityResult]:
    """The same run twice more on the now well-used context: nothing may say 'already exists'."""
    first = validate_dataframe(mart_frame(), TABLE, quality_dir, "run-repeat")
    second = validate_dataframe(mart_frame(), TABLE, quality_dir, "run-repeat")
    return first, second


def failed(result: QualityResult) -> set[tuple[str, tuple[str, ...]]]:
    return {(outcome.expectation_type, outcome.columns) for outcome in result.failed}


def test_good_mart_passes(good_result):
    assert good_result.success is True
    assert good_result.blocking_failures == 0
    assert good_result.warnings == 0
    assert good_result.row_count == len(CSAT_COUNTS)
    assert good_result.expectations and all(outcome.success for outcome in good_result.expectations)


def test_rate_out_of_range_and_interval_excluding_rate_block(bad_result):
    assert bad_result.success is False
    assert failed(bad_result) == {
        ("expect_column_values_to_be_between", ("csat_top2_rate",)),
        ("expect_column_pair_values_a_to_be_greater_than_b", ("csat_top2_rate_ci95_high", "csat_top2_rate")),
        ("expect_column_pair_values_a_to_be_greater_than_b", ("csat_top2_rate", "csat_top2_rate_ci95_low")),
    }
    assert bad_result.blocking_failures == 3
    assert bad_result.warnings == 0
    assert all(outcome.severity == ERROR for outcome in bad_result.failed)
    range_check = next(outcome for outcome in bad_result.failed if outcome.columns == ("csat_top2_rate",))
    assert "1 of 6 rows" in range_check.observed and "1.3" in range_check.observed


def test_warning_only_failure_does_not_block(warning_result):
    assert warning_result.success is True
    assert warning_result.blocking_failures == 0
    assert warning_result.warnings == 1
    assert failed(warning_result) == {("expect_column_values_to_be_in_set", ("channel",))}
    assert "'video'" in warning_result.failed[0].observed


def test_an_expectation_that_cannot_run_counts_as_failed(missing_column_result):
    assert missing_column_result.success is False
    assert failed(missing_column_result) == {
        ("expect_table_columns_to_match_set", ()),
        ("expect_column_values_to_not_be_null", ("csat_mean_score",)),
        ("expect_column_values_to_be_between", ("csat_mean_score",)),
    }
    observed = {outcome.expectation_type: outcome.observed for outcome in missing_column_result.failed}
    assert observed["expect_table_columns_to_match_set"] == "missing: csat_mean_score"
    assert observed["expect_column_values_to_not_be_null"].startswith("could not be evaluated")


def test_validating_again_on_the_same_folder_works(repeated_results, quality_dir):
    first, second = repeated_results
    assert first.success and second.success
    assert first.expectations == second.expectations
    assert first.result_file == second.result_file == result_path(quality_dir, "run-repeat", TABLE)

    config = (quality_dir / "gx" / "great_expectations.yml").read_text()
    assert config.count("type: dataframe") == 1
    assert config.count("whole_dataframe:") == 1
    assert len(list((quality_dir / "gx" / "expectations").rglob("*.json"))) == 1
    assert len(list((quality_dir / "gx" / "validation_definitions").rglob("*.json"))) == 1


def test_result_json_is_written_and_reads_back(bad_result, quality_dir):
    path = quality_dir / "results" / f"run-bad__{TABLE}.json"
    assert bad_result.result_file == path
    stored = json.loads(path.read_text())
    assert stored["success"] is False and stored["blocking_failures"] == 3
    assert stored == bad_result.to_json_dict()
    assert load_result(path).expectations == bad_result.expectations


def test_data_docs_are_built_in_the_quality_folder(bad_result, quality_dir):
    assert bad_result.data_docs_index is not None and bad_result.data_docs_index.exists()
    assert bad_result.data_docs_index.is_relative_to(quality_dir / "gx")
    assert bad_result.data_docs_page is not None and bad_result.data_docs_page.exists()


LINK_OR_SCRIPT_TAG = re.compile(r"<(link|script)\b[^>]*>", re.IGNORECASE)


def test_offline_report_loads_nothing_from_the_network(bad_result, quality_dir):
    report = bad_result.offline_report
    assert report == quality_dir / "report" / f"run-bad__{TABLE}.html"
    text = report.read_text()
    for tag in LINK_OR_SCRIPT_TAG.finditer(text):
        assert not re.search(r"https?://", tag.group(0)), tag.group(0)
    assert "http://" not in text and "https://" not in text  # nor anywhere else
    for outcome in bad_result.expectations:
        assert outcome.expectation_type in text
    assert "FAILED: 3 blocking failure(s)" in text
    # the Data Docs it links to are reachable from the report's folder
    hrefs = re.findall(r'href="([^"]+)"', text)
    assert hrefs and all((report.parent / href).resolve().exists() for href in hrefs)


def test_gx_data_docs_are_flagged_when_they_need_internet(bad_result):
    page = bad_result.data_docs_page.read_text()
    uses_cdn = re.search(r"<(link|script)\b[^>]*(href|src)=\"https://", page) is not None
    assert bad_result.data_docs_need_internet is uses_cdn


def test_validation_prints_no_progress_bars(quality_dir, offline, repeated_results, capfd):
    validate_dataframe(mart_frame(), TABLE, quality_dir, "run-quiet")
    captured = capfd.readouterr()
    assert "Calculating Metrics" not in captured.err + captured.out


def test_every_expectation_declares_a_severity():
    for table, build in SUITES.items():
        suite = build()
        assert suite.name == table
        assert {expectation.meta["severity"] for expectation in suite.expectations} <= set(SEVERITIES)
        # GX's own severity tells its Data Docs the same story.
        assert all((expectation.meta["severity"] == WARNING) == (expectation.severity.value == "warning")
                   for expectation in suite.expectations), table


def test_unknown_table_is_refused(tmp_path):
    with pytest.raises(KeyError, match="no expectation suite"):
        validate_dataframe(mart_frame(), "marts.nope", tmp_path, "run")
