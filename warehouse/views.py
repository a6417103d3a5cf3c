"""Parameterised reads of the published marts for the dashboard pages.

Each function takes a cursor and plain parameters (never text to paste into SQL) and
returns a pandas frame of rows as published: one row per district-term, district-year or
census year. Figures that the committee tables define are not worked out here; the pages
take them from ``warehouse.report.committee_tables`` (through ``warehouse.app_data``).
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


def published_district_terms(cur: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Every published district-term of the year, with its file and when it was loaded."""
    return _frame(
        cur,
        """
        select d.district_name as district, d.area, t.term_number as term,
               s.file_name, s.loaded_at, s.published_submissions, s.later_held_submissions
        from marts.fct_district_term_submission s
        join marts.dim_term t on t.term_sk = s.term_sk
        join marts.dim_district d on d.district_sk = s.district_sk
        where t.academic_year = $year
        order by t.term_number, d.district_name
        """,
        {"year": year},
    )


def engagement_rows(cur: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Settings engaged, attending LIFT and attending training, per district-term-phase."""
    return _frame(
        cur,
        """
        select district_name as district, area, term_number as term, phase_code as phase,
               settings_engaged, settings_attending_lift, settings_attending_training,
               census_settings, census_year_used, census_is_fallback
        from marts.mart_engagement_district_term
        where academic_year = $year
        order by term_number, district_name, phase_code
        """,
        {"year": year},
    )


def funding_rows(cur: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """SLA funding per district for the year, beside its pupils and SEN pupils."""
    return _frame(
        cur,
        """
        select district_name as district, area, academic_year,
               cast(total_budget as double) as total_budget,
               cast(core_budget as double) as core_budget,
               cast(outreach_budget as double) as outreach_budget,
               census_year_used, census_is_fallback,
               pupils_primary_secondary, sen_pupils_primary_secondary,
               funding_per_sen_pupil
        from marts.mart_funding_district_year
        where academic_year = $year
        order by district_name
        """,
        {"year": year},
    )


def census_rows(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Pupils, SEN support and EHC plans per district, phase and census year."""
    return _frame(
        cur,
        """
        select district_name as district, area, census_year, academic_year,
               phase_code as phase, pupils, sen_support, ehcp
        from marts.mart_census_rates_district_phase_year
        order by census_year, district_name, phase_code
        """,
    )


def inclusion_rows(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per district and census year: SEN rates beside the service's inclusion measures."""
    return _frame(
        cur,
        """
        select district_name as district, area, census_year, academic_year,
               pupils, sen_support, ehcp, ehcp_rate_pct, sen_support_rate_pct,
               published_terms, engagement_pct, lift_attendance_pct,
               cases_closed_targets_met_pct_of_reviewed, targets_reviewed_pct_of_open_cases
        from marts.mart_inclusion_district_year
        order by census_year, district_name
        """,
    )


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


def held_submissions(cur: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Termly submissions of the year held back and not since replaced by a published one."""
    return _frame(
        cur,
        """
        select h.district, h.term, h.file_name, h.reason, l.finished_at as received
        from dq.submissions h
        join raw.loads l on l.load_id = h.load_id
        where h.source = 'termly_return' and h.status = 'held' and h.academic_year = $year
          and not exists (
              select 1 from dq.submissions p
              where p.source = h.source and p.status = 'published'
                and p.district = h.district and p.academic_year = h.academic_year
                and p.term = h.term and p.received_seq > h.received_seq
          )
        order by h.term, h.district
        """,
        {"year": year},
    )
