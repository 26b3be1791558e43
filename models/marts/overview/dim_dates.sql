-- Every day the warehouse reports on (reporting timezone), from the first contact to the as-of
-- time, with the week (ISO, from Monday) and weekday the marts group by.
with

bounds as (
    select
        min(contact_date) as first_date,
        greatest(max(contact_date), max({{ reporting_date('as_of.as_of_at') }})) as last_date
    from {{ ref('fct_contacts') }}
    cross join {{ ref('int_as_of') }} as as_of
),

days as (
    select unnest(generate_series(first_date, last_date, interval 1 day))::date as calendar_date
    from bounds
),

final as (
    select
        calendar_date,
        date_trunc('week', calendar_date)::date as week_start_date,
        date_trunc('month', calendar_date)::date as month_start_date,
        isodow(calendar_date)::integer as iso_weekday,
        dayname(calendar_date) as weekday_name,
        isodow(calendar_date) >= 6 as is_weekend
    from days
)

select * from final
