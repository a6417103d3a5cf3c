"""STLS Insight dashboard: `stls dashboard` (or `make run`) serves this file."""

from __future__ import annotations

import streamlit as st

from warehouse import app_data, filters
from warehouse.errors import WarehouseMissing

st.set_page_config(page_title="STLS Insight", page_icon=":material/school:", layout="wide")

try:
    app_data.current_version()
except WarehouseMissing as exc:
    st.error(str(exc))
    st.stop()

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(
        "pages/engagement.py",
        title="District engagement",
        icon=":material/groups:",
        url_path="engagement",
    ),
    st.Page(
        "pages/funding.py",
        title="Funding per pupil",
        icon=":material/payments:",
        url_path="funding",
    ),
    st.Page(
        "pages/ehcp.py",
        title="EHCP trends vs inclusion",
        icon=":material/trending_up:",
        url_path="ehcp",
    ),
    st.Page(
        "pages/data_quality.py",
        title="Data quality",
        icon=":material/fact_check:",
        url_path="data_quality",
    ),
    st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
]

# Streamlit's captions are pale grey (below the WCAG AA contrast of 4.5:1): darken them.
st.html(
    "<style>[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p "
    "{color: #505A5F !important; opacity: 1 !important;}</style>"
)

page = st.navigation(PAGES)
filters.arrive(page.url_path)

if app_data.illustrative():
    st.warning(
        "Illustrative data: this dashboard shows the bundled demo data. The district split is "
        "invented; only county totals are calibrated to the July 2024 committee report.",
        icon=":material/info:",
    )

page.run()
