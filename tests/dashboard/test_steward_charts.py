"""Issue 13: the Data quality page's check history chart reads as words: each line a check
named as a steward says it (not snake_case), the loads as "Load n", and the legend below
the plot, clear of the title."""

from __future__ import annotations

import pandas as pd

from warehouse.dashboard import chart_rules, steward


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
    # The source, then the check in words, on two lines so the entry fits a phone's width.
    assert all(":<br>" in n for n in names)
    assert all(": " in c and "<br>" not in c for c in table["check"])
    xs = {x for trace in fig.data for x in trace.x}
    assert xs == {"Load 1", "Load 2"}
    legend = fig.layout.legend
    assert legend.y is not None and legend.y < 0 and legend.yanchor == "top"  # under the plot
    assert fig.layout.margin.b >= 80 + 40 * 3  # room for every two-line legend entry
    assert list(table.columns) == ["load", "check", "severity", "failing rows"]


def test_a_long_check_name_passes_the_chart_rules_by_wrapping():
    trend = pd.DataFrame(
        {
            "load_seq": [1, 2],
            "source": ["census", "termly_return"],
            "check_name": ["district_phase_present", "district_has_sent_term"],
            "severity": ["warning", "warning"],
            "failing": [1, 2],
        }
    )
    fig, _table = steward.history_chart(trend)  # chart_rules.enforce raises if it breaks one
    assert max(len(t.name) for t in fig.data) > chart_rules.LEGEND_ENTRY_MAX


def test_a_check_name_longer_than_a_line_wraps_by_words():
    trend = pd.DataFrame(
        {
            "load_seq": [1],
            "source": ["termly_return"],
            "check_name": ["settings_engaged_within_census_primary_and_more_words"],
            "severity": ["warning"],
            "failing": [1],
        }
    )
    fig, _table = steward.history_chart(trend)
    (name,) = [t.name for t in fig.data]
    lines = name.split(chart_rules.LINE_BREAK)
    assert len(lines) >= 3 and all(len(line) <= chart_rules.LEGEND_ENTRY_MAX for line in lines)
