"""The figures of the "Kent among councils" page (Source 4), built here so the page only lays
them out. Every name, label and symbol in them came from DfE's files (received text), so each
goes through ``safe_text.chart_text`` before it reaches Plotly, which would otherwise render
``<a href>``, ``<b>`` or ``<span style>`` in a trace name, a tick label, bar text or a title."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from warehouse.core import safe_text
from warehouse.dashboard import charts, titles
from warehouse.reporting import benchmarks

_text = safe_text.chart_text
ENGLAND_COLOUR = "#3D3D3D"  # GSS dark grey: England, dashed, readable against white


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


def ehcp_context(frame: pd.DataFrame) -> tuple[go.Figure, str]:
    """The home authority's and England's EHC plan and SEN support rates by year (from
    ``national_context.ehcp_rates``): one line per measure and area, the home authority solid
    and England dashed; and the chart's alternative text."""
    fig = go.Figure()
    for i, ((measure, order), part) in enumerate(frame.groupby(["measure", "area_order"])):
        fig.add_scatter(
            x=[_text(y) for y in part["year"]],
            y=[None if pd.isna(v) else float(v) for v in part["value"]],
            name=f"{_text(part['area'].iloc[0])}: {measure}",
            mode="lines+markers",
            line={
                "color": charts.FOCUS if order == 1 else ENGLAND_COLOUR,
                "width": 4 if order == 1 else 2,
                "dash": "solid" if order == 1 else "dash",
            },
            marker={"symbol": charts.MARKERS[i % 6], "size": 9},
        )
    fig.update_layout(
        xaxis={"title": {"text": "Year as published"}, "type": "category"},
        yaxis={"title": {"text": "% of all pupils"}},
    )
    la = frame.loc[frame["area_order"] == 1, "area"]
    name = str(la.iloc[0]) if len(la) else "The home authority"
    charts.finish(
        fig,
        titles.fit(
            f"{_text(name)} and England: EHC plan and SEN support rates",
            "EHC plan and SEN support rates as DfE publishes them",
        ),
    )
    alt = (
        f"Line chart of {name}'s and England's EHC plan and SEN support rates (% of all "
        "pupils) by year as DfE publishes them; England dashed."
    )
    return fig, alt
