"""What the warehouse publishes before a load, read from its marts for the audit's checks
that compare a load's rows against earlier terms and years (``warehouse.quality``): the
census, every caseload figure and DfE's figures. A first load has none of them."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.quality import national


@dataclass(frozen=True)
class Published:
    """The three, each None when the warehouse has none yet."""

    census: pl.DataFrame | None
    caseload: pl.DataFrame | None
    national: national.NationalBaseline | None


def published(con: duckdb.DuckDBPyConnection) -> Published:
    """What the warehouse on ``con`` publishes now (``Published``)."""
    census, caseload = census_and_caseload(con)
    return Published(census, caseload, national.published_baseline(con))


def census_and_caseload(
    con: duckdb.DuckDBPyConnection,
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The published census and every published caseload figure (None, None before the
    first build)."""
    [(has_marts,)] = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name in ('fct_census', 'fct_termly_return')"
    ).fetchall()
    if has_marts < 2:
        return None, None
    census = con.sql(
        """
        select c.census_year, d.district_name as district, p.phase_code as phase,
               c.settings, c.pupils, c.ehcp
        from marts.fct_census c
        join marts.dim_district d on d.district_sk = c.district_sk
        join marts.dim_phase p on p.phase_sk = c.phase_sk
        """
    ).pl()
    caseload = con.sql(
        """
        select d.district_name as district, t.academic_year, t.term_number as term,
               p.phase_code as phase, f.value as caseload
        from marts.fct_termly_return f
        join marts.dim_district d on d.district_sk = f.district_sk
        join marts.dim_term t on t.term_sk = f.term_sk
        join marts.dim_phase p on p.phase_sk = f.phase_sk
        join marts.dim_measure m on m.measure_sk = f.measure_sk
        where m.measure_code = 'caseload'
        """
    ).pl()
    return census, caseload
