"""Qualtrics response exports as they really arrive damaged (issue 15): each ends loaded,
rejected row by row with its reason and place, or refused with one message naming the file;
never a traceback, never a silent loss, and the recount the reconciliation makes
(count_records) always equals loaded + rejected.

Loader-level, on a real DuckDB: the exports are written in Qualtrics' documented format (three
header rows: names, question texts, an ImportId JSON per column) for the simulator's survey
(support_csat in seeds/survey_question_map.csv), then damaged as files are in the field.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from csops.orchestration.loading import count_records, load_source
from csops.orchestration.qualtrics_csv import split_fields
from tests.orchestration.test_qualtrics import SIMULATOR_SURVEY_COLUMNS, csv_text, import_id_row, \
    simulator_survey_row

IMPORT_IDS = {"Q1": "QID1", "Q2": "QID2", "Q3": "QID3", "Q4": "QID4", "Q5_TEXT": "QID5_TEXT"}
TEXTS = [*SIMULATOR_SURVEY_COLUMNS[:17], "How satisfied are you?", "How likely are you to recommend us?",
         "How easy was it?", "Was your issue resolved?", "Anything else? - Text", "ticket_id", "connect_contact_id"]
Q1, RECORDED, START, END, TICKET, CALL = (SIMULATOR_SURVEY_COLUMNS.index(name) for name in (
    "Q1", "RecordedDate", "StartDate", "EndDate", "ticket_id", "connect_contact_id"))


def names_row() -> str:
    return csv_text([SIMULATOR_SURVEY_COLUMNS])


def metadata_rows(zone: str | None = "Europe/Berlin") -> str:
    return csv_text([TEXTS, import_id_row(SIMULATOR_SURVEY_COLUMNS, IMPORT_IDS, zone)])


def response(response_id: str, **changes: str) -> list[str]:
    """A counted response to ticket 5000 + n, with fields changed by column name."""
    row = simulator_survey_row(response_id, "2026-03-02 10:30:00", ticket="5001")
    for name, value in changes.items():
        row[SIMULATOR_SURVEY_COLUMNS.index(name)] = value
    return row


def export(*rows: list[str], line_end: str = "\n") -> str:
    return csv_text([SIMULATOR_SURVEY_COLUMNS, TEXTS, import_id_row(SIMULATOR_SURVEY_COLUMNS, IMPORT_IDS,
                                                                     "Europe/Berlin"), *rows], line_end)


def load(landing: Path, files: dict[str, str | bytes]) -> duckdb.DuckDBPyConnection:
    for name, content in files.items():
        path = landing / "surveys" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    con = duckdb.connect()
    load_source(con, landing, "surveys", "run-1")
    return con


def loaded(con) -> list[str]:
    return [response_id for response_id, in con.execute(
        "select ResponseId from raw.surveys_responses order by _source_file, _source_record").fetchall()]


def rejected(con) -> list[tuple[int, int, str]]:
    return con.execute("select line_number, record_number, reason from audit.rejected_rows "
                       "order by source_file, record_number").fetchall()


def unread(con) -> dict[str, str]:
    return dict(con.execute("select source_file, reason from audit.unread_files").fetchall())


def assert_reconciles(con, landing: Path) -> None:
    """What the reconciliation check holds: rows in the file (counted again) = read = loaded + rejected."""
    logged = con.execute("""
        select log.source_file, log.rows_read, log.rows_loaded, log.rows_rejected,
            (select count(*) from raw.surveys_responses as r where r._source_file = log.source_file),
            (select count(*) from audit.rejected_rows as j where j.source_file = log.source_file)
        from audit.load_log as log where raw_table = 'surveys_responses'""").fetchall()
    assert logged
    for name, rows_read, rows_loaded, rows_rejected, in_raw, in_rejects in logged:
        counted = count_records(landing, name, "surveys")["surveys_responses"]
        assert counted == rows_read == rows_loaded + rows_rejected == in_raw + in_rejects, name


def test_a_score_in_other_digits_than_ascii_is_rejected_naming_its_column(tmp_path):
    con = load(tmp_path, {"2026-03-02/export.csv": export(
        response("R_ok"), response("R_arabic", Q1="٥"), response("R_fullwidth", Q2="９"), response("R_super", Q1="5²"),
    )})
    assert loaded(con) == ["R_ok"]
    reasons = [reason for _, _, reason in rejected(con)]
    assert reasons[0].startswith('score not in ASCII digits: "Q1" = ٥ (csat, on the 1-5 scale')
    assert reasons[1].startswith('score not in ASCII digits: "Q2" = ９ (nps')
    assert reasons[2].startswith('score not in ASCII digits: "Q1" = 5²')
    assert_reconciles(con, tmp_path)


def test_impossible_and_implausible_dates_are_rejected_in_every_date_column(tmp_path):
    con = load(tmp_path, {"2026-03-02/export.csv": export(
        response("R_feb30", RecordedDate="2026-02-30 10:00:00"),
        response("R_hour", StartDate="2026-03-02 25:00:00"),
        response("R_old", EndDate="1999-12-31 23:59:59"),
        response("R_future", RecordedDate="2099-01-01 00:00:00"),
        response("R_ok"),
    )})
    assert loaded(con) == ["R_ok"]
    reasons = [reason for _, _, reason in rejected(con)]
    assert reasons[0] == 'impossible date: "RecordedDate" = 2026-02-30 10:00:00'
    assert reasons[1] == 'impossible date: "StartDate" = 2026-03-02 25:00:00'
    assert reasons[2] == 'implausible timestamp: "EndDate" = 1999-12-31 23:59:59 (before 2000)'
    assert reasons[3].startswith('implausible timestamp: "RecordedDate" = 2099-01-01 00:00:00 (more than a day after')
    assert_reconciles(con, tmp_path)


def test_an_export_cut_to_its_names_row_loses_no_response_and_reads_its_dates_in_the_surveys_zone(tmp_path):
    whole = export(response("R_day1"))
    cut = csv_text([SIMULATOR_SURVEY_COLUMNS, response("R_first"), response("R_second")])
    no_texts = csv_text([SIMULATOR_SURVEY_COLUMNS, import_id_row(SIMULATOR_SURVEY_COLUMNS, IMPORT_IDS, "Asia/Tokyo"),
                         response("R_third")])
    con = load(tmp_path, {"2026-03-01/whole.csv": whole, "2026-03-02/cut.csv": cut})
    zones = dict(con.execute("select ResponseId, export_timezone from raw.surveys_responses").fetchall())
    # The cut file's dates: in Berlin, as the survey's other export (the one with its ImportId row) says.
    assert zones == {"R_day1": "Europe/Berlin", "R_first": "Europe/Berlin", "R_second": "Europe/Berlin"}
    lines = dict(con.execute("select ResponseId, _source_line from raw.surveys_responses").fetchall())
    assert (lines["R_first"], lines["R_second"]) == (2, 3)
    assert rejected(con) == [] and unread(con) == {}
    assert_reconciles(con, tmp_path)
    # Only the question texts missing: the ImportId row is read as such, and names the zone.
    alone = load(tmp_path / "alone", {"2026-03-03/no texts.csv": no_texts})
    assert alone.execute("select ResponseId, export_timezone, _source_line from raw.surveys_responses").fetchall() == [
        ("R_third", "Asia/Tokyo", 3)]
    assert_reconciles(alone, tmp_path / "alone")


def test_an_export_cut_to_its_names_row_is_refused_when_the_surveys_exports_disagree_on_the_zone(tmp_path):
    con = load(tmp_path, {"2026-03-01/berlin.csv": export(response("R_1")),
                          "2026-03-02/tokyo.csv": export(response("R_2")).replace("Europe/Berlin", "Asia/Tokyo"),
                          "2026-03-03/cut.csv": csv_text([SIMULATOR_SURVEY_COLUMNS, response("R_3")])})
    message = unread(con)["surveys/2026-03-03/cut.csv"]
    assert "\n" not in message and message.startswith("no ImportId row under its column names")
    assert "Europe/Berlin (surveys/2026-03-01/berlin.csv)" in message and "Asia/Tokyo" in message
    assert sorted(loaded(con)) == ["R_1", "R_2"]


def test_an_unterminated_quote_is_rejected_alone_and_the_responses_after_it_load(tmp_path):
    lines = export(response("R_multiline", Q5_TEXT="Quick.\n\nAnd kind, thanks!"), response("R_broken"),
                   response("R_after1"), response("R_after2", Q5_TEXT='Said "fine", then left'),
                   response("R_after3")).split("\n")
    broken = next(i for i, line in enumerate(lines) if "R_broken" in line)
    lines[broken] = lines[broken].replace(",,5001,", ',"Great service,5001,')  # the quote never closes
    text = "\n".join(lines)
    con = load(tmp_path, {"2026-03-02/export.csv": text,
                          "2026-03-03/export.csv": text.rstrip("\n") + ',"never closed\n'})
    assert loaded(con) == ["R_multiline", "R_after1", "R_after2", "R_after3", "R_multiline", "R_after1", "R_after2"]
    comments = {json.loads(answers)["Q5_TEXT"]
                for answers, in con.execute("select answers from raw.surveys_responses").fetchall()}
    assert comments >= {"Quick.\n\nAnd kind, thanks!", 'Said "fine", then left'}
    assert rejected(con) == [
        (7, 2, "malformed CSV row: a quoted field opened on line 7 is not closed before line 8, where the next "
               "response starts (an unterminated quote)"),
        (7, 2, "malformed CSV row: a quoted field opened on line 7 is not closed before line 8, where the next "
               "response starts (an unterminated quote)"),
        (10, 5, "malformed CSV row: a quoted field opened on line 10 is not closed before the end of the file "
                "(an unterminated quote)"),
    ]
    raw = con.execute("select raw_text from audit.rejected_rows order by source_file, record_number").fetchall()
    assert "R_broken" in raw[0][0] and "R_after1" not in raw[0][0]
    assert_reconciles(con, tmp_path)


def test_rows_that_are_not_utf8_are_rejected_one_by_one_and_the_others_load(tmp_path):
    header = export().encode("utf-8").replace(b"How easy was it?", "¿Fue fácil?".encode("cp1252"))
    rows = csv_text([response("R_ascii"), response("R_1252", Q5_TEXT="Très bien, merci"), response("R_after")])
    con = load(tmp_path, {"2026-03-02/export.csv": header + rows.encode("cp1252"),
                          "2026-03-03/names.csv": "StartDate,Réponse,ResponseId\n".encode("cp1252")})
    assert loaded(con) == ["R_ascii", "R_after"]
    ((line, number, reason, raw_text),) = con.execute(
        "select line_number, record_number, reason, raw_text from audit.rejected_rows").fetchall()
    assert (line, number) == (5, 2) and reason.startswith("not UTF-8: byte 0xe8")
    assert "Tr\ufffds bien" in raw_text
    # Column names that are not UTF-8: the file is refused, naming the row and the byte.
    assert unread(con)["surveys/2026-03-03/names.csv"].startswith(
        "its row of column names (line 1) is not UTF-8: byte 0xe9")
    assert_reconciles(con, tmp_path)


def test_a_comment_longer_than_the_csv_modules_field_limit_loads(tmp_path):
    comment = "The agent was great. " * 10_300  # 216 KB
    con = load(tmp_path, {"2026-03-02/export.csv": export(response("R_long", Q5_TEXT=comment), response("R_next"))})
    assert loaded(con) == ["R_long", "R_next"]
    assert con.execute("select length(answers->>'Q5_TEXT') from raw.surveys_responses "
                       "where ResponseId = 'R_long'").fetchone() == (len(comment),)
    assert_reconciles(con, tmp_path)


def zipped(text: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Support CSAT.csv", text)
    return buffer.getvalue()


def test_a_byte_order_mark_is_read_as_what_it_is_however_the_export_is_packed(tmp_path):
    text = export(response("R_1"), response("R_2", Q5_TEXT="Schön"))
    bom = "\ufeff".encode("utf-8")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(csv.reader(io.StringIO(text)))
    tsv = buffer.getvalue()
    con = load(tmp_path, {
        "2026-03-02/plain.csv": bom + text.encode("utf-8"),
        "2026-03-03/download.zip": zipped(bom + text.encode("utf-8")),
        "2026-03-04/firehose.csv.gz": gzip.compress(bom + text.encode("utf-8")),
        "2026-03-05/saved twice.csv": bom + bom + text.encode("utf-8"),
        "2026-03-06/unicode text.csv": text.encode("utf-16"),  # Excel's "Unicode text": UTF-16 with its mark
        "2026-03-07/export.tsv": b"\xff\xfe" + tsv.encode("utf-16-le"),  # Qualtrics' TSV download
    })
    assert unread(con) == {} and rejected(con) == []
    assert loaded(con) == ["R_1", "R_2"] * 6
    comments = con.execute("select distinct answers->>'Q5_TEXT' from raw.surveys_responses order by 1").fetchall()
    assert comments == [("",), ("Schön",)]
    assert_reconciles(con, tmp_path)


def test_a_header_that_differs_by_invisible_characters_is_refused_showing_them(tmp_path):
    hidden = export(response("R_1")).replace("ResponseId", "Response\u200bId", 1)
    # With no ImportId row to find it by, a contact column whose name hides a zero-width space.
    spaced = csv_text([SIMULATOR_SURVEY_COLUMNS, response("R_1")]).replace(",ticket_id,", ",ticket\u200b_id,", 1)
    con = load(tmp_path, {"2026-03-02/hidden.csv": hidden, "2026-03-03/spaced.csv": spaced})
    messages = unread(con)
    assert messages["surveys/2026-03-02/hidden.csv"].startswith(
        "not a Qualtrics response export: no ResponseId column (V1 in the legacy layout) (it has 'Response\\u200bId'")
    assert "'Response\\u200bId'" in messages["surveys/2026-03-02/hidden.csv"].split("Its columns: ")[1]
    assert messages["surveys/2026-03-03/spaced.csv"].endswith(
        "lacks ticket_id (it has 'ticket\\u200b_id': invisible characters or spacing differ).")


def test_blank_and_whitespace_lines_are_no_responses_when_read_or_recounted(tmp_path):
    lines = export(response("R_1"), response("R_2", Q5_TEXT="Line one\r\n\r\nline three"), response("R_3"),
                   line_end="\r\n").split("\r\n")
    lines.insert(4, "")
    lines.insert(8, "   \t")
    lines += ["", " ", ",,,,", ""]
    con = load(tmp_path, {"2026-03-02/export.csv": "\r\n".join(lines)})
    assert loaded(con) == ["R_1", "R_2", "R_3"] and rejected(con) == []
    assert dict(con.execute("select ResponseId, _source_line from raw.surveys_responses").fetchall()) == {
        "R_1": 4, "R_2": 6, "R_3": 10}
    assert con.execute("select answers->>'Q5_TEXT' from raw.surveys_responses where ResponseId = 'R_2'").fetchone() == (
        "Line one\n\nline three",)
    assert_reconciles(con, tmp_path)


def test_contact_details_typed_into_scores_or_contact_fields_stay_out_of_reasons(tmp_path):
    con = load(tmp_path, {"2026-03-02/export.csv": export(
        response("R_email", Q1="jane.doe@example.org"),
        response("R_phone", connect_contact_id="+1 (555) 010-9999"),
        response("R_status", Status="call me 0612345678"),
    )})
    reasons = [reason for _, _, reason in rejected(con)]
    assert reasons[0].startswith('score out of range: "Q1" = [email] (csat')
    assert reasons[1].startswith('more than one contact surveyed: "ticket_id" = 5001, "connect_contact_id" = [phone]')
    assert reasons[2].startswith('unknown response status "call me [phone]"')
    assert not any(secret in " ".join(reasons) for secret in ("jane", "555", "0612345678"))


def test_what_staging_would_not_read_is_rejected_not_published_as_null(tmp_path):
    """The load accepts an answer or a status only as staging matches them (trimmed of spaces,
    ASCII whitespace collapsed for answers, lower case): else the KPI would silently lose it."""
    con = load(tmp_path, {"2026-03-02/export.csv": export(
        response("R_spaced", Q1=" 5 "), response("R_nbsp", Q1="\u00a05"), response("R_status", Status="survey preview"),
        response("R_status_spaced", Status="Survey  Preview"), response("R_no_recorded", RecordedDate=""),
    )})
    assert loaded(con) == ["R_spaced", "R_status"]
    reasons = [reason for _, _, reason in rejected(con)]
    assert reasons[0].startswith("""score out of range: "Q1" = '\\xa05'""")
    assert reasons[1].startswith('unknown response status "Survey  Preview"')
    assert reasons[2] == 'missing required field "RecordedDate"'


@pytest.mark.parametrize("line", [
    'a,"b,c",d', '"a ""quoted"" word",b', '"closed"tail,x', 'x "not opened",y', ',,', '"",""', 'a,"multi\nline",b',
    '"unclosed,a', 'é,"ü",\t',
])
def test_fields_split_as_the_csv_module_splits_them(line):
    assert split_fields(line, ",") == next(csv.reader(io.StringIO(line, newline="")))
