"""Check frames, stage 3: this load against what the warehouse publishes (caseload
against the previous term, districts missing from a term, census gaps and EHCP-rate moves)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from warehouse.core import contracts
from warehouse.core.contracts import CENSUS, TERMLY_RETURN
from warehouse.core.pooling import percent_expr

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    pass

from warehouse.quality.kinds import FLOAT, INT, _conform, empty_frame
from warehouse.quality.results import CHECK_ROW
from warehouse.quality.submissions import (
    CASELOAD_INPUT_SCHEMA,
    CENSUS_INPUT_SCHEMA,
    RowKeys,
    _input,
    keyed_census_rows,
)


def _term_index(year: pl.Expr, term: pl.Expr) -> pl.Expr:
    """Terms numbered consecutively across years: 2023-24 term 1 follows 2022-23 term 6."""
    return year.str.slice(0, 4).cast(INT) * 6 + term - 1


def _caseload_wide(long: pl.DataFrame) -> pl.DataFrame:
    """Published caseload (one row per district-term-phase) as one row per district-term."""
    return long.group_by("district", "academic_year", "term").agg(
        [
            pl.col("caseload").filter(pl.col("phase") == p).first().alias(f"caseload_{p}")
            for p in contracts.CENSUS_PHASES
        ]
    )


def termly_return_history(
    submissions: pl.DataFrame, held: set[str], published_caseload: pl.DataFrame | None
) -> pl.DataFrame:
    """One row per district for every term this load brings a return for.

    ``has_return``: the district has sent that term (in this load, even if held, or
    published before). For the district's latest submission of the term in this load:
    its caseload per phase against the same district's previous term (this load's
    unheld submission for it if any, else the published one). ``published_caseload`` has
    one row per published district-term and phase (``CASELOAD_INPUT_SCHEMA``); a published
    district-term without caseload rows appears once with phase and caseload null.
    """
    if submissions.is_empty():
        return empty_frame("termly_return_history")
    published = _input(published_caseload, CASELOAD_INPUT_SCHEMA, "published_caseload")
    key = ["district", "academic_year", "term"]
    caseload_columns = [f"caseload_{p}" for p in contracts.CENSUS_PHASES]
    latest = submissions.sort("received_seq", CHECK_ROW).unique(
        subset=key, keep="last", maintain_order=True
    )
    terms = latest.select("academic_year", "term").unique().sort("academic_year", "term")
    grid = terms.join(pl.DataFrame({"district": list(contracts.district_names())}), how="cross")
    sent = pl.concat([published.select(key), submissions.select(key)], how="vertical").unique()
    grid = grid.join(
        sent.with_columns(pl.lit(True).alias("has_return")), on=key, how="left"
    ).with_columns(pl.col("has_return").fill_null(False))
    grid = grid.with_columns(
        pl.col("has_return")
        .sum()
        .over("academic_year", "term")
        .cast(INT)
        .alias("districts_with_return")
    )
    current = latest.select(
        *key, "source", "file_id", "file_name", "received_seq", "submission_id", *caseload_columns
    )
    grid = grid.join(current, on=key, how="left").with_columns(
        _term_index(pl.col("academic_year"), pl.col("term")).alias("term_index")
    )
    baseline = pl.concat(
        [
            _caseload_wide(published).select(*key, *caseload_columns),
            latest.filter(~pl.col("submission_id").is_in(list(held))).select(
                *key, *caseload_columns
            ),
        ],
        how="vertical_relaxed",
    ).unique(subset=key, keep="last", maintain_order=True)
    baseline = baseline.select(
        "district",
        (_term_index(pl.col("academic_year"), pl.col("term")) + 1).alias("term_index"),
        pl.col("academic_year").alias("previous_academic_year"),
        pl.col("term").alias("previous_term"),
        *[pl.col(c).alias(f"previous_{c}") for c in caseload_columns],
    )
    grid = grid.join(baseline, on=["district", "term_index"], how="left")
    grid = grid.with_columns(
        [_change_pct(f"caseload_{p}") for p in contracts.CENSUS_PHASES]
    ).with_columns(pl.col("source").fill_null(TERMLY_RETURN))
    return _conform(grid.sort("academic_year", "term", "district"), "termly_return_history")


def _change_pct(column: str) -> pl.Expr:
    """Percentage change against ``previous_<column>``: null without both figures, 0 for
    0 -> 0, infinite for a rise from 0 (any rise from nothing is more than 50%)."""
    now, before = pl.col(column).cast(FLOAT), pl.col(f"previous_{column}").cast(FLOAT)
    return (
        pl.when(now.is_null() | before.is_null())
        .then(None)
        .when(before == 0)
        .then(pl.when(now == 0).then(0.0).otherwise(float("inf")))
        .otherwise(percent_expr(now - before, before))
        .alias(f"{column}_change_pct")
    )


def census_history(
    census: pl.DataFrame,
    quarantined: RowKeys,
    held: set[str],
    published_census: pl.DataFrame | None,
) -> pl.DataFrame:
    """One row per district and census phase for every census year this load brings.

    ``has_row``: this load (a row not quarantined alone) or the warehouse has a row for it.
    For this load's latest row: its EHCP rate against the previous year's (this load's
    unheld row for it if any, else the published one), in percentage points.
    """
    published = _input(published_census, CENSUS_INPUT_SCHEMA, "published_census")
    key = ["census_year", "district", "phase"]
    loaded = keyed_census_rows(census, quarantined).unique(
        subset=key, keep="last", maintain_order=True
    )
    if loaded.is_empty():
        return empty_frame("census_history")
    rate = pl.when(pl.col("pupils") > 0).then(percent_expr(pl.col("ehcp"), pl.col("pupils")))
    grid = (
        loaded.select("census_year")
        .unique()
        .join(pl.DataFrame({"district": list(contracts.district_names())}), how="cross")
        .join(pl.DataFrame({"phase": list(contracts.CENSUS_PHASES)}), how="cross")
    )
    present = pl.concat([published.select(key), loaded.select(key)], how="vertical").unique()
    grid = grid.join(present.with_columns(pl.lit(True).alias("has_row")), on=key, how="left")
    current = loaded.select(
        *key,
        "source",
        "file_id",
        "file_name",
        "received_seq",
        "row_number",
        "submission_id",
        "academic_year",
        rate.alias("ehcp_rate_pct"),
    )
    baseline = (
        pl.concat(
            [
                published.select(*key, "pupils", "ehcp"),
                loaded.filter(~pl.col("submission_id").is_in(list(held))).select(
                    *key, "pupils", "ehcp"
                ),
            ],
            how="vertical",
        )
        .unique(subset=key, keep="last", maintain_order=True)
        .select(
            (pl.col("census_year") + 1).alias("census_year"),
            "district",
            "phase",
            rate.alias("previous_ehcp_rate_pct"),
        )
    )
    grid = (
        grid.join(current, on=key, how="left")
        .join(baseline, on=key, how="left")
        .with_columns(
            pl.col("has_row").fill_null(False),
            pl.col("source").fill_null(CENSUS),
            (pl.col("ehcp_rate_pct") - pl.col("previous_ehcp_rate_pct")).alias(
                "ehcp_rate_change_points"
            ),
        )
    )
    return _conform(grid.sort("census_year", "district", "phase"), "census_history")
