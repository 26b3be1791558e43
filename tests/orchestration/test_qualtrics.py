"""Qualtrics response exports as Qualtrics delivers them (csops/orchestration/qualtrics.py), through the
loader into a real DuckDB file and the real staging model.

The exports below are written from Qualtrics' own description of a response dataset
("Understanding your dataset": three header rows, names, question texts and an ImportId JSON
per column; the standard columns; Status as a code or its label, 0 IP Address, 1 Survey
Preview, 2 Survey Test, 4 Imported, 8 Spam; Finished 1 or True; the legacy V1..V10 layout
with two header rows) and of its export options (choice text or numeric values, the time zone
of the dates). A CSV download starts with a byte-order mark.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from csops.orchestration import qualtrics
from csops.orchestration.loading import count_records, load_source
from tests.marts.test_feedback_themes import run_dbt

REPO = Path(__file__).resolve().parents[2]
SURVEY_SEEDS = ("survey_question_map", "survey_scales", "survey_response_statuses")

# Two more surveys a center might map, beside the simulator's own (support_csat).
TEST_MAPPINGS = [
    # An anonymous web feedback survey with author-named questions, exported as choice text.
    # Its CSAT question is mapped by ImportId: renaming the column in Qualtrics keeps it mapped.
    ("web_feedback", "csat", "", "QID2", "1-5", ""),
    ("web_feedback", "nps", "Recommend", "", "0-10", ""),
    ("web_feedback", "ces", "Effort", "QID4", "1-7", ""),
    ("web_feedback", "resolved", "Resolved", "QID6", "yes_no", ""),
    ("web_feedback", "comment", "Comments", "QID7_TEXT", "text", ""),
    ("web_feedback", "contact_ref", "zendesk_ticket", "", "", "crm"),
    # A phone follow-up survey in the legacy layout.
    ("phone_followup", "csat", "Q1", "", "1-5", ""),
    ("phone_followup", "resolved", "Q2", "", "yes_no", ""),
    ("phone_followup", "contact_ref", "CallContactId", "", "", "telephony"),
]

SIMULATOR_SURVEY_COLUMNS = [
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
    "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
    "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
    "Q1", "Q2", "Q3", "Q4", "Q5_TEXT", "ticket_id", "connect_contact_id",
]
STANDARD_IMPORT_IDS = {"StartDate": "startDate", "EndDate": "endDate", "Status": "status", "IPAddress": "ipAddress",
                       "Progress": "progress", "Duration (in seconds)": "duration", "Finished": "finished",
                       "RecordedDate": "recordedDate", "ResponseId": "_recordId",
                       "RecipientLastName": "recipientLastName", "RecipientFirstName": "recipientFirstName",
                       "RecipientEmail": "recipientEmail", "ExternalReference": "externalDataReference",
                       "LocationLatitude": "locationLatitude", "LocationLongitude": "locationLongitude",
                       "DistributionChannel": "distributionChannel", "UserLanguage": "userLanguage"}
CALL_1 = "c0ffee00-0000-4000-8000-000000000001"
CALL_2 = "c0ffee00-0000-4000-8000-000000000002"


def csv_text(rows: list[list], line_end: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


def import_id_row(columns: list[str], import_ids: dict[str, str], time_zone: str | None) -> list[str]:
    cells = []
    for column in columns:
        cell = {"ImportId": import_ids.get(column, STANDARD_IMPORT_IDS.get(column, column))}
        if time_zone and cell["ImportId"] in ("startDate", "endDate", "recordedDate"):
            cell["timeZone"] = time_zone
        cells.append(json.dumps(cell, separators=(",", ":")))
    return cells


def simulator_survey_row(response_id: str, recorded: str, status: str = "IP Address", scores=("5", "9", "6", "1"),
                         comment: str = "", ticket: str = "", call: str = "") -> list[str]:
    return ["2026-03-02 10:25:00", recorded, status, "198.51.100.7", "100", "300", "True", recorded, response_id,
            "Doe", "Jane", "jane.doe@example.org", "", "", "", "email", "EN", *scores, comment, ticket, call]


def support_csat_export() -> str:
    """The simulator's survey, downloaded with the dates in Berlin time (the account is New York)."""
    columns = SIMULATOR_SURVEY_COLUMNS
    texts = [*columns[:17], "How satisfied are you?", "How likely are you to recommend us?", "How easy was it?",
             "Was your issue resolved?", "Anything else? - Text", "ticket_id", "connect_contact_id"]
    rows = [
        simulator_survey_row("R_real1", "2026-03-02 10:30:00", comment="Quick and kind.\nThanks!", ticket="5001"),
        simulator_survey_row("R_real2", "2026-03-02 23:10:00", scores=("2", "3", "2", "2"), call=CALL_1),
        # The author checking the trigger from ticket 5001, and Qualtrics' generated test responses.
        simulator_survey_row("R_preview", "2026-03-02 11:00:00", "Survey Preview", ("1", "0", "1", "2"), ticket="5001"),
        simulator_survey_row("R_test", "2026-03-02 11:01:00", "2", ("1", "0", "1", "2"), ticket="5001"),
        simulator_survey_row("R_spam", "2026-03-02 11:02:00", "Spam", ("1", "0", "1", "2")),
        simulator_survey_row("R_offscale", "2026-03-02 12:00:00", scores=("6", "9", "6", "1"), ticket="5002"),
        simulator_survey_row("R_baddate", "03/02/2026 12:00", ticket="5003"),
        simulator_survey_row("R_short", "2026-03-02 12:00:00", ticket="5004")[:-3],
        simulator_survey_row("R_status", "2026-03-02 12:00:00", "Partial", ticket="5005"),
        simulator_survey_row("R_nocontact", "2026-03-02 12:00:00"),
        simulator_survey_row("R_twocontacts", "2026-03-02 12:00:00", ticket="5006", call=CALL_2),
    ]
    import_ids = {"Q1": "QID1", "Q2": "QID2", "Q3": "QID3", "Q4": "QID4", "Q5_TEXT": "QID5_TEXT"}
    return "\ufeff" + csv_text([columns, texts, import_id_row(columns, import_ids, "Europe/Berlin"), *rows])


def web_feedback_export() -> str:
    """Anonymous (no IPAddress, Recipient*, ExternalReference, Location*), author-named questions,
    choice text, a Text iQ topics column, no time zone in the ImportIds, Windows line ends."""
    columns = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
               "ResponseId", "DistributionChannel", "UserLanguage", "Satisfaction", "Recommend", "Effort",
               "Resolved", "Comments", "Comments - Topics", "zendesk_ticket"]
    texts = [*columns[:10], "Overall, how satisfied were you?", "Would you recommend us?",
             "The company made it easy to handle my issue.", "Is your issue resolved?", "Tell us more",
             "Comments - Topics", "zendesk_ticket"]
    import_ids = {"Satisfaction": "QID2", "Recommend": "QID3", "Effort": "QID4", "Resolved": "QID6",
                  "Comments": "QID7_TEXT", "Comments - Topics": "QID7_TEXT_Topics"}
    rows = [
        ["2026-03-03 07:55:00", "2026-03-03 08:00:00", "IP Address", "100", "300", "True", "2026-03-03 08:00:00",
         "R_web1", "anonymous", "EN", "Extremely satisfied", "10 - Extremely likely", "Somewhat agree", "Yes",
         "Great, thanks", "Speed", "6001"],
        # Recorded after the switch to daylight time in New York (2026-03-08 02:00).
        ["2026-03-08 03:20:00", "2026-03-08 03:30:00", "Imported", "100", "600", "True", "2026-03-08 03:30:00",
         "R_web2", "anonymous", "EN", "somewhat  Dissatisfied", "6", "Strongly disagree", "No", "", "", "6002"],
        ["2026-03-03 09:00:00", "2026-03-03 09:01:00", "Survey Preview", "100", "60", "True", "2026-03-03 09:01:00",
         "R_web_preview", "preview", "EN", "Extremely dissatisfied", "0 - Not at all likely", "Strongly disagree",
         "No", "", "", "6001"],
    ]
    return "\ufeff" + csv_text([columns, texts, import_id_row(columns, import_ids, None), *rows], line_end="\r\n")


def legacy_export() -> str:
    """The legacy layout: V1..V10 standard columns, two header rows, codes (Status 1 a preview)."""
    return csv_text([
        ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10", "Q1", "Q2", "CallContactId",
         "LocationLatitude", "LocationLongitude", "LocationAccuracy"],
        ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
         "StartDate", "EndDate", "Finished", "How satisfied are you with our call?", "Was your issue resolved?",
         "CallContactId", "LocationLatitude", "LocationLongitude", "LocationAccuracy"],
        ["R_legacy1", "Default Response Set", "Doe, Jane", "", "jane.doe@example.org", "203.0.113.9", "0",
         "2026-03-04 09:00:00", "2026-03-04 09:05:00", "1", "4", "1", CALL_2, "40.7", "-74.0", "-1"],
        ["R_legacy2", "Default Response Set", "Admin", "", "", "203.0.113.10", "1",
         "2026-03-04 10:00:00", "2026-03-04 10:01:00", "1", "1", "2", CALL_2, "", "", ""],
    ])


def invitation(distribution: str, contact: str, status: str, sent_at: str, response_id: str | None = None,
               completed_at: str | None = None) -> dict:
    """An element of GET /distributions/{id}/history, as Qualtrics' API reference lists its fields."""
    link = f"https://example.qualtrics.com/jfe/form/SV_1abc?Q_DL={distribution}_{contact}&Q_CHL=email"
    return {"contactId": contact, "contactLookupId": "CGC_" + contact[4:], "distributionID": distribution,
            "status": status, "surveyLink": link, "contactFrequencyRuleId": None, "responseId": response_id,
            "responseCompletedAt": completed_at, "sentAt": sent_at,
            "openedAt": "2026-03-02T09:20:00Z" if completed_at else None,
            "responseStartedAt": "2026-03-02T09:25:00Z" if completed_at else None,
            "surveySessionId": "FS_3xyz" if completed_at else None}


def history_pages() -> dict[str, str]:
    """Two pulls of the distribution history: the first pretty-printed, with a next page; the
    second, a day later, under the name a download got, where an invitation comes again answered."""
    first = {"result": {"elements": [
        invitation("EMD_a", "CID_1", "Success", "2026-03-02T09:00:00Z"),
        invitation("EMD_b", "CID_2", "HardBounce", "2026-03-02T09:00:00Z"),
        # A survey that anonymises its responses says so instead of an id.
        invitation("EMD_c", "CID_3", "SurveyFinished", "2026-03-02T09:00:00Z", "Anonymous", "2026-03-02T09:40:00Z"),
    ], "nextPage": "https://example.qualtrics.com/API/v3/distributions/EMD_a/history?skipToken=2"},
        "meta": {"httpStatus": "200 - OK", "requestId": "7a9150e0-08bb-4953-89cf-ef8a157b8aa7"}}
    second = {"result": {"elements": [
        invitation("EMD_a", "CID_1", "SurveyFinished", "2026-03-02T09:00:00Z", "R_real1", "2026-03-02T09:30:00Z"),
        invitation("EMD_d", "CID_4", "Success", "2026-03-03T10:00:00"),  # no zone: which instant?
    ], "nextPage": None}, "meta": {"httpStatus": "200 - OK", "requestId": "27c54e41-6e60-4b1c-9bd2-d64f29f289ba"}}
    return {"2026-03-02/distribution_history.json": json.dumps(first, indent=2),
            "2026-03-03/distribution-history_EMD_a_page2.json": json.dumps(second)}


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    """The project's survey seeds plus the test's two surveys, where the loader reads them."""
    folder = tmp_path_factory.mktemp("seeds")
    for name in SURVEY_SEEDS:
        shutil.copy(REPO / "seeds" / f"{name}.csv", folder / f"{name}.csv")
    with (folder / "survey_question_map.csv").open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(TEST_MAPPINGS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(qualtrics, "SEEDS", folder)
        yield folder


def land(landing: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = landing / "surveys" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


@pytest.fixture(scope="module")
def home(tmp_path_factory, seeds) -> Path:
    """The three exports landed and loaded into a warehouse file, and staged by dbt."""
    home = tmp_path_factory.mktemp("qualtrics_home")
    land(home / "landing", {
        "2026-03-02/Support CSAT_March 2, 2026_12.00.csv": support_csat_export(),
        "2026-03-03/web feedback.csv": web_feedback_export(),
        "2026-03-04/legacy.csv": legacy_export(),
        **history_pages(),
    })
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        load_source(con, home / "landing", "surveys", "run-1")
    run_dbt(home, "seed", "--select", *SURVEY_SEEDS)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:  # dbt seeds the project's rows: add the test's
        con.executemany("insert into seeds.survey_question_map values (?, ?, nullif(?, ''), nullif(?, ''), "
                        "nullif(?, ''), nullif(?, ''))", TEST_MAPPINGS)
    run_dbt(home, "run", "--select", "stg_surveys__responses", "stg_surveys__distribution_history")
    return home


def query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_counted_response_is_staged_with_its_scores_contact_and_utc_time(home):
    staged = {row[0]: row[1:] for row in query(home, """
        select survey_response_id, survey_key, recorded_at, csat_scale, csat_score, nps_score, ces_score,
            is_resolved_answer, comment_text, contact_system, contact_ref
        from staging.stg_surveys__responses""")}
    assert staged == {
        # Berlin (UTC+1 in March) as the ImportId row says, not the account's New York.
        "R_real1": ("support_csat", datetime(2026, 3, 2, 9, 30), "1-5", 5, 9, 6, True, "Quick and kind.\nThanks!",
                    "crm", "5001"),
        "R_real2": ("support_csat", datetime(2026, 3, 2, 22, 10), "1-5", 2, 3, 2, False, None, "telephony", CALL_1),
        # Choice text read through seeds/survey_scales.csv; no zone in the export: the account's
        # (New York: UTC-5, then UTC-4 from 2026-03-08 02:00).
        "R_web1": ("web_feedback", datetime(2026, 3, 3, 13, 0), "1-5", 5, 10, 5, True, "Great, thanks", "crm", "6001"),
        "R_web2": ("web_feedback", datetime(2026, 3, 8, 7, 30), "1-5", 2, 6, 1, False, None, "crm", "6002"),
        # The legacy layout: recorded when submitted (EndDate, V9).
        "R_legacy1": ("phone_followup", datetime(2026, 3, 4, 14, 5), "1-5", 4, None, None, True, None,
                      "telephony", CALL_2),
    }


def test_previews_tests_and_spam_stay_in_raw_and_reach_no_kpi(home):
    raw = dict(query(home, "select ResponseId, Status from raw.surveys_responses"))
    excluded = {"R_preview": "Survey Preview", "R_test": "2", "R_spam": "Spam", "R_web_preview": "Survey Preview",
                "R_legacy2": "1"}
    assert {key: raw[key] for key in excluded} == excluded
    staged = {row[0] for row in query(home, "select survey_response_id from staging.stg_surveys__responses")}
    assert not staged & set(excluded)


def test_a_bad_row_is_rejected_with_its_reason_and_place_and_the_rest_loads(home):
    rejected = {(line, reason.split(":")[0]) for line, reason in query(home, """
        select line_number, reason from audit.rejected_rows
        where source_file = 'surveys/2026-03-02/Support CSAT_March 2, 2026_12.00.csv'""")}
    # Three header rows, and R_real1's comment spans lines 4-5: R_offscale, the 6th record, is on line 10.
    assert rejected == {
        (10, "score out of range"),
        (11, 'field "RecordedDate" is not a date and time (YYYY-MM-DD hh'),
        (12, "malformed CSV row"),
        (13, 'unknown response status "Partial"'),
        (14, 'missing required field "ticket_id or connect_contact_id" (the contact surveyed)'),
        (15, "more than one contact surveyed"),
    }
    lines = dict(query(home, "select ResponseId, _source_line from raw.surveys_responses"))
    assert (lines["R_real1"], lines["R_real2"], lines["R_web1"], lines["R_legacy1"]) == (4, 6, 4, 3)
    logged = query(home, "select source_file, rows_read, rows_loaded, rows_rejected from audit.load_log "
                         "where raw_table = 'surveys_responses' order by 1")
    assert [row[1:] for row in logged] == [(11, 5, 6), (3, 3, 0), (2, 2, 0)]
    for name, rows_read, _, _ in logged:  # the reconciliation check counts the same records again
        assert count_records(home / "landing", name, "surveys") == {"surveys_responses": rows_read}


def test_every_column_is_kept_and_absent_standard_columns_are_null(home):
    rows = {row[0]: row[1:] for row in query(home, """
        select ResponseId, IPAddress, RecipientEmail, RecordedDate, export_timezone, answers, answers_by_import_id
        from raw.surveys_responses""")}
    ip, email, recorded, zone, answers, by_import_id = rows["R_web1"]
    assert (ip, email, zone) == (None, None, None)  # an anonymous survey; no zone named
    assert json.loads(answers)["Comments - Topics"] == "Speed"
    assert json.loads(by_import_id)["QID2"] == "Extremely satisfied"
    ip, email, recorded, zone, answers, by_import_id = rows["R_legacy1"]
    assert (ip, email, recorded, zone, by_import_id) == ("203.0.113.9", "jane.doe@example.org", None, None, None)
    assert json.loads(answers) == {"ResponseSet": "Default Response Set", "Name": "Doe, Jane", "Q1": "4", "Q2": "1",
                                   "CallContactId": CALL_2, "LocationAccuracy": "-1"}
    assert rows["R_real1"][2:4] == ("2026-03-02 10:30:00", "Europe/Berlin")


def test_distribution_history_pages_give_each_invitation_as_far_as_it_got(home):
    staged = query(home, """
        select survey_invitation_id, distribution_status, sent_at, response_completed_at, survey_response_id
        from staging.stg_surveys__distribution_history order by 1""")
    assert staged == [
        ("EMD_a:CID_1", "SurveyFinished", datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 9, 30), "R_real1"),
        ("EMD_b:CID_2", "HardBounce", datetime(2026, 3, 2, 9), None, None),
        ("EMD_c:CID_3", "SurveyFinished", datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 9, 40), None),
    ]
    # The answered invitation leads to its response, and so to the contact surveyed.
    assert query(home, """
        select responses.contact_system, responses.contact_ref
        from staging.stg_surveys__distribution_history as invitations
        inner join staging.stg_surveys__responses as responses using (survey_response_id)""") == [("crm", "5001")]
    assert query(home, """
        select source_file, line_number, record_number, reason from audit.rejected_rows
        where raw_table = 'surveys_distribution_history'""") == [
        ("surveys/2026-03-03/distribution-history_EMD_a_page2.json", 1, 2,
         'timestamp without a timezone: "sentAt" = 2026-03-03T10:00:00')]


def load(tmp_path: Path, text: str, name: str = "2026-03-02/export.csv") -> duckdb.DuckDBPyConnection:
    land(tmp_path / "landing", {name: text})
    con = duckdb.connect()
    load_source(con, tmp_path / "landing", "surveys", "run-1")
    return con


def unread(con) -> dict[str, str]:
    return dict(con.execute("select source_file, reason from audit.unread_files").fetchall())


def test_an_unmapped_survey_gets_one_message_naming_the_file_and_what_to_add(tmp_path, seeds):
    land(tmp_path / "landing", {"2026-03-01/Support CSAT.csv": support_csat_export()})
    con = duckdb.connect()
    load_source(con, tmp_path / "landing", "surveys", "run-1")
    columns = ["StartDate", "EndDate", "Status", "RecordedDate", "ResponseId", "Q1", "Q2", "order_id"]
    response = ["2026-03-02 10:00:00", "2026-03-02 10:01:00", "0", "2026-03-02 10:01:00", "R_1", "5", "4", "A-1"]
    export = csv_text([columns, columns, import_id_row(columns, {"Q1": "QID1", "Q2": "QID2"}, None), response])
    land(tmp_path / "landing", {"2026-03-02/Order survey.csv": export,
                                "2026-03-02/Support CSAT.csv": support_csat_export()})
    load_source(con, tmp_path / "landing", "surveys", "run-2")
    # Listed with what to add to the mapping; the mapped export beside it loads all the same.
    message = unread(con)["surveys/2026-03-02/Order survey.csv"]
    assert message.startswith("a Qualtrics export of a survey csops has no mapping")
    assert "seeds/survey_question_map.csv" in message and "Q1 (QID1), Q2 (QID2), order_id" in message
    assert message.endswith("The closest mapped survey, phone_followup, lacks CallContactId.")
    days = con.execute("select distinct _landing_date::varchar from raw.surveys_responses order by 1").fetchall()
    assert days == [("2026-03-01",), ("2026-03-02",)]
    assert con.execute("select source_file from audit.load_log where landing_date = '2026-03-02'").fetchall() == [
        ("surveys/2026-03-02/Support CSAT.csv",)]
    # Read and listed: the next run does not read it again until it changes (or the mapping is added).
    from csops.orchestration import loading
    assert loading.stale_days(loading.landed_inventory(tmp_path / "landing"), loading.loaded_inventory(con)) == []


def test_a_csv_that_is_no_response_export_is_named_as_such(tmp_path, seeds):
    con = load(tmp_path, "When,Who\n2026-03-02,someone\n")
    assert re.match(r"not a Qualtrics response export: no ResponseId column .*Its columns: When, Who",
                    unread(con)["surveys/2026-03-02/export.csv"])


def test_a_time_zone_no_one_knows_is_named(tmp_path, seeds):
    con = load(tmp_path, support_csat_export().replace("Europe/Berlin", "Mars/Olympus"))
    assert 'time zone as "Mars/Olympus", which is not an IANA time zone' in unread(con)["surveys/2026-03-02/export.csv"]
    assert con.execute("select count(*) from raw.surveys_responses").fetchone() == (0,)


def test_an_empty_export_is_a_day_without_responses(tmp_path, seeds):
    con = load(tmp_path, "")
    assert con.execute("select rows_read from audit.load_log").fetchall() == [(0,)]


def test_the_zip_a_download_comes_in_loads_as_its_export(tmp_path, seeds):
    """Qualtrics' Export Data hands over a ZIP holding the CSV: landed as it comes, it loads."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Support CSAT.csv", support_csat_export())
    landing = tmp_path / "landing"
    (landing / "surveys" / "2026-03-02").mkdir(parents=True)
    (landing / "surveys" / "2026-03-02" / "Support CSAT.zip").write_bytes(buffer.getvalue())
    from_zip = duckdb.connect()
    load_source(from_zip, landing, "surveys", "run-1")
    plain = load(tmp_path / "plain", support_csat_export())
    columns = "ResponseId, RecordedDate, answers"
    assert from_zip.execute(f"select {columns} from raw.surveys_responses order by 1").fetchall() == \
        plain.execute(f"select {columns} from raw.surveys_responses order by 1").fetchall() != []
