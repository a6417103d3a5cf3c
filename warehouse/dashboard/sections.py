"""What a page shows, worked out before it is drawn.

A page file lays out; the modules beside this one (one per page) work out what it lays out:
the chart, its table and units, its title, file name, text alternative and notes. A page
passes a ``ChartSection`` to ``ui.show`` and a ``TableSection`` to ``ui.show_table``.
Nothing here imports Streamlit, so a section can be tested without running a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go


@dataclass(frozen=True)
class TableSection:
    """A table of figures with its units (column -> unit), name and CSV file name."""

    table: pd.DataFrame
    units: Mapping[str, str]
    name: str
    file_name: str


@dataclass(frozen=True)
class ChartSection:
    """A chart, its text alternative and notes, and the table of the figures it draws."""

    fig: go.Figure
    data: TableSection
    alt: str
    notes: tuple[str, ...] = ()
