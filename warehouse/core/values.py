"""Parsing the raw layer's text values into numbers, for the audit's row checks.

Raw keeps every cell exactly as received (text), so a value that fails to parse is still
kept and shown to the steward. This module decides what a cell *means*: a count, an amount
of money or an integer such as a term or a census year, or a one-line reason why it means
nothing.

Every parser exists twice: a scalar version (``parse_count``, ``parse_money``,
``parse_int``) that returns a ``Parsed`` value-or-error, and a vectorised polars version
(``count_expr``/``count_error_expr`` and friends) for whole columns. Both are built from the
same regular expressions and messages defined once below, and the tests run a shared corpus
of awkward inputs through both and require identical answers, so a suite that uses one can
never disagree with a check that uses the other.

Rules (the contract's "numbers may carry thousands separators and a leading £"):

- Cells are trimmed of ordinary and non-breaking spaces, tabs and line breaks (``TRIM``).
- Thousands separators are commas in groups of three: "1,204" is 1204, but "12,04" is not a
  number (a decimal comma or a typo, and guessing would be wrong in either case).
- Only the digits 0-9 count as digits (not other scripts' digits, not "1e3").
- A minus sign (or accounting brackets, for money) on a non-zero amount is "negative"; on
  zero it changes nothing ("-0" is 0).
- Counts and integers accept a zero fraction ("12.0" is 12), as spreadsheets write them.
- Money has at most pence: "£1,234.50" is fine, "£1.234" is "fractions of a penny" (unless
  the extra digits are zeros). A lone dash ("-", "£ -") is zero, because that is how
  Excel's accounting format shows 0 and how such a cell is saved to CSV.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

import polars as pl

T = TypeVar("T")

# Characters trimmed from both ends of a cell. Spelled out (rather than "whitespace") so
# that Python's str.strip and polars' strip_chars are guaranteed to trim the same set.
TRIM = " \t\r\n\x0b\x0c\xa0\u2007\u2009\u202f\u3000"

INT64_MAX = 2**63 - 1
# Money is held as Decimal(38, 2): 36 digits before the point.
MONEY_DTYPE = pl.Decimal(38, 2)
MONEY_MAX_INTEGER_DIGITS = 36

MISSING = "value is missing"

# A count: optional minus, digits (grouped by commas in threes, or not at all), an optional
# fraction. Group 1: the minus; group 2: the integer digits; group 3: the fraction digits.
_COUNT_PATTERN = r"^(-)?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$"
# An integer (term, census year): like a count without thousands separators.
_INT_PATTERN = r"^(-)?([0-9]+)(?:\.([0-9]+))?$"
# Money: optional accounting brackets, a minus before or after an optional £, spaces
# between the parts. Groups: 1 "(", 2 "-", 3 "£", 4 "-", 5 integer digits, 6 fraction, 7 ")".
_MONEY_PATTERN = (
    r"^(\()? *(-)? *(£)? *(-)? *([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))? *(\))?$"
)
# Excel's accounting format writes zero as a dash, optionally after the £ sign.
_MONEY_ZERO_DASH_PATTERN = r"^(?:£ *)?- *$"
# A date as a workbook cell formatted as a date reads (2023-09-01 00:00:00), or as Excel
# writes one into a CSV (01/09/2023): a term, year or census year typed into a cell that
# Excel had formatted as a date (term 1 becomes 1 January 1900).
_EXCEL_DATE_PATTERN = (
    r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
    r"|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?)$"
)
LOOKS_LIKE_A_DATE = (
    " looks like an Excel date (the cell is formatted as a date): format the column as "
    "Text, type the value again"
)

_COUNT_RE = re.compile(_COUNT_PATTERN)
_INT_RE = re.compile(_INT_PATTERN)
_MONEY_RE = re.compile(_MONEY_PATTERN)
_MONEY_ZERO_DASH_RE = re.compile(_MONEY_ZERO_DASH_PATTERN)
_EXCEL_DATE_RE = re.compile(_EXCEL_DATE_PATTERN)


def looks_like_a_date(text: str | None) -> bool:
    """Whether a cell holds a date where a term or a year was meant (see above)."""
    return bool(text) and _EXCEL_DATE_RE.fullmatch(_trim(text)) is not None


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A parsed value, or the reason there is none (exactly one of the two is set)."""

    value: T | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _quoted(text: str) -> str:
    """How a bad value is shown in a message: the trimmed text in single quotes.

    Not ``repr``, because the vectorised version has to build the same string in polars.
    """
    return f"'{text}'"


# What follows the quoted value in each message; shared by the scalar and vector versions.
NOT_A_NUMBER = " is not a number"
NEGATIVE = " is negative"
NOT_WHOLE = " is not a whole number"
TOO_LARGE = " is too large"
FRACTION_OF_PENNY = " has fractions of a penny (more than 2 decimal places)"


def _not_a_number(text: str) -> str:
    return _quoted(text) + NOT_A_NUMBER


def _negative(text: str) -> str:
    return _quoted(text) + NEGATIVE


def _not_whole(text: str) -> str:
    return _quoted(text) + NOT_WHOLE


def _too_large(text: str) -> str:
    return _quoted(text) + TOO_LARGE


def _fraction_of_penny(text: str) -> str:
    return _quoted(text) + FRACTION_OF_PENNY


def _has_nonzero(digits: str | None) -> bool:
    return bool(digits) and digits.strip("0") != ""


def _trim(text: str | None) -> str:
    return "" if text is None else text.strip(TRIM)


# --------------------------------------------------------------------------------------
# Scalar parsers
# --------------------------------------------------------------------------------------


def parse_count(text: str | None) -> Parsed[int]:
    """A count: a whole number >= 0, thousands separators allowed, "12.0" accepted as 12."""
    trimmed = _trim(text)
    if not trimmed:
        return Parsed(None, MISSING)
    match = _COUNT_RE.fullmatch(trimmed)
    if match is None:
        return Parsed(None, _not_a_number(trimmed))
    minus, digits, fraction = match.groups()
    nonzero = _has_nonzero(digits.replace(",", "")) or _has_nonzero(fraction)
    if minus and nonzero:
        return Parsed(None, _negative(trimmed))
    if _has_nonzero(fraction):
        return Parsed(None, _not_whole(trimmed))
    value = int(digits.replace(",", ""))
    if value > INT64_MAX:
        return Parsed(None, _too_large(trimmed))
    return Parsed(value)


def parse_int(text: str | None, name: str) -> Parsed[int]:
    """An integer such as a term or a census year; ``name`` is used in the messages.

    Only parsing: whether the number is in range (term 1..6, a plausible year) is the
    audit's rule, not this function's. Negative numbers parse; thousands separators do not
    (nobody writes a year as "2,023").
    """
    trimmed = _trim(text)
    if not trimmed:
        return Parsed(None, f"{name} is missing")
    match = _INT_RE.fullmatch(trimmed)
    if match is None and _EXCEL_DATE_RE.fullmatch(trimmed):
        return Parsed(None, f"{name} {_quoted(trimmed)}{LOOKS_LIKE_A_DATE}")
    if match is None:
        return Parsed(None, f"{name} {_not_a_number(trimmed)}")
    minus, digits, fraction = match.groups()
    if _has_nonzero(fraction):
        return Parsed(None, f"{name} {_not_whole(trimmed)}")
    value = int(digits)
    if value > INT64_MAX:
        return Parsed(None, f"{name} {_too_large(trimmed)}")
    return Parsed(-value if minus else value)


def parse_money(text: str | None, optional: bool) -> Parsed[Decimal]:
    """An amount of money in pounds, >= 0, with at most pence; returned with 2 places.

    A blank cell is 0 in an optional column (the contract's rule for ``other_income``) and
    an error in a required one.
    """
    trimmed = _trim(text)
    if not trimmed:
        return Parsed(Decimal("0.00")) if optional else Parsed(None, MISSING)
    if _MONEY_ZERO_DASH_RE.fullmatch(trimmed):
        return Parsed(Decimal("0.00"))
    match = _MONEY_RE.fullmatch(trimmed)
    if match is None:
        return Parsed(None, _not_a_number(trimmed))
    opening, minus_before, _pound, minus_after, digits, fraction, closing = match.groups()
    if bool(opening) != bool(closing) or (minus_before and minus_after):
        return Parsed(None, _not_a_number(trimmed))
    integer_digits = digits.replace(",", "")
    negative = bool(opening or minus_before or minus_after)
    if negative and (_has_nonzero(integer_digits) or _has_nonzero(fraction)):
        return Parsed(None, _negative(trimmed))
    fraction = fraction or ""
    if _has_nonzero(fraction[2:]):
        return Parsed(None, _fraction_of_penny(trimmed))
    if len(integer_digits.lstrip("0")) > MONEY_MAX_INTEGER_DIGITS:
        return Parsed(None, _too_large(trimmed))
    pence = (fraction[:2]).ljust(2, "0")
    return Parsed(Decimal(f"{integer_digits}.{pence}"))


# --------------------------------------------------------------------------------------
# Vectorised parsers: the same rules as polars expressions (value or null; error or null)
# --------------------------------------------------------------------------------------


def _trimmed(col: str | pl.Expr) -> pl.Expr:
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.cast(pl.String).str.strip_chars(TRIM)


def _lit_quoted(trimmed: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.lit("'"), trimmed, pl.lit("'"))


def _nonzero_expr(digits: pl.Expr) -> pl.Expr:
    """True when a digit string holds a digit other than 0 (null/empty: False)."""
    return digits.fill_null("").str.contains("[1-9]")


def _count_parts(col: str | pl.Expr) -> dict[str, pl.Expr]:
    trimmed = _trimmed(col)
    groups = trimmed.str.extract_groups(_COUNT_PATTERN)
    digits = groups.struct.field("2")  # extract_groups numbers unnamed groups from 1
    return {
        "trimmed": trimmed,
        "blank": trimmed.is_null() | (trimmed == ""),
        "matched": digits.is_not_null(),
        "minus": groups.struct.field("1").is_not_null(),
        "digits": digits.str.replace_all(",", "", literal=True),
        "fraction": groups.struct.field("3"),
    }


def count_expr(col: str | pl.Expr) -> pl.Expr:
    """``parse_count`` over a column: Int64 value, or null where the cell is not a count."""
    p = _count_parts(col)
    value = p["digits"].cast(pl.Int64, strict=False)
    negative = p["minus"] & (_nonzero_expr(p["digits"]) | _nonzero_expr(p["fraction"]))
    good = p["matched"] & ~negative & ~_nonzero_expr(p["fraction"])
    return pl.when(good).then(value).otherwise(None).cast(pl.Int64)


def count_error_expr(col: str | pl.Expr) -> pl.Expr:
    """``parse_count``'s error over a column: the message, or null where the cell is fine."""
    p = _count_parts(col)
    shown = _lit_quoted(p["trimmed"])
    negative = p["minus"] & (_nonzero_expr(p["digits"]) | _nonzero_expr(p["fraction"]))
    return (
        pl.when(p["blank"])
        .then(pl.lit(MISSING))
        .when(~p["matched"])
        .then(pl.concat_str(shown, pl.lit(NOT_A_NUMBER)))
        .when(negative)
        .then(pl.concat_str(shown, pl.lit(NEGATIVE)))
        .when(_nonzero_expr(p["fraction"]))
        .then(pl.concat_str(shown, pl.lit(NOT_WHOLE)))
        .when(p["digits"].cast(pl.Int64, strict=False).is_null())
        .then(pl.concat_str(shown, pl.lit(TOO_LARGE)))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _int_parts(col: str | pl.Expr) -> dict[str, pl.Expr]:
    trimmed = _trimmed(col)
    groups = trimmed.str.extract_groups(_INT_PATTERN)
    digits = groups.struct.field("2")
    return {
        "trimmed": trimmed,
        "blank": trimmed.is_null() | (trimmed == ""),
        "matched": digits.is_not_null(),
        "minus": groups.struct.field("1").is_not_null(),
        "digits": digits,
        "fraction": groups.struct.field("3"),
    }


def int_expr(col: str | pl.Expr) -> pl.Expr:
    """``parse_int`` over a column: Int64 value, or null where the cell is not an integer."""
    p = _int_parts(col)
    magnitude = p["digits"].cast(pl.Int64, strict=False)
    value = pl.when(p["minus"]).then(-magnitude).otherwise(magnitude)
    good = p["matched"] & ~_nonzero_expr(p["fraction"])
    return pl.when(good).then(value).otherwise(None).cast(pl.Int64)


def int_error_expr(col: str | pl.Expr, name: str) -> pl.Expr:
    """``parse_int``'s error over a column, or null where the cell is fine."""
    p = _int_parts(col)
    shown = pl.concat_str(pl.lit(f"{name} "), _lit_quoted(p["trimmed"]))
    return (
        pl.when(p["blank"])
        .then(pl.lit(f"{name} is missing"))
        .when(~p["matched"] & p["trimmed"].str.contains(_EXCEL_DATE_PATTERN))
        .then(pl.concat_str(shown, pl.lit(LOOKS_LIKE_A_DATE)))
        .when(~p["matched"])
        .then(pl.concat_str(shown, pl.lit(NOT_A_NUMBER)))
        .when(_nonzero_expr(p["fraction"]))
        .then(pl.concat_str(shown, pl.lit(NOT_WHOLE)))
        .when(p["digits"].cast(pl.Int64, strict=False).is_null())
        .then(pl.concat_str(shown, pl.lit(TOO_LARGE)))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _money_parts(col: str | pl.Expr) -> dict[str, pl.Expr]:
    trimmed = _trimmed(col)
    groups = trimmed.str.extract_groups(_MONEY_PATTERN)
    field = groups.struct.field
    digits = field("5").str.replace_all(",", "", literal=True)
    fraction = field("6").fill_null("")
    opening, closing = field("1").is_not_null(), field("7").is_not_null()
    minus_before, minus_after = field("2").is_not_null(), field("4").is_not_null()
    well_formed = field("5").is_not_null() & (opening == closing) & ~(minus_before & minus_after)
    negative = (opening | minus_before | minus_after) & (
        _nonzero_expr(digits) | _nonzero_expr(fraction)
    )
    pence = fraction.str.slice(0, 2).str.pad_end(2, "0")
    return {
        "trimmed": trimmed,
        "blank": trimmed.is_null() | (trimmed == ""),
        "dash_zero": trimmed.str.contains(_MONEY_ZERO_DASH_PATTERN).fill_null(False),
        "well_formed": well_formed,
        "negative": negative,
        "sub_penny": _nonzero_expr(fraction.str.slice(2)),
        "too_large": digits.str.strip_chars_start("0").str.len_chars() > MONEY_MAX_INTEGER_DIGITS,
        "amount": pl.concat_str(digits, pl.lit("."), pence).cast(MONEY_DTYPE, strict=False),
    }


def money_expr(col: str | pl.Expr, optional: bool) -> pl.Expr:
    """``parse_money`` over a column: Decimal(38, 2) value, or null where it is not money."""
    p = _money_parts(col)
    zero = pl.lit(Decimal("0.00"), dtype=MONEY_DTYPE)
    good = p["well_formed"] & ~p["negative"] & ~p["sub_penny"] & ~p["too_large"]
    blank_value = zero if optional else pl.lit(None, dtype=MONEY_DTYPE)
    return (
        pl.when(p["blank"])
        .then(blank_value)
        .when(p["dash_zero"])
        .then(zero)
        .when(good)
        .then(p["amount"])
        .otherwise(pl.lit(None, dtype=MONEY_DTYPE))
        .cast(MONEY_DTYPE)
    )


def money_error_expr(col: str | pl.Expr, optional: bool) -> pl.Expr:
    """``parse_money``'s error over a column, or null where the cell is fine."""
    p = _money_parts(col)
    shown = _lit_quoted(p["trimmed"])
    no_error = pl.lit(None, dtype=pl.String)
    return (
        pl.when(p["blank"])
        .then(no_error if optional else pl.lit(MISSING))
        .when(p["dash_zero"])
        .then(no_error)
        .when(~p["well_formed"])
        .then(pl.concat_str(shown, pl.lit(NOT_A_NUMBER)))
        .when(p["negative"])
        .then(pl.concat_str(shown, pl.lit(NEGATIVE)))
        .when(p["sub_penny"])
        .then(pl.concat_str(shown, pl.lit(FRACTION_OF_PENNY)))
        .when(p["too_large"])
        .then(pl.concat_str(shown, pl.lit(TOO_LARGE)))
        .otherwise(no_error)
    )


# --------------------------------------------------------------------------------------
# Published statistics (Source 4, DfE's national figures): a signed decimal, as DfE's files
# write them ("33.299999999999997", "-0.45", "4.671E-2"), thousands separators allowed.
# Symbols ("-", "c", "x" ...) are not numbers: ``warehouse.core.national`` reads them first.
# --------------------------------------------------------------------------------------

# Groups: 1 sign, 2 integer digits (grouped by commas in threes, or not), 3 fraction digits,
# 4 exponent. At least one digit before or after the point.
_STATISTIC_PATTERN = (
    r"^([+-])?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]{1,4}))?$"
)
_STATISTIC_RE = re.compile(_STATISTIC_PATTERN)


def parse_statistic(text: str | None) -> Parsed[float]:
    """A published statistic: any finite decimal, signed, with an optional exponent."""
    trimmed = _trim(text)
    if not trimmed:
        return Parsed(None, MISSING)
    match = _STATISTIC_RE.fullmatch(trimmed)
    if match is None or (match.group(2) is None and match.group(3) is None):
        return Parsed(None, _not_a_number(trimmed))
    value = float(trimmed.replace(",", ""))
    if value in (float("inf"), float("-inf")):
        return Parsed(None, _too_large(trimmed))
    return Parsed(value)


def _statistic_parts(col: str | pl.Expr) -> dict[str, pl.Expr]:
    trimmed = _trimmed(col)
    groups = trimmed.str.extract_groups(_STATISTIC_PATTERN)
    digits = groups.struct.field("2").is_not_null() | groups.struct.field("3").is_not_null()
    number = trimmed.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)
    return {
        "trimmed": trimmed,
        "blank": trimmed.is_null() | (trimmed == ""),
        "matched": trimmed.str.contains(_STATISTIC_PATTERN).fill_null(False)
        & digits.fill_null(False),
        "number": number,
    }


def statistic_expr(col: str | pl.Expr) -> pl.Expr:
    """``parse_statistic`` over a column: Float64, or null where the cell is not a number."""
    p = _statistic_parts(col)
    good = p["matched"] & p["number"].is_finite().fill_null(False)
    return pl.when(good).then(p["number"]).otherwise(None).cast(pl.Float64)


def statistic_error_expr(col: str | pl.Expr) -> pl.Expr:
    """``parse_statistic``'s error over a column, or null where the cell is fine."""
    p = _statistic_parts(col)
    shown = _lit_quoted(p["trimmed"])
    return (
        pl.when(p["blank"])
        .then(pl.lit(MISSING))
        .when(~p["matched"])
        .then(pl.concat_str(shown, pl.lit(NOT_A_NUMBER)))
        .when(~p["number"].is_finite().fill_null(False))
        .then(pl.concat_str(shown, pl.lit(TOO_LARGE)))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
