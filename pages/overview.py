"""Overview: the committee tables for the latest year beside the year before."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse import app_data, render
from warehouse.report import FIGURES

st.title("STLS Insight: overview")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet.")
    st.stop()

year = st.selectbox("Academic year", years, index=0)
terms = tuple(
    st.multiselect(
        "Terms", [1, 2, 3, 4, 5, 6], default=[1, 2, 3, 4], format_func=lambda t: f"Term {t}"
    )
) or (1, 2, 3, 4)
previous = next((y for y in years if y < year), None)

current = app_data.committee_tables(year, terms)
before = app_data.committee_tables(previous, terms) if previous else None

rows = []
for figure, (title, _unit) in FIGURES.items():
    for breakdown, value in current.figures.get(figure, {}).items():
        row = {
            "Figure": title,
            "Breakdown": render.BREAKDOWN_LABELS.get(breakdown, breakdown),
            year: render.display(figure, value),
        }
        if before is not None:
            row[previous] = render.display(figure, before.figures.get(figure, {}).get(breakdown))
        rows.append(row)
table = pd.DataFrame(rows)

st.subheader(f"Committee tables, {render.terms_label(list(terms))}")
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "Download these tables as CSV",
    render.to_csv(current).encode("utf-8"),
    file_name=f"stls_committee_tables_{year}.csv",
    mime="text/csv",
)
for note in render.notes(current):
    st.caption(note)
