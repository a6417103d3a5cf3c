"""Read access for the Streamlit pages: cached connections and cached query results.

One read-only DuckDB connection per warehouse *version* (file identity, not just its path)
lives in ``st.cache_resource``; each query takes a fresh ``cursor()``; results are cached
with ``st.cache_data`` keyed on that version, so a newly published load is picked up on the
next rerun without restarting the server. Pages call these functions and never hold SQL.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from warehouse import dq, read, report, versions, views
from warehouse.paths import resolve_warehouse


@st.cache_resource(max_entries=2)
def _connection(version: read.Version) -> duckdb.DuckDBPyConnection:
    return read.connect(resolve_warehouse(version.path))


def current_version() -> read.Version:
    return read.version(resolve_warehouse())


def cursor() -> duckdb.DuckDBPyConnection:
    return _connection(current_version()).cursor()


@st.cache_data(show_spinner=False)
def _years(version: read.Version) -> list[str]:
    return report.available_years(_connection(version).cursor())


def available_years() -> list[str]:
    return _years(current_version())


@st.cache_data(show_spinner=False)
def _tables(
    version: read.Version, year: str, terms: tuple[int, ...], districts: tuple[str, ...]
) -> report.CommitteeTables:
    selection = report.Selection(academic_year=year, terms=terms, districts=districts)
    return report.committee_tables(_connection(version).cursor(), selection)


def committee_tables(
    year: str, terms: tuple[int, ...], districts: tuple[str, ...] = ()
) -> report.CommitteeTables:
    return _tables(current_version(), year, terms, districts)


@st.cache_data(show_spinner=False)
def _illustrative(version: read.Version) -> bool:
    return read.built_from_demo(_connection(version).cursor())


def illustrative() -> bool:
    return _illustrative(current_version())


# ---------------------------------------------------------------- page views
# Cached wrappers over warehouse.views (rows as published) and per-district committee
# tables. Each is keyed on the warehouse version, so a new load is read on the next rerun.


@st.cache_data(show_spinner=False)
def _district_tables(
    version: read.Version, year: str, terms: tuple[int, ...], districts: tuple[str, ...]
) -> dict[str, report.CommitteeTables]:
    cur = _connection(version).cursor()
    return {
        district: report.committee_tables(
            cur, report.Selection(academic_year=year, terms=terms, districts=(district,))
        )
        for district in districts
    }


def district_tables(
    year: str, terms: tuple[int, ...], districts: tuple[str, ...]
) -> dict[str, report.CommitteeTables]:
    """The committee tables of each district on its own (its figures, as published)."""
    return _district_tables(current_version(), year, terms, districts)


@st.cache_data(show_spinner=False)
def _rows(version: read.Version, name: str, args: tuple) -> pd.DataFrame:
    return getattr(views, name)(_connection(version).cursor(), *args)


def _frame(name: str, *args: object) -> pd.DataFrame:
    """A cached ``warehouse.views`` frame for the current warehouse version."""
    return _rows(current_version(), name, args)


@st.cache_data(show_spinner=False)
def _terms(version: read.Version, year: str) -> tuple[int, ...]:
    return views.published_terms(_connection(version).cursor(), year)


def published_terms(year: str) -> tuple[int, ...]:
    """Terms of the year with a published return: the terms shown when none are chosen."""
    return _terms(current_version(), year)


def published_district_terms(year: str) -> pd.DataFrame:
    return _frame("published_district_terms", year)


def engagement_rows(year: str) -> pd.DataFrame:
    return _frame("engagement_rows", year)


def funding_rows(year: str) -> pd.DataFrame:
    return _frame("funding_rows", year)


def census_rows() -> pd.DataFrame:
    return _frame("census_rows")


def inclusion_rows() -> pd.DataFrame:
    return _frame("inclusion_rows")


def recent_loads(limit: int = 10) -> pd.DataFrame:
    return _frame("recent_loads", limit)


def held_submissions(year: str) -> pd.DataFrame:
    return _frame("held_submissions", year)


# ---------------------------------------------------------------- data quality (warehouse.dq)


@st.cache_data(show_spinner=False)
def _dq_rows(version: read.Version, name: str, args: tuple) -> pd.DataFrame:
    return getattr(dq, name)(_connection(version).cursor(), *args)


def dq_frame(name: str, *args: object) -> pd.DataFrame:
    """A cached ``warehouse.dq`` frame (``loads_history``, ``holds``, ``failing_rows``,
    ``check_results``, ``check_history``) for the current warehouse version."""
    return _dq_rows(current_version(), name, args)


@st.cache_data(show_spinner=False)
def _load_result(version: read.Version, load_id: str | None) -> dict:
    return dq.load_result(_connection(version).cursor(), load_id)


def load_result(load_id: str | None = None) -> dict:
    """``stls dq --format json``'s object for a load (default: the latest)."""
    return _load_result(current_version(), load_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _zip_folder(folder: str, stamp: float) -> bytes:
    buffer = io.BytesIO()
    root = Path(folder)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root.parent))
    return buffer.getvalue()


def data_docs_zip(index_html: str | Path) -> bytes:
    """The folder of a load's Great Expectations Data Docs (around ``index.html``) as a ZIP."""
    folder = Path(index_html).parent
    return _zip_folder(str(folder), folder.stat().st_mtime)


@st.cache_data(show_spinner=False)
def _live(version: read.Version) -> versions.LiveVersion:
    return versions.live_version(resolve_warehouse(version.path))


def live_version() -> versions.LiveVersion:
    """Which published version the dashboard is showing (for the Data quality page)."""
    return _live(current_version())
