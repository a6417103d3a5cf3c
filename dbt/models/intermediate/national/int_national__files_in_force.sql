-- The file in force for each kind of national file (Source 4): a newer release of DfE's
-- data, dictionary or neighbours workbook replaces the older one as a whole, so the latest
-- accepted file of each kind with at least one published row is the one read downstream.
with

files as (

    select * from {{ ref('stg_raw__files') }}
    where
        source in ('national_data', 'national_dictionary', 'national_neighbours')
        and file_status = 'accepted'

),

published as (

    select distinct file_id from {{ ref('stg_dq__row_outcomes') }}
    where
        source in ('national_data', 'national_dictionary', 'national_neighbours')
        and outcome = 'published'

),

ranked as (

    select
        files.source,
        files.file_id,
        files.load_id,
        files.file_name,
        files.received_seq,
        row_number() over (
            partition by files.source order by files.received_seq desc
        ) as release_order

    from files
    inner join published on files.file_id = published.file_id

),

final as (

    select
        source,
        file_id,
        load_id,
        file_name,
        received_seq

    from ranked
    where release_order = 1

)

select * from final
