-- DfE's published figures (Source 4): one row per indicator, area and year as published,
-- the value a number or one of DfE's symbols (kept as a symbol: unknown, never zero), with
-- the year it starts in (to sort by) and whether the published year says revised or
-- provisional.
with

data as (

    select * from {{ ref('int_national__data') }}

),

final as (

    select
        {{ surrogate_key(['indicator_code', 'la_number', 'year_published']) }}
            as la_indicator_year_sk,
        {{ surrogate_key(['indicator_code']) }} as indicator_sk,
        {{ surrogate_key(['la_number']) }} as local_authority_sk,
        indicator_code,
        la_number,
        year_published,
        year_sort,
        year_status,
        coalesce(year_status = 'revised', false) as is_revised,
        coalesce(year_status = 'provisional', false) as is_provisional,
        value,
        value_symbol,
        file_name as source_file,
        row_number as source_row

    from data

)

select * from final
