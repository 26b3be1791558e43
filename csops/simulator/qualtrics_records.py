"""Qualtrics' exports of the center's survey: the responses CSV download, the distribution
history API's page, and the truth row of each survey."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import orjson

from csops.simulator.exports import JSON_OPTIONS, stable_uuid
from csops.simulator.model import Survey
from csops.simulator.population import Population
from csops.simulator.surveys import preview_of

QUALTRICS_ACCOUNT_TIMEZONE = ZoneInfo("America/New_York")
# The simulated center's survey, as its author built it: the standard columns, five
# questions by QID, and the embedded data the center's triggers set (the Zendesk ticket, or
# the Connect contact, surveyed). seeds/survey_question_map.csv maps it as `support_csat`.
QUALTRICS_STANDARD_COLUMNS = (
    ("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"), ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
)
QUALTRICS_QUESTIONS = (
    ("Q1", "How satisfied are you with the support you received?", "QID1"),
    ("Q2", "How likely are you to recommend us to a friend or colleague?", "QID2"),
    ("Q3", "How easy was it to get your issue handled?", "QID3"),
    ("Q4", "Was your issue resolved?", "QID4"),
    ("Q5_TEXT", "Is there anything else you would like to tell us? - Text", "QID5_TEXT"),
)
# Embedded data: the column, its ImportId and header text are the field's name.
QUALTRICS_EMBEDDED_DATA = ("ticket_id", "connect_contact_id")
QUALTRICS_COLUMNS = tuple(name for name, _, _ in (*QUALTRICS_STANDARD_COLUMNS, *QUALTRICS_QUESTIONS)) + \
    QUALTRICS_EMBEDDED_DATA
# The dates' columns: their ImportId names the zone they are written in.
QUALTRICS_DATE_IMPORT_IDS = ("startDate", "endDate", "recordedDate")


def account_time(moment: datetime) -> str:
    """Qualtrics exports dates in the account's timezone, without a zone."""
    return moment.replace(tzinfo=timezone.utc).astimezone(QUALTRICS_ACCOUNT_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")


def _csv_lines(rows: list[tuple]) -> list[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().splitlines()


def qualtrics_responses(surveys: list[Survey], people: Population) -> list[str]:
    """The day's response export as Qualtrics' CSV download writes it: three header rows (names,
    question texts, ImportIds with the dates' zone), then a row per response, numeric values.
    An admin's preview or test of a survey (csops/simulator/surveys.py) sits beside the real responses."""
    import_ids = [{"ImportId": import_id} for _, _, import_id in (*QUALTRICS_STANDARD_COLUMNS, *QUALTRICS_QUESTIONS)]
    import_ids += [{"ImportId": name} for name in QUALTRICS_EMBEDDED_DATA]
    for import_id in import_ids:
        if import_id["ImportId"] in QUALTRICS_DATE_IMPORT_IDS:
            import_id["timeZone"] = QUALTRICS_ACCOUNT_TIMEZONE.key
    header = [
        QUALTRICS_COLUMNS,
        tuple(text for _, text, _ in (*QUALTRICS_STANDARD_COLUMNS, *QUALTRICS_QUESTIONS)) + QUALTRICS_EMBEDDED_DATA,
        tuple(json.dumps(import_id, separators=(",", ":")) for import_id in import_ids),
    ]
    rows = []
    for survey in surveys:
        customer = people.customers[survey.customer_index]
        recorded = account_time(survey.recorded_at)
        embedded = (survey.contact_ref, "") if survey.contact_system == "crm" else ("", survey.contact_ref)
        standard = (account_time(survey.started_at), recorded, "IP Address", "198.51.100.7", 100,
                    int((survey.recorded_at - survey.started_at).total_seconds()), "True", recorded)
        recipient = (customer.last_name, customer.first_name, customer.email, customer.zendesk_user_id, "", "")
        rows.append((*standard, survey.response_id, *recipient, "email", "EN", survey.csat_score, survey.nps_score,
                     survey.ces_score, 1 if survey.is_resolved_answer else 2, survey.comment, *embedded))
        preview = preview_of(survey)
        if preview is not None:
            # Opened from the ticket to check the trigger: the real contact's embedded data, the
            # lowest scores, and a status that keeps it out of every KPI.
            rows.append((*standard[:2], preview.status, "", 100, standard[5], "True", recorded, preview.response_id,
                         "", "", "", "", "", "", preview.distribution_channel, "EN", 1, 0, 1, 2, "", *embedded))
    return _csv_lines(header + rows)


QUALTRICS_SURVEY_LINK = "https://csops-demo.qualtrics.com/jfe/form/SV_cs0psSupp0rtCsat"


def qualtrics_distribution_history(sent: list[Survey], answered: list[Survey], people: Population) -> list[str]:
    """The invitations whose state moved on this day, as a daily pull of Qualtrics' distribution
    history API returns them: one page ``{"result": {"elements": [...], "nextPage": null}, "meta"}``.
    The center's trigger creates one distribution per contact surveyed, to the customer's
    directory contact; an invitation sent today is delivered (``Success``), and comes again,
    ``SurveyFinished`` with its ``responseId``, the day it is answered."""
    invitations = {id(s): s for s in (*sent, *answered)}.values()
    answered_today = {id(s) for s in answered}
    elements = []
    for survey in sorted(invitations, key=lambda s: (s.sent_at, s.contact_system, s.contact_ref)):
        customer = people.customers[survey.customer_index]
        distribution_id = "EMD_" + _qualtrics_id(f"{survey.contact_system}:{survey.contact_ref}")
        contact_id = "CID_" + _qualtrics_id(f"contact:{customer.zendesk_user_id}")
        finished = id(survey) in answered_today
        elements.append({
            "contactId": contact_id,
            "contactLookupId": "CGC_" + _qualtrics_id(f"lookup:{customer.zendesk_user_id}"),
            "distributionID": distribution_id,
            "status": "SurveyFinished" if finished else "Success",
            "surveyLink": f"{QUALTRICS_SURVEY_LINK}?Q_DL={distribution_id}_{contact_id}&Q_CHL=email",
            "contactFrequencyRuleId": None,
            "responseId": survey.response_id if finished else None,
            "responseCompletedAt": survey.recorded_at if finished else None,
            "sentAt": survey.sent_at,
            "openedAt": max(survey.sent_at, survey.started_at - timedelta(minutes=1)) if finished else None,
            "responseStartedAt": survey.started_at if finished else None,
            "surveySessionId": "FS_" + _qualtrics_id(f"session:{survey.response_id}") if finished else None,
        })
    page = {"result": {"elements": elements, "nextPage": None},
            "meta": {"httpStatus": "200 - OK",
                     "requestId": stable_uuid("history:" + ",".join(e["distributionID"] for e in elements[:1]))}}
    return [orjson.dumps(page, option=JSON_OPTIONS).decode()]


def _qualtrics_id(text: str) -> str:
    """A Qualtrics-looking id body (15 characters), the same for the same text."""
    return hashlib.sha256(text.encode()).hexdigest()[:15]


def survey_truth(survey: Survey) -> dict:
    preview = preview_of(survey)
    return {"response_id": survey.response_id, "contact_system": survey.contact_system,
            "contact_ref": survey.contact_ref, "sent_at": survey.sent_at,
            "recorded_at": survey.recorded_at if survey.recorded_at else None,
            "csat_score": survey.csat_score, "nps_score": survey.nps_score, "ces_score": survey.ces_score,
            "is_resolved_answer": survey.is_resolved_answer, "themes": list(survey.themes),
            "sentiment": survey.sentiment,
            # A preview or test response written beside this one, which no KPI may count.
            "preview_response_id": preview.response_id if preview else None}
