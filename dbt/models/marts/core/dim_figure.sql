-- The published figures, one row each: the figure catalogue (seeds/figures.csv) with what
-- the pages, the committee tables and the downloads need to show a figure (label, unit,
-- decimals, direction of good, definition) and the sources it is built from.
with

figures as (

    select * from {{ ref('figures') }}

),

parts as (

    select * from {{ ref('int_figures__parts') }}
    where is_resolved

),

sources as (

    select * from {{ ref('sources') }}

),

figure_sources as (

    select
        parts.figure_key,
        any_value(parts.grain) as grain,
        string_agg(
            distinct sources.source_label || ' (' || sources.sent_by || ')', '; '
            order by sources.source_label || ' (' || sources.sent_by || ')'
        ) as sources

    from parts
    inner join sources
        on sources.source_code = parts.source
    group by parts.figure_key

),

final as (

    select
        {{ surrogate_key(['figures.figure_key']) }} as figure_sk,
        figures.figure_key,
        figures.sort_order,
        figures.label,
        figures.short_label,
        case
            when figures.report_table is not null
                then figures.label || ' (' || figures.report_table || ')'
            else figures.label
        end as title,
        figures.report_table,
        figures.in_committee_tables,
        figures.unit,
        figures.decimals,
        figures.method,
        figures.breakdowns,
        figures.shown_by,
        figures.numerator,
        figures.denominator,
        figures.direction,
        figures.child_counts,
        figures.definition,
        figure_sources.grain,
        figure_sources.sources

    from figures
    left join figure_sources
        on figure_sources.figure_key = figures.figure_key

)

select * from final
