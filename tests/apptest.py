"""Helpers for running pages in Streamlit's AppTest, shared by several test folders."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from warehouse.dashboard.ui import TABLE_KEY_PREFIX


def open_tables(at: AppTest) -> AppTest:
    """Open every closed data table on the page and run it again (a chart's table is drawn
    only while its expander is open: ``ui.data_table``), as a reader who opens them all."""
    closed = [
        key
        for key in at.session_state
        if key.startswith(TABLE_KEY_PREFIX) and not at.session_state[key]
    ]
    if closed:
        for key in closed:
            at.session_state[key] = True
        at.run()
    return at
