"""Check frames of the child-level sources, stage 1: every raw caseload-episode and
pupil-level census row with its parsed key, codes and dates (``warehouse.core.values``,
``warehouse.core.dates``), and the audit's reading of each row for the dq layer.

Child-level rows are records, not figures: there is no submission to hold back. A row
breaking a rule (an unknown district, a date that does not parse, a close before the open,
a key that is not a keyed hash, a duplicated key...) is quarantined on its own (scope
``row``) and the rest of the file is published; supersession is decided in dbt (a later
extract replaces an episode with the same id; a later pupil-level census file replaces a
census year as a whole). Their row outcomes are built here as one frame (a census is a
quarter of a million rows a year: no Python object per row).

The child key is never changed: trimmed (every text value is), checked to be 64
hexadecimal characters (the council's keyed hash), and kept as it came. Messages never
quote it; the Data quality page shows it, to data stewards only, as the value received.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import polars as pl

from warehouse.core import contracts
from warehouse.core.contracts import CASELOAD_EPISODE, PUPIL_CENSUS
from warehouse.core.dates import date_error_expr, date_expr
from warehouse.core.values import TRIM, int_error_expr, int_expr
from warehouse.quality.kinds import INT, STR, _conform
from warehouse.quality.results import SourceFile
from warehouse.quality.rows import (
    _code,
    _load_day,
    _raw_rows,
    _with_district,
    _year_out_of_range,
)

_KEY_SHAPE = rf"^[0-9A-Fa-f]{{{contracts.CHILD_KEY_LENGTH}}}$"

# Frames that are not check frames: the audit's reading of each row (dq.<source>_values).
VALUES = {
    CASELOAD_EPISODE: "caseload_episode_values",
    PUPIL_CENSUS: "pupil_census_values",
}
ROW_FRAMES = {CASELOAD_EPISODE: "caseload_episode_rows", PUPIL_CENSUS: "pupil_census_rows"}


def _trimmed(column: str) -> pl.Expr:
    """A text cell trimmed; blank is null."""
    text = pl.col(column).str.strip_chars(TRIM)
    return pl.when(text != "").then(text)


def _child_key() -> pl.Expr:
    """The child key as received (trimmed), or null when it is not a keyed hash."""
    key = _trimmed("child_key_raw")
    return pl.when(key.str.contains(_KEY_SHAPE)).then(key)


def _child_key_problem() -> pl.Expr:
    key = _trimmed("child_key_raw")
    return (
        pl.when(key.is_null())
        .then(pl.lit("missing"))
        .when(~key.str.contains(_KEY_SHAPE))
        .then(pl.lit(f"not {contracts.CHILD_KEY_LENGTH} hexadecimal characters"))
        .otherwise(pl.lit(None, dtype=STR))
    )


def _with_duplicates(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """``duplicate_rows`` ("rows 3, 9") on rows whose complete key another row shares.
    Worked out on the duplicated keys only: a census has a quarter of a million rows."""
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    shared = frame.filter(complete & (pl.len().over(keys) > 1))
    listed = shared.group_by(list(keys)).agg(
        pl.concat_str(pl.lit("rows "), pl.col("row_number").sort().cast(STR).str.join(", ")).alias(
            "duplicate_rows"
        )
    )
    return frame.join(listed, on=list(keys), how="left", maintain_order="left", nulls_equal=False)


def caseload_episode_frames(
    files: Iterable[SourceFile], today: date | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The check frame ``caseload_episode_rows`` and the audit's reading of each row."""
    day = _load_day(today)
    frame = _with_district(_raw_rows(files, CASELOAD_EPISODE))
    reasons = list(contracts.closure_reasons())
    frame = frame.with_columns(
        pl.lit(CASELOAD_EPISODE).alias("source"),
        _trimmed("episode_id_raw").alias("episode_id"),
        _child_key().alias("child_key"),
        _child_key_problem().alias("child_key_problem"),
        _code("phase_raw").alias("phase"),
        date_expr("open_date_raw").alias("open_date"),
        date_error_expr("open_date_raw", "open_date").alias("open_date_error"),
        date_expr("close_date_raw").alias("close_date"),
        date_error_expr("close_date_raw", "close_date", optional=True).alias("close_date_error"),
        _trimmed("close_date_raw").is_null().alias("is_open"),
        _code("closure_reason_raw").alias("closure_reason"),
    )
    after = pl.lit(day, dtype=pl.Date)
    frame = frame.with_columns(
        (pl.col("close_date") < pl.col("open_date")).alias("closes_before_opening"),
        pl.when(pl.col("is_open") & (pl.col("closure_reason") != ""))
        .then(pl.lit("given_while_open"))
        .when(~pl.col("is_open") & (pl.col("closure_reason") == ""))
        .then(pl.lit("missing_while_closed"))
        .when((pl.col("closure_reason") != "") & ~pl.col("closure_reason").is_in(reasons))
        .then(pl.lit("unknown"))
        .otherwise(pl.lit(None, dtype=STR))
        .alias("closure_reason_problem"),
        pl.when(pl.col("open_date") > after)
        .then(pl.lit(f"the open date is after the date of this load ({day.isoformat()})"))
        .when(pl.col("close_date") > after)
        .then(pl.lit(f"the close date is after the date of this load ({day.isoformat()})"))
        .otherwise(pl.lit(None, dtype=STR))
        .alias("date_after_load"),
    )
    frame = _with_duplicates(frame, ["file_id", "episode_id"])
    values = frame.select(
        pl.col("file_id"),
        pl.col("row_number").cast(pl.Int32),
        pl.col("episode_id"),
        pl.col("child_key"),
        pl.when(pl.col("phase") != "").then(pl.col("phase")).alias("phase"),
        pl.col("open_date"),
        pl.col("close_date"),
        pl.when(pl.col("closure_reason") != "")
        .then(pl.col("closure_reason"))
        .alias("closure_reason"),
    )
    return _conform(frame, "caseload_episode_rows"), values


def pupil_census_frames(
    files: Iterable[SourceFile], today: date | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The check frame ``pupil_census_rows`` and the audit's reading of each row."""
    frame = _with_district(_raw_rows(files, PUPIL_CENSUS))
    frame = frame.with_columns(
        pl.lit(PUPIL_CENSUS).alias("source"),
        int_expr("census_year_raw").alias("census_year"),
        int_error_expr("census_year_raw", "census_year").alias("census_year_error"),
        _child_key().alias("child_key"),
        _child_key_problem().alias("child_key_problem"),
        _code("phase_raw").alias("phase"),
        _code("sen_status_raw").alias("sen_status"),
    )
    start = pl.col("census_year") - 1
    frame = frame.with_columns(
        # A census of January Y belongs to academic year (Y-1)-Y.
        pl.when(pl.col("census_year").is_between(1, 9998))
        .then(
            pl.concat_str(
                start.cast(STR), pl.lit("-"), (pl.col("census_year") % 100).cast(STR).str.zfill(2)
            )
        )
        .alias("academic_year"),
    )
    frame = _with_duplicates(frame, ["file_id", "census_year", "child_key"])
    frame = frame.with_columns(_year_out_of_range(frame, today).alias("academic_year_out_of_range"))
    values = frame.select(
        pl.col("file_id"),
        pl.col("row_number").cast(pl.Int32),
        pl.col("child_key"),
        pl.when(pl.col("phase") != "").then(pl.col("phase")).alias("phase"),
        pl.when(pl.col("sen_status") != "").then(pl.col("sen_status")).alias("sen_status"),
    )
    return _conform(frame, "pupil_census_rows"), values


def row_frames(files: Sequence[SourceFile], today: date | None = None) -> dict[str, pl.DataFrame]:
    """The child-level check frames and values, by name (``checks.row_frames`` adds them)."""
    episodes, episode_values = caseload_episode_frames(files, today)
    pupils, pupil_values = pupil_census_frames(files, today)
    return {
        ROW_FRAMES[CASELOAD_EPISODE]: episodes,
        VALUES[CASELOAD_EPISODE]: episode_values,
        ROW_FRAMES[PUPIL_CENSUS]: pupils,
        VALUES[PUPIL_CENSUS]: pupil_values,
    }


def row_values(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """source -> the audit's reading of each child-level row (``dq.<source>_values``)."""
    return {source: frames[name] for source, name in VALUES.items() if name in frames}


OUTCOME_SCHEMA: dict[str, pl.DataType] = {
    "source": STR,
    "load_id": STR,
    "file_id": STR,
    "row_number": pl.Int32(),
    "submission_id": STR,
    "district": STR,
    "academic_year": STR,
    "term": pl.Int32(),
    "census_year": pl.Int32(),
    "outcome": STR,
    "reason": STR,
}


def row_outcomes(
    frames: Mapping[str, pl.DataFrame],
    load_ids: Mapping[str, str],
    reasons: Mapping[tuple[str, int], str],
    published: str,
    quarantined: str,
) -> pl.DataFrame:
    """Every child-level row's outcome, in ``dq.row_outcomes``' columns: quarantined with
    ``reasons[(file_id, row_number)]`` when a row-scope check failed on it, else published.
    No submission: child-level rows are published or quarantined one by one."""
    failed = pl.DataFrame(
        [{"file_id": f, "row_number": n, "reason": r} for (f, n), r in reasons.items()],
        schema={"file_id": STR, "row_number": INT, "reason": STR},
    )
    parts = []
    for name in ROW_FRAMES.values():
        frame = frames.get(name)
        if frame is None or frame.height == 0:
            continue
        parts.append(
            frame.select(
                "source", "file_id", "row_number", "district", "academic_year", "census_year"
            ).join(failed, on=["file_id", "row_number"], how="left", maintain_order="left")
        )
    if not parts:
        return pl.DataFrame(schema=OUTCOME_SCHEMA)
    rows = pl.concat(parts, how="vertical")
    return rows.select(
        pl.col("source"),
        pl.col("file_id").replace_strict(dict(load_ids), default=None).alias("load_id"),
        pl.col("file_id"),
        pl.col("row_number"),
        pl.lit(None, dtype=STR).alias("submission_id"),
        pl.col("district"),
        pl.when(pl.col("source") == PUPIL_CENSUS).then(pl.col("academic_year")),
        pl.lit(None, dtype=pl.Int32).alias("term"),
        pl.col("census_year"),
        pl.when(pl.col("reason").is_null())
        .then(pl.lit(published))
        .otherwise(pl.lit(quarantined))
        .alias("outcome"),
        pl.col("reason"),
    ).cast(OUTCOME_SCHEMA)
