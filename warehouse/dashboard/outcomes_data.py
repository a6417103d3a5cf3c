"""Read access for the page "Outcomes for supported children", with its role rules enforced
here (as ``warehouse.dashboard.app_data`` does for the other pages), not only on the page:

* cohort figures for everyone: directors and data stewards every district, a district
  lead their own district and Kent as a whole, never another district's rows;
* child-level rows (``marts.mart_outcome_child``) for data stewards only:
  ``auth.AccessDenied`` for everyone else, whatever page asks.

Results are cached per warehouse version and viewer scope, like every other page's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.dashboard import app_data, auth
from warehouse.publish.identity import Version
from warehouse.reporting import outcomes

Scope = app_data.Scope


def _cursor(version: Version):
    return app_data._connection(version).cursor()


@st.cache_data(show_spinner=False)
def _years(version: Version) -> list[str]:
    return outcomes.closed_years(_cursor(version))


def closed_years() -> list[str]:
    """Academic years with a published cohort, oldest first (``[]``: none yet)."""
    return _years(app_data.current_version())


@st.cache_data(show_spinner=False)
def _table(
    version: Version,
    year: str,
    side: str,
    breakdown: str,
    scope: Scope,
    allowed: tuple[str, ...],
) -> pd.DataFrame:
    districts = allowed if scope[0] == auth.DISTRICT_LEAD else None
    return outcomes.table(_cursor(version), year, side, breakdown, districts)


def table(year: str, side: str, breakdown: str) -> pd.DataFrame:
    """One breakdown of the cohort or the comparison group (Kent first), unsuppressed: the
    page suppresses it. A district lead's district breakdown holds Kent and their district."""
    viewer = auth.current_viewer()
    if side not in outcomes.BREAKDOWNS or breakdown not in (
        "phase",
        *outcomes.BREAKDOWNS[side],
    ):
        raise ValueError(f"no {side} breakdown by {breakdown!r}")
    return _table(
        app_data.current_version(),
        app_data._year_checked(year),
        side,
        breakdown,
        viewer.scope,
        viewer.allowed_districts(),
    )


@st.cache_data(show_spinner=False)
def _curve(version: Version, year: str, district: str | None, scope: Scope) -> pd.DataFrame:
    return outcomes.curve(_cursor(version), year, district)


def curve(year: str, district: str | None = None) -> pd.DataFrame:
    """The cohort curves for Kent (``None``) or one district the viewer may see."""
    viewer = auth.current_viewer()
    if district is not None:
        viewer.check_districts((district,))
    return _curve(app_data.current_version(), app_data._year_checked(year), district, viewer.scope)


@st.cache_data(show_spinner=False)
def _children(version: Version, year: str, scope: Scope) -> pd.DataFrame:
    return outcomes.child_rows(_cursor(version), year)


def child_rows(year: str) -> pd.DataFrame:
    """The year's child-level rows: data stewards only."""
    viewer = auth.current_viewer()
    if viewer.role != auth.DATA_STEWARD:
        raise auth.AccessDenied(
            f"Child-level rows are for data stewards; your role is {viewer.describe()}."
        )
    return _children(app_data.current_version(), app_data._year_checked(year), viewer.scope)


@st.cache_data(show_spinner=False)
def _complete(version: Version, year: str) -> dict[str, dict[int, bool]]:
    cur = _cursor(version)
    return {
        side: outcomes.horizons_complete(outcomes.mart_rows(cur, side, year))
        for side in (outcomes.COHORT, outcomes.COMPARISON)
    }


def horizons_complete(year: str) -> dict[str, dict[int, bool]]:
    """Per side, whether every census that can fall inside each horizon is published (the
    same for every district: a census covers the county)."""
    return _complete(app_data.current_version(), app_data._year_checked(year))
