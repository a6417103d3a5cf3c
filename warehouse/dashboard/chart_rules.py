"""The rules every chart keeps, checked on the finished figure by the chart helpers
(``charts.py``, ``glance_chart.py`` call ``enforce`` before returning one). A helper that
breaks a rule raises ``ChartRuleBroken``: the page shows the error and the tests fail, so
a chart cannot quietly go back to the faults readers reported.

1. A reference line never crosses a label: a figure with a line shape (the county's dashed
   line) carries no text on its traces; its figures are annotations outside the plot area.
2. A legend is never clipped and never over a title: the title is not drawn in the figure
   (the page or the pack sets it as text above, where it wraps on a phone), the legend sits
   outside the plot area, and no legend entry is longer than fits a phone's width.
3. Small multiples share their axes: every panel's y-axis has the same range, and every
   panel labels its x-axis.
4. A heat map's scale starts at zero, or the figure says why not (``layout.meta.scale_note``).
5. Money is rounded to what a reader needs: no amount of £10,000 or more written to the
   pound in a figure's labels or title ("£144k", not "£143,723").
6. No figure's title calls a link weak, moderate or strong: correlation is worded with its
   sample size in mind (``warehouse.reporting.stats.link_words``).
"""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

LEGEND_ENTRY_MAX = 36  # characters a line: about 300 px at 14 px type, inside a 390 px screen
LINE_BREAK = "<br>"  # how a legend entry wraps onto a second line


def legend_lines(text: str) -> str:
    """``text`` wrapped at spaces onto lines of at most ``LEGEND_ENTRY_MAX`` characters, for
    a legend entry that must fit a phone's width (a longer single word stays whole)."""
    import textwrap

    return LINE_BREAK.join(textwrap.wrap(text, LEGEND_ENTRY_MAX, break_long_words=False))


def below(value: object, reference: float) -> bool | None:
    """Whether a figure is below its reference (the comparator's figure, the dashed line of
    ``charts.district_bars``): ``None`` where the figure is unknown (None, NaN or a symbol
    such as "[c]"), ``False`` where it is at or above. The chart colours a bar by it and a
    page's table words it ("Below", "At or above"), so the two never disagree.

    A known figure is below unless it is at or above the reference: against an unknown
    (NaN) reference every known figure counts as below, as the chart has always drawn it."""
    if value is None or isinstance(value, str):
        return None
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return None
    return not number >= reference


_EXACT_MONEY = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+)")
_STRENGTH = re.compile(r"\b(weak|moderate|strong)\b", re.IGNORECASE)


class ChartRuleBroken(ValueError):
    pass


def _texts(fig: go.Figure) -> list[str]:
    out = []
    for trace in fig.data:
        text = getattr(trace, "text", None)
        if isinstance(text, str):
            out.append(text)
        elif text is not None:
            out += [t for t in text if isinstance(t, str)]
    out += [a.text for a in fig.layout.annotations if isinstance(a.text, str)]
    return out


def _shows_text(trace) -> bool:
    text = getattr(trace, "text", None)
    if text is None or (not isinstance(text, str) and not any(t for t in text)):
        return False
    if trace.type == "bar":
        return trace.textposition not in ("none",)
    if trace.type == "scatter":
        return "text" in (trace.mode or "")
    return trace.type != "heatmap"


def problems(fig: go.Figure) -> list[str]:
    """Every rule the figure breaks, in words (empty: it keeps them all)."""
    found: list[str] = []
    layout = fig.layout
    meta = layout.meta if isinstance(layout.meta, dict) else {}
    title = str(meta.get("title") or "")
    lines = [s for s in layout.shapes if s.type == "line"]
    if lines:
        found += [
            f"trace '{t.name}' carries text labels beside a reference line"
            for t in fig.data
            if _shows_text(t)
        ]
        found += [
            f"label '{a.text}' sits inside the plot area beside a reference line"
            for a in layout.annotations
            if a.xref == "x" and a.yref not in ("paper",) and a.text
        ]
    if layout.title.text:
        found.append("the title is drawn in the figure: set it as text above (meta.title)")
    if not title:
        found.append("no title in layout.meta.title")
    if layout.showlegend is not False and any(t.showlegend is not False for t in fig.data):
        legend = layout.legend
        y = legend.y if legend.y is not None else 1.0
        anchor = legend.yanchor or "auto"
        outside = (y >= 1 and anchor == "bottom") or (y <= 0 and anchor == "top")
        if not outside:
            found.append(f"the legend (y={y}, yanchor={anchor}) is not outside the plot area")
        found += [
            f"legend entry '{t.name}' has a line longer than {LEGEND_ENTRY_MAX} characters"
            for t in fig.data
            if t.showlegend is not False
            and t.name
            and max(len(line) for line in t.name.split(LINE_BREAK)) > LEGEND_ENTRY_MAX
        ]
    yaxes, xaxes = list(fig.select_yaxes()), list(fig.select_xaxes())
    if len(yaxes) > 1:
        ranges = {tuple(a.range) if a.range else None for a in yaxes}
        if len(ranges) != 1 or None in ranges:
            found.append("small multiples without one shared y-range")
        if any(a.showticklabels is False for a in xaxes):
            found.append("a panel of the small multiples has no x-axis labels")
    for trace in fig.data:
        if trace.type == "heatmap" and trace.zmin != 0 and not meta.get("scale_note"):
            found.append(f"heat map scaled from {trace.zmin}, not zero, without saying why")
    for text in [*_texts(fig), title]:
        for amount in _EXACT_MONEY.findall(text):
            if int(amount.replace(",", "")) >= 10_000:
                found.append(f"'£{amount}' in '{text}': round it as a reader needs (£144k)")
    if _STRENGTH.search(title):
        found.append(f"title '{title}' grades a correlation's strength")
    return found


def enforce(fig: go.Figure) -> go.Figure:
    """The figure, if it keeps every rule; ``ChartRuleBroken`` naming them if not."""
    broken = problems(fig)
    if broken:
        raise ChartRuleBroken("; ".join(broken))
    return fig
