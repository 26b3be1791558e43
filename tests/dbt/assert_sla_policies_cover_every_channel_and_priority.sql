-- Every ticket picks its SLA policy by (priority, channel) in the sla_policies seed; a pair
-- without a row leaves its tickets without a target ("unmeasured"), which reads like data
-- missing rather than a seed to extend. Fails on each channel csops maps a spelling to and
-- each priority the seed uses (`none` for Zendesk tickets without one) that has no policy.
{{ config(severity='warn') }}

with

channels as (
    select distinct channel from {{ ref('channel_map') }} where channel is not null
),

priorities as (
    select distinct priority from {{ ref('sla_policies') }}
)

select channels.channel, priorities.priority
from channels
cross join priorities
left join {{ ref('sla_policies') }} as policies
    on channels.channel = policies.channel
    and priorities.priority = policies.priority
where policies.channel is null
