"""Check frames, stage 1: every raw row of each source with its parsed key, codes and
numbers (warehouse.core.values), and every file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from warehouse.core import contracts
from warehouse.core.contracts import CENSUS, FUNDING, TERMLY_RETURN
from warehouse.core.values import (
    FRACTION_OF_PENNY,
    MISSING,
    NEGATIVE,
    NOT_A_NUMBER,
    NOT_WHOLE,
    TOO_LARGE,
    TRIM,
    count_error_expr,
    count_expr,
    int_error_expr,
    int_expr,
    money_error_expr,
    money_expr,
)

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    pass

from warehouse.quality.kinds import (
    BOOL,
    CENSUS_COUNTS,
    FLOAT,
    INT,
    MONEY_COLUMNS,
    STR,
    _conform,
    empty_frame,
)
from warehouse.quality.results import COUNTY_TOTAL_LABELS, SourceFile

ABOVE_THE_HEADER = "(above the header, "


def _raw_rows(files: Iterable[SourceFile], source: str) -> pl.DataFrame:
    """Every row of the source's files, raw text as ``<column>_raw``, with the file's ids."""
    columns = contracts.CONTRACTS[source].columns
    parts = [
        f.frame.select(
            pl.lit(f.file_id, dtype=STR).alias("file_id"),
            pl.lit(f.file_name, dtype=STR).alias("file_name"),
            pl.lit(f.received_seq, dtype=INT).alias("received_seq"),
            pl.col("row_number").cast(INT),
            *[pl.col(c).cast(STR).alias(f"{c}_raw") for c in columns],
        )
        for f in files
        if f.source == source
    ]
    if parts:
        return pl.concat(parts, how="vertical")
    schema = {"file_id": STR, "file_name": STR, "received_seq": INT, "row_number": INT}
    return pl.DataFrame(schema={**schema, **{f"{c}_raw": STR for c in columns}})


def _normalised(frame: pl.DataFrame, column: str, normalise) -> dict[str, pl.Expr]:
    """Vectorise a scalar contract normaliser over the (few) distinct values of a column.

    ``contracts.normalise_district`` and ``normalise_academic_year`` stay the one definition;
    running them once per distinct spelling keeps a 3,000-row load instant. Returns the
    normalised value, the error, and whether a valid value's spelling was changed (null
    where the value is not valid, so the warning never doubles an error).
    """
    key = pl.col(column).fill_null("")
    results = {v: normalise(v) for v in frame.get_column(column).fill_null("").unique()}

    def mapped(mapping: dict[str, Any], dtype: pl.DataType) -> pl.Expr:
        return key.replace_strict(mapping, default=None, return_dtype=dtype)

    valid = {v: r.value is not None for v, r in results.items()}
    return {
        "value": mapped({v: r.value for v, r in results.items()}, STR),
        "error": mapped({v: r.error for v, r in results.items()}, STR),
        "changed": pl.when(mapped(valid, BOOL)).then(
            mapped({v: r.warning is not None for v, r in results.items()}, BOOL)
        ),
    }


def _with_normalised(frame: pl.DataFrame, name: str, normalise) -> pl.DataFrame:
    """``<name>``, ``<name>_error`` and ``<name>_spelling_changed`` from ``<name>_raw``."""
    n = _normalised(frame, f"{name}_raw", normalise)
    return frame.with_columns(
        n["value"].alias(name),
        n["error"].alias(f"{name}_error"),
        n["changed"].alias(f"{name}_spelling_changed"),
    )


def _with_district(frame: pl.DataFrame) -> pl.DataFrame:
    return _with_normalised(frame, "district", contracts.normalise_district)


def _with_academic_year(frame: pl.DataFrame) -> pl.DataFrame:
    return _with_normalised(frame, "academic_year", contracts.normalise_academic_year)


def _load_day(today: date | None) -> date:
    return today if today is not None else datetime.now(UTC).date()


def _year_out_of_range(frame: pl.DataFrame, today: date | None) -> pl.Expr:
    """``contracts.academic_year_out_of_range`` over the (few) distinct academic years of
    the frame: why the year cannot hold figures on the load's date, or null."""
    day = _load_day(today)
    years = frame.get_column("academic_year").drop_nulls().unique().to_list()
    reasons = {y: contracts.academic_year_out_of_range(y, day) for y in years}
    return pl.col("academic_year").replace_strict(reasons, default=None, return_dtype=STR)


# A row for one district inside a file whose return for that term is another district's is
# a stray when its district has fewer than half as many rows there as the file's main
# district for that term (one Dover row in Thanet's 26). A county-wide file, with each
# district's return complete or nearly, has no strays: every district has about as many
# rows as the largest. The same rule tells whose file a file is (``quality.senders``): the
# district every other district's rows are strays beside.
def fewer_than_half(rows: pl.Expr, main_rows: pl.Expr) -> pl.Expr:
    """The stray rule: ``rows`` are fewer than half of ``main_rows``."""
    return rows * 2 < main_rows


def main_districts(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Per ``keys``, the district with the most rows of ``frame`` (ties: the first name),
    as ``file_district`` with its ``file_district_rows``, and the rows of the next largest
    district (``runner_up_rows``, 0 when there is none). Rows without a district (or
    without a key) are not counted."""
    known = frame.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in [*keys, "district"]))
    counts = known.group_by([*keys, "district"]).agg(pl.len().cast(INT).alias("district_rows"))
    ranked = counts.sort(["district_rows", "district"], descending=[True, False])
    return (
        ranked.group_by(keys, maintain_order=True)
        .agg(
            pl.col("district").first().alias("file_district"),
            pl.col("district_rows").first().alias("file_district_rows"),
            pl.col("district_rows").slice(1, 1).first().fill_null(0).alias("runner_up_rows"),
        )
        .with_columns(pl.col("runner_up_rows").cast(INT))
    )


def _with_strays(frame: pl.DataFrame) -> pl.DataFrame:
    """``stray_in_return_of``: for a stray row, the district whose return the file holds
    for that term (null otherwise), and ``file_district_rows``: that district's rows."""
    term_key = ["file_id", "academic_year", "term"]
    known = frame.filter(
        pl.all_horizontal(pl.col(c).is_not_null() for c in [*term_key, "district"])
    )
    counts = known.group_by([*term_key, "district"]).agg(pl.len().cast(INT).alias("district_rows"))
    main = main_districts(frame, term_key).drop("runner_up_rows")
    out = frame.join(counts, on=[*term_key, "district"], how="left", maintain_order="left")
    out = out.join(main, on=term_key, how="left", maintain_order="left")
    stray = fewer_than_half(pl.col("district_rows"), pl.col("file_district_rows"))
    return out.with_columns(
        pl.when(stray).then(pl.col("file_district")).otherwise(None).alias("stray_in_return_of")
    )


def _code(column: str) -> pl.Expr:
    """A code such as a phase or measure: trimmed, lower case; blank is "" (so that "is in
    the set" fails for it rather than skipping it, as GX skips nulls)."""
    return pl.col(column).str.strip_chars(TRIM).str.to_lowercase().fill_null("")


def _problem(error: pl.Expr) -> pl.Expr:
    """The kind of a parser's error message (``warehouse.core.values``), for rules per kind."""
    return (
        pl.when(error.is_null())
        .then(pl.lit(None, dtype=STR))
        .when(error == MISSING)
        .then(pl.lit("missing"))
        .when(error.str.ends_with(NEGATIVE))
        .then(pl.lit("negative"))
        .when(error.str.ends_with(NOT_WHOLE))
        .then(pl.lit("not_whole"))
        .when(error.str.ends_with(FRACTION_OF_PENNY))
        .then(pl.lit("fraction_of_penny"))
        .when(error.str.ends_with(TOO_LARGE))
        .then(pl.lit("too_large"))
        .when(error.str.ends_with(NOT_A_NUMBER))
        .then(pl.lit("not_a_number"))
        .otherwise(pl.lit("other"))
    )


def _duplicate_rows(keys: Sequence[str]) -> pl.Expr:
    """For rows whose key is complete and shared with another row: "rows 3, 9"."""
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    numbers = pl.col("row_number").cast(STR).implode().over(keys)
    listed = pl.concat_str(pl.lit("rows "), numbers.list.join(", "))
    return pl.when(complete & (pl.len().over(keys) > 1)).then(listed).otherwise(None)


def _submission_id(*period: pl.Expr) -> pl.Expr:
    """``file_id/district/period`` as ``warehouse.quality.audit`` names submissions; null when any
    part is unknown."""
    return pl.concat_str([pl.col("file_id"), pl.col("district"), *period], separator="/")


def termly_return_rows(files: Iterable[SourceFile], today: date | None = None) -> pl.DataFrame:
    """One row per raw termly-return row: raw text, parsed key, codes, value and flags.
    ``today`` is the load's date (for the academic years that may hold figures)."""
    frame = _with_academic_year(_with_district(_raw_rows(files, TERMLY_RETURN)))
    catalogue = contracts.measure_catalogue()
    phases = list(contracts.phases())
    allowed_pairs = [f"{m}|{p}" for m, p in contracts.expected_measure_phases()]
    frame = frame.with_columns(
        pl.lit(TERMLY_RETURN).alias("source"),
        int_expr("term_raw").alias("term"),
        int_error_expr("term_raw", "term").alias("term_error"),
        _code("phase_raw").alias("phase"),
        _code("measure_raw").alias("measure"),
        count_expr("value_raw").alias("value"),
        count_error_expr("value_raw").alias("value_error"),
    )
    known = pl.col("phase").is_in(phases) & pl.col("measure").is_in(list(catalogue))
    frame = frame.with_columns(
        pl.when(known)
        .then(pl.concat_str("measure", pl.lit("|"), "phase").is_in(allowed_pairs))
        .alias("measure_phase_allowed"),
        pl.col("measure")
        .replace_strict(
            {c: ", ".join(m.allowed_phases) for c, m in catalogue.items()},
            default=None,
            return_dtype=STR,
        )
        .alias("allowed_phases"),
        _problem(pl.col("value_error")).alias("value_problem"),
        _submission_id(
            pl.col("academic_year"), pl.concat_str(pl.lit("T"), pl.col("term").cast(STR))
        ).alias("submission_id"),
    )
    keys = ["file_id", "district", "academic_year", "term", "phase", "measure"]
    frame = frame.with_columns(
        _duplicate_rows(keys).alias("duplicate_rows"),
        _year_out_of_range(frame, today).alias("academic_year_out_of_range"),
    )
    return _conform(_with_strays(frame), "termly_return_rows")


def census_rows(files: Iterable[SourceFile], today: date | None = None) -> pl.DataFrame:
    """One row per raw census row: raw text, parsed key and counts, derived sums."""
    frame = _with_district(_raw_rows(files, CENSUS))
    frame = frame.with_columns(
        pl.lit(CENSUS).alias("source"),
        int_expr("census_year_raw").alias("census_year"),
        int_error_expr("census_year_raw", "census_year").alias("census_year_error"),
        _code("phase_raw").alias("phase"),
        *[count_expr(f"{c}_raw").alias(c) for c in CENSUS_COUNTS],
        *[count_error_expr(f"{c}_raw").alias(f"{c}_error") for c in CENSUS_COUNTS],
    )
    start = pl.col("census_year") - 1
    frame = frame.with_columns(
        (pl.col("sen_support") + pl.col("ehcp")).alias("sen_support_plus_ehcp"),
        # A census of January Y belongs to academic year (Y-1)-Y.
        pl.when(pl.col("census_year").is_between(1, 9998))
        .then(
            pl.concat_str(
                start.cast(STR), pl.lit("-"), (pl.col("census_year") % 100).cast(STR).str.zfill(2)
            )
        )
        .alias("academic_year"),
        _submission_id(pl.concat_str(pl.lit("census"), pl.col("census_year").cast(STR))).alias(
            "submission_id"
        ),
    )
    keys = ["file_id", "census_year", "district", "phase"]
    frame = frame.with_columns(
        _duplicate_rows(keys).alias("duplicate_rows"),
        _year_out_of_range(frame, today).alias("academic_year_out_of_range"),
    )
    return _conform(frame, "census_rows")


def is_county_total(column: str = "district_raw") -> pl.Expr:
    """Whether a funding row's district cell names the stated county total ("Total")."""
    label = pl.col(column).str.strip_chars(TRIM).str.to_lowercase().str.replace_all(r"\s+", " ")
    return label.is_in(list(COUNTY_TOTAL_LABELS)).fill_null(False)


def _funding_parsed(files: Iterable[SourceFile]) -> pl.DataFrame:
    """Every funding row (districts and stated totals) with year and money parsed."""
    frame = _with_academic_year(_raw_rows(files, FUNDING))
    return frame.with_columns(
        pl.lit(FUNDING).alias("source"),
        is_county_total().alias("is_county_total"),
        *[money_expr(f"{c}_raw", optional).cast(FLOAT).alias(c) for c, optional in MONEY_COLUMNS],
        *[
            money_error_expr(f"{c}_raw", optional).alias(f"{c}_error")
            for c, optional in MONEY_COLUMNS
        ],
        money_expr("total_budget_raw", False).alias("total_budget_exact"),
        # Summed exactly (Decimal), then shown as pounds: equal amounts compare equal.
        (money_expr("core_budget_raw", False) + money_expr("outreach_budget_raw", False))
        .cast(FLOAT)
        .alias("core_plus_outreach"),
    )


def funding_rows(files: Iterable[SourceFile], today: date | None = None) -> pl.DataFrame:
    """One row per raw funding row naming a district (stated county totals are checked in
    ``funding_years`` and never loaded as a district)."""
    frame = _funding_parsed(files).filter(~pl.col("is_county_total"))
    frame = _with_district(frame).with_columns(
        *[_problem(pl.col(f"{c}_error")).alias(f"{c}_problem") for c, _ in MONEY_COLUMNS],
        _submission_id(pl.col("academic_year")).alias("submission_id"),
    )
    keys = ["file_id", "academic_year", "district"]
    frame = frame.with_columns(
        _duplicate_rows(keys).alias("duplicate_rows"),
        _year_out_of_range(frame, today).alias("academic_year_out_of_range"),
    )
    return _conform(frame, "funding_rows")


def _extra_headers(frame: pl.DataFrame) -> str | None:
    """The headers of a file's non-empty extra cells, in first-seen order ("notes")."""
    if "extra_columns" not in frame.columns:
        return None
    seen: dict[str, None] = {}
    for text in frame.get_column("extra_columns").drop_nulls().unique(maintain_order=True):
        seen.update(dict.fromkeys(json.loads(text)))
    # The rows a source has above its header (frames._rows_above) are not extra columns.
    kept = [h for h in seen if not h.startswith(ABOVE_THE_HEADER)]
    return ", ".join(kept) or None


def files_frame(files: Iterable[SourceFile]) -> pl.DataFrame:
    """One row per accepted file: its size in rows and the extra columns it carries."""
    records = [
        {
            "source": f.source,
            "file_id": f.file_id,
            "file_name": f.file_name,
            "received_seq": f.received_seq,
            "row_count": f.frame.height,
            "extra_headers": _extra_headers(f.frame),
        }
        for f in files
    ]
    if not records:
        return empty_frame("files")
    return _conform(pl.DataFrame(records), "files")
