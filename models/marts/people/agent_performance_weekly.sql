{#- Agents per ISO week (from Monday, reporting timezone): int_agent_days_counted's counts summed
    over the week and the people formulas (macros/people_performance.sql), as the other people
    marts; and, for the agents page, how far each agent-week lies from its team-week on AHT,
    operational FCR and CSAT top-2: a robust z-score, (value - median) / (1.4826 * MAD), the MAD
    scaled to a standard deviation under normality, and an outlier flag at
    |z| > `outlier_robust_z_threshold` (Iglewicz and Hoaglin). Medians resist the very outliers
    being looked for, where a mean and standard deviation would be dragged by them. -#}
{%- set outlier_kpis = [
    {'name': 'aht', 'value': 'aht_seconds', 'median': 'aht_peer_median_seconds'},
    {'name': 'operational_fcr', 'value': 'operational_fcr_rate', 'median': 'operational_fcr_peer_median_rate'},
    {'name': 'csat_top2', 'value': 'csat_top2_rate', 'median': 'csat_top2_peer_median_rate', 'never_if': 'is_low_sample'},
] %}
with

activity as (
    select * from {{ ref('int_agent_days_counted') }}
    where agent_id is not null
),

team_spells as (
    select * from {{ ref('int_agent_team_spells') }}
),

summed as (
    select
        date_trunc('week', activity_date)::date as week_start_date,
        agent_id,
        -- Every count and sum of seconds; a period with CSAT responses only has no row.
        sum(columns(* exclude (activity_date, agent_id, team_key, has_activity)))
    from activity
    group by all
    having bool_or(has_activity)
),

rated as (
    select *, {{ queue_call_rates() }}
    from summed
),

performance as (
    select
        week_start_date,
        agent_id,
        {{ people_performance_columns('7 * 86400') }}
    from rated
),

week_team_days as (
    -- An agent can change team mid-week while the week's KPIs are one figure: they are
    -- compared with the team they spent most days of the week in (ties: the newer team).
    select
        performance.week_start_date,
        performance.agent_id,
        team_spells.team_key,
        date_diff(
            'day',
            greatest(team_spells.valid_from_date, performance.week_start_date),
            least(coalesce(team_spells.valid_to_date, performance.week_start_date + 7), performance.week_start_date + 7)
        ) as days_in_team
    from performance
    inner join team_spells
        on performance.agent_id = team_spells.agent_id
        and team_spells.valid_from_date < performance.week_start_date + 7
        and (team_spells.valid_to_date is null or team_spells.valid_to_date > performance.week_start_date)
    qualify row_number() over (
        partition by performance.week_start_date, performance.agent_id
        order by days_in_team desc, team_spells.valid_from_date desc
    ) = 1
),

with_peers as (
    select
        performance.*,
        {{ known_or_unknown('week_team_days.team_key') }} as peer_team_key
    from performance
    left join week_team_days
        on performance.week_start_date = week_team_days.week_start_date
        and performance.agent_id = week_team_days.agent_id
),

peer_medians as (
    select
        *,
        {%- for kpi in outlier_kpis %}
        median({{ kpi.value }}) over peers as {{ kpi.median }},
        count({{ kpi.value }}) over peers as {{ kpi.name }}_peer_agent_count,
        {%- endfor %}
    from with_peers
    window peers as (partition by week_start_date, peer_team_key)
),

peer_deviations as (
    select
        *,
        {%- for kpi in outlier_kpis %}
        median(abs({{ kpi.value }} - {{ kpi.median }})) over peers as {{ kpi.name }}_peer_mad,
        {%- endfor %}
    from peer_medians
    window peers as (partition by week_start_date, peer_team_key)
),

scored as (
    select
        *,
        {%- for kpi in outlier_kpis %}
        -- Null: no value, fewer than the minimum agents with one, MAD 0 (at least half the
        -- team has the same value: any difference would be infinitely far), or no team.
        -- Rounded to 6 decimals: reproducible across platforms, as the other marts' rates.
        case
            when peer_team_key != {{ unknown_member_key() }}
                and {{ kpi.name }}_peer_agent_count >= {{ var('outlier_min_peer_agents') }}
                and {{ kpi.name }}_peer_mad > 0
                then round(({{ kpi.value }} - {{ kpi.median }}) / (1.4826 * {{ kpi.name }}_peer_mad), 6)
        end as {{ kpi.name }}_robust_z_score,
        {%- endfor %}
    from peer_deviations
),

flagged as (
    select
        * exclude ({% for kpi in outlier_kpis %}{{ kpi.name }}_peer_mad{{ ', ' if not loop.last }}{% endfor %}),
        -- `never_if`: a low-sample CSAT rate is never an outlier (false, not null): a handful of
        -- responses can lie far from the team by chance alone; the page marks such rates instead.
        {%- for kpi in outlier_kpis %}
        abs({{ kpi.name }}_robust_z_score) > {{ var('outlier_robust_z_threshold') }}
            {%- if kpi.never_if %} and not {{ kpi.never_if }}{% endif %} as is_{{ kpi.name }}_outlier,
        {%- endfor %}
    from scored
),

final as (
    select
        *,
        -- The agent-weeks the page lists: an outlier on any KPI (a null flag counts as not).
        {% for kpi in outlier_kpis %}coalesce(is_{{ kpi.name }}_outlier, false){{ ' or ' if not loop.last }}{% endfor %}
            as is_any_outlier,
        {{ var('outlier_robust_z_threshold') }}::double as outlier_robust_z_threshold,
        {{ var('outlier_min_peer_agents') }}::integer as outlier_min_peer_agents
    from flagged
)

select * from final
