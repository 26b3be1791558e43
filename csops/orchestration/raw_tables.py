"""The raw tables csops loads landed records into, and their explicit types.

Each entry names a source, how its records are recognised (its entity, the streams and file
names that name it, the fields only its records carry: csops/orchestration/loading.py routes by
them), and its columns with DuckDB types. Types are declared, never sniffed: a sniffer that meets one odd file turns
a column into text without a word. Nested vendor objects stay JSON in ``raw`` and are
unpacked once, in staging. Timestamps stay the source's text in ``raw`` (what the vendor
wrote, for the audit trail); the loader checks they carry a timezone and fall between 2000 and
the load. Each JSON column declares what it holds, an object or a list (a column holding
another thing, ``"Agent": "bob"``, would hide every field below it from its checks). The fields
staging reads inside those objects are declared too, by path (``Agent.ConnectedToAgentTimestamp``;
``Contacts[]`` is each element of an array), and checked as the top-level ones are: a field
nobody checks publishes whatever it holds.

Each entry also says what makes a row loadable: the fields it cannot do without, the
timestamps that must name their zone, where its channel is spelled, the ranges of its
scores. A row that fails goes to ``audit.rejected_rows`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass


# The columns every Qualtrics response export may have before its questions (an anonymous
# survey lacks IPAddress, Recipient*, ExternalReference and Location*).
QUALTRICS_STANDARD_COLUMNS = (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
    "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
)


@dataclass(frozen=True)
class RawTable:
    source: str  # crm, telephony, surveys
    entity: str  # tickets, contact_records, ...
    file_name: str  # the entity's usual file name: a name this table's records may be recognised by
    file_format: str  # "jsonl" or "qualtrics_csv" or "csv"
    columns: tuple[tuple[str, str], ...]
    required: tuple[str, ...] = ()  # fields a row cannot be loaded without
    timestamps: tuple[str, ...] = ()  # text fields holding a moment: they must name their timezone
    # What each JSON column holds when it is there, "object" or "list" (column, shape). Null, or
    # no column at all, is for ``required`` to refuse: Connect writes a null Agent and Queue on a
    # contact that never left the IVR.
    json_shapes: tuple[tuple[str, str], ...] = ()
    # Paths into JSON columns: moments (as ``timestamps``), integers (as BIGINT columns),
    # durations and counts (non-negative numbers), and booleans (JSON true or false, as BOOLEAN columns).
    nested_timestamps: tuple[str, ...] = ()
    nested_integers: tuple[str, ...] = ()
    durations: tuple[str, ...] = ()
    nested_booleans: tuple[str, ...] = ()
    channel_field: str | None = None  # JSON path of the channel, checked against seeds/channel_map.csv
    score_ranges: tuple[tuple[str, int, int, str], ...] = ()  # (column, lowest, highest, what it measures)
    # How a delivered record is recognised as this table's (csops/orchestration/deliveries.py): the
    # stream an API page, a connector or a file name gives (besides ``entity``), or else the
    # keys that only this table's records carry.
    streams: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    # Other spellings of a column that real deliveries use (column, spelling): read as the column.
    aliases: tuple[tuple[str, str], ...] = ()

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
        json_shapes=(("via", "object"), ("custom_fields", "list")),
        nested_integers=("custom_fields[].id",),  # stg_crm__tickets finds the category field by it
        channel_field="via.channel", streams=("ticket",), signature=("id", "requester_id", "status")),
    RawTable("crm", "ticket_audits", "ticket_audits.jsonl", "jsonl", (
        ("id", "BIGINT"), ("ticket_id", "BIGINT"), ("created_at", "VARCHAR"), ("author_id", "BIGINT"),
        ("via", "JSON"), ("events", "JSON"),
    ), required=("id", "ticket_id", "created_at", "events"), timestamps=("created_at",),
        json_shapes=(("via", "object"), ("events", "list")),
        # int_ticket_audit_events casts them (a comment's public flag too: DuckDB's cast reads "yes" and 1 as true).
        nested_integers=("events[].id", "events[].author_id"), nested_booleans=("events[].public",),
        streams=("audits", "audit"), signature=("ticket_id", "events")),
    RawTable("crm", "users", "users.jsonl", "jsonl", (
        ("id", "BIGINT"), ("name", "VARCHAR"), ("email", "VARCHAR"), ("phone", "VARCHAR"), ("role", "VARCHAR"),
        ("time_zone", "VARCHAR"), ("active", "BOOLEAN"), ("created_at", "VARCHAR"), ("updated_at", "VARCHAR"),
    ), required=("id", "role"), timestamps=("created_at", "updated_at"), streams=("user",),
        signature=("id", "role")),
    RawTable("crm", "groups", "groups.jsonl", "jsonl", (
        ("id", "BIGINT"), ("name", "VARCHAR"), ("created_at", "VARCHAR"),
    ), required=("id", "name"), timestamps=("created_at",), streams=("group",), signature=("id", "name")),
    RawTable("crm", "group_memberships", "group_memberships.jsonl", "jsonl", (
        ("id", "BIGINT"), ("user_id", "BIGINT"), ("group_id", "BIGINT"), ("default", "BOOLEAN"),
        ("created_at", "VARCHAR"), ("updated_at", "VARCHAR"),
    ), required=("id", "user_id", "group_id"), timestamps=("created_at", "updated_at"),
        streams=("group_membership",), signature=("user_id", "group_id")),
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
        json_shapes=tuple((column, "object") for column in (
            "CustomerEndpoint", "SystemEndpoint", "Queue", "Agent", "Attributes", "TransferredToEndpoint")),
        # What stg_telephony__contact_records and the hierarchy days read, and the rest of Connect's
        # documented Agent timings and counts (a wrong one there says the record is wrong).
        nested_timestamps=("Queue.EnqueueTimestamp", "Queue.DequeueTimestamp", "Agent.ConnectedToAgentTimestamp",
                           "Agent.AfterContactWorkStartTimestamp", "Agent.AfterContactWorkEndTimestamp"),
        durations=("Queue.Duration", "Agent.AgentInteractionDuration", "Agent.CustomerHoldDuration",
                   "Agent.LongestHoldDuration", "Agent.NumberOfHolds", "Agent.AfterContactWorkDuration"),
        channel_field="Channel", streams=("ctr", "contact_record", "contact_trace_records"),
        signature=("ContactId", "InitiationTimestamp")),
    # Connect's agent event stream: one record per event (STATE_CHANGE, HEART_BEAT, LOGIN,
    # LOGOUT), the agent's whole snapshot after it in CurrentAgentSnapshot (null on LOGIN and
    # LOGOUT). PreviousAgentSnapshot is not read: it repeats the agent's previous event's
    # snapshot, and would double the largest raw table.
    RawTable("telephony", "agent_events", "agent_events.jsonl", "jsonl", (
        ("AWSAccountId", "VARCHAR"), ("AgentARN", "VARCHAR"), ("EventId", "VARCHAR"), ("EventTimestamp", "VARCHAR"),
        ("EventType", "VARCHAR"), ("InstanceARN", "VARCHAR"), ("Version", "VARCHAR"), ("CurrentAgentSnapshot", "JSON"),
    ), required=("AgentARN", "EventId", "EventTimestamp", "EventType"), timestamps=("EventTimestamp",),
        json_shapes=(("CurrentAgentSnapshot", "object"),),
        # stg_telephony__agent_events orders an event's contacts by these; the status's start is the same kind.
        nested_timestamps=("CurrentAgentSnapshot.AgentStatus.StartTimestamp",
                           "CurrentAgentSnapshot.Contacts[].StateStartTimestamp",
                           "CurrentAgentSnapshot.Contacts[].ConnectedToAgentTimestamp"),
        streams=("agent_event", "agent_event_stream", "agent_event_streams"),
        signature=("AgentARN", "EventType", "EventTimestamp")),
    # Qualtrics response exports, read by csops/orchestration/qualtrics.py: the standard columns as
    # exported (null where the survey has none), the survey seeds/survey_question_map.csv
    # recognises the file as, the zone the export's ImportId row gives its dates, and every
    # other column (questions, embedded data) by name and by ImportId. All text, as exported:
    # staging reads each mapped answer on its scale.
    RawTable("surveys", "responses", "responses.csv", "qualtrics_csv", (
        *((name, "VARCHAR") for name in QUALTRICS_STANDARD_COLUMNS),
        ("survey_key", "VARCHAR"), ("export_timezone", "VARCHAR"), ("answers", "JSON"),
        ("answers_by_import_id", "JSON"),
    ), required=("ResponseId", "survey_key")),
    # Qualtrics' distribution history, as its API pages it ({"result": {"elements": [...],
    # "nextPage"}, "meta"}): one element per invitation, a distribution to a directory contact,
    # again each time a daily pull finds its status moved on. Timestamps ISO 8601 in UTC.
    RawTable("surveys", "distribution_history", "distribution_history.json", "jsonl", (
        ("contactId", "VARCHAR"), ("contactLookupId", "VARCHAR"), ("distributionID", "VARCHAR"),
        ("status", "VARCHAR"), ("surveyLink", "VARCHAR"), ("contactFrequencyRuleId", "VARCHAR"),
        ("responseId", "VARCHAR"), ("responseCompletedAt", "VARCHAR"), ("sentAt", "VARCHAR"),
        ("openedAt", "VARCHAR"), ("responseStartedAt", "VARCHAR"), ("surveySessionId", "VARCHAR"),
    ), required=("contactId", "distributionID", "status"),
        timestamps=("responseCompletedAt", "sentAt", "openedAt", "responseStartedAt"),
        streams=("distributions", "distribution", "distributionhistory"),
        signature=("contactId", "distributionID", "status"),
        # Qualtrics' reference spells it distributionID; its API's responses say distributionId.
        aliases=(("distributionID", "distributionId"),)),
)


COLUMN_ALIASES: dict[str, tuple[str, ...]] = {}
for _table in RAW_TABLES:
    for _column, _spelling in _table.aliases:
        COLUMN_ALIASES[_column] = (*COLUMN_ALIASES.get(_column, ()), _spelling)


def tables_of(source: str) -> tuple[RawTable, ...]:
    return tuple(table for table in RAW_TABLES if table.source == source)
