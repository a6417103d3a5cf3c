"""Outcomes for supported children: escalation to an EHC plan within 12 and 24 months of an
episode closing, beside the comparison group (shared/contracts.md, "Outcome definitions";
shared/interface.md, ``stls report outcomes``).

dbt counts, per closed year, district, phase, closure reason and horizon, the children of
the cohort (``marts.mart_outcome_cohort``) and of the comparison group
(``marts.mart_outcome_comparison``); this module sums a selection of those rows and leaves
the one division (escalated over observed) to ``warehouse.core.pooling.percent``. Children
not observed within a horizon are reported, never counted as not escalated.

``outcomes`` is the unsuppressed result (the JSON of ``stls report outcomes``, for data
stewards); ``table`` lays one breakdown out with Kent first and ``suppressed`` hides counts
of 1 to 4 as ``[c]``, with secondary suppression along the lines that add up to a shown
total, and every percentage worked out from a hidden count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb
import pandas as pd

from warehouse.core import pooling
from warehouse.core.contracts import COUNTY
from warehouse.core.safe_text import terminal_text
from warehouse.reporting import suppression
from warehouse.reporting.formatting import format_value

HORIZONS = (12, 24)
COHORT, COMPARISON = "cohort", "comparison"
BREAKDOWNS = {
    COHORT: {"district": "district_name", "closure_reason": "closure_reason_code"},
    COMPARISON: {"district": "district_name"},
}
# The keys of one group, as shared/interface.md lists them.
GROUP_KEYS = (
    "children",
    "already_had_plan",
    "observed_12",
    "ehcp_12",
    "ehcp_12_pct",
    "observed_24",
    "ehcp_24",
    "ehcp_24_pct",
)
COUNT_COLUMNS = (
    "children",
    "already_had_plan",
    "observed_12",
    "not_observed_12",
    "ehcp_12",
    "observed_24",
    "not_observed_24",
    "ehcp_24",
)
HEADINGS = {
    "children": "Children",
    "already_had_plan": "Already had a plan",
    "observed_12": "Followed 12m",
    "not_observed_12": "Not followed 12m",
    "ehcp_12": "EHCP within 12m",
    "ehcp_12_pct": "% within 12m",
    "observed_24": "Followed 24m",
    "not_observed_24": "Not followed 24m",
    "ehcp_24": "EHCP within 24m",
    "ehcp_24_pct": "% within 24m",
}


class NoOutcomes(ValueError):
    """No published cohort for the closed year asked for."""


def closed_years(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Academic years with a published cohort (episodes closed in them), oldest first;
    none in a warehouse built before Sources 5 and 6 were added."""
    built = cur.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'mart_outcome_cohort'"
    ).fetchone()[0]
    if not built:
        return []
    rows = cur.execute(
        "select distinct closed_academic_year from marts.mart_outcome_cohort order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def mart_rows(cur: duckdb.DuckDBPyConnection, side: str, year: str) -> pd.DataFrame:
    """The published rows of one side (cohort or comparison) for one academic year, with
    the same column names on both sides (the comparison group has no closure reason)."""
    if side == COHORT:
        sql = """
            select district_name, phase_code, closure_reason_code, horizon_months, children,
                   already_had_plan, observed, not_observed, escalated, horizon_complete
            from marts.mart_outcome_cohort
            where closed_academic_year = $year
            order by all
        """
    else:
        sql = """
            select district_name, phase_code, null::varchar as closure_reason_code,
                   horizon_months, children, already_had_plan, observed, not_observed,
                   escalated, horizon_complete
            from marts.mart_outcome_comparison
            where academic_year = $year
            order by all
        """
    return cur.execute(sql, {"year": year}).df()


def group(rows: pd.DataFrame) -> dict[str, object]:
    """One group ``G`` of shared/interface.md from a selection of mart rows, plus the
    children not observed at each horizon."""
    out: dict[str, object] = {}
    first = rows[rows["horizon_months"] == HORIZONS[0]]
    out["children"] = int(first["children"].sum())
    out["already_had_plan"] = int(first["already_had_plan"].sum())
    for months in HORIZONS:
        at = rows[rows["horizon_months"] == months]
        observed, escalated = int(at["observed"].sum()), int(at["escalated"].sum())
        out[f"observed_{months}"] = observed
        out[f"ehcp_{months}"] = escalated
        out[f"ehcp_{months}_pct"] = pooling.percent(escalated, observed)
        out[f"not_observed_{months}"] = int(at["not_observed"].sum())
    return out


def _interface(g: dict[str, object]) -> dict[str, object]:
    return {key: g[key] for key in GROUP_KEYS}


def horizons_complete(rows: pd.DataFrame) -> dict[int, bool]:
    """Whether every census that can fall inside each horizon is published."""
    return {
        months: bool(rows.loc[rows["horizon_months"] == months, "horizon_complete"].all())
        for months in HORIZONS
    }


def outcomes(
    cur: duckdb.DuckDBPyConnection, year: str, districts: Sequence[str] | None = None
) -> dict[str, object]:
    """The result of ``stls report outcomes --format json``: the cohort of ``year`` (all,
    by district, by closure reason) and the comparison group (all, by district).
    ``districts``: only these in ``by_district`` (a district lead's view); "all" is Kent."""
    if year not in closed_years(cur):
        raise NoOutcomes(year)
    result: dict[str, object] = {"closed_year": year}
    for side in (COHORT, COMPARISON):
        rows = mart_rows(cur, side, year)
        part: dict[str, object] = {"all": _interface(group(rows))}
        for name, column in BREAKDOWNS[side].items():
            shown = sorted(v for v in rows[column].dropna().unique())
            if name == "district" and districts:
                shown = [d for d in shown if d in districts]
            part[f"by_{name}"] = {str(v): _interface(group(rows[rows[column] == v])) for v in shown}
        result[side] = part
    return result


def table(
    cur: duckdb.DuckDBPyConnection,
    year: str,
    side: str,
    breakdown: str | None,
    districts: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One breakdown of one side as a table: Kent first, then each value (``breakdown``
    None: Kent alone), with the children not observed and the percentages. ``districts``
    keeps only those districts' rows (Kent stays: it is the whole county)."""
    rows = mart_rows(cur, side, year)
    records = [{"group": COUNTY, **group(rows)}]
    if breakdown:
        column = {"phase": "phase_code", **BREAKDOWNS[side]}[breakdown]
        for value in sorted(v for v in rows[column].dropna().unique()):
            if breakdown == "district" and districts and value not in districts:
                continue
            records.append({"group": str(value), **group(rows[rows[column] == value])})
    return pd.DataFrame.from_records(records).set_index("group")


def suppressed(frame: pd.DataFrame, rows_add_up: bool = True) -> suppression.Suppressed:
    """Counts of 1 to 4 as [c]; a second cell hidden wherever a line that adds up to a
    shown total would otherwise give a hidden one away (children = already had a plan +
    followed + not followed, at each horizon; and, with ``rows_add_up``, the breakdown's
    rows down to Kent's: not so for a district lead's Kent and one district); each
    percentage hidden with its counts."""
    lines = suppression.lines_for(
        frame,
        row_groups=[
            ["children", "already_had_plan", "observed_12", "not_observed_12"],
            ["children", "already_had_plan", "observed_24", "not_observed_24"],
        ],
        column_lines=COUNT_COLUMNS if rows_add_up else (),
    )
    result = suppression.suppress(frame, COUNT_COLUMNS, lines)
    return suppression.hide_derived(
        result,
        {f"ehcp_{m}_pct": [f"ehcp_{m}", f"observed_{m}"] for m in HORIZONS},
    )


def display(frame: pd.DataFrame) -> pd.DataFrame:
    """A (suppressed) table formatted for reading: counts "1,234", rates "21.5%", [c]."""
    shown = pd.DataFrame(index=frame.index)
    for column, heading in HEADINGS.items():
        unit = "percent1" if column.endswith("_pct") else "count"
        shown[heading] = [format_value(v, unit) for v in frame[column]]
    shown.index.name = ""
    return shown


def render_json(result: dict[str, object]) -> str:
    return json.dumps(result, indent=2, allow_nan=False) + "\n"


def render_text(cur: duckdb.DuckDBPyConnection, year: str) -> str:
    """The text report: each breakdown's table, suppressed, with the caveats."""
    lines = [
        f"Outcomes for supported children: episodes closed in {year}",
        "Escalation to an EHC plan within 12 and 24 months of the episode closing, beside "
        "the comparison group (children at SEN support in the January census, never open "
        "to the service). Counts of 1 to 4 are shown as [c].",
        "",
    ]
    sections = [
        (COHORT, "district", "Supported children, by district"),
        (COHORT, "phase", "Supported children, by phase at referral"),
        (COHORT, "closure_reason", "Supported children, by closure reason"),
        (COMPARISON, "district", "Comparison group, by district"),
    ]
    for side, breakdown, title in sections:
        frame = table(cur, year, side, breakdown)
        shown = display(suppressed(frame).values)
        lines += [title, *_plain_table(shown), ""]
        complete = horizons_complete(mart_rows(cur, side, year))
        for months, done in complete.items():
            if not done:
                lines.append(
                    f"  The {months}-month horizon is not complete: a census that could "
                    "fall inside it is not published yet."
                )
    lines += [
        "Caveats: this is not a controlled comparison. Referral itself marks higher need, "
        "so supported children would be expected to escalate more often than the "
        "comparison group even if support made no difference. Children not followed "
        "(left Kent's schools, or no census yet) are not counted as not escalated.",
    ]
    return "\n".join(terminal_text(line) for line in lines) + "\n"


def _plain_table(frame: pd.DataFrame) -> list[str]:
    headings = ["", *frame.columns]
    rows = [[str(i), *(str(v) for v in r)] for i, r in zip(frame.index, frame.values, strict=True)]
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    out = []
    for row in [headings, *rows]:
        cells = [row[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        out.append("  ".join(cells).rstrip())
    return out


# ---------------------------------------------------------------- cohort curves, child rows

CURVE_GROUPS = {COHORT: "Supported children", COMPARISON: "Comparison group"}


def curve(cur: duckdb.DuckDBPyConnection, year: str, district: str | None = None) -> pd.DataFrame:
    """The share with an EHC plan by months since the day followed from (the episode's
    close, or the comparison group's census day), for Kent (``district`` None) or one
    district: one row per group and six-month band, with the children seen in a census in
    that band, those with a plan there and the percentage (suppress before showing)."""
    rows = cur.execute(
        """
        select outcome_group, months_since_band,
               sum(children_seen)::bigint as children_seen, sum(with_plan)::bigint as with_plan
        from marts.mart_outcome_curve
        where academic_year = $year and ($district is null or district_name = $district)
        group by all
        order by outcome_group, months_since_band
        """,
        {"year": year, "district": district},
    ).df()
    rows["with_plan_pct"] = [
        pooling.percent(n, d) for n, d in zip(rows["with_plan"], rows["children_seen"], strict=True)
    ]
    rows["group"] = rows["outcome_group"].map(CURVE_GROUPS)
    return rows


def suppressed_curve(rows: pd.DataFrame) -> pd.DataFrame:
    """A curve's counts of 1 to 4 as [c], and the percentage worked out from them."""
    result = suppression.suppress(rows, ["children_seen", "with_plan"])
    return suppression.hide_derived(
        result, {"with_plan_pct": ["children_seen", "with_plan"]}
    ).values


def child_rows(cur: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Each cohort and comparison child of the year at each horizon, with the episode and
    baseline behind it (``marts.mart_outcome_child``): for data stewards only
    (``warehouse.dashboard.outcomes_data`` refuses everyone else)."""
    return cur.execute(
        """
        select outcome_group, child_key, district_name, phase_code, closure_reason_code,
               episode_id, open_date, followed_from, baseline_sen_status_code,
               already_had_plan, horizon_months, followed_to, observed, escalated
        from marts.mart_outcome_child
        where academic_year = $year
        order by outcome_group, district_name, child_key, horizon_months
        """,
        {"year": year},
    ).df()
