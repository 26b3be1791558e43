-- Operational FCR per contact (KPI_DEFINITIONS.md section 3). A repeat is another inbound
-- contact by the same customer (matched across systems) about the same issue category,
-- on any channel, made after this contact began and no later than `fcr_window_days` after
-- it ended (its last solve, or the end of the call): a customer who writes again while the
-- ticket is still open has repeated too. A contact whose window is still open at the
-- as-of time is left out of FCR, not counted as a success.
with

contacts as (
    select * from {{ ref('fct_contacts') }} where is_inbound
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

windows as (
    select
        contact_id,
        customer_key,
        issue_category,
        created_at,
        ended_at,
        is_resolved_on_contact,
        ended_at + to_days({{ var('fcr_window_days') }}) as window_ends_at
    from contacts
),

repeats as (
    select
        windows.contact_id,
        count(later.contact_id) as repeat_contact_count,
        min(later.created_at) as first_repeat_at,
        -- Where the customer went next (repeat paths): the earliest repeat; two at the same
        -- second are ordered by id so a rebuild picks the same one.
        arg_min(later.contact_id, (later.created_at, later.contact_id)) as first_repeat_contact_id,
        arg_min(later.channel, (later.created_at, later.contact_id)) as first_repeat_channel
    from windows
    inner join contacts as later
        on later.customer_key = windows.customer_key
        and later.issue_category = windows.issue_category
        and later.contact_id <> windows.contact_id
        and later.created_at > windows.created_at
        and later.created_at <= coalesce(windows.window_ends_at, later.created_at)
    where windows.customer_key is not null
    group by windows.contact_id
),

closed as (
    select
        windows.*,
        -- Only a window that has run out by the as-of time counts, either way: settling a
        -- contact early on a repeat but not on its absence would bias recent days down.
        coalesce(windows.window_ends_at <= as_of.as_of_at, false) as is_window_closed
    from windows
    cross join as_of
),

final as (
    select
        closed.contact_id,
        closed.is_resolved_on_contact,
        closed.window_ends_at,
        coalesce(repeats.repeat_contact_count, 0) as repeat_contact_count,
        repeats.first_repeat_at,
        repeats.first_repeat_contact_id,
        repeats.first_repeat_channel,
        closed.is_window_closed,
        -- The operational FCR denominator, written here once: every FCR mart, the people marts,
        -- training_impact and the app's drill-down read this flag.
        coalesce(closed.is_resolved_on_contact, false) and closed.is_window_closed as is_fcr_eligible,
        -- Known only once the window has run out: null until then, so a contact whose window
        -- is still open never reads as resolved on first contact.
        case when closed.is_window_closed
            then closed.is_resolved_on_contact and repeats.contact_id is null
        end as is_first_contact_resolved
    from closed
    left join repeats
        on closed.contact_id = repeats.contact_id
)

select * from final
