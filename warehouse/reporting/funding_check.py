"""The funding file's stated county total against the districts' SLAs, as the audit found it.

A funding file may end with a "Total" row. The audit's check ``county_total_matches_districts``
(expectations/funding_years.yml) compares it with the sum of the district rows; the
warehouse loads the district rows only, so SLA funding for Kent is always their sum. Where
the two differ (the committee report's own table is £1 short), pages and the committee pack
say so with the check's own words, read here from the data-quality results of the funding
file in force for the year, never a number written into the code.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse.core import contracts
from warehouse.reporting import formatting

CHECK = "county_total_matches_districts"


@dataclass(frozen=True)
class TotalCheck:
    academic_year: str
    file_name: str
    rule: str  # the check's rule, in words
    finding: str  # the check's message: the stated total, the districts' sum, the difference


def county_total_checks(cur: duckdb.DuckDBPyConnection, academic_year: str) -> list[TotalCheck]:
    """The check's findings on the funding file(s) in force for the year (those whose
    district rows are published): empty when the stated total matched or none was given."""
    rows = cur.execute(
        """
        with in_force as (
            select distinct f.file_name
            from marts.fct_funding f
            join marts.dim_academic_year y using (academic_year_sk)
            where y.academic_year = $year
        )
        select i.file_name, any_value(c.rule), any_value(i.message)
        from dq.issues i
        join in_force using (file_name)
        join dq.check_results c
          on c.load_id = i.load_id and c.check_name = i.check_name
        where i.check_name = $check and starts_with(i.message, $year)
        group by i.file_name
        order by i.file_name
        """,
        {"year": academic_year, "check": CHECK},
    ).fetchall()
    return [TotalCheck(academic_year, str(f), str(r or ""), str(m)) for f, r, m in rows]


def slip_note(checks: list[TotalCheck], county_total: float | None) -> str | None:
    """One sentence for a page or the pack beside the county SLA total (the districts' SLAs
    summed), or None when the check found nothing. The total is written as every surface
    shows money (``formatting.money``)."""
    if not checks:
        return None
    sum_shown = formatting.money(county_total)
    findings = "; ".join(f"{c.finding} (file {c.file_name})" for c in checks)
    return (
        f"SLA funding for {contracts.COUNTY} here is {sum_shown}, the sum of the "
        f"{len(contracts.district_names())} districts' "
        "SLAs. The funding file also states a county total, and the data-quality check that "
        f"compares them found: {findings}. The committee report's table carries the same slip; the "
        "districts' own SLA totals are the figures used."
    )
