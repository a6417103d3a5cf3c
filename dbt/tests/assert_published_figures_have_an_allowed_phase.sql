-- Every published termly figure has a phase its measure allows (the audit quarantines the
-- others; this proves none slipped through to the marts).
with

figures as (

    select * from {{ ref('int_termly_returns__published') }}

),

measures as (

    select * from {{ ref('measures') }}

)

select
    figures.submission_id,
    figures.measure_code,
    figures.phase_code
from figures
inner join measures using (measure_code)
where not list_contains(string_split(measures.allowed_phases, '|'), figures.phase_code)
