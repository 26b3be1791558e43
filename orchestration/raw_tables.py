"""The landed files csops reads, and the explicit types of their raw tables.

Each entry names a source, the file it reads from each landing day, and its columns with
DuckDB types. Types are declared, never sniffed: a sniffer that meets one odd file turns
a column into text without a word. Nested vendor objects stay JSON in ``raw`` and are
unpacked once, in staging.
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
    )),
    RawTable("crm", "ticket_audits", "ticket_audits.jsonl", "jsonl", (
        ("id", "BIGINT"), ("ticket_id", "BIGINT"), ("created_at", "VARCHAR"), ("author_id", "BIGINT"),
        ("via", "JSON"), ("events", "JSON"),
    )),
    RawTable("crm", "users", "users.jsonl", "jsonl", (
        ("id", "BIGINT"), ("name", "VARCHAR"), ("email", "VARCHAR"), ("phone", "VARCHAR"), ("role", "VARCHAR"),
        ("time_zone", "VARCHAR"), ("active", "BOOLEAN"), ("created_at", "VARCHAR"), ("updated_at", "VARCHAR"),
    )),
    RawTable("crm", "groups", "groups.jsonl", "jsonl", (
        ("id", "BIGINT"), ("name", "VARCHAR"), ("created_at", "VARCHAR"),
    )),
    RawTable("crm", "group_memberships", "group_memberships.jsonl", "jsonl", (
        ("id", "BIGINT"), ("user_id", "BIGINT"), ("group_id", "BIGINT"), ("default", "BOOLEAN"),
        ("created_at", "VARCHAR"), ("updated_at", "VARCHAR"),
    )),
    RawTable("telephony", "contact_records", "contact_records.jsonl", "jsonl", (
        ("AWSAccountId", "VARCHAR"), ("ContactId", "VARCHAR"), ("InitialContactId", "VARCHAR"),
        ("PreviousContactId", "VARCHAR"), ("NextContactId", "VARCHAR"), ("Channel", "VARCHAR"),
        ("InitiationMethod", "VARCHAR"), ("InitiationTimestamp", "VARCHAR"),
        ("ConnectedToSystemTimestamp", "VARCHAR"), ("DisconnectTimestamp", "VARCHAR"),
        ("LastUpdateTimestamp", "VARCHAR"), ("DisconnectReason", "VARCHAR"), ("CustomerEndpoint", "JSON"),
        ("SystemEndpoint", "JSON"), ("Queue", "JSON"), ("Agent", "JSON"), ("Attributes", "JSON"),
        ("TransferCompletedTimestamp", "VARCHAR"), ("TransferredToEndpoint", "JSON"),
    )),
    RawTable("telephony", "agent_events", "agent_events.jsonl", "jsonl", (
        ("EventId", "VARCHAR"), ("EventType", "VARCHAR"), ("EventTimestamp", "VARCHAR"), ("Agent", "JSON"),
        ("State", "VARCHAR"), ("ContactId", "VARCHAR"),
    )),
    # Qualtrics: every value is exported as text; staging casts each question to its scale.
    RawTable("surveys", "responses", "responses.csv", "qualtrics_csv", tuple((name, "VARCHAR") for name in (
        "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
        "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
        "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
        "Q1", "Q2", "Q3", "Q4", "Q5_TEXT", "contact_system", "contact_ref",
    ))),
    RawTable("surveys", "distributions", "distributions.csv", "csv", tuple((name, "VARCHAR") for name in (
        "SentDate", "RecipientEmail", "ExternalReference", "contact_system", "contact_ref", "Status",
    ))),
)


def tables_of(source: str) -> tuple[RawTable, ...]:
    return tuple(table for table in RAW_TABLES if table.source == source)
