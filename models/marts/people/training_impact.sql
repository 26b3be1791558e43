-- Training impact (KPI_DEFINITIONS.md section 5): for each training cohort (a training and
-- its completion date, from the manager's log), each KPI per agent over the
-- `training_window_weeks` before and after the completion date; the trained agents' change
-- against the change of agents without that training over the same weeks (difference in
-- differences), with the number of agents on each side and a 95% interval (Welch's, on the
-- agents' changes: an agent is the unit, so a busy agent does not count for many).
-- Not shown (`is_shown` false, every estimate null) for fewer than `training_min_agents`
-- trained agents.
{%- set window_weeks = var('training_window_weeks') %}
with

training_log as (
    select * from {{ ref('stg_manager__training_log') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

cohorts as (
    select
        training_log.training_name,
        training_log.completed_on::date as completed_on,
        training_log.completed_on::date - to_weeks({{ window_weeks }}) as window_starts_on,
        training_log.completed_on::date + to_weeks({{ window_weeks }}) as window_ends_on
    from training_log
    inner join agents
        on training_log.agent_username = agents.agent_username
    group by all
),

-- One row per observation of a KPI by an agent on a day: a numerator over a denominator,
-- read from the facts that define each KPI.
observations as (
    select
        agents.agent_id,
        segments.queue_date as activity_date,
        'aht_seconds' as kpi,
        segments.handle_seconds::double as numerator,
        1 as denominator
    from {{ ref('fct_queue_segments') }} as segments
    inner join agents
        on segments.connect_agent_username = agents.agent_username
    where segments.is_offered and segments.is_answered

    union all

    select
        contacts.agent_id,
        contacts.contact_date,
        'operational_fcr_rate',
        repeats.is_first_contact_resolved::int,
        1
    from {{ ref('fct_contacts') }} as contacts
    inner join {{ ref('fct_contact_resolutions') }} as repeats
        on contacts.contact_id = repeats.contact_id
    where repeats.is_fcr_eligible and contacts.agent_id is not null

    union all

    select
        agent_id,
        contact_date,
        'csat_top2_rate',
        is_csat_top2::int,
        1
    from {{ ref('fct_survey_responses') }}
    where is_contact_matched and is_csat_top2 is not null and agent_id is not null
),

agent_periods as (
    select
        cohorts.training_name,
        cohorts.completed_on,
        observations.agent_id,
        observations.kpi,
        sum(observations.numerator) filter (where observations.activity_date < cohorts.completed_on)
            / nullif(sum(observations.denominator) filter (where observations.activity_date < cohorts.completed_on), 0)
            as before_value,
        sum(observations.numerator) filter (where observations.activity_date >= cohorts.completed_on)
            / nullif(sum(observations.denominator) filter (where observations.activity_date >= cohorts.completed_on), 0)
            as after_value
    from cohorts
    inner join observations
        on observations.activity_date >= cohorts.window_starts_on
        and observations.activity_date < cohorts.window_ends_on
    group by all
),

grouped as (
    -- Trained: in the log for this training and date. Control: never in the log for this
    -- training (an agent trained at another date is neither).
    select
        agent_periods.*,
        agent_periods.after_value - agent_periods.before_value as change_value,
        exists (
            select 1 from training_log
            where training_log.agent_username = agents.agent_username
                and training_log.training_name = agent_periods.training_name
                and training_log.completed_on::date = agent_periods.completed_on
        ) as is_trained,
        not exists (
            select 1 from training_log
            where training_log.agent_username = agents.agent_username
                and training_log.training_name = agent_periods.training_name
        ) as is_control
    from agent_periods
    inner join agents
        on agent_periods.agent_id = agents.agent_id
    where agent_periods.before_value is not null and agent_periods.after_value is not null
),

compared as (
    select
        training_name,
        completed_on,
        kpi,
        count(*) filter (where is_trained) as trained_agent_count,
        count(*) filter (where is_control) as control_agent_count,
        avg(before_value) filter (where is_trained) as trained_before_value,
        avg(after_value) filter (where is_trained) as trained_after_value,
        avg(before_value) filter (where is_control) as control_before_value,
        avg(after_value) filter (where is_control) as control_after_value,
        avg(change_value) filter (where is_trained) as trained_change,
        avg(change_value) filter (where is_control) as control_change,
        var_samp(change_value) filter (where is_trained) / count(*) filter (where is_trained) as trained_change_variance,
        var_samp(change_value) filter (where is_control) / count(*) filter (where is_control) as control_change_variance
    from grouped
    group by all
),

estimated as (
    select
        *,
        trained_change - control_change as difference_in_differences,
        sqrt(trained_change_variance + control_change_variance) as standard_error,
        -- Welch-Satterthwaite degrees of freedom.
        power(trained_change_variance + control_change_variance, 2) / nullif(
            power(trained_change_variance, 2) / nullif(trained_agent_count - 1, 0)
            + power(control_change_variance, 2) / nullif(control_agent_count - 1, 0), 0) as degrees_of_freedom
    from compared
),

shown as (
    select
        estimated.*,
        estimated.trained_agent_count >= {{ var('training_min_agents') }}
            and estimated.control_agent_count >= 2 as is_shown,
        csops_t_quantile(0.975, estimated.degrees_of_freedom) * estimated.standard_error as ci95_half_width
    from estimated
),

final as (
    -- An estimate not shown is published null, not only hidden by the page: from fewer agents
    -- than `training_min_agents` it says more about who was trained than about the training.
    select
        shown.training_name,
        shown.completed_on,
        shown.kpi,
        shown.trained_agent_count,
        shown.control_agent_count,
        case when shown.is_shown then shown.trained_before_value end as trained_before_value,
        case when shown.is_shown then shown.trained_after_value end as trained_after_value,
        case when shown.is_shown then shown.control_before_value end as control_before_value,
        case when shown.is_shown then shown.control_after_value end as control_after_value,
        case when shown.is_shown then shown.difference_in_differences end as difference_in_differences,
        -- Bounds to 6 decimals, as the Wilson bounds: reproducible across platforms.
        case when shown.is_shown
            then round(shown.difference_in_differences - shown.ci95_half_width, 6) end as difference_ci95_low,
        case when shown.is_shown
            then round(shown.difference_in_differences + shown.ci95_half_width, 6) end as difference_ci95_high,
        shown.is_shown,
        -- The weeks after the training have not all happened yet at the as-of time.
        as_of.as_of_at >= shown.completed_on + to_weeks({{ window_weeks }}) as is_window_complete,
        {{ window_weeks }}::integer as training_window_weeks,
        {{ var('training_min_agents') }}::integer as training_min_agents
    from shown
    cross join as_of
)

select * from final
