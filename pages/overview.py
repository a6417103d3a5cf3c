"""Overview: the committee tables for a year beside the year before, county context and
how fresh the data are."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.core import contracts, safe_text
from warehouse.dashboard import app_data, auth, filters, titles, ui
from warehouse.reporting import analysis, comparison, formatting, render
from warehouse.reporting.suppression import SUPPRESSED, is_small

ui.page_setup()
st.title("STLS Insight: overview")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet: load a term's files with 'stls load'.")
    st.stop()

chosen = filters.sidebar(filters.FIELDS, years, app_data.published_terms)
districts = () if chosen.all_districts else chosen.chosen_districts
previous = next((y for y in years if y < chosen.year), None)
current = app_data.committee_tables(chosen.year, chosen.terms, districts)
before = app_data.committee_tables(previous, chosen.terms, districts) if previous else None

st.markdown(
    f"**{titles.sentence(chosen.describe())}**"
    + (f", beside the same terms of {previous}." if previous else ".")
)

# ---------------------------------------------------------------- county context
st.header("Context")
CONTEXT_FIGURES = ("sla_funding", "caseload_avg", "ehcp_rate_pct")


def _context(year: str | None) -> dict[str, float | None]:
    """SLA funding, pupils on caseload (all phases, average per term) and pupils with an
    EHC plan (the census phases) for the chosen districts and terms of a year."""
    if year is None:
        return {}
    rows = app_data.figure_rows(CONTEXT_FIGURES, year)
    chosen_rows = {"districts": chosen.chosen_districts, "terms": chosen.terms}
    phases = contracts.CENSUS_PHASES
    return {
        "funding": analysis.value(rows, "sla_funding", **chosen_rows),
        "caseload": analysis.value(rows, "caseload_avg", breakdowns=phases, **chosen_rows),
        "ehcp": analysis.pooled(rows, "ehcp_rate_pct", breakdowns=phases, **chosen_rows)[
            "numerator"
        ].iloc[0],
    }


now_context, then_context = _context(chosen.year), _context(previous)


def _delta(now: float | None, then: float | None, unit: str) -> str | None:
    if now is None or then is None or previous is None:
        return None
    change = now - then
    text = formatting.format_value(change, "GBP_signed" if unit == "GBP" else "count")
    if unit != "GBP" and not text.startswith("-"):
        text = f"+{text}"
    return f"{text} on {previous}"


def _shown(value: float | None, unit: str) -> str:
    if not chosen.all_districts and unit == "count" and is_small(value):
        return SUPPRESSED
    return formatting.format_value(value, unit)


context = [
    (
        label,
        now_context.get(key),
        then_context.get(key),
        unit,
    )
    for key, label, unit in (
        ("funding", "SLA funding, total", "GBP"),
        ("caseload", "Pupils on caseload, average per term", "count"),
        (
            "ehcp",
            f"Pupils with an EHC plan, January {current.census_year_used or current.census_year}",
            "count",
        ),
    )
]
for column, (label, now, then, unit) in zip(st.columns(3), context, strict=True):
    shown = _shown(now, unit)
    delta = None if shown == SUPPRESSED else _delta(now, then, unit)
    unchanged = delta is not None and delta.lstrip("+-£").startswith("0 ")
    column.metric(
        label,
        shown,
        delta=f"No change on {previous}" if unchanged else delta,
        delta_color="off",
        delta_arrow="off" if unchanged else "auto",
        border=True,
        help="Context for the service: neither a rise nor a fall is good or bad in itself.",
    )
st.caption(
    f"{', '.join(chosen.chosen_districts) if chosen.restricted else chosen.comparator}: "
    f"{chosen.year}"
    + (f" with the change on {previous}" if previous else "")
    + ". SLA funding is the total of the districts' SLAs; caseload is all phases; EHC plans "
    "are early years, primary and secondary pupils in the census."
)

# ---------------------------------------------------------------- committee tables
st.header("Committee tables")
table = comparison.comparison(current, before, chosen.phase)
st.caption(
    "Each figure as the committee report publishes it (whole percentages, whole pupils, "
    "whole pounds), for the terms chosen in both years. The change is worked out from "
    "unrounded figures. Direction of good says whether a rise is an improvement; "
    "the reading says what happened in words."
)
st.table(table, hide_index=True)
st.download_button(
    "Download the data: committee tables with change (CSV)",
    table.to_csv(index=False, lineterminator="\n").encode("utf-8"),
    file_name=f"stls_committee_tables_{chosen.year}_vs_{previous or 'none'}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="download_comparison",
)
st.download_button(
    f"Download {chosen.year} as 'stls report tables' writes it (CSV, unrounded)",
    render.to_csv(current).encode("utf-8"),
    file_name=f"stls_committee_tables_{chosen.year}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="download_report_csv",
)
for note in render.notes(current):
    st.caption(note)

if chosen.restricted:
    county_now = app_data.committee_tables(chosen.year, chosen.terms)
    county_then = app_data.committee_tables(previous, chosen.terms) if previous else None
    st.subheader(f"{chosen.comparator}, for comparison")
    county_table = comparison.comparison(county_now, county_then, chosen.phase)
    st.caption(
        "The same figures for Kent as a whole (all 12 districts pooled), so "
        f"{', '.join(chosen.chosen_districts)} can be read against the county."
    )
    st.table(county_table, hide_index=True)
    st.download_button(
        "Download the data: Kent committee tables with change (CSV)",
        county_table.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        file_name=f"stls_committee_tables_kent_{chosen.year}_vs_{previous or 'none'}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="download_county_comparison",
    )

# ---------------------------------------------------------------- freshness
st.header("Data freshness")
loads = app_data.recent_loads(1)
if len(loads):
    last = loads.iloc[0]
    finished = last["finished_at"]
    when = finished.strftime("%-d %B %Y at %H:%M") if pd.notna(finished) else "not finished"
    st.markdown(
        f"Last load: **{when}** ({'demo data' if last['kind'] == 'demo' else 'termly load'}, "
        f"{str(last['status']).replace('_', ' ')})."
    )
status = app_data.return_status(chosen.year)
status = status[status["district"].isin(chosen.chosen_districts)]
latest_term = max(app_data.published_terms(chosen.year), default=None)
if latest_term is not None:
    latest = status[status["term"] == latest_term]
    missing = list(latest.loc[~latest["has_published_return"], "district"])
    held = latest[latest["return_status"].isin(("held", "published_held"))]
    st.markdown(
        f"Latest term with returns in {chosen.year}: **term {latest_term}**. "
        + (
            "Districts with no published return for it: " + ", ".join(missing) + "."
            if missing
            else "Every chosen district's return for it is published."
        )
    )
    if len(held):
        st.markdown(
            "Held back by data-quality checks (the earlier figures stay until a corrected "
            "file arrives): "
            + "; ".join(
                f"{safe_text.markdown_text(r.district)} ({safe_text.markdown_text(r.held_reason)})"
                for r in held.itertuples()
            )
            + "."
        )
    else:
        st.markdown("No return for that term is held back by the data-quality checks.")
ui.missing_notice(current.missing)
if auth.current_viewer().may_open(auth.DATA_QUALITY):
    st.page_link(
        "pages/data_quality.py",
        label="Data quality: loads, checks and held returns",
        icon=":material/arrow_forward:",
    )
