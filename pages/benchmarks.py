"""Kent among councils: DfE's published figures (Source 4) for the home authority beside its ten
statistical neighbours, its region and England, with DfE's quartile band and rank."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import benchmark_charts, charts, filters, national_data, ui
from warehouse.reporting import benchmarks

ui.page_setup()

home = benchmarks.home_authority()
st.title(f"{safe_text.markdown_text(home)} among England's councils")
st.caption(f"{benchmarks.ATTRIBUTION} {benchmarks.SOURCE} These figures are real, as published.")

if not national_data.has_figures():
    st.info(
        "No national figures are published yet: load DfE's files (shared/reference/national/) "
        "with 'stls load'.",
        icon=":material/info:",
    )
    st.stop()

names = {str(number): name for number, name in national_data.authorities()}
home_number = next(
    (n for n, name in names.items() if name.casefold() == home.casefold() or n == home), None
)
if home_number is None:
    st.error(f"The home authority {safe_text.markdown_text(home)!r} is not in DfE's figures.")
    st.stop()

catalogue = national_data.indicators()
options = {
    row.indicator_code: f"{row.topic_group}: {row.topic} - {row.label} ({row.indicator_code})"
    for row in catalogue.itertuples()
}
code = filters.url_select("indicator", "Indicator (SEND and inclusion first)", options, "nat")
info = catalogue.set_index("indicator_code").loc[code]
result = national_data.benchmark(names[home_number], code)
la = result.la
unit = str(info["unit"] or "")
ATTRIBUTED = f"{benchmarks.ATTRIBUTION} {benchmarks.SOURCE}"


def _download(frame: pd.DataFrame, name: str, file_name: str) -> None:
    """The table and its CSV, each row carrying the attribution and source."""
    with st.expander(f"Table: {name}"):
        st.dataframe(frame, hide_index=True)
    st.download_button(
        f"Download the data: {name} (CSV)",
        safe_text.csv_bytes(frame.assign(source=ATTRIBUTED)),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"download_{ui.slug(file_name)}",
    )


PLACES = 1 if pd.isna(info["decimal_places"]) else int(info["decimal_places"])


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:,.{PLACES}f}"


# ---------------------------------------------------------------- the tile
st.header(
    f"{safe_text.markdown_text(result.label or code)}, {safe_text.markdown_text(result.year)}"
)
cols = st.columns(4)
cols[0].metric(
    safe_text.markdown_text(la), _shown(result.value) if result.value is not None else "[x]"
)
cols[1].metric(
    "Rank among councils",
    "-" if result.rank is None else f"{result.rank} of {result.las_ranked}",
)
cols[2].metric("Quartile band", result.quartile_band or "-")
cols[3].metric(
    f"Change since {safe_text.markdown_text(result.previous_year or 'the previous year')}",
    _shown(result.change_from_previous_year),
)
if result.quartile_band and result.polarity in ("High", "Low"):
    good = result.quartile_band in ("A", "B")
    st.badge(
        f"Band {result.quartile_band}: "
        + ("in the better half of councils" if good else "in the weaker half of councils"),
        color="green" if good else "orange",
    )
else:
    st.caption(
        "No band or rank: DfE gives this indicator no direction of good (EHC plan rates are "
        "neither better nor worse higher or lower)."
    )
updated = info["last_update"] if pd.notna(info["last_update"]) else info["last_update_note"]
upcoming = info["next_update"] if pd.notna(info["next_update"]) else info["next_update_note"]
st.markdown(safe_text.markdown_text(info["description"] or ""))
st.caption(
    f"Source: {safe_text.markdown_text(info['data_owner'] or 'DfE')}. "
    f"Last updated {safe_text.markdown_text(updated or 'not given')}; "
    f"next update {safe_text.markdown_text(upcoming or 'not given')}."
)

# ---------------------------------------------------------------- over the years
trend = national_data.series(int(home_number), code)
fig, alt = benchmark_charts.trend(trend, la, unit)
st.plotly_chart(fig, theme=None, config=charts.CONFIG, key="chart_trend", alt=alt)
st.caption(safe_text.markdown_text(alt))
_download(
    trend[["year", "area", "value", "symbol"]],
    "over the years",
    f"stls_{ui.slug(la)}_{ui.slug(code)}_over_years.csv",
)

# ---------------------------------------------------------------- the latest year's neighbours
bars, bar_fig, bar_alt = benchmark_charts.neighbours(result, unit)
st.plotly_chart(bar_fig, theme=None, config=charts.CONFIG, key="chart_neighbours", alt=bar_alt)
st.caption(safe_text.markdown_text(bar_alt))
_download(
    bars, "the latest year's neighbours", f"stls_{ui.slug(la)}_{ui.slug(code)}_neighbours.csv"
)
st.caption(ATTRIBUTED)
