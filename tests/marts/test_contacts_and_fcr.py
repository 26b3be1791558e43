"""Contacts, operational FCR and feedback by team recover what the simulator planted
(KPI_DEFINITIONS.md sections 3, 4 and 5)."""

from __future__ import annotations

import duckdb
import pytest

TRUTH_CONTACTS = """
    create temp table truth_contacts as
    select
        case system when 'crm' then 'crm:' || contact_ref else 'telephony:' || chain_ref end as contact_id,
        system, channel, customer_index, category, contact_at::timestamp as contact_at
    from read_json('{truth}/*/contacts.jsonl', format = 'newline_delimited', union_by_name = true)
    -- Inbound contacts: a call chain that reached a queue, by its first record; a ticket the
    -- customer opened. A call that ended in the IVR (self-service, closed line) is no contact.
    where (system = 'crm' and not coalesce(is_agent_created, false))
        or (system = 'telephony' and contact_ref = chain_ref and outcome not in ('ivr_self_service', 'closed'))
"""


@pytest.fixture(scope="module")
def warehouse(pipeline_home):
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        con.execute(TRUTH_CONTACTS.format(truth=pipeline_home.truth))
        yield con


def test_every_inbound_contact_is_counted_once_with_its_channel(warehouse):
    """Call chains (transfers, callbacks) and customer-opened tickets, as the simulator made them."""
    missing, extra, wrong_channel = warehouse.execute("""
        with inbound as (select * from marts.fct_contacts where is_inbound)
        select
            (select count(*) from truth_contacts anti join inbound using (contact_id)
             where contact_at < (select max(created_at) from inbound) - interval 1 day),
            (select count(*) from inbound anti join truth_contacts using (contact_id)),
            (select count(*) from inbound join truth_contacts using (contact_id) where inbound.channel <> truth_contacts.channel)
    """).fetchone()
    assert (missing, extra, wrong_channel) == (0, 0, 0)


def test_calls_that_ended_in_the_ivr_are_counted_apart_never_as_contacts(warehouse, pipeline_home):
    """KPI_DEFINITIONS.md section 1: a contact is a call offered to a queue; calls that end in the
    IVR are counted apart (self-service), never as offered nor as contacts or FCR repeats."""
    truth_ivr, as_contacts, apart = warehouse.execute(f"""
        with ivr as (
            select 'telephony:' || chain_ref as contact_id, contact_at::timestamp as contact_at
            from read_json('{pipeline_home.truth}/*/contacts.jsonl', format = 'newline_delimited', union_by_name = true)
            where system = 'telephony' and contact_ref = chain_ref and outcome in ('ivr_self_service', 'closed')
        )
        select
            (select count(*) from ivr where contact_at < (select max(created_at) from marts.fct_contacts) - interval 1 day),
            (select count(*) from ivr join marts.fct_contacts using (contact_id)),
            (select sum(ivr_only_call_count) from marts.reconciliation_contacts_daily)
    """).fetchone()
    assert truth_ivr > 50
    assert as_contacts == 0
    assert apart >= truth_ivr
    queue_ivr = warehouse.execute("select sum(ivr_self_service_calls + ivr_closed_calls) "
                                  "from marts.queue_daily_metrics").fetchone()[0]
    assert apart == queue_ivr, "the reconciliation and the queue marts count the same IVR-only calls"


def test_first_contact_resolution_is_unknown_until_the_window_closes(warehouse):
    """is_first_contact_resolved means what it says: null while the FCR window is open."""
    open_known, closed_unknown, closed, still_open = warehouse.execute("""
        select
            count(*) filter (where not is_window_closed and is_first_contact_resolved is not null),
            count(*) filter (where is_window_closed and is_first_contact_resolved is null),
            count(*) filter (where is_window_closed),
            count(*) filter (where not is_window_closed and is_resolved_on_contact)
        from marts.fct_contact_resolutions
    """).fetchone()
    assert closed > 500 and still_open > 50
    assert (open_known, closed_unknown) == (0, 0)


def test_operational_fcr_is_the_contracts_rule_applied_to_the_simulated_customers(warehouse):
    """The truth knows each contact's customer (not a hash of how they typed their phone or
    email) and category: applying the contract's rule to it must give the marts' answer for
    every eligible contact. This holds only if customers are matched across CRM and telephony."""
    eligible, agreeing, mart_rate, truth_rate = warehouse.execute("""
        with eligible as (
            select repeats.contact_id, repeats.window_ends_at, repeats.is_first_contact_resolved,
                truth_contacts.customer_index, truth_contacts.category, truth_contacts.contact_at
            from marts.fct_contact_resolutions as repeats
            join truth_contacts using (contact_id)
            where repeats.is_resolved_on_contact and repeats.is_window_closed
        ),
        expected as (
            select *, not exists (
                select 1 from truth_contacts as later
                where later.customer_index = eligible.customer_index and later.category = eligible.category
                    and later.contact_id <> eligible.contact_id
                    and later.contact_at > eligible.contact_at and later.contact_at <= eligible.window_ends_at
            ) as is_expected_fcr
            from eligible
        )
        select count(*), count(*) filter (where is_first_contact_resolved = is_expected_fcr),
            avg(is_first_contact_resolved::int), avg(is_expected_fcr::int)
        from expected
    """).fetchone()
    assert eligible > 500
    assert agreeing == eligible, f"{eligible - agreeing} contacts disagree"
    assert mart_rate == pytest.approx(truth_rate)
    # The marts' rates add up to the same figure.
    weekly = warehouse.execute("select sum(first_contact_resolved_count) / sum(fcr_eligible_contact_count) "
                               "from marts.fcr_by_channel_week").fetchone()[0]
    assert weekly == pytest.approx(mart_rate)


def test_the_weak_team_resolves_and_pleases_less(warehouse):
    """tier1_west resolves less (x0.72) and pleases less than its sister team tier1_east."""
    fcr = dict(warehouse.execute("""
        select team_key, sum(first_contact_resolved_count) / sum(fcr_eligible_contact_count)
        from marts.fcr_by_team_week where team_key like 'tier1_%' group by all""").fetchall())
    csat = dict(warehouse.execute("""
        select team_key, sum(csat_top2_response_count) / sum(csat_response_count)
        from marts.feedback_by_team_week where team_key like 'tier1_%' group by all""").fetchall())
    assert fcr["tier1_east"] - fcr["tier1_west"] > 0.04, fcr
    assert csat["tier1_east"] - csat["tier1_west"] > 0.10, csat


def test_response_rate_is_the_simulated_one(warehouse, pipeline_home):
    """The simulator answers 30% of surveys sent. Qualtrics' distribution history does not name
    the contact of an unanswered invitation: the center's rate is there, not a channel's."""
    sent, answered = warehouse.execute("select count(*), count(*) filter (where is_responded) "
                                       "from marts.fct_survey_invitations").fetchone()
    assert sent > 500
    assert answered / sent == pytest.approx(0.30, abs=0.04)
    assert warehouse.execute("select count(response_rate) from marts.feedback_by_channel_week").fetchone() == (0,)


def test_agent_and_team_marts_add_up_to_the_facts(warehouse):
    """Per agent and per team (of the day), the activity counts add up to the facts'."""
    facts = warehouse.execute("""
        select
            (select count(*) from marts.fct_contacts where is_inbound and is_handled and agent_id is not null),
            (select count(*) from marts.fct_queue_segments where is_offered and queue_outcome = 'answered')
    """).fetchone()
    for mart in ("agent_performance_daily", "agent_performance_weekly", "team_performance_daily", "team_performance_weekly"):
        assert warehouse.execute(f"select sum(handled_contact_count), sum(answered_calls) from marts.{mart}").fetchone() == facts, mart


def test_the_weak_team_has_more_reopens_and_less_fcr_in_the_team_mart(warehouse):
    rates = dict(warehouse.execute("""
        select team_key, sum(reopened_ticket_count) / sum(solved_at_least_once_ticket_count)
        from marts.team_performance_weekly where team_key like 'tier1_%' group by all""").fetchall())
    assert rates["tier1_west"] > rates["tier1_east"] + 0.03, rates
