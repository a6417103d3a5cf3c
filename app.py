"""STLS Insight dashboard: `stls dashboard` (or `make run`) serves this file."""

from __future__ import annotations

import streamlit as st

from warehouse import app_data
from warehouse.errors import WarehouseMissing

st.set_page_config(page_title="STLS Insight", layout="wide")

try:
    app_data.current_version()
except WarehouseMissing as exc:
    st.error(str(exc))
    st.stop()

if app_data.illustrative():
    st.warning(
        "Illustrative data: this dashboard shows the bundled demo data. The district split is "
        "invented; only county totals are calibrated to the July 2024 committee report.",
        icon=":material/info:",
    )

navigation = st.navigation(
    [st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True)]
)
navigation.run()
