"""The landed files csops reads, and the explicit types of their raw tables.

Each entry names a source, the file it reads from each landing day, and its columns with
DuckDB types. Types are declared, never sniffed: a sniffer that meets one odd file turns
a column into text without a word. Nested vendor objects stay JSON in ``raw`` and are
unpacked once, in staging. Timestamps stay the source's text in ``raw`` (what the vendor
wrote, for the audit trail); the loader checks they carry a timezone.

Each entry also says what makes a row loadable: the fields it cannot do without, the
timestamps that must name their zone, where its channel is spelled, the ranges of its
scores. A row that fails goes to ``audit.rejected_rows`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawTable:
    source: str  # crm, telephony, surveys
    entity: str  # tickets, contact_records, ...
    file_name: str  # the file of that entity in each landing/<source>/<day>/ folder
    file_format: str  # "jsonl" or "qualtrics_csv" or "csv"
    columns: tuple[tuple[str, str], ...]
    required: tuple[str, ...] = ()  # fields a row cannot be loaded without
    timestamps: tuple[str, ...] = ()  # text fields holding a moment: they must name their timezone
    channel_field: str | None = None  # JSON path of the channel, checked against seeds/channel_map.csv
    score_ranges: tuple[tuple[str, int, int, str], ...] = ()  # (column, lowest, highest, what it measures)

    @property
    def table_name(self) -> str:
        return f"{self.source}_{self.entity}"


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable("crm", "tickets", "tickets.jsonl", "jsonl", (
        ("id", "BIGINT"), ("created_at", "VARCHAR"), ("updated_at", "VARCHAR"), ("status", "VARCHAR"),
        ("priority", "VARCHAR"), ("type", "VARCHAR"), ("subject", "VARCHAR"), ("via", "JSON"),
        ("requester_id", "BIGINT"), ("submitter_id", "BIGINT"), ("assignee_id", "BIGINT"),
        ("group_id", "BIGINT"), ("organization_id", "BIGINT"), ("brand_id", "BIGINT"),
        ("tags", "VARCHAR[]"), ("custom_fields", "JSON"),
    ), required=("id", "created_at", "updated_at", "status"), timestamps=("created_at", "updated_at"),
        channel_field="via.channel"),
    RawTable("crm", "ticket_audits", "ticket_audits.jsonl", "jsonl", (
        ("id", "BIGINT"), ("ticket_id", "BIGINT"), ("created_at", "VARCHAR"), ("author_id", "BIGINT"),
        ("via", "JSON"), ("events", "JSON"),
    ), required=("id", "ticket_id", "created_at", "events"), timestamps=("created_at",)),
    RawTable("crm", "users", "users.jsonl", "jsonl", (
        ("id", "BIGINT"), ("name", "VARCHAR"), ("email", "VARCHAR"), ("phone", "VARCHAR"), ("role", "VARCHAR"),
        ("time_zone", "VARCHAR"), ("active", "BOOLEAN"), ("created_at", "VARCHAR"), ("updated_at", "VARCHAR"),
    ), required=("id", "role"), timestamps=("created_at", "updated_at")),
    RawTable("crm", "groups", "groups.jsonl", "jsonl", (
        ("id", "BIGINT"), ("name", "VARCHAR"), ("created_at", "VARCHAR"),
    ), required=("id", "name"), timestamps=("created_at",)),
    RawTable("crm", "group_memberships", "group_memberships.jsonl", "jsonl", (
        ("id", "BIGINT"), ("user_id", "BIGINT"), ("group_id", "BIGINT"), ("default", "BOOLEAN"),
        ("created_at", "VARCHAR"), ("updated_at", "VARCHAR"),
    ), required=("id", "user_id", "group_id"), timestamps=("created_at", "updated_at")),
    RawTable("telephony", "contact_records", "contact_records.jsonl", "jsonl", (
        ("AWSAccountId", "VARCHAR"), ("ContactId", "VARCHAR"), ("InitialContactId", "VARCHAR"),
        ("PreviousContactId", "VARCHAR"), ("NextContactId", "VARCHAR"), ("Channel", "VARCHAR"),
        ("InitiationMethod", "VARCHAR"), ("InitiationTimestamp", "VARCHAR"),
        ("ConnectedToSystemTimestamp", "VARCHAR"), ("DisconnectTimestamp", "VARCHAR"),
        ("LastUpdateTimestamp", "VARCHAR"), ("DisconnectReason", "VARCHAR"), ("CustomerEndpoint", "JSON"),
        ("SystemEndpoint", "JSON"), ("Queue", "JSON"), ("Agent", "JSON"), ("Attributes", "JSON"),
        ("TransferCompletedTimestamp", "VARCHAR"), ("TransferredToEndpoint", "JSON"),
    ), required=("ContactId", "Channel", "InitiationMethod", "InitiationTimestamp", "LastUpdateTimestamp"),
        timestamps=("InitiationTimestamp", "ConnectedToSystemTimestamp", "DisconnectTimestamp", "LastUpdateTimestamp",
                    "TransferCompletedTimestamp"),
        channel_field="Channel"),
    RawTable("telephony", "agent_events", "agent_events.jsonl", "jsonl", (
        ("EventId", "VARCHAR"), ("EventType", "VARCHAR"), ("EventTimestamp", "VARCHAR"), ("Agent", "JSON"),
        ("State", "VARCHAR"), ("ContactId", "VARCHAR"),
    ), required=("EventId", "EventTimestamp", "Agent", "State"), timestamps=("EventTimestamp",)),
    # Qualtrics: every value is exported as text; staging casts each question to its scale.
    RawTable("surveys", "responses", "responses.csv", "qualtrics_csv", tuple((name, "VARCHAR") for name in (
        "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
        "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
        "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
        "Q1", "Q2", "Q3", "Q4", "Q5_TEXT", "contact_system", "contact_ref",
    )), required=("ResponseId", "RecordedDate", "contact_system", "contact_ref"),
        score_ranges=(("Q1", 1, 5, "CSAT"), ("Q2", 0, 10, "NPS"), ("Q3", 1, 7, "CES"), ("Q4", 1, 2, "resolved, 1 yes 2 no"))),
    RawTable("surveys", "distributions", "distributions.csv", "csv", tuple((name, "VARCHAR") for name in (
        "SentDate", "RecipientEmail", "ExternalReference", "contact_system", "contact_ref", "Status",
    )), required=("SentDate", "contact_system", "contact_ref")),
)


def tables_of(source: str) -> tuple[RawTable, ...]:
    return tuple(table for table in RAW_TABLES if table.source == source)
