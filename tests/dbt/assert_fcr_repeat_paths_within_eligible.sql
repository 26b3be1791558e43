-- Repeat paths (fcr_repeat_paths_weekly): no path holds more contacts than the group's
-- repeated total, the repeated total is no more than the eligible contacts, and the paths of
-- a group add up to its repeated total. Returns the offending groups.
with

paths as (
    select * from {{ ref('fcr_repeat_paths_weekly') }}
),

groups as (
    select
        week_start_date,
        channel,
        issue_category,
        sum(repeat_contact_count) as summed_repeat_contact_count,
        min(group_repeat_contact_count) as group_repeat_contact_count,
        max(group_repeat_contact_count) as group_repeat_contact_count_max,
        min(fcr_eligible_contact_count) as fcr_eligible_contact_count,
        bool_or(repeat_contact_count > fcr_eligible_contact_count) as has_path_above_eligible
    from paths
    group by all
)

select *
from groups
where has_path_above_eligible
    or group_repeat_contact_count > fcr_eligible_contact_count
    or group_repeat_contact_count <> group_repeat_contact_count_max
    or summed_repeat_contact_count <> group_repeat_contact_count
