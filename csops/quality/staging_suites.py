"""The staging and intermediate models' suites: keys unique, references resolved, identifiers read.

Staging keeps one version of each record, so a duplicate key there is a bug (error). A
reference that does not resolve (an agent unknown to the CRM, a ticket's group that is
not in the groups export, a survey about a contact not exported yet) leaves the rows
correct but unattributed: reported as a warning, with the unresolved values. The frames
carry ``unresolved_<reference>``: the value when it does not resolve, else null.
Likewise a customer's phone number or email that was exported but no library can read
(``+190011112222``, ``n/a``) leaves its row without a key, so without a customer match:
a warning, never a stopped build. The frames carry ``unreadable_<identifier>``: the raw
row's "file:line" when unreadable (not the value, which is personal data), else null. A
blank or withheld number ("anonymous") is a caller without a number, not a warning.
The frames: csops/orchestration/model_frames.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from csops.quality.severity import ERROR, WARNING, severity_kwargs, unique

if TYPE_CHECKING:
    import great_expectations as gx


def _staging_suite(table: str, key: list[str], warned_unless_null: list[str]) -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    error = severity_kwargs(ERROR)
    return gx.ExpectationSuite(name=table, expectations=[
        gxe.ExpectTableColumnsToMatchSet(column_set=[*key, *warned_unless_null], exact_match=False, **error),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, **error) for column in key),
        unique(key, **error),
        *(gxe.ExpectColumnValuesToBeNull(column=column, **severity_kwargs(WARNING)) for column in warned_unless_null),
    ])


STAGING_KEYS_AND_WARNINGS = {
    "staging.stg_telephony__contact_records": (["contact_record_id"],
                                               ["unresolved_agent_username", "unreadable_customer_phone"]),
    "staging.stg_telephony__agent_events": (["agent_event_id"],
                                            ["unresolved_agent_username", "unmapped_agent_status_name"]),
    "staging.stg_crm__tickets": (["ticket_id"], ["unresolved_group_id", "unresolved_assignee_id"]),
    "staging.stg_crm__users": (["crm_user_id"], ["unreadable_email", "unreadable_phone"]),
    "staging.stg_surveys__responses": (["survey_response_id"], ["unresolved_contact_ref", "withheld_contact_ref",
                                                              "unreadable_recipient_email"]),
}


# --- intermediate: what a model had to bound -----------------------------------------------------
#
# Same shape as staging's: the key, and values that warn unless null. An agent's events that
# stop without a LOGOUT leave the numbers right (the state is ended at the heartbeat timeout),
# but someone should know whose and when.

INTERMEDIATE_KEYS_AND_WARNINGS = {
    "intermediate.int_agent_state_intervals": (["agent_state_interval_id"], ["agent_events_stopped"]),
}


MODEL_SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    table: (lambda table=table, spec=spec: _staging_suite(table, *spec))
    for table, spec in (*STAGING_KEYS_AND_WARNINGS.items(), *INTERMEDIATE_KEYS_AND_WARNINGS.items())
}
