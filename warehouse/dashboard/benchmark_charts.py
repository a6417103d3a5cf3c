"""The figures of the "Kent among councils" page (Source 4), built here so the page only lays
them out. Every name, label and symbol in them came from DfE's files (received text), so each
goes through ``safe_text.chart_text`` before it reaches Plotly, which would otherwise render
``<a href>``, ``<b>`` or ``<span style>`` in a trace name, a tick label, bar text or a title."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from warehouse.core import safe_text
from warehouse.dashboard import charts
from warehouse.reporting import benchmarks

_text = safe_text.chart_text


def trend(frame: pd.DataFrame, la: str, unit: str) -> tuple[go.Figure, str]:
    """One line per area of ``benchmarks.series`` (the home authority first, drawn thick in
    the focus colour), by year as published; and the chart's alternative text."""
    fig = go.Figure()
    for i, (area, part) in enumerate(frame.groupby("area_order", sort=True)):
        is_home = area == 1
        fig.add_scatter(
            x=[_text(y) for y in part["year"]],
            y=[None if pd.isna(v) else float(v) for v in part["value"]],
            name=_text(part["area"].iloc[0]),
            mode="lines+markers",
            line={
                "color": charts.FOCUS if is_home else charts.CATEGORICAL[(i + 1) % 6],
                "width": 5 if is_home else 2,
                "dash": charts.DASHES[i % 6],
            },
            marker={"symbol": charts.MARKERS[i % 6], "size": 11 if is_home else 8},
        )
    fig.update_layout(
        xaxis={"title": {"text": "Year as published"}, "type": "category"},
        yaxis={"title": {"text": _text(unit)}},
    )
    charts.finish(fig, f"{_text(la)} against its neighbours, region and England")
    alt = f"Line chart of {la}, its statistical neighbours' mean, its region and England by year."
    return fig, alt


def neighbours(result: benchmarks.Benchmark, unit: str) -> tuple[pd.DataFrame, go.Figure, str]:
    """The latest year's home authority and its neighbours, sorted by value (gaps first), as
    a table (names as received) and as horizontal bars with the home authority marked; and
    the chart's alternative text."""
    la = result.la
    bars = pd.DataFrame(
        [{"area": la, "value": result.value, "symbol": result.value_symbol}]
        + [{"area": n.la, "value": n.value, "symbol": n.symbol} for n in result.neighbours]
    ).sort_values("value", ascending=True, na_position="first")
    fig = go.Figure(
        go.Bar(
            x=[0 if pd.isna(v) else float(v) for v in bars["value"]],
            y=[_text(a) for a in bars["area"]],
            orientation="h",
            marker={"color": [charts.FOCUS if a == la else charts.CONTEXT for a in bars["area"]]},
            text=[
                _text(s) or "" if pd.isna(v) else f"{v:,g}"
                for v, s in zip(bars["value"], bars["symbol"], strict=True)
            ],
            textposition="outside",
        )
    )
    fig.update_layout(xaxis={"title": {"text": _text(unit)}}, yaxis={"title": {"text": ""}})
    charts.finish(
        fig, f"{_text(la)} and its 10 statistical neighbours, {_text(result.year)}", legend=False
    )
    alt = f"Bar chart of {la} (dark) and its statistical neighbours in {result.year}, sorted."
    return bars, fig, alt
