"""Parameterised reads of the published marts, for the committee tables and the pages.

Each function takes a cursor and plain parameters (never text to paste into SQL) and
returns a pandas frame of rows as published. No figure is worked out here: figures come
from ``mart_figure_district_term`` (numerators and denominators per district-term, built by
dbt) and are pooled by ``warehouse.core.pooling``.
"""

from __future__ import annotations

import duckdb
import pandas as pd


def _frame(cur: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None):
    return cur.execute(sql, params or {}).df()


def published_terms(cur: duckdb.DuckDBPyConnection, year: str) -> tuple[int, ...]:
    """Terms of the year with at least one published termly return."""
    rows = cur.execute(
        """
        select distinct t.term_number
        from marts.fct_district_term_submission s
        join marts.dim_term t on t.term_sk = s.term_sk
        where t.academic_year = $year
        order by 1
        """,
        {"year": year},
    ).fetchall()
    return tuple(int(r[0]) for r in rows)


def figure_rows(
    cur: duckdb.DuckDBPyConnection,
    figures: list[str] | tuple[str, ...],
    year: str | None = None,
) -> pd.DataFrame:
    """Every district-term (or district-year) row of the figures, for one academic year
    (``None``: every year): numerator and denominator where known, the reason where not."""
    return _frame(
        cur,
        """
        select figure_key, breakdown, district_name as district, area, academic_year,
               term_number, has_published_return, is_known, numerator, denominator,
               reason_code, reason, census_year, census_year_used, census_is_fallback
        from marts.mart_figure_district_term
        where list_contains($figures, figure_key)
          and ($year is null or academic_year = $year)
        order by academic_year, term_number, district_name, figure_key, breakdown
        """,
        {"figures": list(figures), "year": year},
    )


def return_status(cur: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Each district's termly return for every term of the year some district has sent:
    published, published_held, held or missing, with the file and the reason held."""
    return _frame(
        cur,
        """
        select district_name as district, area, term_number as term, return_status,
               has_published_return, term_has_published_returns, file_name, loaded_at,
               held_file_name, held_reason
        from marts.mart_return_status_district_term
        where academic_year = $year
        order by term_number, district_name
        """,
        {"year": year},
    )


def census_year_used(cur: duckdb.DuckDBPyConnection, academic_year: str) -> int | None:
    """The census the year's settings and pupils come from, as dbt decided it
    (``dim_academic_year``: the year's own census, else the latest earlier one published)."""
    rows = cur.execute(
        "select census_year_used from marts.dim_academic_year where academic_year = $year",
        {"year": academic_year},
    ).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def figure_sources(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Figure -> the sources it is built from, in words (``dim_figure``)."""
    return dict(cur.execute("select figure_key, sources from marts.dim_figure").fetchall())


def recent_loads(cur: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    """The latest loads, newest first."""
    return _frame(
        cur,
        """
        select load_id, load_seq, kind, status, started_at, finished_at
        from raw.loads
        order by load_seq desc
        limit $limit
        """,
        {"limit": limit},
    )
