"""Read access for the Streamlit pages: cached connections and cached query results.

One read-only DuckDB connection per warehouse *version* (file identity, not just its path)
lives in ``st.cache_resource``; each query takes a fresh ``cursor()``; results are cached
with ``st.cache_data`` keyed on that version, so a newly published load is picked up on the
next rerun without restarting the server. Pages call these functions and never hold SQL.

Access is enforced here, not only in the navigation: every function reads the viewer
(``warehouse.auth.current_viewer``) itself, passes the viewer's scope (role, district) into
the cache key, so one role's results are never served to another, and restricts what it
returns. A district lead gets their own district's rows and the county as a whole (Kent
totals, pooled over every district), never another district's own figures; asking for
one raises ``auth.AccessDenied``. The data-quality functions (failing rows with their
values, held returns, check samples) answer data stewards only.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from warehouse import auth, contracts, dq, read, report, versions, views
from warehouse.paths import resolve_warehouse

Scope = tuple[str, str | None]  # auth.Viewer.scope: (role, district), part of every cache key
COUNTY = report.COUNTY


@st.cache_resource(max_entries=2)
def _connection(version: read.Version) -> duckdb.DuckDBPyConnection:
    return read.connect(resolve_warehouse(version.path))


def current_version() -> read.Version:
    return read.version(resolve_warehouse())


@st.cache_data(show_spinner=False)
def _years(version: read.Version) -> list[str]:
    return report.available_years(_connection(version).cursor())


def available_years() -> list[str]:
    return _years(current_version())


@st.cache_data(show_spinner=False)
def _tables(
    version: read.Version,
    year: str,
    terms: tuple[int, ...],
    districts: tuple[str, ...],
    scope: Scope,
    allowed: tuple[str, ...],
) -> report.CommitteeTables:
    selection = report.Selection(academic_year=year, terms=terms, districts=districts)
    tables = report.committee_tables(_connection(version).cursor(), selection)
    return _scrub(tables, allowed) if scope[0] == auth.DISTRICT_LEAD else tables


def _scrub(tables: report.CommitteeTables, allowed: tuple[str, ...]) -> report.CommitteeTables:
    """County tables as a district lead may see them: no other district's own figures
    (the funding figures keyed by district) and no other district's missing terms."""
    names = set(contracts.district_names())
    keep = set(allowed) if tables.selection.districts else set()
    figures = {
        figure: {k: v for k, v in values.items() if k not in names or k in keep}
        for figure, values in tables.figures.items()
    }
    missing = [(d, t) for d, t in tables.missing if d in allowed]
    return dataclasses.replace(tables, figures=figures, missing=missing)


def committee_tables(
    year: str, terms: tuple[int, ...], districts: tuple[str, ...] = ()
) -> report.CommitteeTables:
    """The committee tables for the districts (``()``: Kent as a whole, for every role)."""
    viewer = auth.current_viewer()
    districts = viewer.check_districts(tuple(districts))
    return _tables(
        current_version(),
        _year_checked(year),
        _terms_checked(terms),
        districts,
        viewer.scope,
        viewer.allowed_districts(),
    )


_YEAR = re.compile(r"\d{4}-\d{2}")


def _year_checked(year: str) -> str:
    """An academic year as ``YYYY-YY``; anything else is refused before it reaches SQL
    (where it would only ever be a bound parameter)."""
    if not isinstance(year, str) or not _YEAR.fullmatch(year):
        raise ValueError(f"not an academic year: {year!r}")
    return year


def _terms_checked(terms: tuple[int, ...]) -> tuple[int, ...]:
    terms = tuple(int(t) for t in terms)
    if not terms or any(t not in range(1, 7) for t in terms):
        raise ValueError(f"terms must be 1 to 6: {terms!r}")
    return terms


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
    version: read.Version,
    year: str,
    terms: tuple[int, ...],
    districts: tuple[str, ...],
    scope: Scope,
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
    viewer = auth.current_viewer()
    districts = tuple(districts)
    for district in districts:
        viewer.check_districts((district,))
    return _district_tables(
        current_version(), _year_checked(year), _terms_checked(terms), districts, viewer.scope
    )


# warehouse.views frames: those with a row per district, restricted to the viewer's
# districts, and those about the county or the loads as a whole. A name in neither is
# refused, so a new view is county-wide only by a deliberate entry here.
_DISTRICT_ROWS = {
    "published_district_terms",
    "engagement_rows",
    "funding_rows",
    "census_rows",
    "inclusion_rows",
    "held_submissions",
}
_COUNTY_ROWS = {"recent_loads"}


@st.cache_data(show_spinner=False)
def _rows(
    version: read.Version, name: str, args: tuple, scope: Scope, allowed: tuple[str, ...]
) -> pd.DataFrame:
    frame = getattr(views, name)(_connection(version).cursor(), *args)
    if name in _DISTRICT_ROWS and scope[0] == auth.DISTRICT_LEAD:
        frame = frame[frame["district"].isin(allowed)].reset_index(drop=True)
    return frame


def _frame(name: str, *args: object) -> pd.DataFrame:
    """A cached ``warehouse.views`` frame for the current warehouse version, as the
    viewer may see it."""
    if name not in _DISTRICT_ROWS | _COUNTY_ROWS:
        raise ValueError(f"no such view for the pages: {name!r}")
    viewer = auth.current_viewer()
    return _rows(current_version(), name, args, viewer.scope, viewer.allowed_districts())


@st.cache_data(show_spinner=False)
def _terms(version: read.Version, year: str) -> tuple[int, ...]:
    return views.published_terms(_connection(version).cursor(), year)


def published_terms(year: str) -> tuple[int, ...]:
    """Terms of the year with a published return from any district (county-wide): the
    terms shown when none are chosen."""
    return _terms(current_version(), _year_checked(year))


def published_district_terms(year: str) -> pd.DataFrame:
    return _frame("published_district_terms", _year_checked(year))


def engagement_rows(year: str) -> pd.DataFrame:
    return _frame("engagement_rows", _year_checked(year))


def funding_rows(year: str) -> pd.DataFrame:
    return _frame("funding_rows", _year_checked(year))


def census_rows() -> pd.DataFrame:
    return _frame("census_rows")


def inclusion_rows() -> pd.DataFrame:
    return _frame("inclusion_rows")


def recent_loads(limit: int = 10) -> pd.DataFrame:
    return _frame("recent_loads", int(limit))


def held_submissions(year: str) -> pd.DataFrame:
    return _frame("held_submissions", _year_checked(year))


# ---------------------------------------------------------------- county totals
# Kent as a whole, for comparison: every role may see these. Each is pooled over every
# district server-side and carries no district's own figures; the frames have the shape of
# the per-district ones with ``district`` = "Kent", so the pages' calculations apply.

_SETTINGS = ("settings_engaged", "settings_attending_lift", "settings_attending_training")


@st.cache_data(show_spinner=False)
def _county_engagement(version: read.Version, year: str) -> pd.DataFrame:
    rows = views.engagement_rows(_connection(version).cursor(), year)
    parts = []
    for column in _SETTINGS:
        # One row per term, phase and measure, summed over the district-terms where this
        # measure and the census are both known: pooled exactly as the pages pool.
        known = rows.dropna(subset=[column, "census_settings"])
        parts.append(
            known.groupby(["term", "phase"], as_index=False)[[column, "census_settings"]].sum()
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "district", COUNTY)
    return frame


def county_engagement_rows(year: str) -> pd.DataFrame:
    """Settings measures for Kent as a whole, per term and phase (``engagement_rows``'
    columns; pool them with ``analysis.settings_view`` for district "Kent")."""
    return _county_engagement(current_version(), _year_checked(year))


@st.cache_data(show_spinner=False)
def _county_funding(version: read.Version, year: str) -> pd.DataFrame:
    rows = views.funding_rows(_connection(version).cursor(), year)
    columns = ["total_budget", "pupils_primary_secondary", "sen_pupils_primary_secondary"]
    total = rows[columns].sum() if len(rows) else pd.Series(dtype=float)
    frame = pd.DataFrame([{"district": COUNTY, **{c: total.get(c) for c in columns}}])
    sen = frame["sen_pupils_primary_secondary"].iloc[0]
    frame["funding_per_sen_pupil"] = frame["total_budget"].iloc[0] / sen if sen else None
    return frame


def county_funding(year: str) -> pd.DataFrame:
    """One row, ``district`` = "Kent": the SLA funding, pupils and SEN pupils of every
    district together (``funding_rows``' columns)."""
    return _county_funding(current_version(), _year_checked(year))


@st.cache_data(show_spinner=False)
def _county_census(version: read.Version) -> pd.DataFrame:
    rows = views.census_rows(_connection(version).cursor())
    frame = rows.groupby(["census_year", "phase"], as_index=False)[
        ["pupils", "sen_support", "ehcp"]
    ].sum()
    frame.insert(0, "district", COUNTY)
    return frame


def county_census_rows() -> pd.DataFrame:
    """Pupils, SEN support and EHC plans of Kent as a whole, per census year and phase."""
    return _county_census(current_version())


# ---------------------------------------------------------------- data quality (warehouse.dq)


_DQ_FRAMES = {"loads_history", "holds", "failing_rows", "check_results", "check_history"}


def _steward() -> Scope:
    viewer = auth.current_viewer()
    viewer.require_row_samples()
    return viewer.scope


@st.cache_data(show_spinner=False)
def _dq_rows(version: read.Version, name: str, args: tuple, scope: Scope) -> pd.DataFrame:
    return getattr(dq, name)(_connection(version).cursor(), *args)


def dq_frame(name: str, *args: object) -> pd.DataFrame:
    """A cached ``warehouse.dq`` frame (``loads_history``, ``holds``, ``failing_rows``,
    ``check_results``, ``check_history``) for the current warehouse version; data
    stewards only (``auth.AccessDenied`` otherwise)."""
    scope = _steward()
    if name not in _DQ_FRAMES:
        raise ValueError(f"no such data-quality frame: {name!r}")
    return _dq_rows(current_version(), name, args, scope)


@st.cache_data(show_spinner=False)
def _load_result(version: read.Version, load_id: str | None, scope: Scope) -> dict:
    return dq.load_result(_connection(version).cursor(), load_id)


def load_result(load_id: str | None = None) -> dict:
    """``stls dq --format json``'s object for a load (default: the latest); data stewards
    only."""
    return _load_result(current_version(), load_id, _steward())


@st.cache_data(show_spinner=False, max_entries=8)
def _zip_folder(folder: str, stamp: float, scope: Scope) -> bytes:
    buffer = io.BytesIO()
    root = Path(folder)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root.parent))
    return buffer.getvalue()


def data_docs_zip(index_html: str | Path) -> bytes:
    """The folder of a load's Great Expectations Data Docs (around ``index.html``) as a ZIP;
    data stewards only (the Data Docs hold failing values)."""
    scope = _steward()
    folder = Path(index_html).parent
    return _zip_folder(str(folder), folder.stat().st_mtime, scope)


@st.cache_data(show_spinner=False)
def _live(version: read.Version, scope: Scope) -> versions.LiveVersion:
    return versions.live_version(resolve_warehouse(version.path))


def live_version() -> versions.LiveVersion:
    """Which published version the dashboard is showing (for the Data quality page)."""
    return _live(current_version(), _steward())
