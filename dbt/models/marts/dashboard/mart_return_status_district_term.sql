-- Each district's termly return for every term some district has sent: published, held
-- back (and why), or missing. The pages' freshness and "missing" notices, a district
-- lead's own return status and the committee tables' list of missing returns read this.
with

statuses as (

    select * from {{ ref('int_returns__district_term_status') }}

),

districts as (

    select * from {{ ref('dim_district') }}

),

loads as (

    select * from {{ ref('stg_raw__loads') }}

),

final as (

    select
        {{ surrogate_key(['statuses.district']) }} as district_sk,
        {{ surrogate_key(['statuses.academic_year', 'statuses.term_number']) }} as term_sk,
        statuses.district as district_name,
        districts.area,
        statuses.academic_year,
        statuses.term_number,
        statuses.return_status,
        statuses.has_published_return,
        statuses.term_has_published_returns,
        statuses.file_name,
        loads.started_at as loaded_at,
        statuses.held_file_name,
        statuses.held_reason

    from statuses
    inner join districts
        on districts.district_name = statuses.district
    left join loads
        on loads.load_id = statuses.load_id

)

select * from final
