-- Repeat contacts and where customers went next (KPI_DEFINITIONS.md section 3). The repeats
-- come from fct_contact_resolutions, so the window logic exists once: a contact "had a
-- repeat" here exactly when it is FCR-eligible (fct_contact_resolutions.is_fcr_eligible) and
-- not first-contact resolved, which keeps repeat_rate = 1 - operational FCR of the same group.
with

contacts as (
    -- Whether a contact was resolved on contact comes with its resolution.
    select contact_id, contact_date, channel, issue_category from {{ ref('fct_contacts') }}
    where is_inbound
),

resolutions as (
    select * from {{ ref('fct_contact_resolutions') }}
),

classified as (
    -- ISO weeks from Monday, by the first contact's date in the reporting timezone, as
    -- fcr_by_channel_week.
    select
        date_trunc('week', contacts.contact_date)::date as week_start_date,
        contacts.channel,
        contacts.issue_category,
        resolutions.* exclude (contact_id),
        resolutions.is_fcr_eligible and resolutions.first_repeat_contact_id is not null as is_repeated
    from contacts
    inner join resolutions
        on contacts.contact_id = resolutions.contact_id
),

groups as (
    -- The FCR counts of fcr_by_channel_week, at this grain, and the repeated contacts.
    select
        week_start_date,
        channel,
        issue_category,
        {{ operational_fcr_counts() }},
        count(*) filter (where is_repeated) as group_repeat_contact_count
    from classified
    group by all
),

paths as (
    select
        week_start_date,
        channel,
        issue_category,
        first_repeat_channel as next_channel,
        count(*) as repeat_contact_count
    from classified
    where is_repeated
    group by all
),

final as (
    -- A group without any repeat keeps one row (next_channel null, 0 repeats) so its
    -- eligible count, and its repeat rate of 0, still reach the app.
    select
        groups.week_start_date,
        groups.channel,
        groups.issue_category,
        paths.next_channel,
        coalesce(paths.repeat_contact_count, 0) as repeat_contact_count,
        groups.group_repeat_contact_count,
        groups.fcr_eligible_contact_count,
        groups.inbound_contact_count,
        groups.window_open_contact_count,
        groups.group_repeat_contact_count / nullif(groups.fcr_eligible_contact_count, 0) as repeat_rate,
        coalesce(paths.repeat_contact_count, 0) / nullif(groups.fcr_eligible_contact_count, 0)
            as next_channel_repeat_rate,
        paths.repeat_contact_count / nullif(groups.group_repeat_contact_count, 0) as next_channel_share_rate,
        {{ var('fcr_window_days') }}::integer as fcr_window_days
    from groups
    left join paths
        on groups.week_start_date = paths.week_start_date
        and groups.channel = paths.channel
        and groups.issue_category is not distinct from paths.issue_category
)

select * from final
