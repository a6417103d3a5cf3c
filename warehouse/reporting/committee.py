"""The committee tables: every committee figure of the figure catalogue, for a selection.

``stls report tables``, the dashboard pages and the tests all call ``committee_tables``.
Each figure's numerator and denominator per district-term come from dbt
(``marts.mart_figure_district_term``); this module only chooses the rows of the selection
(year, terms, districts) and pools them (``warehouse.core.pooling``). Which district-terms
count, the census fallback and a measure missing from a return are decided in dbt, and
the notes below say which were left out and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from warehouse.core import contracts, figures, pooling
from warehouse.core.contracts import COUNTY
from warehouse.publish.connect import built_from_demo
from warehouse.reporting import marts

SELECTED = "selected districts"


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

    @property
    def together(self) -> str:
        """What the districts together are called in a figure shown per district."""
        return COUNTY if self.all_districts else SELECTED


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
    # (district, term, figure, reason) for each published district-term left out of a
    # figure because something it needs is not in the return or not published
    left_out: list[tuple[str, int | None, str, str]] = field(default_factory=list)

    def as_json(self) -> dict:
        out: dict = {
            "academic_year": self.selection.academic_year,
            "terms": list(self.selection.terms),
            "districts": self.selection.district_list(),
        }
        out.update(self.figures)
        out["published_terms"] = self.published_terms
        out["missing_district_terms"] = [{"district": d, "term": t} for d, t in self.missing]
        out["left_out"] = [
            {"district": d, "term": t, "figure": f, "reason": r} for d, t, f, r in self.left_out
        ]
        out["census_year_used"] = self.census_year_used
        out["notes"] = self.notes
        out["illustrative_data"] = self.illustrative
        return out


def selected_rows(rows: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """The figure rows of the selection: its districts, and its terms (figures known per
    district-year, with no term, always belong)."""
    chosen = rows["district"].isin(selection.district_list()) & (
        rows["term_number"].isna() | rows["term_number"].isin(list(selection.terms))
    )
    return rows[chosen]


def figure_values(
    rows: pd.DataFrame, chosen: Sequence[figures.Figure], together: str
) -> dict[str, dict[str, float | None]]:
    """Each figure's pooled values: per breakdown, or per district and the districts
    together (``together``), from the selection's rows; every figure pooled in the same
    pass, each by its own method."""
    methods = {f.key: f.method for f in chosen}
    by_district = [f.key for f in chosen if f.shown_by == figures.BY_DISTRICT]
    is_by_district = rows["figure_key"].isin(by_district)
    of_district, of_breakdown = rows[is_by_district], rows[~is_by_district]
    key = pooling.FIGURE_KEY
    per_breakdown = _values(pooling.pool(of_breakdown, methods, by=[key, "breakdown"]))
    per_district = _values(pooling.pool(of_district, methods, by=[key, "district"]))
    altogether = _values(pooling.pool(of_district, methods, by=[key]))
    values: dict[str, dict[str, float | None]] = {}
    for figure in chosen:
        if figure.shown_by == figures.BY_DISTRICT:
            mine = of_district.loc[of_district["figure_key"] == figure.key, "district"]
            values[figure.key] = {
                d: per_district.get((figure.key, d)) for d in mine.drop_duplicates()
            }
            values[figure.key][together] = altogether.get(figure.key)
        else:
            values[figure.key] = {b: per_breakdown.get((figure.key, b)) for b in figure.breakdowns}
    return values


def _values(pooled: pd.DataFrame) -> dict:
    """A pooled frame's values keyed by its groups (a tuple, or the one key)."""
    groups = [c for c in pooled.columns if c not in pooling.POOLED_COLUMNS]
    keys = (
        pooled[groups[0]]
        if len(groups) == 1
        else pd.Series(list(zip(*(pooled[g] for g in groups), strict=True)), dtype=object)
    )
    return dict(zip(keys, pooled["value"], strict=True))


def committee_tables(cur: duckdb.DuckDBPyConnection, selection: Selection) -> CommitteeTables:
    """Every committee figure for the selection, unrounded."""
    chosen = figures.committee_figures()
    rows = selected_rows(
        marts.figure_rows(cur, [f.key for f in chosen], selection.academic_year), selection
    )
    status = marts.return_status(cur, selection.academic_year)
    status = status[
        status["district"].isin(selection.district_list())
        & status["term"].isin(list(selection.terms))
    ]
    published = status[status["has_published_return"]]
    published_terms = sorted(int(t) for t in published["term"].unique())
    missing_rows = status[~status["has_published_return"] & status["term_has_published_returns"]]
    missing = [
        (str(d), int(t))
        for d, t in zip(missing_rows["district"], missing_rows["term"], strict=True)
    ]

    values = figure_values(rows, chosen, selection.together)
    left_out = _left_out(rows)
    census_year = contracts.census_year_for(selection.academic_year)
    census_used = marts.census_year_used(cur, selection.academic_year)
    return CommitteeTables(
        selection=selection,
        figures=values,
        published_terms=published_terms,
        missing=missing,
        census_year=census_year,
        census_year_used=census_used,
        notes=_notes(selection, census_year, census_used, published_terms, missing, rows),
        illustrative=built_from_demo(cur),
        left_out=left_out,
    )


def _left_out(rows: pd.DataFrame) -> list[tuple[str, int | None, str, str]]:
    """Where a district with a published return in the selection is left out of a figure,
    and why: a measure missing from its return, or no published census or funding for it
    (term None: a figure known per district-year)."""
    termly = rows[rows["term_number"].notna()]
    reporting = set(termly.loc[termly["has_published_return"].astype(bool), "district"])
    out = rows[
        rows["district"].isin(reporting)
        & rows["has_published_return"].astype(bool)
        & ~rows["is_known"].astype(bool)
    ]
    seen: dict[tuple[str, int | None, str], str] = {}
    for row in out.itertuples():
        term = None if pd.isna(row.term_number) else int(row.term_number)
        seen.setdefault((row.district, term, row.figure_key), row.reason)
    return [(d, t, f, r) for (d, t, f), r in seen.items()]


def _notes(
    selection: Selection,
    census_year: int,
    census_used: int | None,
    published_terms: list[int],
    missing: list[tuple[str, int]],
    rows: pd.DataFrame,
) -> list[str]:
    notes: list[str] = []
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
    funding = rows[rows["reason_code"] != "funding_missing"]
    if not len(funding[funding["figure_key"] == "funding_per_pupil"]):
        notes.append(f"No SLA funding has been loaded for {selection.academic_year}.")
    if missing:
        notes.append(
            f"{len(missing)} district-term(s) have no published return and are left out of "
            "numerators and denominators alike (unknown, not zero)."
        )
    gaps = rows[
        rows["has_published_return"]
        & (rows["reason_code"] == "measure_missing")
        & rows["term_number"].notna()
    ]
    if len(gaps):
        by_return = gaps.groupby(["district", "term_number"])["figure_key"].nunique()
        listed = "; ".join(
            f"{district} term {int(term)} ({n} figure{'s' if n != 1 else ''})"
            for (district, term), n in by_return.items()
        )
        notes.append(
            "Published returns missing a measure are left out of the figures built on it "
            f"(unknown, not zero) and counted in all the others: {listed}."
        )
    absent_terms = [t for t in selection.terms if t not in published_terms]
    if absent_terms:
        notes.append(
            "No published return for term(s) "
            + ", ".join(map(str, absent_terms))
            + f" of {selection.academic_year}: averages are over the other terms."
        )
    return notes


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
