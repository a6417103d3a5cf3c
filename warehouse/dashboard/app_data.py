"""Read access for the Streamlit pages: cached connections and cached query results.

One read-only DuckDB connection per warehouse *version* (file identity, not just its path)
lives in ``st.cache_resource``; each query takes a fresh ``cursor()``; results are cached
with ``st.cache_data`` keyed on that version, so a newly published load is picked up on the
next rerun without restarting the server. Pages call these functions and never hold SQL.

Access is enforced here, not only in the navigation: every function reads the viewer
(``warehouse.dashboard.auth.current_viewer``) itself, passes the viewer's scope (role,
district) into the cache key, so one role's results are never served to another, and
restricts what it returns. A district lead gets their own district's rows and the county
as a whole (Kent totals, pooled over every district), never another district's own
figures; asking for one raises ``auth.AccessDenied``. The data-quality functions (failing
rows with their values, held returns, check samples) answer data stewards only.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from warehouse.core import contracts
from warehouse.core.paths import resolve_warehouse
from warehouse.dashboard import auth, pack
from warehouse.publish import connect, versions
from warehouse.publish.identity import Version, version_of
from warehouse.quality import dq
from warehouse.reporting import analysis, committee, funding_check, marts
from warehouse.reporting import glance as glance_module

Scope = tuple[str, str | None]  # auth.Viewer.scope: (role, district), part of every cache key
COUNTY = committee.COUNTY


@st.cache_resource(max_entries=2)
def _connection(version: Version) -> duckdb.DuckDBPyConnection:
    return connect.connect(resolve_warehouse(version.path))


def current_version() -> Version:
    return version_of(resolve_warehouse())


@st.cache_data(show_spinner=False)
def _years(version: Version) -> list[str]:
    return committee.available_years(_connection(version).cursor())


def available_years() -> list[str]:
    return _years(current_version())


@st.cache_data(show_spinner=False)
def _tables(
    version: Version,
    year: str,
    terms: tuple[int, ...],
    districts: tuple[str, ...],
    scope: Scope,
    allowed: tuple[str, ...],
) -> committee.CommitteeTables:
    selection = committee.Selection(academic_year=year, terms=terms, districts=districts)
    tables = committee.committee_tables(_connection(version).cursor(), selection)
    return _scrub(tables, allowed) if scope[0] == auth.DISTRICT_LEAD else tables


def _scrub(
    tables: committee.CommitteeTables, allowed: tuple[str, ...]
) -> committee.CommitteeTables:
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
) -> committee.CommitteeTables:
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
def _illustrative(version: Version) -> bool:
    return connect.built_from_demo(_connection(version).cursor())


def illustrative() -> bool:
    return _illustrative(current_version())


# ---------------------------------------------------------------- page views
# Cached wrappers over warehouse.reporting.marts (rows as published) and per-district committee
# tables. Each is keyed on the warehouse version, so a new load is read on the next rerun.


@st.cache_data(show_spinner=False)
def _district_tables(
    version: Version,
    year: str,
    terms: tuple[int, ...],
    districts: tuple[str, ...],
    scope: Scope,
) -> dict[str, committee.CommitteeTables]:
    cur = _connection(version).cursor()
    return {
        district: committee.committee_tables(
            cur, committee.Selection(academic_year=year, terms=terms, districts=(district,))
        )
        for district in districts
    }


def district_tables(
    year: str, terms: tuple[int, ...], districts: tuple[str, ...]
) -> dict[str, committee.CommitteeTables]:
    """The committee tables of each district on its own (its figures, as published)."""
    viewer = auth.current_viewer()
    districts = tuple(districts)
    for district in districts:
        viewer.check_districts((district,))
    return _district_tables(
        current_version(), _year_checked(year), _terms_checked(terms), districts, viewer.scope
    )


# Rows of the published marts, as the viewer may see them: a district lead gets their own
# district's rows only. Kent as a whole (every district pooled) is worked out server-side by
# the county_* functions below and carries no district's own figures.


@st.cache_data(show_spinner=False)
def _figure_rows(version: Version, figures: tuple[str, ...], year: str | None):
    return marts.figure_rows(_connection(version).cursor(), figures, year)


def _restricted(frame: pd.DataFrame) -> pd.DataFrame:
    return _scoped(frame, auth.current_viewer().scope)


def figure_rows(figures: tuple[str, ...], year: str | None = None) -> pd.DataFrame:
    """``mart_figure_district_term`` rows of the figures for a year (``None``: every year),
    the viewer's districts only. Pool them with ``warehouse.reporting.analysis``."""
    return _restricted(
        _figure_rows(
            current_version(), tuple(figures), None if year is None else _year_checked(year)
        )
    )


# What the pages pool from those rows (``warehouse.reporting.analysis``), cached like the rows:
# pooling is most of a page's work, and the same view is asked for on every rerun.
_VIEWS = {
    view.__name__: view
    for view in (
        analysis.settings_view,
        analysis.caseload_table,
        analysis.caseload_row,
        analysis.funding_table,
        analysis.funding_row,
        analysis.census_rates,
        analysis.ehcp_change,
    )
}


def _scoped(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """``frame``'s rows a viewer of ``scope`` may see (``_restricted``, from the cache key)."""
    if scope[0] != auth.DISTRICT_LEAD:
        return frame
    return frame[frame["district"].isin(auth.districts_of(scope))].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=256)
def _view(
    version: Version,
    scope: Scope,
    name: str,
    figures: tuple[str, ...],
    year: str | None,
    args: tuple,
    options: tuple[tuple[str, object], ...],
):
    rows = _scoped(_figure_rows(version, figures, year), scope)
    return _VIEWS[name](rows, *args, **dict(options))


def view(
    function: Callable[..., Any], figures: tuple[str, ...], year: str | None, *args, **options
):
    """``function(figure_rows(figures, year), *args, **options)`` for one of the
    ``analysis`` functions above, cached per warehouse version and viewer: the same rows,
    pooled by the same function, as the viewer may see them. ``args`` must be hashable
    (tuples, not lists)."""
    if _VIEWS.get(function.__name__) is not function:
        raise ValueError(f"not a page view: {function!r}")
    return _view(
        current_version(),
        auth.current_viewer().scope,
        function.__name__,
        tuple(figures),
        None if year is None else _year_checked(year),
        tuple(args),
        tuple(sorted(options.items())),
    )


@st.cache_data(show_spinner=False)
def _status(version: Version, year: str) -> pd.DataFrame:
    return marts.return_status(_connection(version).cursor(), year)


def return_status(year: str) -> pd.DataFrame:
    """Each district's return for every term of the year some district has sent
    (published, held or missing), the viewer's districts only."""
    return _restricted(_status(current_version(), _year_checked(year)))


@st.cache_data(show_spinner=False)
def _terms(version: Version, year: str) -> tuple[int, ...]:
    return marts.published_terms(_connection(version).cursor(), year)


def published_terms(year: str) -> tuple[int, ...]:
    """Terms of the year with a published return from any district (county-wide): the
    terms shown when none are chosen."""
    return _terms(current_version(), _year_checked(year))


@st.cache_data(show_spinner=False)
def _loads(version: Version, limit: int) -> pd.DataFrame:
    return marts.recent_loads(_connection(version).cursor(), limit)


def recent_loads(limit: int = 10) -> pd.DataFrame:
    """The latest loads, newest first (no district's figures: every role)."""
    return _loads(current_version(), int(limit))


# ---------------------------------------------------------------- county totals
# Kent as a whole, for comparison: every role may see these. Each is pooled over every
# district server-side from the same rows and with the same functions as the districts'.

_ALL = tuple(contracts.district_names())


@st.cache_data(show_spinner=False)
def _county_settings(
    version: Version, year: str, figure: str, phase: str, terms: tuple[int, ...]
) -> analysis.SettingsView:
    rows = _figure_rows(version, (figure,), year).assign(district=COUNTY)
    return analysis.settings_view(rows, figure, phase, (COUNTY,), terms)


def county_settings_view(
    year: str, figure: str, phase: str, terms: tuple[int, ...]
) -> analysis.SettingsView:
    """A settings figure for Kent as a whole (``analysis.settings_view`` with one
    "district", Kent, pooling every district)."""
    if figure not in analysis.SETTINGS_FIGURES:
        raise ValueError(f"not a settings figure: {figure!r}")
    return _county_settings(
        current_version(), _year_checked(year), figure, phase, _terms_checked(terms)
    )


@st.cache_data(show_spinner=False)
def _county_row(version: Version, kind: str, year: str, terms: tuple[int, ...]) -> dict:
    if kind == "caseload":
        rows = _figure_rows(version, analysis.CASELOAD_FIGURES, year)
        return analysis.caseload_row(rows, COUNTY, _ALL, terms)
    rows = _figure_rows(version, analysis.FUNDING_FIGURES, year)
    return analysis.funding_row(rows, COUNTY, _ALL, terms)


def county_caseload_row(year: str, terms: tuple[int, ...]) -> dict:
    """Caseload and active support for Kent as a whole (``analysis.caseload_row``)."""
    return _county_row(current_version(), "caseload", _year_checked(year), _terms_checked(terms))


def county_funding_row(year: str, terms: tuple[int, ...]) -> dict:
    """SLA funding, pupils and funding per pupil for Kent as a whole."""
    return _county_row(current_version(), "funding", _year_checked(year), _terms_checked(terms))


@st.cache_data(show_spinner=False)
def _county_census(version: Version, phase: str) -> pd.DataFrame:
    rows = _figure_rows(version, analysis.CENSUS_FIGURES, None)
    return analysis.census_rates(rows, phase, _ALL, by_district=False)


def county_census_rates(phase: str) -> pd.DataFrame:
    """EHC plan and SEN support counts and rates of Kent as a whole, per census year."""
    if phase != analysis.ALL_PHASES and phase not in contracts.CENSUS_PHASES:
        raise ValueError(f"not a census phase: {phase!r}")
    return _county_census(current_version(), phase)


@st.cache_data(show_spinner=False)
def _sources(version: Version) -> dict[str, str]:
    return marts.figure_sources(_connection(version).cursor())


def figure_sources() -> dict[str, str]:
    """Figure -> the sources it is built from, in words (for About the data)."""
    return _sources(current_version())


# ---------------------------------------------------------------- data quality


_DQ_FRAMES = {"loads_history", "holds", "failing_rows", "check_results", "check_history"}


def _steward() -> Scope:
    viewer = auth.current_viewer()
    viewer.require_row_samples()
    return viewer.scope


@st.cache_data(show_spinner=False)
def _dq_rows(version: Version, name: str, args: tuple, scope: Scope) -> pd.DataFrame:
    return getattr(dq, name)(_connection(version).cursor(), *args)


def dq_frame(name: str, *args: object) -> pd.DataFrame:
    """A cached ``warehouse.quality.dq`` frame (``loads_history``, ``holds``, ``failing_rows``,
    ``check_results``, ``check_history``) for the current warehouse version; data
    stewards only (``auth.AccessDenied`` otherwise)."""
    scope = _steward()
    if name not in _DQ_FRAMES:
        raise ValueError(f"no such data-quality frame: {name!r}")
    return _dq_rows(current_version(), name, args, scope)


@st.cache_data(show_spinner=False)
def _load_result(version: Version, load_id: str | None, scope: Scope) -> dict:
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


def data_docs_zip(index_html: str | Path) -> Callable[[], bytes]:
    """The folder of a load's Great Expectations Data Docs (around ``index.html``) as a ZIP,
    made when called: for a download made when its button is pressed. Data stewards only
    (the Data Docs hold failing values): the viewer is checked now, in the page's run,
    because the callable runs outside it (on a thread of Streamlit's server, where nobody
    is signed in)."""
    scope = _steward()
    folder = Path(index_html).parent
    stamp = folder.stat().st_mtime
    return lambda: _zip_folder(str(folder), stamp, scope)


@st.cache_data(show_spinner=False)
def _live(version: Version, scope: Scope) -> versions.LiveVersion:
    return versions.live_version(resolve_warehouse(version.path))


def live_version() -> versions.LiveVersion:
    """Which published version the dashboard is showing (for the Data quality page)."""
    return _live(current_version(), _steward())


# ---------------------------------------------------------------- at a glance, the pack


def glance(
    year: str, terms: tuple[int, ...], districts: tuple[str, ...] = (), phase: str = "all"
) -> glance_module.Glance:
    """``reporting.glance.Glance`` for a selection, through the role-checked, cached
    committee tables above (Kent as a whole: ``districts=()``)."""
    years = available_years()
    current = committee_tables(year, terms, districts)
    before_year = glance_module.previous_year(years, year)
    before = committee_tables(before_year, terms, districts) if before_year else None
    latest = previous = None
    if current.published_terms:
        term = max(current.published_terms)
        latest = committee_tables(year, (term,), districts)
        earlier = glance_module.term_before(year, term, years)
        if earlier is not None:
            previous = committee_tables(earlier[0], (earlier[1],), districts)
    county = None if current.selection.all_districts else committee_tables(year, terms)
    status = return_status(year)
    chosen = current.selection.district_list()
    status = status[status["district"].isin(chosen)].reset_index(drop=True)
    return glance_module.Glance(current, before, latest, previous, county, status, phase)


def own_return() -> tuple[str, str] | None:
    """For a viewer who sees one district (a district lead): their return for the latest
    term any district has sent, as (status, sentence); None for everyone else."""
    viewer = auth.current_viewer()
    if not viewer.restricted or len(viewer.allowed_districts()) != 1:
        return None
    years = available_years()
    if not years:
        return None
    year = years[0]
    terms = published_terms(year)
    if not terms:
        return None
    district = viewer.allowed_districts()[0]
    return glance_module.own_return(return_status(year), district, year, max(terms))


@st.cache_data(show_spinner=False)
def _total_checks(version: Version, year: str) -> list[funding_check.TotalCheck]:
    return funding_check.county_total_checks(_connection(version).cursor(), year)


def county_total_checks(year: str) -> list[funding_check.TotalCheck]:
    """The audit's finding on the funding file's stated county total for the year (no
    district's own figures: every role)."""
    return _total_checks(current_version(), _year_checked(year))


@st.cache_data(show_spinner=False)
def _version_id(version: Version) -> str | None:
    return versions.live_version(resolve_warehouse(version.path)).version_id


def version_id() -> str | None:
    """The published version the pages show (for the committee pack's footnote)."""
    return _version_id(current_version())


def pack_data(
    year: str, terms: tuple[int, ...], districts: tuple[str, ...] = (), phase: str = "all"
) -> pack.PackData:
    """What the committee pack shows, through the role-aware functions above: a district
    lead's pack holds their district and Kent as a whole, nothing else."""
    view = glance(year, terms, districts, phase)
    chosen = view.current.selection
    engagement = county_rate = None
    if chosen.all_districts:
        rows = figure_rows(("engagement_pct",), year)
        settings = analysis.settings_view(
            rows, "engagement_pct", "all", _ALL, _terms_checked(terms)
        )
        engagement, county_rate = settings.by_district, settings.county
    census = pack.census_series(
        figure_rows(analysis.CENSUS_FIGURES),
        chosen.district_list(),
        contracts.census_year_for(year),
    )
    return pack.PackData(
        glance=view,
        loads=recent_loads(1),
        version_id=version_id(),
        total_checks=county_total_checks(year),
        county_funding=county_funding_row(year, terms)["budget"],
        engagement=engagement,
        county_engagement=county_rate,
        census=census,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _pack_file(
    version: Version,
    year: str,
    terms: tuple[int, ...],
    districts: tuple[str, ...],
    phase: str,
    fmt: str,
    scope: Scope,
) -> bytes:
    return pack.build(pack_data(year, terms, districts, phase), fmt)


def pack_file(
    year: str, terms: tuple[int, ...], districts: tuple[str, ...], phase: str, fmt: str
) -> Callable[[], bytes]:
    """The committee pack as PDF or HTML bytes, made when called (drawn by Chromium:
    seconds, so the Overview makes it only when its button is pressed). The viewer and the
    selection are checked now, in the page's run; the callable, which runs outside it (on
    a thread of Streamlit's server, where nobody is signed in), acts as this run's viewer
    (``auth.acting_as``)."""
    viewer = auth.current_viewer()
    args = (
        current_version(),
        _year_checked(year),
        _terms_checked(terms),
        viewer.check_districts(tuple(districts)),
        phase if phase in ("all", *contracts.CENSUS_PHASES) else "all",
        fmt if fmt in pack.FORMATS else "pdf",
        viewer.scope,
    )
    return auth.acting_as(viewer, lambda: _pack_file(*args))
