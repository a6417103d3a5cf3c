"""Check frames, stage 2: one row per termly submission (the cross-measure rules, against
the census in force) and one per funding file and year (the stated county total)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from warehouse.core import contracts
from warehouse.core.pooling import percent_expr

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    pass

from warehouse.quality.kinds import FLOAT, INT, STR, _conform, _pair_column, empty_frame
from warehouse.quality.results import SourceFile
from warehouse.quality.rows import _funding_parsed, _with_district

RowKeys = set[tuple[str, int]]


def _without_rows(frame: pl.DataFrame, rows: RowKeys) -> pl.DataFrame:
    """The frame less the (file_id, row_number) rows given (those quarantined alone)."""
    if not rows:
        return frame
    drop = pl.DataFrame(
        [{"file_id": f, "row_number": n} for f, n in rows],
        schema={"file_id": STR, "row_number": INT},
    )
    return frame.join(drop, on=["file_id", "row_number"], how="anti", maintain_order="left")


CENSUS_INPUT_SCHEMA: dict[str, pl.DataType] = {
    "census_year": INT,
    "district": STR,
    "phase": STR,
    "settings": INT,
    "pupils": INT,
    "ehcp": INT,
}
CASELOAD_INPUT_SCHEMA: dict[str, pl.DataType] = {
    "district": STR,
    "academic_year": STR,
    "term": INT,
    "phase": STR,
    "caseload": INT,
}


def _input(frame: pl.DataFrame | None, schema: dict[str, pl.DataType], what: str) -> pl.DataFrame:
    """A caller's frame with the columns this module needs, or an empty one."""
    if frame is None:
        return pl.DataFrame(schema=schema)
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {', '.join(missing)}")
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


def keyed_census_rows(census: pl.DataFrame, rows: RowKeys) -> pl.DataFrame:
    """This load's census rows that can be keyed (not quarantined alone; district, census
    year and a census phase known), in the order received: a later row for the same key
    replaces an earlier one."""
    return (
        _without_rows(census, rows)
        .filter(
            pl.col("district").is_not_null()
            & pl.col("census_year").is_not_null()
            & pl.col("phase").is_in(list(contracts.CENSUS_PHASES))
        )
        .sort("received_seq", "row_number")
    )


def census_in_force(
    census: pl.DataFrame, published_census: pl.DataFrame | None, rows: RowKeys
) -> pl.DataFrame:
    """The census settings to check this load's returns against: the warehouse's published
    census, overridden by this load's census rows (not quarantined alone, phase known,
    settings a count) for the same (census_year, district, phase), the latest-received row
    winning. A row held for another reason (say, ehcp above pupils) still counts: its
    settings figure is as good as any, and the return is judged against the newest census."""
    published = _input(published_census, CENSUS_INPUT_SCHEMA, "published_census")
    loaded = (
        keyed_census_rows(census, rows)
        .filter(pl.col("settings").is_not_null())
        .select(list(CENSUS_INPUT_SCHEMA))
    )
    keys = ["census_year", "district", "phase"]
    return (
        pl.concat([published, loaded], how="vertical")
        .unique(subset=keys, keep="last", maintain_order=True)
        .sort(keys)
    )


def _census_settings(submissions: pl.DataFrame, census: pl.DataFrame) -> pl.DataFrame:
    """Per submission and census phase: settings in the census belonging to its academic
    year, or (as the published definitions do when that census is missing) the latest
    earlier one, and which census year that was."""
    wanted = submissions.select(
        "submission_id",
        "district",
        (pl.col("academic_year").str.slice(0, 4).cast(INT) + 1).alias("wanted_year"),
    )
    usable = census.filter(pl.col("settings").is_not_null()).select(
        "district", "phase", "census_year", "settings"
    )
    chosen = (
        wanted.join(usable, on="district", how="inner")
        .filter(pl.col("census_year") <= pl.col("wanted_year"))
        .sort("census_year")
        .group_by("submission_id", "phase")
        .agg(pl.col("settings").last(), pl.col("census_year").last())
    )
    per_phase = []
    for phase in contracts.CENSUS_PHASES:
        is_phase = pl.col("phase") == phase
        per_phase.append(
            pl.col("settings").filter(is_phase).first().alias(f"census_settings_{phase}")
        )
        per_phase.append(
            pl.col("census_year").filter(is_phase).first().alias(f"census_year_{phase}")
        )
    return chosen.group_by("submission_id").agg(per_phase)


def termly_return_submissions(
    rows: pl.DataFrame, quarantined: RowKeys, census: pl.DataFrame
) -> pl.DataFrame:
    """One row per termly submission (all rows of one district-term in one file), measures
    pivoted to ``<measure>_<phase>`` columns, the sums the cross-measure rules compare, and
    the census settings for its year. Built from the rows stage 1 did not quarantine alone;
    a figure whose value is not a count is null (its row already holds the submission)."""
    kept = _without_rows(rows, quarantined).filter(pl.col("submission_id").is_not_null())
    if kept.is_empty():
        return empty_frame("termly_return_submissions")
    pair = pl.concat_str("measure", pl.lit("_"), "phase")
    expected = contracts.expected_measure_phases()
    figures = [
        pl.col("value").filter(pair == _pair_column(m, p)).first().alias(_pair_column(m, p))
        for m, p in expected
    ]
    present = [
        pl.when(~(pair == _pair_column(m, p)).any()).then(pl.lit(f"{m} ({p})")) for m, p in expected
    ]
    submissions = kept.group_by("submission_id", maintain_order=True).agg(
        *[pl.col(c).first() for c in ("source", "file_id", "file_name", "received_seq")],
        *[pl.col(c).first() for c in ("district", "academic_year", "term")],
        pl.len().cast(INT).alias("row_count"),
        pl.concat_str(present, separator=", ", ignore_nulls=True).first().alias("missing"),
        *figures,
    )
    submissions = submissions.with_columns(
        pl.lit(len(expected), dtype=INT).alias("expected_row_count"),
        percent_expr(pl.col("row_count"), pl.lit(len(expected))).alias("rows_pct_of_expected"),
        pl.when(pl.col("missing") != "").then(pl.col("missing")).alias("missing_measures"),
        (pl.col("caseload_primary") + pl.col("caseload_secondary")).alias("caseload_school_age"),
        (
            pl.col("children_presented_sen_support_school_age")
            + pl.col("children_presented_receiving_hnf_school_age")
            + pl.col("children_presented_with_ehcp_school_age")
        ).alias("lift_sen_status_sum_school_age"),
        (
            pl.col("cases_closed_targets_met_school_age") + pl.col("targets_amended_school_age")
        ).alias("closed_plus_amended_school_age"),
    )
    settings = _census_settings(submissions, census)
    submissions = submissions.join(settings, on="submission_id", how="left", maintain_order="left")
    return _conform(submissions, "termly_return_submissions")


def funding_years(files: Iterable[SourceFile], quarantined: RowKeys) -> pl.DataFrame:
    """One row per academic year of each funding file: the stated county total (its "Total"
    row, if any), the sum of the district totals, and the districts with no row.

    A Total row with a blank year belongs to the file's only year, if it has one. District
    rows count whatever else is wrong with them (the Total states the file's own sum), except
    rows quarantined alone for an unknown district, which are listed neither as present nor
    summed.
    """
    parsed = _funding_parsed(files)
    if parsed.is_empty():
        return empty_frame("funding_years")
    parsed = _with_district(parsed)
    districts = _without_rows(parsed.filter(~pl.col("is_county_total")), quarantined).filter(
        pl.col("academic_year").is_not_null()
    )
    totals = parsed.filter(pl.col("is_county_total"))
    only_year = districts.group_by("file_id").agg(pl.col("academic_year").unique().alias("years"))
    totals = totals.join(only_year, on="file_id", how="left").with_columns(
        pl.coalesce(
            pl.col("academic_year"),
            pl.when(pl.col("years").list.len() == 1).then(pl.col("years").list.first()),
        ).alias("academic_year")
    )
    by_year = districts.group_by("file_id", "academic_year", maintain_order=True).agg(
        pl.col("source", "file_name", "received_seq").first(),
        pl.col("total_budget_exact").sum().alias("district_exact"),
        pl.col("district").drop_nulls().n_unique().cast(INT).alias("districts_listed"),
        pl.col("district").drop_nulls().unique().alias("listed"),
    )
    stated = (
        totals.filter(pl.col("academic_year").is_not_null())
        .group_by("file_id", "academic_year")
        .agg(
            pl.col("total_budget_exact").first().alias("stated_exact"),
            pl.col("row_number").first(),
        )
    )
    if by_year.is_empty():
        return empty_frame("funding_years")
    years = by_year.join(stated, on=["file_id", "academic_year"], how="left", maintain_order="left")
    names = list(contracts.district_names())
    missing = pl.lit(names).list.set_difference(pl.col("listed")).list.sort().list.join(", ")
    years = years.with_columns(
        pl.col("stated_exact").cast(FLOAT).alias("stated_total"),
        pl.col("district_exact").cast(FLOAT).alias("district_total"),
        (pl.col("stated_exact") - pl.col("district_exact"))
        .abs()
        .cast(FLOAT)
        .alias("total_difference"),
        pl.when(missing != "").then(missing).alias("missing_districts"),
    )
    return _conform(years, "funding_years")
