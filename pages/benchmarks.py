"""Kent among councils: DfE's published figures (Source 4) for the home authority beside its ten
statistical neighbours, its region and England, with DfE's quartile band and rank."""

from __future__ import annotations

import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import (
    benchmark_charts,
    benchmarks_view,
    charts,
    filters,
    national_data,
    ui,
)
from warehouse.reporting import benchmarks

ui.page_setup()

home = benchmarks.home_authority()
st.title(f"{safe_text.markdown_text(home)} among England's councils")
st.caption(f"{benchmarks.ATTRIBUTED} These figures are real, as published.")

if not national_data.has_figures():
    st.info(
        "No national figures are published yet: load DfE's files (shared/reference/national/) "
        "with 'stls load'.",
        icon=":material/info:",
    )
    st.stop()

found = national_data.home()
if found is None:
    st.error(f"The home authority {safe_text.markdown_text(home)!r} is not in DfE's figures.")
    st.stop()
home_number, home_name = found

options = benchmarks_view.indicator_options()
code = filters.url_select("indicator", "Indicator (SEND and inclusion first)", options, "nat")
info = benchmarks_view.indicator(code)
result = national_data.benchmark(home_name, code)
la = result.la


# ---------------------------------------------------------------- the tile
st.header(
    f"{safe_text.markdown_text(result.label or code)}, {safe_text.markdown_text(result.year)}"
)
cols = st.columns(4)
cols[0].metric(safe_text.markdown_text(la), benchmarks_view.value_text(result, info))
cols[1].metric("Rank among councils", benchmarks_view.rank_text(result))
cols[2].metric("Quartile band", result.quartile_band or "-")
cols[3].metric(benchmarks_view.change_label(result), info.shown(result.change_from_previous_year))
badge = benchmarks_view.band_badge(result)
if badge is not None:
    st.badge(badge.text, color=badge.colour)
else:
    st.caption(
        "No band or rank: DfE gives this indicator no direction of good (EHC plan rates are "
        "neither better nor worse higher or lower)."
    )
st.markdown(safe_text.markdown_text(info.description))
st.caption(benchmarks_view.source_caption(info))

# ---------------------------------------------------------------- over the years
trend = national_data.series(home_number, code)
fig, alt = benchmark_charts.trend(trend, la, info.unit)
st.plotly_chart(fig, theme=None, config=charts.CONFIG, key="chart_trend", alt=alt)
st.caption(safe_text.markdown_text(alt))
ui.show_table(benchmarks_view.over_years_table(trend, la, code))

# ---------------------------------------------------------------- the latest year's neighbours
bars, bar_fig, bar_alt = benchmark_charts.neighbours(result, info.unit)
st.plotly_chart(bar_fig, theme=None, config=charts.CONFIG, key="chart_neighbours", alt=bar_alt)
st.caption(safe_text.markdown_text(bar_alt))
ui.show_table(benchmarks_view.neighbours_table(bars, la, code))
st.caption(benchmarks_view.ATTRIBUTED)
