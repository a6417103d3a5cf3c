"""Issue 13: the Data quality page's check history chart reads as words: each line a check
named as a steward says it (not snake_case), the loads as "Load n", and the legend below
the plot, clear of the title."""

from __future__ import annotations

import pandas as pd

from warehouse.dashboard import steward


def test_the_check_history_chart_has_readable_labels_and_its_legend_clear_of_the_title():
    trend = pd.DataFrame(
        {
            "load_seq": [1, 2, 1, 2, 2],
            "source": ["termly_return"] * 4 + ["census"],
            "check_name": ["district_is_known"] * 2
            + ["value_is_not_negative"] * 2
            + ["district_is_known"],
            "severity": ["error"] * 5,
            "failing": [0, 3, 1, 0, 2],
        }
    )
    fig, table = steward.history_chart(trend)
    names = [trace.name for trace in fig.data]
    assert len(names) == 3 and not any("_" in n for n in names)
    assert len(set(names)) == 3  # the census's district_is_known is its own line
    assert all(": " in n for n in names)  # the source, then the check in words
    xs = {x for trace in fig.data for x in trace.x}
    assert xs == {"Load 1", "Load 2"}
    legend = fig.layout.legend
    assert legend.y is not None and legend.y < 0 and legend.yanchor == "top"  # under the plot
    assert fig.layout.margin.b >= 80 + 26 * 3  # room for every legend line
    assert list(table.columns) == ["load", "check", "severity", "failing rows"]
