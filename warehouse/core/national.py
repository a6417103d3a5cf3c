"""Source 4 in code: DfE's national figures for every local authority (its Local Authority
Interactive Tool, LAIT) and the rules for reading their cells. The home authority and the
attribution every product showing them carries are ``warehouse.reporting.benchmarks``'s.

The lists (DfE's symbols, the year spellings seen in its files, the regions, the topics'
order, the district figures DfE publishes a county counterpart of) live once, as dbt seeds
(``dbt/seeds/national_*.csv``): dbt builds the dimensions from them and this module reads
the same files. How DfE derives its comparisons (neighbour averages, quartile bands,
ranks, change) is dbt's alone: ``mart_la_indicator_benchmark``.

Each cell rule exists as a scalar function (for messages and tests) and a polars
expression (for the 641,070-row file); the tests run one corpus through both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import polars as pl

from warehouse.core.contracts import read_seed
from warehouse.core.values import TRIM, statistic_expr

# DfE's LA numbers: three digits (970 is England, 980-990 regions; seeds/national_regions).
LA_NUMBER_MIN, LA_NUMBER_MAX = 100, 999
# Excel stores a date as days since 30 December 1899 (its 1900 leap-year bug included).
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Symbol:
    symbol: str  # as DfE writes it, lower case; "blank" stands for an empty cell
    meaning: str
    gss_symbol: str  # the Government Statistical Service shorthand shown for it


BLANK = "blank"


@cache
def symbols() -> dict[str, Symbol]:
    return {
        r["symbol"]: Symbol(r["symbol"], r["meaning"], r["gss_symbol"])
        for r in read_seed("national_symbols")
    }


@dataclass(frozen=True)
class YearForm:
    name: str
    pattern: str
    status: str | None  # revised | provisional | final | outturn; None: as first published
    example: str


@cache
def year_forms() -> tuple[YearForm, ...]:
    return tuple(
        YearForm(r["year_form"], r["pattern"], r["year_status"] or None, r["example"])
        for r in read_seed("national_year_forms")
    )


@cache
def linked_indicators() -> dict[str, str]:
    """District figure -> DfE's indicator for the same thing county-wide (the EHCP page
    shows the home authority's and England's beside the districts')."""
    return {r["figure_key"]: r["indicator_code"] for r in read_seed("national_figure_links")}


# ---------------------------------------------------------------- scalar readings


def _trim(text: str | None) -> str:
    return "" if text is None else text.strip(TRIM)


_LEADING_YEAR = re.compile(r"^([0-9]{4})(?:[^0-9]|$)")
_WHOLE = re.compile(r"^([0-9]+)(?:\.0+)?$")


@dataclass(frozen=True)
class Year:
    published: str  # trimmed, as published ("2024 (Rev)")
    sort: int | None  # the year it starts in (2024), for ordering; None: no year in it
    status: str | None  # revised | provisional | final | outturn
    known: bool  # a spelling seen in DfE's files before (seeds/national_year_forms)


def read_year(text: str | None) -> Year:
    """A year as DfE publishes it: "2024", "2023-24", "2015/16", "2013/14-15/16",
    "2024 (Rev)", "2025 (prov)", "2024-25 (OT)". Sorted by the year it starts in, as DfE's
    tool does; the status from its suffix."""
    trimmed = _trim(text)
    for form in year_forms():
        if re.fullmatch(form.pattern, trimmed, flags=re.IGNORECASE):
            return Year(trimmed, int(trimmed[:4]), form.status, True)
    match = _LEADING_YEAR.match(trimmed)
    return Year(trimmed, int(match.group(1)) if match else None, None, False)


def read_la_number(text: str | None) -> tuple[int | None, str | None]:
    """DfE's three-digit LA number ("886"; "886.0" as a spreadsheet writes a number), or
    the reason it is not one."""
    trimmed = _trim(text)
    if not trimmed:
        return None, "LA number is blank"
    match = _WHOLE.fullmatch(trimmed)
    if match is None or not LA_NUMBER_MIN <= int(match.group(1)) <= LA_NUMBER_MAX:
        return None, f"LA number '{trimmed}' is not a three-digit DfE code"
    return int(match.group(1)), None


def read_symbol(text: str | None) -> str | None:
    """The DfE symbol a cell holds ("-", "c", "x", "z", "low"; "blank" for an empty cell),
    or None when it holds something else (a number, or an error)."""
    trimmed = _trim(text).lower()
    if not trimmed:
        return BLANK
    return trimmed if trimmed in symbols() and trimmed != BLANK else None


def excel_date(text: str | None) -> date | None:
    """A dictionary date: an Excel serial day number ("45809" is 1 June 2025); None when
    the cell holds anything else ("TBC", "Discontinued")."""
    match = _WHOLE.fullmatch(_trim(text))
    if match is None or not 1 <= int(match.group(1)) <= 2_958_465:  # 31 December 9999
        return None
    return EXCEL_EPOCH + timedelta(days=int(match.group(1)))


# ---------------------------------------------------------------- the same, over columns


def _trimmed(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars(TRIM).fill_null("")


def year_exprs(column: str) -> dict[str, pl.Expr]:
    """``read_year`` over a column: published, sort, status and known."""
    trimmed = _trimmed(column)
    status = pl.lit(None, dtype=pl.String)
    known = pl.lit(False)
    for form in reversed(year_forms()):  # the first form that matches wins, as above
        matches = trimmed.str.contains(f"(?i){form.pattern}")
        status = pl.when(matches).then(pl.lit(form.status, dtype=pl.String)).otherwise(status)
        known = matches | known
    leading = trimmed.str.extract(_LEADING_YEAR.pattern, 1).cast(pl.Int64)
    return {"published": trimmed, "sort": leading, "status": status, "known": known}


def la_number_exprs(column: str) -> dict[str, pl.Expr]:
    """``read_la_number`` over a column: the number, and the error."""
    trimmed = _trimmed(column)
    number = trimmed.str.extract(_WHOLE.pattern, 1).cast(pl.Int64, strict=False)
    good = number.is_between(LA_NUMBER_MIN, LA_NUMBER_MAX).fill_null(False)
    error = (
        pl.when(trimmed == "")
        .then(pl.lit("LA number is blank"))
        .when(~good)
        .then(
            pl.concat_str(pl.lit("LA number '"), trimmed, pl.lit("' is not a three-digit DfE code"))
        )
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return {"number": pl.when(good).then(number).cast(pl.Int64), "error": error}


def value_exprs(column: str) -> dict[str, pl.Expr]:
    """A published value: its number (null for a symbol), its symbol, and the error when
    it is neither a number nor one of DfE's symbols."""
    trimmed = _trimmed(column)
    lowered = trimmed.str.to_lowercase()
    named = [s for s in symbols() if s != BLANK]
    symbol = (
        pl.when(trimmed == "")
        .then(pl.lit(BLANK))
        .when(lowered.is_in(named))
        .then(lowered)
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    number = pl.when(symbol.is_null()).then(statistic_expr(column))
    listed = ", ".join(f"'{s}'" for s in named)
    error = (
        pl.when(symbol.is_null() & number.is_null())
        .then(
            pl.concat_str(
                pl.lit("value '"),
                trimmed,
                pl.lit(f"' is neither a number nor one of DfE's symbols ({listed} or blank)"),
            )
        )
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return {"number": number, "symbol": symbol, "error": error}


def excel_date_expr(column: str) -> pl.Expr:
    """``excel_date`` over a column."""
    days = _trimmed(column).str.extract(_WHOLE.pattern, 1).cast(pl.Int64, strict=False)
    good = days.is_between(1, 2_958_465).fill_null(False)
    return pl.when(good).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=days)).cast(pl.Date)
