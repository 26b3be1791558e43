"""Repeat-contact paths (fcr_repeat_paths_weekly) agree with operational FCR and with the
customers the simulator planted (KPI_DEFINITIONS.md section 3)."""

from __future__ import annotations

# The simulator's inbound contacts beside the warehouse: the fixture the contacts' tests use.
from tests.marts.test_contacts_and_fcr import warehouse  # noqa: F401  (a pytest fixture)


def test_paths_add_up_to_the_contacts_that_were_not_resolved_first_time(warehouse):
    """Per (week, channel), the repeated contacts summed over category and next channel are
    eligible - first-contact resolved of fcr_by_channel_week, and the eligible counts agree:
    repeat_rate is 1 - operational FCR, counted once."""
    rows = warehouse.execute("""
        with paths as (
            select week_start_date, channel, sum(repeat_contact_count) as repeated
            from marts.fcr_repeat_paths_weekly
            group by all
        ),
        eligible as (
            -- The eligible count is repeated on every next_channel row of its group.
            select week_start_date, channel, sum(fcr_eligible_contact_count) as eligible
            from (select distinct week_start_date, channel, issue_category, fcr_eligible_contact_count
                  from marts.fcr_repeat_paths_weekly)
            group by all
        ),
        fcr as (
            select week_start_date, channel, fcr_eligible_contact_count,
                fcr_eligible_contact_count - first_contact_resolved_count as not_first_contact_resolved
            from marts.fcr_by_channel_week
            where inbound_contact_count > 0
        )
        select
            coalesce(fcr.week_start_date, paths.week_start_date) as week_start_date,
            coalesce(fcr.channel, paths.channel) as channel,
            fcr.not_first_contact_resolved, paths.repeated,
            fcr.fcr_eligible_contact_count, eligible.eligible
        from fcr
        full outer join paths using (week_start_date, channel)
        left join eligible on eligible.week_start_date = paths.week_start_date and eligible.channel = paths.channel
        order by all
    """).fetchall()
    assert sum(row[2] or 0 for row in rows) > 100, "too few repeated contacts to prove anything"
    mismatched = [row for row in rows if row[2] != row[3] or row[4] != row[5]]
    assert not mismatched, mismatched


def test_repeat_rate_is_one_minus_operational_fcr(warehouse):
    """On every group with eligible contacts, computed from fct_contact_resolutions directly."""
    disagreeing, groups = warehouse.execute("""
        with expected as (
            select date_trunc('week', contacts.contact_date)::date as week_start_date,
                contacts.channel, contacts.issue_category,
                1 - avg(resolutions.is_first_contact_resolved::int) as expected_repeat_rate
            from marts.fct_contacts as contacts
            join marts.fct_contact_resolutions as resolutions using (contact_id)
            where contacts.is_inbound and resolutions.is_resolved_on_contact and resolutions.is_window_closed
            group by all
        ),
        marts as (
            select distinct week_start_date, channel, issue_category, repeat_rate
            from marts.fcr_repeat_paths_weekly
            where fcr_eligible_contact_count > 0
        )
        select count(*) filter (where abs(expected_repeat_rate - repeat_rate) > 1e-12 or repeat_rate is null),
            count(*)
        from expected
        full outer join marts using (week_start_date, channel, issue_category)
    """).fetchone()
    assert groups > 10
    assert disagreeing == 0


def test_next_channel_is_where_the_simulated_customer_went_next(warehouse):
    """The truth knows each contact's customer and category: the earliest later contact about
    the same category within the window must be on the mart's first-repeat channel."""
    repeated, agreeing = warehouse.execute("""
        with repeated as (
            select resolutions.contact_id, resolutions.window_ends_at, resolutions.first_repeat_channel,
                truth_contacts.customer_index, truth_contacts.category, truth_contacts.contact_at
            from marts.fct_contact_resolutions as resolutions
            join truth_contacts using (contact_id)
            where resolutions.is_resolved_on_contact and resolutions.is_window_closed
                and resolutions.first_repeat_contact_id is not null
        ),
        later as (
            select repeated.contact_id, repeated.first_repeat_channel, later.channel, later.contact_at
            from repeated
            join truth_contacts as later
                on later.customer_index = repeated.customer_index and later.category = repeated.category
                and later.contact_id <> repeated.contact_id
                and later.contact_at > repeated.contact_at and later.contact_at <= repeated.window_ends_at
        ),
        earliest as (
            select * from later
            qualify contact_at = min(contact_at) over (partition by contact_id)
        ),
        first_later as (
            -- Every channel reached at the earliest second: a tie may go either way.
            select contact_id, any_value(first_repeat_channel) as first_repeat_channel,
                list(channel) as first_channels
            from earliest
            group by contact_id
        )
        select
            (select count(*) from repeated),
            count(*) filter (where list_contains(first_channels, first_repeat_channel))
        from first_later
    """).fetchone()
    assert repeated > 50
    assert agreeing == repeated, f"{repeated - agreeing} first repeats on another channel than the simulated one"
