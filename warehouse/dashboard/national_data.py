"""Read access for the "Kent among councils" page: DfE's national figures (Source 4), cached
per warehouse version like ``app_data``. The figures are published official statistics
about every council, the same for every role, so the cache key needs no viewer scope."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.dashboard import app_data
from warehouse.publish.identity import Version
from warehouse.reporting import benchmarks, national_context


def _cursor(version: Version):
    return app_data._connection(version).cursor()


@st.cache_data(show_spinner=False)
def _has_figures(version: Version) -> bool:
    tables = (
        _cursor(version)
        .execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'mart_la_indicator_benchmark'"
        )
        .fetchone()
    )
    if not tables or not tables[0]:
        return False
    rows = (
        _cursor(version)
        .execute("select count(*) from marts.mart_la_indicator_benchmark")
        .fetchone()
    )
    return bool(rows and rows[0])


def has_figures() -> bool:
    return _has_figures(app_data.current_version())


@st.cache_data(show_spinner=False)
def _authorities(version: Version) -> list[tuple[int, str]]:
    return benchmarks.authorities(_cursor(version))


def authorities() -> list[tuple[int, str]]:
    return _authorities(app_data.current_version())


@st.cache_data(show_spinner=False)
def _indicators(version: Version) -> pd.DataFrame:
    return benchmarks.indicators(_cursor(version))


def indicators() -> pd.DataFrame:
    return _indicators(app_data.current_version())


@st.cache_data(show_spinner=False)
def _series(version: Version, la_number: int, indicator: str) -> pd.DataFrame:
    return benchmarks.series(_cursor(version), la_number, indicator)


def series(la_number: int, indicator: str) -> pd.DataFrame:
    return _series(app_data.current_version(), la_number, indicator)


@st.cache_data(show_spinner=False)
def _benchmark(version: Version, la: str, indicator: str, year: str | None):
    return benchmarks.benchmark(_cursor(version), la, indicator, year)


def benchmark(la: str, indicator: str, year: str | None = None) -> benchmarks.Benchmark:
    return _benchmark(app_data.current_version(), la, indicator, year)


def home() -> tuple[int, str] | None:
    """The home authority's DfE number and name as DfE's figures hold them (the setting
    names it or its number), or None when DfE's figures do not hold it."""
    wanted = benchmarks.home_authority()
    for number, name in authorities():
        if name.casefold() == wanted.casefold() or str(number) == wanted:
            return int(number), name
    return None


def home_number() -> int | None:
    """The home authority's DfE number, or None when DfE's figures do not hold it."""
    found = home()
    return None if found is None else found[0]


@st.cache_data(show_spinner=False)
def _ehcp_rates(version: Version, la_number: int) -> pd.DataFrame:
    return national_context.ehcp_rates(_cursor(version), la_number)


def ehcp_rates(la_number: int) -> pd.DataFrame:
    return _ehcp_rates(app_data.current_version(), la_number)
