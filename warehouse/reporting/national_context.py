"""National context for the EHCP trends page: the home authority's and England's EHC plan and
SEN support rates as DfE publishes them (Source 4, marts.mart_la_indicator_benchmark), to
read beside the districts' rates. The indicator codes are the dictionary's (``Measure_short``):
SEN_TotStat, "% of Pupils with Statement of (SEN) of (EHC) Plans (All Schools)", and
SEN_TotSENSuP, "% of Pupils with Special Educational Needs (SEN) Support (All Schools)"."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.reporting import benchmarks

EHC_PLAN_RATE = "SEN_TotStat"
SEN_SUPPORT_RATE = "SEN_TotSENSuP"
MEASURES = {EHC_PLAN_RATE: "EHC plan rate", SEN_SUPPORT_RATE: "SEN support rate"}
ATTRIBUTED = benchmarks.ATTRIBUTED


def ehcp_rates(cur: duckdb.DuckDBPyConnection, la_number: int) -> pd.DataFrame:
    """One row per (measure, year, area) for the LA and England, oldest year first: the
    measure's name, the year as published, the area's name, the value (a percentage of all
    pupils, as published) or DfE's symbol where there is none."""
    frame = cur.execute(
        """
        with rows as (
            select indicator_code, year_published, year_sort, la_name,
                   value, value_symbol, england_value
            from marts.mart_la_indicator_benchmark
            where la_number = $la and indicator_code in ($ehc, $support)
        )
        select indicator_code, year_published as year, year_sort, la_name as area,
               1 as area_order, value, value_symbol as symbol from rows
        union all
        select indicator_code, year_published, year_sort, 'England', 2, england_value, null
        from rows
        order by indicator_code, year_sort nulls first, year, area_order
        """,
        {"la": la_number, "ehc": EHC_PLAN_RATE, "support": SEN_SUPPORT_RATE},
    ).df()
    frame.insert(0, "measure", frame["indicator_code"].map(MEASURES))
    return frame[["measure", "indicator_code", "year", "area", "area_order", "value", "symbol"]]
