"""Records shaped as the vendors document them, written for csops's tests from the vendors'
public documentation (Amazon Connect's contact record data model and agent event stream,
Zendesk's Support API reference, Airbyte's and Singer's protocols, dlt's file layout).
No record here is copied from another project: values are invented, fields are the documented ones.
"""

from __future__ import annotations

import copy

ACCOUNT = "123456789012"
INSTANCE_ARN = f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/0e7a3b52-5cf1-4b33-9e2e-3a6c7d0f4e11"


def contact_record(contact_id: str, *, initiated: str = "2026-02-03T14:00:00Z", channel: str = "VOICE",
                   username: str | None = "Jane.Doe", caller: str = "+15550100123", queue: str | None = "Billing",
                   disconnect_reason: str | None = "CUSTOMER_DISCONNECT", attributes: dict | None = None,
                   initiation_method: str = "INBOUND") -> dict:
    """A complete contact record as Connect's CTR data model documents it (format version 2017-03-10),
    with the fields csops does not read (recordings, media streams, campaign, ...)."""
    day, time = initiated[:10], initiated[11:19]
    hour, minute = int(time[:2]), int(time[3:5])

    def at(minutes: int, seconds: int = 0) -> str:
        total = hour * 3600 + (minute + minutes) * 60 + seconds
        return f"{day}T{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}Z"

    record = {
        "AWSAccountId": ACCOUNT,
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "Agent": None,
        "AgentConnectionAttempts": 1 if username else 0,
        "Attributes": attributes if attributes is not None else {"ivr_intent": "billing", "disposition": "resolved"},
        "Campaign": {"CampaignId": None},
        "Channel": channel,
        "ConnectedToSystemTimestamp": at(0),
        "ContactDetails": {},
        "ContactId": contact_id,
        "CustomerEndpoint": {"Address": caller, "Type": "TELEPHONE_NUMBER"},
        "CustomerVoiceActivity": None,
        "DisconnectReason": disconnect_reason,
        "DisconnectTimestamp": at(6),
        "InitialContactId": None,
        "InitiationMethod": initiation_method,
        "InitiationTimestamp": at(0),
        "InstanceARN": INSTANCE_ARN,
        "LastUpdateTimestamp": at(7),
        "MediaStreams": [{"Type": "AUDIO"}],
        "NextContactId": None,
        "PreviousContactId": None,
        "Queue": None,
        "Recording": None,
        "Recordings": None,
        "References": [],
        "ScheduledTimestamp": None,
        "SystemEndpoint": {"Address": "+15550109999", "Type": "TELEPHONE_NUMBER"},
        "TransferCompletedTimestamp": None,
        "TransferredToEndpoint": None,
        "VoiceIdResult": None,
    }
    if disconnect_reason is None:  # records from before the field existed have no key at all
        del record["DisconnectReason"]
    if queue:
        record["Queue"] = {"ARN": f"{INSTANCE_ARN}/queue/{queue.lower()}", "Name": queue,
                           "EnqueueTimestamp": at(0, 40), "DequeueTimestamp": at(1), "Duration": 20}
    if username and queue:
        record["Agent"] = {
            "ARN": f"{INSTANCE_ARN}/agent/{username.lower()}",
            "Username": username,
            "RoutingProfile": {"ARN": f"{INSTANCE_ARN}/routing-profile/basic", "Name": "Basic Routing Profile"},
            "HierarchyGroups": {"Level1": {"ARN": f"{INSTANCE_ARN}/agent-group/east", "GroupName": "Tier 1 East"},
                                "Level2": None, "Level3": None, "Level4": None, "Level5": None},
            "ConnectedToAgentTimestamp": at(1),
            "AgentInteractionDuration": 270,
            "CustomerHoldDuration": 10,
            "LongestHoldDuration": 10,
            "NumberOfHolds": 1,
            "AfterContactWorkStartTimestamp": at(6),
            "AfterContactWorkEndTimestamp": at(6, 45),
            "AfterContactWorkDuration": 45,
            "DeviceInfo": {"PlatformName": "Chrome", "PlatformVersion": "120", "OperatingSystem": "Windows 10"},
            "AgentPauseDuration": None,
        }
        record["Recording"] = {"DeletionReason": None, "Location": f"connect-recordings/{contact_id}.wav",
                               "Status": "AVAILABLE", "Type": "AUDIO"}
    return record


def zendesk_ticket(ticket_id: int, *, status: str = "open", channel: str = "email", group_id: int | None = 360001,
                   created: str = "2026-02-03T09:00:00Z", updated: str = "2026-02-03T10:00:00Z",
                   priority: str | None = None, ticket_type: str | None = None, rel: str | None = None) -> dict:
    """A ticket as the incremental ticket export returns it (Zendesk Support API, Tickets)."""
    return {
        "url": f"https://example.zendesk.com/api/v2/tickets/{ticket_id}.json",
        "id": ticket_id, "external_id": None,
        "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": rel}},
        "created_at": created, "updated_at": updated, "generated_timestamp": 1770112800,
        "type": ticket_type, "subject": "Where is my refund?", "raw_subject": "Where is my refund?",
        "description": "I was promised a refund last week.", "priority": priority, "status": status,
        "recipient": None, "requester_id": 9001, "submitter_id": 9001, "assignee_id": None,
        "organization_id": None, "group_id": group_id, "collaborator_ids": [], "follower_ids": [],
        "email_cc_ids": [], "forum_topic_id": None, "problem_id": None, "has_incidents": False,
        "is_public": True, "due_at": None, "tags": [], "custom_fields": [], "satisfaction_rating": None,
        "sharing_agreement_ids": [], "custom_status_id": 1, "fields": [], "followup_ids": [],
        "ticket_form_id": 360000100, "brand_id": 360000200, "allow_channelback": False,
        "allow_attachments": True, "from_messaging_channel": False,
    }


def zendesk_user(user_id: int, *, role: str = "agent", email: str = "jane.doe@example.com",
                 name: str = "Jane Doe", phone: str | None = None) -> dict:
    return {"id": user_id, "url": f"https://example.zendesk.com/api/v2/users/{user_id}.json", "name": name,
            "email": email, "created_at": "2025-06-01T09:00:00Z", "updated_at": "2026-02-03T08:00:00Z",
            "time_zone": "Eastern Time (US & Canada)", "iana_time_zone": "America/New_York", "phone": phone,
            "shared_phone_number": None, "photo": None, "locale_id": 1, "locale": "en-US",
            "organization_id": None, "role": role, "verified": True, "external_id": None, "tags": [],
            "alias": None, "active": True, "shared": False, "shared_agent": False, "last_login_at": None,
            "two_factor_auth_enabled": None, "signature": None, "details": None, "notes": None, "role_type": None,
            "custom_role_id": None, "moderator": False, "ticket_restriction": None, "only_private_comments": False,
            "restricted_agent": False, "suspended": False, "default_group_id": None,
            "report_csv": False, "user_fields": {}}


def zendesk_audit(audit_id: int, ticket_id: int, *, created: str = "2026-02-03T10:00:00Z",
                  author_id: int = 7001, events: list | None = None) -> dict:
    return {"id": audit_id, "ticket_id": ticket_id, "created_at": created, "author_id": author_id,
            "metadata": {"system": {"client": "Mozilla/5.0", "ip_address": "198.51.100.20"}, "custom": {}},
            "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
            "events": events if events is not None else [
                {"id": audit_id * 10 + 1, "type": "Comment", "author_id": author_id, "body": "We are on it.",
                 "html_body": "<p>We are on it.</p>", "plain_body": "We are on it.", "public": True,
                 "attachments": [], "audit_id": audit_id},
                {"id": audit_id * 10 + 2, "type": "Change", "field_name": "status", "value": "pending",
                 "previous_value": "open"},
                {"id": audit_id * 10 + 3, "type": "SomethingNew", "detail": "an event type csops does not know"},
            ]}


def with_changes(record: dict, **changes) -> dict:
    copied = copy.deepcopy(record)
    copied.update(changes)
    return copied
