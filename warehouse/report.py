"""The committee tables: every published definition of the data contract, computed once.

``stls report tables``, the dashboard pages and the tests all call ``committee_tables``.
All rates are pooled (sum of numerators over the chosen districts and terms divided by the
sum of denominators over the same districts and terms). Only district-terms with a
published submission count, in numerator and denominator alike; a district that has not
sent a term is unknown, not zero, and is listed in ``missing``. Averages per term divide
by the number of chosen terms that have at least one published submission.

Settings, pupil and SEN denominators come from the census belonging to the academic year
(January of its second calendar year), or the latest earlier census if that one is
missing, with a note.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from warehouse import contracts
from warehouse.read import built_from_demo

EY, PRIMARY, SECONDARY, SCHOOL_AGE = "early_years", "primary", "secondary", "school_age"
COUNTY = "Kent"
SELECTED = "selected districts"

# figure -> (what it is, unit). The order is the order of the committee tables.
FIGURES: dict[str, tuple[str, str]] = {
    "engagement_pct": ("Settings engaging with the service (Table 1)", "percent"),
    "lift_attendance_pct": ("Settings attending LIFT (Table 2)", "percent"),
    "lift_sen_status_pct": (
        "SEN status of children presented at school-age LIFT (Table 3)",
        "percent",
    ),
    "allocated_pct": (
        "Children presented at LIFT allocated a specialist teacher (Table 4)",
        "percent",
    ),
    "caseload_avg": ("Pupils on caseload, average per term (Table 5)", "pupils"),
    "caseload_share_of_age_group_pct": (
        "Caseload as a share of pupils on roll (Table 5)",
        "percent",
    ),
    "primary_share_of_school_age_caseload_pct": (
        "Primary share of school-age caseload (2.13)",
        "percent",
    ),
    "actively_supported_avg": ("Pupils actively supported, average per term (Table 6)", "pupils"),
    "actively_supported_pct_of_caseload": (
        "Actively supported as a share of caseload (Table 6)",
        "percent",
    ),
    "training_attendance_pct": ("Settings attending training (Table 7)", "percent"),
    "targets_reviewed_pct_of_open_cases": ("Open cases with targets reviewed (2.22)", "percent"),
    "cases_closed_targets_met_pct_of_reviewed": (
        "Reviewed cases closed, targets met (2.22)",
        "percent",
    ),
    "targets_amended_pct_of_reviewed": ("Reviewed cases with targets amended (2.22)", "percent"),
    "transition_events_avg": ("Transition events, average per term", "events"),
    "funding_per_pupil": ("SLA funding per pupil on roll (primary and secondary)", "GBP"),
    "funding_per_caseload_pupil": ("SLA funding per pupil on caseload (all phases)", "GBP"),
    "ehcp_rate_pct": ("Pupils with an EHC plan (census)", "percent"),
    "sen_support_rate_pct": ("Pupils on SEN support (census)", "percent"),
}


@dataclass(frozen=True)
class Selection:
    academic_year: str
    terms: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    districts: tuple[str, ...] = ()  # empty: all districts

    def district_list(self) -> list[str]:
        return list(self.districts or contracts.district_names())

    @property
    def all_districts(self) -> bool:
        return not self.districts or set(self.districts) == set(contracts.district_names())


@dataclass
class CommitteeTables:
    selection: Selection
    figures: dict[str, dict[str, float | None]]
    published_terms: list[int]
    missing: list[tuple[str, int]]
    census_year: int
    census_year_used: int | None
    notes: list[str] = field(default_factory=list)
    illustrative: bool = False

    def as_json(self) -> dict:
        out: dict = {
            "academic_year": self.selection.academic_year,
            "terms": list(self.selection.terms),
            "districts": self.selection.district_list(),
        }
        out.update(self.figures)
        out["published_terms"] = self.published_terms
        out["missing_district_terms"] = [{"district": d, "term": t} for d, t in self.missing]
        out["census_year_used"] = self.census_year_used
        out["notes"] = self.notes
        out["illustrative_data"] = self.illustrative
        return out


def rate(numerator: float | None, denominator: float | None) -> float | None:
    """A percentage, or None when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return 100.0 * numerator / denominator


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


_PARAMS_SQL = """
    with chosen as (
        select s.district_sk, s.term_sk, d.district_name, t.term_number, t.academic_year_sk
        from marts.fct_district_term_submission s
        join marts.dim_term t on t.term_sk = s.term_sk
        join marts.dim_district d on d.district_sk = s.district_sk
        where t.academic_year = $year
          and list_contains($terms, t.term_number)
          and list_contains($districts, d.district_name)
    )
"""


def _published_district_terms(
    cur: duckdb.DuckDBPyConnection, params: dict
) -> list[tuple[str, int]]:
    return cur.execute(
        _PARAMS_SQL + "select district_name, term_number from chosen", params
    ).fetchall()


def _measure_sums(cur: duckdb.DuckDBPyConnection, params: dict) -> dict[tuple[str, str], float]:
    rows = cur.execute(
        _PARAMS_SQL
        + """
        select m.measure_code, p.phase_code, sum(f.value)
        from marts.fct_termly_return f
        join chosen c on c.district_sk = f.district_sk and c.term_sk = f.term_sk
        join marts.dim_measure m on m.measure_sk = f.measure_sk
        join marts.dim_phase p on p.phase_sk = f.phase_sk
        group by all
        """,
        params,
    ).fetchall()
    return {(m, p): float(v) for m, p, v in rows}


def _per_district_caseload(
    cur: duckdb.DuckDBPyConnection, params: dict
) -> dict[str, tuple[float, int]]:
    """District -> (caseload summed over all phases and its published terms, those terms)."""
    rows = cur.execute(
        _PARAMS_SQL
        + """
        select c.district_name, sum(f.value), count(distinct c.term_sk)
        from chosen c
        join marts.fct_termly_return f on c.district_sk = f.district_sk and c.term_sk = f.term_sk
        join marts.dim_measure m on m.measure_sk = f.measure_sk
        where m.measure_code = 'caseload'
        group by all
        """,
        params,
    ).fetchall()
    return {d: (float(v), int(n)) for d, v, n in rows}


def _census_year_used(cur: duckdb.DuckDBPyConnection, academic_year: str) -> int | None:
    """The census the year's settings and pupils come from, as dbt decided it
    (``dim_academic_year``: the year's own census, else the latest earlier one published)."""
    rows = cur.execute(
        "select census_year_used from marts.dim_academic_year where academic_year = $year",
        {"year": academic_year},
    ).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


_CENSUS_COLUMNS = ("settings", "pupils", "sen_support", "ehcp")


def _census_by_district(
    cur: duckdb.DuckDBPyConnection, census_year: int, districts: list[str]
) -> dict[tuple[str, str], dict[str, float]]:
    """Each district-phase's census for the year, or its latest earlier one.

    The fallback is per district and phase (as in the marts), so a district whose census
    row is held back keeps its earlier figures rather than dropping out of denominators.
    """
    rows = cur.execute(
        """
        select d.district_name, p.phase_code, c.settings, c.pupils, c.sen_support, c.ehcp
        from marts.fct_census c
        join marts.dim_district d on d.district_sk = c.district_sk
        join marts.dim_phase p on p.phase_sk = c.phase_sk
        where c.census_year <= $cy and list_contains($districts, d.district_name)
        qualify row_number() over (
            partition by c.district_sk, c.phase_sk order by c.census_year desc
        ) = 1
        """,
        {"cy": census_year, "districts": districts},
    ).fetchall()
    return {
        (d, p): dict(zip(_CENSUS_COLUMNS, map(float, values), strict=True))
        for d, p, *values in rows
    }


def _funding_by_district(
    cur: duckdb.DuckDBPyConnection, academic_year: str, districts: list[str]
) -> dict[str, float]:
    rows = cur.execute(
        """
        select d.district_name, f.total_budget
        from marts.fct_funding f
        join marts.dim_district d on d.district_sk = f.district_sk
        join marts.dim_academic_year y on y.academic_year_sk = f.academic_year_sk
        where y.academic_year = $year and list_contains($districts, d.district_name)
        """,
        {"year": academic_year, "districts": districts},
    ).fetchall()
    return {d: float(v) for d, v in rows}


def committee_tables(cur: duckdb.DuckDBPyConnection, selection: Selection) -> CommitteeTables:
    """Every published figure for the selection, unrounded."""
    districts = selection.district_list()
    params = {
        "year": selection.academic_year,
        "terms": list(selection.terms),
        "districts": districts,
    }
    published = _published_district_terms(cur, params)
    published_terms = sorted({t for _, t in published})
    n_terms = len(published_terms)
    have = set(published)
    missing = [
        (d, t)
        for t in selection.terms
        for d in districts
        if (d, t) not in have and t in published_terms
    ]
    sums = _measure_sums(cur, params)

    def s(measure: str, phase: str) -> float | None:
        return sums.get((measure, phase)) if published else None

    def avg(measure: str, phase: str) -> float | None:
        value = s(measure, phase)
        return value / n_terms if value is not None and n_terms else None

    notes: list[str] = []
    census_year = contracts.census_year_for(selection.academic_year)
    census_used = _census_year_used(cur, selection.academic_year)
    census = _census_by_district(cur, census_year, districts)
    if census_used is None:
        notes.append(
            f"No census for January {census_year} or earlier: "
            "rates by settings and pupils are unavailable."
        )
    elif census_used != census_year:
        notes.append(
            f"The January {census_year} census has not been loaded: settings and pupil "
            f"figures use the January {census_used} census instead."
        )

    # Census figures counted once per published district-term (pooled denominators).
    per_dt: dict[tuple[str, str], float] = defaultdict(float)
    for district, _term in published:
        for phase in contracts.CENSUS_PHASES:
            row = census.get((district, phase))
            if row:
                for column, value in row.items():
                    per_dt[(column, phase)] += value

    def c(column: str, phase: str) -> float | None:
        return per_dt.get((column, phase))

    def by_phase(phases, fn) -> dict[str, float | None]:
        return {phase: fn(phase) for phase in phases}

    three = (EY, PRIMARY, SECONDARY)
    sa_caseload = None
    if s("caseload", PRIMARY) is not None or s("caseload", SECONDARY) is not None:
        sa_caseload = (s("caseload", PRIMARY) or 0.0) + (s("caseload", SECONDARY) or 0.0)

    figures: dict[str, dict[str, float | None]] = {
        "engagement_pct": by_phase(
            three, lambda p: rate(s("settings_engaged", p), c("settings", p))
        ),
        "lift_attendance_pct": by_phase(
            three, lambda p: rate(s("settings_attending_lift", p), c("settings", p))
        ),
        "lift_sen_status_pct": {
            key: rate(s(measure, SCHOOL_AGE), s("children_presented_at_lift", SCHOOL_AGE))
            for key, measure in (
                ("sen_support", "children_presented_sen_support"),
                ("receiving_hnf", "children_presented_receiving_hnf"),
                ("has_ehcp", "children_presented_with_ehcp"),
            )
        },
        "allocated_pct": by_phase(
            (EY, SCHOOL_AGE),
            lambda p: rate(
                s("children_allocated_specialist_teacher", p), s("children_presented_at_lift", p)
            ),
        ),
        "caseload_avg": by_phase(three, lambda p: avg("caseload", p)),
        "caseload_share_of_age_group_pct": by_phase(
            three, lambda p: rate(s("caseload", p), c("pupils", p))
        ),
        "primary_share_of_school_age_caseload_pct": {
            SCHOOL_AGE: rate(s("caseload", PRIMARY), sa_caseload)
        },
        "actively_supported_avg": by_phase(
            (EY, SCHOOL_AGE), lambda p: avg("actively_supported", p)
        ),
        "actively_supported_pct_of_caseload": {
            EY: rate(s("actively_supported", EY), s("caseload", EY)),
            SCHOOL_AGE: rate(s("actively_supported", SCHOOL_AGE), sa_caseload),
        },
        "training_attendance_pct": by_phase(
            three, lambda p: rate(s("settings_attending_training", p), c("settings", p))
        ),
        "targets_reviewed_pct_of_open_cases": {
            SCHOOL_AGE: rate(s("targets_reviewed", SCHOOL_AGE), sa_caseload)
        },
        "cases_closed_targets_met_pct_of_reviewed": {
            SCHOOL_AGE: rate(
                s("cases_closed_targets_met", SCHOOL_AGE), s("targets_reviewed", SCHOOL_AGE)
            )
        },
        "targets_amended_pct_of_reviewed": {
            SCHOOL_AGE: rate(s("targets_amended", SCHOOL_AGE), s("targets_reviewed", SCHOOL_AGE))
        },
        "transition_events_avg": by_phase((EY, SCHOOL_AGE), lambda p: avg("transition_events", p)),
    }
    caseload_all = [s("caseload", phase) for phase in three]
    county_caseload_avg = (
        sum(v for v in caseload_all if v is not None) / n_terms
        if n_terms and any(v is not None for v in caseload_all)
        else None
    )
    figures.update(_funding_figures(cur, selection, districts, census, county_caseload_avg, notes))
    figures.update(_census_rates(census, districts))
    if missing:
        notes.append(
            f"{len(missing)} district-term(s) have no published return and are left out of "
            "numerators and denominators alike (unknown, not zero)."
        )
    absent_terms = [t for t in selection.terms if t not in published_terms]
    if absent_terms:
        notes.append(
            "No published return for term(s) "
            + ", ".join(map(str, absent_terms))
            + f" of {selection.academic_year}: averages are over the other terms."
        )
    return CommitteeTables(
        selection=selection,
        figures=figures,
        published_terms=published_terms,
        missing=missing,
        census_year=census_year,
        census_year_used=census_used,
        notes=notes,
        illustrative=built_from_demo(cur),
    )


def _funding_figures(
    cur: duckdb.DuckDBPyConnection,
    selection: Selection,
    districts: list[str],
    census: dict[tuple[str, str], dict[str, float]],
    county_caseload_avg: float | None,
    notes: list[str],
) -> dict[str, dict[str, float | None]]:
    funding = _funding_by_district(cur, selection.academic_year, districts)
    caseload = _per_district_caseload(
        cur,
        {"year": selection.academic_year, "terms": list(selection.terms), "districts": districts},
    )
    if not funding:
        notes.append(f"No SLA funding has been loaded for {selection.academic_year}.")
    per_pupil: dict[str, float | None] = {}
    per_caseload: dict[str, float | None] = {}
    pupils_total = budget_total = 0.0
    for district in districts:
        budget = funding.get(district)
        pupils = sum(
            census.get((district, phase), {}).get("pupils", 0.0) for phase in (PRIMARY, SECONDARY)
        )
        case_sum, case_terms = caseload.get(district, (0.0, 0))
        per_pupil[district] = ratio(budget, pupils)
        per_caseload[district] = ratio(budget, case_sum / case_terms if case_terms else None)
        if budget is not None:
            budget_total += budget
            pupils_total += pupils
    # County: total budget over pooled pupils, and over the county's average caseload.
    label = COUNTY if selection.all_districts else SELECTED
    per_pupil[label] = ratio(budget_total if funding else None, pupils_total)
    per_caseload[label] = ratio(budget_total if funding else None, county_caseload_avg)
    return {"funding_per_pupil": per_pupil, "funding_per_caseload_pupil": per_caseload}


def _census_rates(
    census: dict[tuple[str, str], dict[str, float]], districts: list[str]
) -> dict[str, dict[str, float | None]]:
    def pooled(column: str, phases: tuple[str, ...]) -> float | None:
        num = den = 0.0
        for district in districts:
            for phase in phases:
                row = census.get((district, phase))
                if row:
                    num += row[column]
                    den += row["pupils"]
        return rate(num, den) if den else None

    groups = {
        EY: (EY,),
        PRIMARY: (PRIMARY,),
        SECONDARY: (SECONDARY,),
        SCHOOL_AGE: (PRIMARY, SECONDARY),
    }
    return {
        "ehcp_rate_pct": {k: pooled("ehcp", v) for k, v in groups.items()},
        "sen_support_rate_pct": {k: pooled("sen_support", v) for k, v in groups.items()},
    }


def available_years(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Academic years with at least one published termly return, newest first."""
    rows = cur.execute(
        """
        select distinct t.academic_year
        from marts.fct_district_term_submission s
        join marts.dim_term t on t.term_sk = s.term_sk
        order by 1 desc
        """
    ).fetchall()
    return [r[0] for r in rows]
