-- The published caseload episodes: one row per episode id, from the latest extract that
-- published it (a later extract replaces an episode with the same id; a quarantined row
-- never replaces anything). Keyed by the audit's reading: district from the row outcome,
-- the rest from the row's values. closed_academic_year is the academic year (1 September
-- to 31 August) the episode closed in; NULL while it is open.
with

row_values as (

    select * from {{ ref('stg_dq__caseload_episode_values') }}

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'caseload_episode' and outcome = 'published'

),

files as (

    select * from {{ ref('stg_raw__files') }}

),

published as (

    select
        row_values.episode_id,
        row_values.child_key,
        outcomes.district,
        row_values.phase_code,
        row_values.open_date,
        row_values.close_date,
        row_values.closure_reason_code,
        outcomes.load_id,
        row_values.file_id,
        files.file_name,
        row_values.row_number,
        files.received_seq,
        row_number() over (
            partition by row_values.episode_id
            order by files.received_seq desc, row_values.row_number desc
        ) as recency_rank

    from row_values
    inner join outcomes
        on
            outcomes.file_id = row_values.file_id
            and outcomes.row_number = row_values.row_number
    inner join files
        on files.file_id = row_values.file_id

),

final as (

    select
        episode_id,
        child_key,
        district,
        phase_code,
        open_date,
        close_date,
        closure_reason_code,
        close_date is null as is_open,
        case
            when close_date is not null then {{ academic_year_of('close_date') }}
        end as closed_academic_year,
        load_id,
        file_id,
        file_name,
        row_number,
        received_seq

    from published
    where recency_rank = 1

)

select * from final
