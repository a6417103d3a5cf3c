"""The Overview's chart (and the committee pack's first): each headline figure against the
same terms a year earlier, with the direction of good shown by position and marker.

A figure that got better sits right of the zero line with an upward triangle, one that got
worse left of it with a downward triangle, one that did not change on it with a circle
(whatever the figure's own direction of good, so "right" always means better); the colour
repeats what position and shape say. Each row's figure now and a year earlier is written
beside it, outside the plot area.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from warehouse.core import figures
from warehouse.dashboard import charts
from warehouse.dashboard.chart_rules import enforce
from warehouse.reporting.formatting import format_value

BETTER, WORSE, SAME = "#12436D", "#F46A25", "#3D3D3D"
_LINE = 22  # characters per line of a row's name: fits beside the plot on a phone
_LINE_PX = 17  # height of one line of a row's name


def _name(row) -> str:
    """The row's name on short lines: "Settings attending<br>training: primary"."""
    return "<br>".join(textwrap.wrap(row.name, _LINE))


def headline_change(rows: pd.DataFrame, title: str, then_label: str) -> go.Figure:
    """``glance.headline`` rows: points better (right) or worse (left) than ``then_label``."""
    rows = rows[rows["points"].notna()].reset_index(drop=True)
    names = [_name(r) for r in rows.itertuples()]
    toward_good = [
        p if d == figures.UP else -p for p, d in zip(rows["points"], rows["direction"], strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(  # the stems, from zero to each marker
        x=toward_good,
        y=names,
        orientation="h",
        width=0.12,
        marker={"color": "#BFBFBF", "line": {"color": "#3D3D3D", "width": 1}},  # GSS greys
        hoverinfo="skip",
        showlegend=False,
    )
    groups = (
        (f"Better than {then_label}", "triangle-up", BETTER, [b is True for b in rows["better"]]),
        (f"Worse than {then_label}", "triangle-down", WORSE, [b is False for b in rows["better"]]),
        ("No change", "circle", SAME, [b is None for b in rows["better"]]),
    )
    for name, symbol, colour, chosen in groups:
        picked = [i for i, keep in enumerate(chosen) if keep]
        fig.add_scatter(
            x=[toward_good[i] for i in picked],
            y=[names[i] for i in picked],
            mode="markers",
            name=name,
            marker={"symbol": symbol, "size": 15, "color": colour, "line": {"color": "#FFFFFF"}},
            customdata=[
                [
                    rows.at[i, "name"],
                    format_value(rows.at[i, "now"], "percent"),
                    format_value(rows.at[i, "then"], "percent"),
                    format_value(rows.at[i, "points"], "pp"),
                ]
                for i in picked
            ],
            hovertemplate=(
                "%{customdata[0]}: %{customdata[1]} (%{customdata[2]} in "
                + then_label
                + "), %{customdata[3]}<extra></extra>"
            ),
            showlegend=bool(picked) or name.startswith("Better"),
        )
    labels = [
        f"{format_value(r.now, 'percent')} ({format_value(r.then, 'percent')})"
        for r in rows.itertuples()
    ]
    charts.margin_labels(fig, names, labels, "percent")
    charts.vline(fig, 0, {"color": charts.TEXT, "width": 2})
    reach = max([abs(v) for v in toward_good] + [5.0]) + 1
    fig.update_layout(
        xaxis={
            **charts._axis(
                "pp",
                f"Points better (right) or worse (left) than {then_label}<br>"
                f"Written at the right: the figure now ({then_label})",
            ),
            "range": [-reach, reach],
            "tickformat": "+d",
            "zeroline": False,
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(names)),
            "title": None,
            "automargin": True,
            "tickfont": {"size": 12, "color": charts.TEXT},
        },
        bargap=0.5,
    )
    lines = max((name.count("<br>") + 1 for name in names), default=1)
    charts.finish(fig, title, height=max(320, 130 + (lines * _LINE_PX + 12) * len(rows)))
    fig.update_layout(meta={"title": title, "kind": "headline"})
    return enforce(fig)
