"""Plotly figures for the dashboard: Government Statistical Service colours, and never
colour alone (each series also differs by marker shape, line dash or bar pattern, and the
figures are written on the chart). Numbers are formatted as UK readers expect (£1,234,
81%); a suppressed figure is drawn as no mark with "[c]" where it would be.

Every helper returns a figure that keeps the rules in ``chart_rules`` (checked by
``enforce``): its title is text above it (``layout.meta.title``), not drawn in it, so it
wraps on a phone; the legend sits above the plot; labels never meet a reference line.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from warehouse.core import contracts
from warehouse.dashboard.chart_rules import below, enforce
from warehouse.reporting.formatting import SYMBOLS, format_value

# GSS / DfE chart colours
CATEGORICAL = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
SEQUENTIAL = ("#12436D", "#2073BC", "#6BACE6")
FOCUS, CONTEXT = "#12436D", "#BFBFBF"
TEXT = "#0B0C0C"
MARKERS = ("circle", "diamond", "square", "triangle-up", "x", "star")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PATTERNS = ("", "/", ".", "x", "-", "+")
# No family name that starts with a digit ("Source Sans 3"): unquoted, it makes the whole
# declaration invalid CSS, and the browser drops it (charts then fall back to a serif face).
FONT = "Source Sans Pro, Source Sans, Arial, Liberation Sans, sans-serif"

CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

_AXIS = {
    "percent": {"ticksuffix": "%"},
    "percent1": {"ticksuffix": "%"},
    "GBP": {"tickprefix": "£", "tickformat": "~s"},  # £500k, not £500,000
}


def _number(value: object) -> float | None:
    if value is None or isinstance(value, str):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _label(value: object, unit: str) -> str:
    """A figure as a chart writes it: money rounded to what a reader needs ("£656k"; the
    table beside the chart keeps the pound), a symbol as it is."""
    if isinstance(value, str) and value in SYMBOLS:
        return value
    return format_value(value, "GBP_short" if unit == "GBP" else unit)


def _axis(unit: str, title: str = "", **extra) -> dict:
    axis = {
        "title": {"text": title},
        "tickformat": ",.1f" if unit in ("percent1", "pp1") else ",.2f" if unit == "r" else ",.0f",
        "nticks": 6,
        "gridcolor": "#E5E5E5",
        "zeroline": False,
        "linecolor": TEXT,
        "tickfont": {"color": TEXT},
        "automargin": True,
    }
    axis.update(_AXIS.get(unit, {}))
    axis.update(extra)
    return axis


def finish(fig: go.Figure, title: str, height: int = 420, legend: bool = True) -> go.Figure:
    """The common look: GSS font and colours, the legend above the plot (a horizontal row
    that wraps onto more rows on a narrow screen, pushing the plot down rather than being
    cut), and the active title kept as ``layout.meta.title`` for the page or pack to set
    above the chart as text."""
    right = max(30, fig.layout.margin.r or 0)  # a column of labels (margin_labels) keeps its room
    fig.update_layout(
        title=None,
        meta={"title": title},
        font={"family": FONT, "size": 14, "color": TEXT},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        height=height,
        margin={"l": 10, "r": right, "t": 40 if legend else 20, "b": 40, "autoexpand": True},
        separators=".,",
        showlegend=legend,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "xanchor": "left",
            "title": None,
            "entrywidthmode": "pixels",
        },
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def title_of(fig: go.Figure) -> str:
    """The chart's active title (``finish`` keeps it in ``layout.meta``)."""
    meta = fig.layout.meta
    return str(meta.get("title", "")) if isinstance(meta, dict) else ""


def margin_labels(
    fig: go.Figure, categories: Sequence[str], labels: Sequence[str], unit: str
) -> None:
    """Each bar's figure in a column right of the plot area, level with its bar: outside
    the plot, so no reference line in it can cross one. Widens the right margin to fit."""
    # Set in one update: each add_annotation re-validates every annotation before it.
    added = [
        {
            "x": 1,
            "xref": "paper",
            "xanchor": "left",
            "xshift": 8,
            "y": category,
            "yref": "y",
            "text": label,
            "showarrow": False,
            "font": {"color": TEXT},
        }
        for category, label in zip(categories, labels, strict=True)
    ]
    widest = max((len(label) for label in labels), default=3)
    fig.update_layout(annotations=[*fig.layout.annotations, *added], margin={"r": 20 + 9 * widest})


def vline(fig: go.Figure, x: float, line: dict) -> None:
    """A vertical line across a one-plot figure at ``x``: the shape ``add_vline`` draws,
    without its search of the figure's subplots."""
    fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain", line=line)


def district_bars_key(reference_name: str) -> str:
    """How ``district_bars`` marks its reference, in words for a text alternative
    ("Kent's figure as a dashed line; bars below it are orange and hatched")."""
    return f"{reference_name}'s figure as a dashed line; bars below it are orange and hatched"


def district_bars(
    names: Sequence[str],
    values: Sequence[object],
    unit: str,
    title: str,
    axis_title: str,
    reference: float | None = None,
    reference_name: str = contracts.COUNTY,
) -> go.Figure:
    """Horizontal bars, largest at the top, against a reference line (the county).

    Bars at or above the reference are solid dark blue; bars below are orange and hatched,
    and the legend says which is which. Each bar carries its figure.
    """
    frame = pd.DataFrame({"name": list(names), "value": list(values)})
    frame["number"] = [_number(v) for v in frame["value"]]
    frame = frame.sort_values("number", ascending=True, na_position="first")
    groups: list[tuple[str, pd.Series, str, str]] = []
    if reference is None:
        groups.append(("", frame["number"].notna(), FOCUS, ""))
    else:
        low = [below(n, reference) for n in frame["number"]]
        above = pd.Series([b is False for b in low], index=frame.index)
        under = pd.Series([b is True for b in low], index=frame.index)
        groups.append((f"At or above {reference_name}", above, FOCUS, ""))
        groups.append((f"Below {reference_name}", under, "#F46A25", "/"))
    fig = go.Figure()
    for name, rows, colour, pattern in groups:
        part = frame[rows]
        fig.add_bar(
            x=part["number"],
            y=part["name"],
            orientation="h",
            name=name or axis_title,
            marker={
                "color": colour,
                "pattern": {
                    "shape": pattern,
                    "fgcolor": "#FFFFFF",
                    "solidity": 0.3,
                    "fillmode": "overlay",
                },
                "line": {"color": TEXT, "width": 1},
            },
            customdata=[_label(v, unit) for v in part["value"]],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            showlegend=reference is not None,
        )
    labels = [
        _label(v, unit) if n is not None or isinstance(v, str) else "[x]"
        for v, n in zip(frame["value"], frame["number"], strict=True)
    ]
    margin_labels(fig, list(frame["name"]), labels, unit)
    if reference is not None:
        vline(fig, reference, {"color": TEXT, "dash": "dash", "width": 2})
        fig.add_scatter(  # the line's key, in the legend: never a label beside the bars
            x=[None],
            y=[None],
            mode="lines",
            name=f"{reference_name}: {format_value(reference, unit)}",
            line={"color": TEXT, "dash": "dash", "width": 2},
            hoverinfo="skip",
        )
    fig.update_layout(
        xaxis=_axis(unit, axis_title, rangemode="tozero"),
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(frame["name"]),
            "title": None,
            "automargin": True,
        },
        barmode="overlay",
        bargap=0.25,
    )
    finish(fig, title, height=max(300, 110 + 30 * len(frame)), legend=reference is not None)
    return enforce(fig)


def heatmap(matrix: pd.DataFrame, unit: str, title: str, value_name: str) -> go.Figure:
    """Rows (districts) by columns (terms), each cell shaded and labelled with its figure.

    The shading runs from zero (and to 100% for a percentage), so a gap of a few points
    looks like a few points; every cell carries its figure, so no colour bar is needed (on
    a phone it would take the cells' room). A cell with no published return is white and
    labelled "[x]" (unknown, not zero).
    """
    z = matrix.map(_number)
    numbers = [v for v in z.to_numpy().ravel() if v is not None]
    high = 100.0 if unit in ("percent", "percent1") else max(numbers, default=1.0) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(dtype=float),
            x=list(matrix.columns),
            y=list(matrix.index),
            colorscale=[[0, "#FFFFFF"], [0.5, SEQUENTIAL[2]], [0.8, SEQUENTIAL[1]], [1, FOCUS]],
            zmin=0,
            zmax=high,
            showscale=False,
            xgap=2,
            ygap=2,
            text=[
                [
                    _label(matrix.at[row, column], unit)
                    if z.at[row, column] is not None or isinstance(matrix.at[row, column], str)
                    else "[x]"
                    for column in matrix.columns
                ]
                for row in matrix.index
            ],
            texttemplate="%{text}",
            textfont={"size": 13},
            hovertemplate=f"%{{y}}, %{{x}}: %{{text}} {value_name}<extra></extra>",
        )
    )
    for row in matrix.index:  # a gap in the heat map: say it is unknown
        for column in matrix.columns:
            if z.at[row, column] is None:
                value = matrix.at[row, column]
                fig.add_annotation(
                    x=column,
                    y=row,
                    text=value if isinstance(value, str) else "[x]",
                    showarrow=False,
                    font={"color": TEXT, "size": 13},
                )
    fig.update_layout(
        xaxis={"title": None, "type": "category", "side": "top"},
        yaxis={"autorange": "reversed", "type": "category", "title": None, "automargin": True},
    )
    finish(fig, title, height=max(300, 90 + 32 * len(matrix)), legend=False)
    return enforce(fig)


def lines(
    frame: pd.DataFrame,
    x: str,
    y: str,
    series: str,
    unit: str,
    title: str,
    x_title: str,
    y_title: str,
    x_labels: dict | None = None,
) -> go.Figure:
    """One line per series, each with its own colour, marker and dash, labelled at its end."""
    fig = go.Figure()
    for i, (name, part) in enumerate(frame.groupby(series, sort=False)):
        part = part.sort_values(x)
        values = [_number(v) for v in part[y]]
        fig.add_scatter(
            x=[x_labels.get(v, v) if x_labels else v for v in part[x]],
            y=values,
            name=str(name),
            mode="lines+markers",
            line={"color": CATEGORICAL[i % 6], "dash": DASHES[i % 6], "width": 3},
            marker={
                "symbol": MARKERS[i % 6],
                "size": 10,
                "color": CATEGORICAL[i % 6],
                "line": {"color": "#FFFFFF", "width": 1},
            },
            text=[_label(v, unit) for v in part[y]],
            hovertemplate=f"{name}, %{{x}}: %{{text}}<extra></extra>",
            connectgaps=False,
        )
    fig.update_layout(
        xaxis={"title": {"text": x_title}, "type": "category", "linecolor": TEXT},
        yaxis=_axis(unit, y_title),
    )
    finish(fig, title)
    return enforce(fig)


def grouped_bars(
    frame: pd.DataFrame,
    category: str,
    columns: dict[str, str],
    unit: str,
    title: str,
    axis_title: str,
) -> go.Figure:
    """Horizontal grouped bars, one group per category; series differ by colour and pattern."""
    fig = go.Figure()
    order = list(frame[category])
    for i, (column, name) in enumerate(columns.items()):
        values = list(frame[column])
        fig.add_bar(
            y=order,
            x=[_number(v) for v in values],
            name=name,
            orientation="h",
            marker={
                "color": CATEGORICAL[i % 6],
                "pattern": {
                    "shape": PATTERNS[i % 6],
                    "fgcolor": "#FFFFFF",
                    "solidity": 0.3,
                    "fillmode": "overlay",
                },
                "line": {"color": TEXT, "width": 1},
            },
            text=[
                _label(v, unit) if _number(v) is not None or isinstance(v, str) else "[x]"
                for v in values
            ],
            textposition="outside",
            textfont={"color": TEXT},
            cliponaxis=False,
            hovertemplate=f"%{{y}}, {name}: %{{text}}<extra></extra>",
        )
    fig.update_layout(
        barmode="group",
        xaxis=_axis(unit, axis_title, rangemode="tozero"),
        yaxis={"autorange": "reversed", "title": None, "automargin": True},
        bargap=0.2,
    )
    finish(fig, title, height=max(360, 110 + 26 * len(order) * len(columns)))
    fig.update_layout(legend={"traceorder": "normal"})
    return enforce(fig)


def scatter(
    frame: pd.DataFrame,
    x: str,
    y: str,
    label: str,
    title: str,
    x_title: str,
    y_title: str,
    x_unit: str,
    y_unit: str,
    reference: tuple[str, float | None, float | None] | None = None,
) -> go.Figure:
    """Labelled points (districts), with an optional reference point (the county)."""
    fig = go.Figure()
    xs = [_number(v) for v in frame[x]]
    order = sorted(range(len(xs)), key=lambda i: xs[i] if xs[i] is not None else -math.inf)
    positions = ["top center"] * len(xs)
    for rank, i in enumerate(order):
        positions[i] = "top center" if rank % 2 == 0 else "bottom center"
    fig.add_scatter(
        x=xs,
        y=[_number(v) for v in frame[y]],
        mode="markers+text",
        name="District",
        text=list(frame[label]),
        textposition=positions,
        textfont={"color": TEXT, "size": 12},
        marker={"symbol": "circle", "size": 12, "color": FOCUS, "line": {"color": "#FFFFFF"}},
        customdata=[
            [_label(a, x_unit), _label(b, y_unit)] for a, b in zip(frame[x], frame[y], strict=True)
        ],
        hovertemplate="%{text}: %{customdata[0]}, %{customdata[1]}<extra></extra>",
    )
    if reference and reference[1] is not None and reference[2] is not None:
        name, rx, ry = reference
        fig.add_scatter(
            x=[rx],
            y=[ry],
            mode="markers+text",
            name=name,
            text=[name],
            textposition="bottom center",
            textfont={"color": TEXT, "size": 12},
            marker={
                "symbol": "diamond",
                "size": 14,
                "color": "#F46A25",
                "line": {"color": TEXT, "width": 1.5},
            },
            hovertemplate=f"{name}: {_label(rx, x_unit)}, {_label(ry, y_unit)}<extra></extra>",
        )
    fig.update_layout(xaxis=_axis(x_unit, x_title), yaxis=_axis(y_unit, y_title))
    finish(fig, title, height=480)
    return enforce(fig)


def small_multiples(
    frame: pd.DataFrame,
    facet: str,
    x: str,
    y: str,
    reference: pd.DataFrame | None,
    reference_name: str,
    unit: str,
    title: str,
    columns: int = 3,
) -> go.Figure:
    """One small panel per facet (district): its line, and the reference (county) dashed.

    Every panel has the same y-range (the lowest to the highest figure of any panel, the
    reference's included), so panels compare at a glance, and labels its own x-axis with
    the first and last year, so no panel needs another to be read.
    """
    names = list(dict.fromkeys(frame[facet]))
    rows = max(1, math.ceil(len(names) / columns))
    cols = min(columns, max(1, len(names)))
    # The grid of panels depends only on its shape: made once per shape (``_panel_grid``),
    # and each chart's traces, axes and titles set in plain terms on a copy of it, so the
    # figure is validated once, not panel by panel.
    layout = copy.deepcopy(_panel_grid(rows, cols, len(names)))
    traces: list[dict] = []
    for i, name in enumerate(names):
        axes = {"xaxis": f"x{i + 1 if i else ''}", "yaxis": f"y{i + 1 if i else ''}"}
        part = frame[frame[facet] == name].sort_values(x)
        if reference is not None:
            traces.append(
                {
                    "type": "scatter",
                    "x": list(reference[x]),
                    "y": [_number(v) for v in reference[y]],
                    "mode": "lines",
                    "name": reference_name,
                    "line": {"color": CATEGORICAL[4], "dash": "dash", "width": 2},
                    "showlegend": i == 0,
                    "legendgroup": "reference",
                    "hovertemplate": f"{reference_name}, %{{x}}: %{{y:.1f}}%<extra></extra>",
                    **axes,
                }
            )
        traces.append(
            {
                "type": "scatter",
                "x": list(part[x]),
                "y": [_number(v) for v in part[y]],
                "mode": "lines+markers",
                "name": "District",
                "line": {"color": FOCUS, "width": 3},
                "marker": {"symbol": "circle", "size": 7, "color": FOCUS},
                "customdata": [_label(v, unit) for v in part[y]],
                "showlegend": i == 0,
                "legendgroup": "district",
                "hovertemplate": f"{name}, %{{x}}: %{{customdata}}<extra></extra>",
                **axes,
            }
        )
    values = [_number(v) for v in frame[y]]
    if reference is not None:
        values += [_number(v) for v in reference[y]]
    known = [v for v in values if v is not None] or [0.0]
    pad = max(0.5, 0.1 * (max(known) - min(known)))
    years = sorted({int(v) for v in frame[x]})
    y_axis = {k: v for k, v in _axis(unit).items() if k not in ("title", "nticks")}
    y_axis.update(range=[max(0.0, min(known) - pad), max(known) + pad], nticks=4)
    x_axis = {
        "tickvals": [years[0], years[-1]] if years else None,
        "tickformat": "d",
        "showticklabels": True,
        "tickfont": {"color": TEXT, "size": 11},
        "range": [years[0] - 0.4, years[-1] + 0.4] if years else None,
    }
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")):
            for setting, value in (x_axis if key.startswith("x") else y_axis).items():
                if value is not None:
                    axis[setting] = value
    for annotation, name in zip(layout.get("annotations", ()), names, strict=True):
        annotation["text"] = name
        annotation["font"] = {"color": TEXT, "size": 13}
    fig = go.Figure(data=traces, layout=layout)
    finish(fig, title, height=120 + 200 * rows)
    return enforce(fig)


@functools.cache
def _panel_grid(rows: int, cols: int, panels: int) -> dict:
    """Plotly's layout of ``panels`` small panels on a ``rows`` by ``cols`` grid, every
    panel sharing its axes' ranges, each titled (the titles' text set by the caller), as
    plain JSON. Read-only: callers copy it."""
    grid = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[str(i) for i in range(panels)],
        shared_yaxes="all",
        shared_xaxes="all",
        vertical_spacing=0.22 / rows if rows > 1 else 0.1,
        horizontal_spacing=0.06,
    )
    return grid.layout.to_plotly_json()


def dot_plot(
    frame: pd.DataFrame,
    category: str,
    columns: dict[str, str],
    unit: str,
    title: str,
    axis_title: str,
) -> go.Figure:
    """Dots on one line per category; each series has its own colour and marker shape."""
    fig = go.Figure()
    order = list(frame[category])
    for i, (column, name) in enumerate(columns.items()):
        fig.add_scatter(
            x=[_number(v) for v in frame[column]],
            y=order,
            mode="markers",
            name=name,
            marker={
                "symbol": MARKERS[i % 6],
                "size": 13,
                "color": CATEGORICAL[[0, 3, 2][i % 3]],
                "line": {"color": TEXT, "width": 1},
            },
            text=[_label(v, unit) for v in frame[column]],
            hovertemplate=f"%{{y}}, {name}: %{{text}}<extra></extra>",
        )
    fig.update_layout(
        xaxis=_axis(unit, axis_title),
        yaxis={"autorange": "reversed", "title": None, "automargin": True, "gridcolor": "#E5E5E5"},
    )
    finish(fig, title, height=max(360, 120 + 32 * len(order)))
    return enforce(fig)
