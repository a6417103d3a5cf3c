"""Read access for the Streamlit pages: cached connections and cached query results.

One read-only DuckDB connection per warehouse *version* (file identity, not just its path)
lives in ``st.cache_resource``; each query takes a fresh ``cursor()``; results are cached
with ``st.cache_data`` keyed on that version, so a newly published load is picked up on the
next rerun without restarting the server. Pages call these functions and never hold SQL.
"""

from __future__ import annotations

import duckdb
import streamlit as st

from warehouse import read, report
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
