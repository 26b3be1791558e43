-- The six channels of KPI_DEFINITIONS.md, whether or not a source spells them yet, with the
-- spellings seeds/channel_map.csv maps to each.
with

channel_map as (
    select * from {{ ref('channel_map') }}
),

channels as (
    select * from (values ('phone'), ('email'), ('chat'), ('social'), ('web'), ('in_person')) as listed (channel)
),

final as (
    select
        channels.channel,
        list_sort(list(channel_map.source_system || ':' || channel_map.source_channel)
            filter (where channel_map.source_channel is not null)) as source_spellings
    from channels
    left join channel_map
        on channels.channel = channel_map.channel
    group by channels.channel
)

select * from final
