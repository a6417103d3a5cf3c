-- DfE's indicators (Source 4), one row per indicator of the dictionary in force, with the
-- topic's place in the page's list (dbt/seeds/national_topics.csv: SEND and inclusion
-- first; a topic the seed does not list comes last). Polarity as DfE publishes it: High
-- (higher is better), Low (lower is better), another word (neither) or NULL (none given).
with

dictionary as (

    select * from {{ ref('int_national__dictionary') }}

),

topics as (

    select * from {{ ref('national_topics') }}

),

final as (

    select
        {{ surrogate_key(['dictionary.indicator_code']) }} as indicator_sk,
        dictionary.indicator_code,
        dictionary.label,
        dictionary.chart_title,
        dictionary.topic,
        coalesce(topics.topic_group, 'Other') as topic_group,
        cast(coalesce(topics.sort_order, 99) as integer) as topic_sort_order,
        dictionary.unit,
        dictionary.polarity,
        coalesce(dictionary.polarity in ('High', 'Low'), false) as has_direction,
        dictionary.decimal_places,
        dictionary.description,
        dictionary.data_owner,
        dictionary.year_type,
        dictionary.last_update,
        dictionary.last_update_note,
        dictionary.next_update,
        dictionary.next_update_note,
        dictionary.no_quartile,
        dictionary.file_name as source_file

    from dictionary
    left join topics on dictionary.topic = topics.topic

)

select * from final
