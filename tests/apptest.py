"""Helpers for running pages in Streamlit's AppTest, shared by several test folders."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

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


class Downloads(dict):
    """The bytes behind every download button: those a run made, by the URL the button
    points at (the mapping), and those made when the button is pressed (``deferred``, by
    file id: the callable and its MIME type). ``of`` gives either, pressing if needs be."""

    def __init__(self) -> None:
        super().__init__()
        self.deferred: dict[str, tuple[Any, str]] = {}

    def of(self, button: Any) -> bytes:
        """What pressing ``button`` (an AppTest download button) downloads."""
        if button.proto.url:
            return self[button.proto.url]
        # As Streamlit's server does: on a thread of its own, outside the page's run (no
        # ScriptRunContext, so ``st.user`` is empty there).
        with ThreadPoolExecutor(max_workers=1) as pool:
            made = pool.submit(self.deferred[button.proto.deferred_file_id][0]).result()
        return made.encode("utf-8") if isinstance(made, str) else bytes(made)

    def is_csv(self, button: Any) -> bool:
        """Whether ``button`` downloads a CSV (a chart's or a table's data; not the pack)."""
        if button.proto.url:
            return button.proto.url in self and button.proto.url.endswith(".csv")
        return self.deferred[button.proto.deferred_file_id][1] == "text/csv"
