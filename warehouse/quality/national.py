"""The audit of Source 4, DfE's national figures: a check frame per file kind, the audit's
reading of every row (``dq.national_*_values``) and every row's outcome.

Source 4's rules (shared/contracts.md) are all about rows, so a row that breaks one is
quarantined alone and the rest of the file is published; there are no submissions. The
suites are ``expectations/national_*.yml``. Everything here is vectorised (polars): the
long data is 641,070 rows.

Two rules look beyond the row's own file: an indicator must be in the dictionary in force
(this load's dictionary if it brings one, else the published one), and a neighbour should
be an area of the data in force (this load's data if it brings some, else the published).
Load the dictionary with the data, or before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.core import national
from warehouse.core.contracts import NATIONAL_DATA, NATIONAL_DICTIONARY, NATIONAL_NEIGHBOURS
from warehouse.core.values import TRIM, int_expr
from warehouse.quality.kinds import _conform, empty_frame
from warehouse.quality.national_kinds import NEIGHBOURS
from warehouse.quality.results import Failure, SourceFile
from warehouse.quality.rows import _raw_rows

FRAMES = {
    "national_data_rows": NATIONAL_DATA,
    "national_dictionary_rows": NATIONAL_DICTIONARY,
    "national_neighbours_rows": NATIONAL_NEIGHBOURS,
}
LAYOUT_REASON = (
    "not a local authority's row (a helper row above the header, or a label in the "
    "workbook): kept as received, not loaded"
)
IN_FORCE = " in force"  # the message reads "not in the indicator dictionary in force"
NO_DICTIONARY = (
    " (no indicator dictionary has been loaded: load DfE's lait_data_dictionary.csv with the data)"
)


@dataclass(frozen=True)
class NationalBaseline:
    """What the warehouse publishes before this load: the dictionary's indicator codes and
    the data's area numbers (None: nothing of that kind published yet)."""

    indicator_codes: frozenset[str] | None = None
    la_numbers: frozenset[int] | None = None


def published_baseline(con: duckdb.DuckDBPyConnection) -> NationalBaseline:
    """The published dictionary and areas (``marts.dim_indicator``,
    ``marts.dim_local_authority``)."""
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name in ('dim_indicator', 'dim_local_authority')"
        ).fetchall()
    }
    codes = numbers = None
    if "dim_indicator" in tables:
        rows = con.execute("select indicator_code from marts.dim_indicator").fetchall()
        codes = frozenset(code for (code,) in rows) or None
    if "dim_local_authority" in tables:
        rows = con.execute("select la_number from marts.dim_local_authority").fetchall()
        numbers = frozenset(int(number) for (number,) in rows) or None
    return NationalBaseline(codes, numbers)


# ---------------------------------------------------------------- helpers


def _text(column: str) -> pl.Expr:
    """A text cell trimmed; blank is null."""
    trimmed = pl.col(column).str.strip_chars(TRIM)
    return pl.when(trimmed != "").then(trimmed)


def _latest(files: Sequence[SourceFile], source: str) -> SourceFile | None:
    """This load's last file of a kind: a later release replaces an earlier one whole."""
    found = [f for f in files if f.source == source]
    return max(found, key=lambda f: f.received_seq) if found else None


def _dictionary_codes(
    files: Sequence[SourceFile], baseline: NationalBaseline
) -> tuple[list[str], str]:
    latest = _latest(files, NATIONAL_DICTIONARY)
    if latest is not None:
        codes = latest.frame.select(_text("indicator_code").alias("c")).drop_nulls()
        return codes.get_column("c").unique().to_list(), IN_FORCE
    if baseline.indicator_codes is not None:
        return sorted(baseline.indicator_codes), IN_FORCE
    return [], NO_DICTIONARY


def _data_areas(files: Sequence[SourceFile], baseline: NationalBaseline) -> list[int] | None:
    latest = _latest(files, NATIONAL_DATA)
    if latest is not None:
        numbers = latest.frame.select(
            national.la_number_exprs("la_number")["number"].alias("n")
        ).drop_nulls()
        return numbers.get_column("n").unique().to_list()
    return None if baseline.la_numbers is None else sorted(baseline.la_numbers)


def _rows_listed(frame: pl.DataFrame, key: list[str], valid: pl.Expr, **aggs: pl.Expr):
    """For keys held by more than one row: "rows 3, 9", and ``aggs`` over the key's rows.
    Computed on the repeated keys only, so a long file with none pays one group-by."""
    repeated = (
        frame.filter(valid)
        .group_by(key)
        .agg(
            pl.len().alias("_rows"),
            pl.concat_str(
                pl.lit("rows "), pl.col("row_number").sort().cast(pl.String).str.join(", ")
            ).alias("_listed"),
            **aggs,
        )
        .filter(pl.col("_rows") > 1)
    )
    return repeated


# ---------------------------------------------------------------- check frames


def national_data_rows(
    files: Iterable[SourceFile], baseline: NationalBaseline = NationalBaseline()
) -> pl.DataFrame:
    """One row per raw row of DfE's long data, read (see ``national_kinds``)."""
    files = list(files)
    frame = _raw_rows(files, NATIONAL_DATA)
    if frame.is_empty():
        return empty_frame("national_data_rows")
    codes, note = _dictionary_codes(files, baseline)
    year = national.year_exprs("year_raw")
    number = national.la_number_exprs("la_number_raw")
    value = national.value_exprs("value_raw")
    frame = frame.with_columns(
        pl.lit(NATIONAL_DATA).alias("source"),
        _text("indicator_code_raw").alias("indicator_code"),
        year["published"].alias("year"),
        year["sort"].alias("year_sort"),
        year["status"].alias("year_status"),
        year["known"].alias("year_known"),
        _text("area_name_raw").alias("area_name"),
        number["number"].alias("la_number"),
        number["error"].alias("la_number_error"),
        value["number"].alias("value"),
        value["symbol"].alias("value_symbol"),
        value["error"].alias("value_error"),
    ).with_columns(
        pl.col("indicator_code").is_in(codes).fill_null(False).alias("in_dictionary"),
        pl.lit(note).alias("dictionary_note"),
    )
    key = ["file_id", "indicator_code", "year", "la_number"]
    shown = pl.coalesce(pl.col("value_symbol"), pl.col("value").cast(pl.String), "value_raw")
    repeated = _rows_listed(
        frame,
        key,
        pl.col("indicator_code").is_not_null() & pl.col("la_number").is_not_null(),
        _values=shown.n_unique(),
    )
    if repeated.is_empty():
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias("conflicting_rows"),
            pl.lit(None, dtype=pl.String).alias("repeated_rows"),
        )
    else:
        frame = frame.join(repeated, on=key, how="left", maintain_order="left").with_columns(
            pl.when(pl.col("_values") > 1).then("_listed").alias("conflicting_rows"),
            pl.when(pl.col("_values") == 1).then("_listed").alias("repeated_rows"),
        )
    return _conform(frame, "national_data_rows")


def national_dictionary_rows(files: Iterable[SourceFile]) -> pl.DataFrame:
    """One row per raw row of the indicator dictionary, read."""
    frame = _raw_rows(files, NATIONAL_DICTIONARY)
    if frame.is_empty():
        return empty_frame("national_dictionary_rows")
    polarity = _text("polarity_raw")
    lowered = polarity.str.to_lowercase()
    dps = _text("dps_raw")
    places = int_expr("dps_raw")
    places_ok = places.is_between(0, 10).fill_null(False)
    frame = frame.with_columns(
        pl.lit(NATIONAL_DICTIONARY).alias("source"),
        _text("indicator_code_raw").alias("indicator_code"),
        *[
            _text(f"{c}_raw").alias(c)
            for c in ("topic", "label", "chart_title", "unit", "description", "data_owner")
        ],
        _text("year_type_raw").alias("year_type"),
        # DfE: "High" = higher is better, "Low" = lower is better, anything else neither;
        # "NA" (R's missing value) or blank: no polarity given.
        pl.when(lowered == "high")
        .then(pl.lit("High"))
        .when(lowered == "low")
        .then(pl.lit("Low"))
        .when(lowered.is_in(["na", "n/a"]) | polarity.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(polarity)
        .alias("polarity"),
        pl.when(places_ok).then(places).alias("decimal_places"),
        pl.when(dps.is_not_null() & ~dps.str.to_lowercase().is_in(["na", "n/a"]) & ~places_ok)
        .then(
            pl.concat_str(
                pl.lit("decimal places '"), dps, pl.lit("' is not a whole number from 0 to 10")
            )
        )
        .alias("dps_error"),
        (_text("no_quartile_raw").str.to_uppercase() == "N").fill_null(False).alias("no_quartile"),
        *[
            expr
            for when in ("last_update", "next_update")
            for expr in (
                national.excel_date_expr(f"{when}_raw").alias(when),
                pl.when(national.excel_date_expr(f"{when}_raw").is_null())
                .then(_text(f"{when}_raw"))
                .alias(f"{when}_note"),
            )
        ],
    )
    return _conform(frame, "national_dictionary_rows")


def national_neighbours_rows(
    files: Iterable[SourceFile], baseline: NationalBaseline = NationalBaseline()
) -> pl.DataFrame:
    """One row per raw row of the statistical-neighbours workbook, read."""
    files = list(files)
    frame = _raw_rows(files, NATIONAL_NEIGHBOURS)
    if frame.is_empty():
        return empty_frame("national_neighbours_rows")
    number = national.la_number_exprs("la_number_raw")
    neighbours = {k: national.la_number_exprs(f"sn{k}_raw") for k in NEIGHBOURS}
    layout = _text("la_number_raw").is_null() & pl.all_horizontal(
        _text(f"sn{k}_raw").is_null() for k in NEIGHBOURS
    )
    areas = _data_areas(files, baseline)
    known = areas or []
    errors = [
        pl.when(neighbours[k]["number"].is_null()).then(
            pl.concat_str(pl.lit(f"SN{k}: "), neighbours[k]["error"])
        )
        for k in NEIGHBOURS
    ]
    missing = [
        pl.when(neighbours[k]["number"].is_not_null() & ~neighbours[k]["number"].is_in(known)).then(
            pl.concat_str(pl.lit(f"SN{k} "), neighbours[k]["number"].cast(pl.String))
        )
        for k in NEIGHBOURS
    ]
    joined_missing = pl.concat_str(missing, separator=", ", ignore_nulls=True)
    frame = frame.with_columns(
        pl.lit(NATIONAL_NEIGHBOURS).alias("source"),
        number["number"].alias("la_number"),
        pl.when(~layout).then(number["error"]).alias("la_number_problem"),
        _text("la_name_raw").alias("la_name"),
        _text("region_raw").alias("region"),
        layout.alias("is_layout_row"),
        *[neighbours[k]["number"].alias(f"sn{k}") for k in NEIGHBOURS],
        *[_text(f"snp{k}_raw").alias(f"snp{k}") for k in NEIGHBOURS],
        pl.when(~layout)
        .then(pl.concat_str(errors, separator="; ", ignore_nulls=True))
        .alias("neighbour_errors"),
        pl.when(~layout & (joined_missing != "") & pl.lit(areas is not None))
        .then(joined_missing)
        .alias("neighbours_not_in_data"),
    ).with_columns(
        pl.when(pl.col("neighbour_errors") != "").then("neighbour_errors").alias("neighbour_errors")
    )
    repeated = _rows_listed(frame, ["file_id", "la_number"], pl.col("la_number").is_not_null())
    frame = frame.join(
        repeated.select("file_id", "la_number", pl.col("_listed").alias("duplicate_rows")),
        on=["file_id", "la_number"],
        how="left",
        maintain_order="left",
    )
    return _conform(frame, "national_neighbours_rows")


def row_frames(
    files: Iterable[SourceFile], baseline: NationalBaseline | None = None
) -> dict[str, pl.DataFrame]:
    files = list(files)
    baseline = baseline or NationalBaseline()
    return {
        "national_data_rows": national_data_rows(files, baseline),
        "national_dictionary_rows": national_dictionary_rows(files),
        "national_neighbours_rows": national_neighbours_rows(files, baseline),
    }


# ---------------------------------------------------------------- readings and outcomes


def row_values(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The audit's reading of every national row, for ``dq.national_*_values``: dbt casts
    these and never parses DfE's text itself."""
    ids = (pl.col("file_id"), pl.col("row_number").cast(pl.Int32))
    data = frames["national_data_rows"]
    dictionary = frames["national_dictionary_rows"]
    neighbours = frames["national_neighbours_rows"]
    region = pl.col("region_raw").str.strip_chars(TRIM)
    return {
        NATIONAL_DATA: data.select(
            *ids,
            "indicator_code",
            "year",
            "year_sort",
            "year_status",
            "la_number",
            "area_name",
            pl.when(region.is_in(["", "NA"]).not_()).then(region).alias("region"),
            "value",
            "value_symbol",
        ),
        NATIONAL_DICTIONARY: dictionary.select(
            *ids,
            "indicator_code",
            "topic",
            "label",
            "chart_title",
            "unit",
            "description",
            "data_owner",
            "year_type",
            "polarity",
            "decimal_places",
            "no_quartile",
            "last_update",
            "last_update_note",
            "next_update",
            "next_update_note",
        ),
        NATIONAL_NEIGHBOURS: neighbours.select(
            *ids,
            "la_number",
            "la_name",
            "region",
            *[f"sn{k}" for k in NEIGHBOURS],
            *[f"snp{k}" for k in NEIGHBOURS],
        ),
    }


OUTCOME_SCHEMA = {
    "source": pl.String,
    "load_id": pl.String,
    "file_id": pl.String,
    "row_number": pl.Int32,
    "submission_id": pl.String,
    "district": pl.String,
    "academic_year": pl.String,
    "term": pl.Int32,
    "census_year": pl.Int32,
    "outcome": pl.String,
    "reason": pl.String,
}


def outcomes(
    frames: Mapping[str, pl.DataFrame],
    alone: Mapping[tuple[str, int], list[Failure]],
    load_ids: Mapping[str, str],
) -> pl.DataFrame:
    """Every national row's outcome (``dq.row_outcomes``): quarantined when it breaks a rule
    of its own (the reasons, as for any row), else published; a layout row is kept and
    published as what it is, never loaded."""
    reasons = pl.DataFrame(
        [
            {
                "file_id": file_id,
                "row_number": number,
                "reason": "; ".join(f"row {f.row_number}: {f.message}" for f in failures),
            }
            for (file_id, number), failures in alone.items()
            if failures and failures[0].source in FRAMES.values()
        ],
        schema={"file_id": pl.String, "row_number": pl.Int64, "reason": pl.String},
    )
    parts = []
    for name, source in FRAMES.items():
        frame = frames.get(name)
        if frame is None or frame.is_empty():
            continue
        layout = pl.col("is_layout_row") if "is_layout_row" in frame.columns else pl.lit(False)
        parts.append(
            frame.select("file_id", "row_number", layout.alias("_layout"))
            .join(reasons, on=["file_id", "row_number"], how="left", maintain_order="left")
            .select(
                pl.lit(source).alias("source"),
                pl.col("file_id").replace_strict(dict(load_ids), default=None).alias("load_id"),
                "file_id",
                pl.col("row_number").cast(pl.Int32),
                pl.when(pl.col("reason").is_not_null())
                .then(pl.lit("quarantined"))
                .otherwise(pl.lit("published"))
                .alias("outcome"),
                pl.coalesce("reason", pl.when(pl.col("_layout")).then(pl.lit(LAYOUT_REASON))).alias(
                    "reason"
                ),
            )
        )
    if not parts:
        return pl.DataFrame(schema=OUTCOME_SCHEMA)
    return (
        pl.concat(parts)
        .with_columns(
            pl.lit(None, dtype=pl.String).alias(c)
            for c in ("submission_id", "district", "academic_year")
        )
        .with_columns(
            pl.lit(None, dtype=pl.Int32).alias("term"),
            pl.lit(None, dtype=pl.Int32).alias("census_year"),
        )
        .select(list(OUTCOME_SCHEMA))
    )
