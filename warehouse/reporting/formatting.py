"""Numbers as UK readers expect them, for the dashboard's tables, charts and CSV files.

Every chart's data is one frame: numbers already rounded as published (``rounded``), or a
symbol: ``[c]`` suppressed, ``[x]`` not available, ``[z]`` not applicable. The page shows it
formatted (``display_frame``: "£1,234", "81%", "1,411", "+3 pts") and offers it as CSV
(``csv_bytes``: the same figures without £, % or thousands separators, units in the column
headings), so the download holds exactly the figures on the screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from warehouse.core import safe_text

SUPPRESSED = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"
SYMBOLS = (SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE)

# unit -> decimal places shown
PLACES = {
    "percent": 0,
    "percent1": 1,
    "pp": 0,
    "pp1": 1,
    "GBP": 0,
    "count": 0,
    "r": 2,
    "GBP_short": 0,
}


def round_half_up(value: float, places: int = 0) -> Decimal:
    """Round as a person (and the committee report) does: 0.5 goes up."""
    quantum = Decimal(1).scaleb(-places)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return bool(value is pd.NA or value is pd.NaT)


def rounded(value: object, unit: str) -> object:
    """A figure rounded as shown (half up), or its symbol; None and NaN become [x]."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return NOT_AVAILABLE
    places = PLACES.get(unit, 0)
    number = round_half_up(float(value), places)  # type: ignore[arg-type]
    return int(number) if places == 0 else float(number)


def format_value(value: object, unit: str) -> str:
    """One figure as the page shows it: "£1,234", "81%", "+3 pts", "1,411", "[c]"."""
    value = rounded(value, unit)
    if isinstance(value, str):
        return value
    places = PLACES.get(unit, 0)
    number = float(value)  # type: ignore[arg-type]
    if unit in ("percent", "percent1"):
        return f"{number:,.{places}f}%"
    if unit == "GBP":
        return f"-£{-number:,.0f}" if number < 0 else f"£{number:,.0f}"
    if unit == "GBP_signed":
        if number == 0:
            return "£0"
        return f"-£{-number:,.0f}" if number < 0 else f"+£{number:,.0f}"
    if unit in ("pp", "pp1"):
        word = "pt" if abs(number) == 1 else "pts"
        sign = "+" if number > 0 else ""  # a change that rounds to nothing carries no sign
        return f"{sign}{number:,.{places}f} {word}".replace("-0 ", "0 ").replace("-0.0 ", "0.0 ")
    if unit == "r":
        return f"{number:+.2f}"
    if unit == "GBP_short":
        return money_short(number)
    return f"{number:,.{places}f}"


def money_short(value: float) -> str:
    """An amount of money rounded to what a reader needs: whole pounds below £10,000
    ("£1,505"), thousands below a million ("£144k"), else millions to three figures
    ("£5.86m"). Half rounds up; the sign is kept ("-£144k")."""
    sign, amount = ("-" if value < 0 else ""), abs(float(value))
    if round_half_up(amount, 0) < 10_000:
        return f"{sign}£{round_half_up(amount, 0):,.0f}"
    thousands = round_half_up(amount, -3).scaleb(-3)
    if thousands < 1000:
        return f"{sign}£{thousands:,.0f}k"
    millions = Decimal(repr(amount)).scaleb(-6)
    places = 2 if millions < 10 else 1 if millions < 100 else 0
    return f"{sign}£{millions.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}m"


def money(value: float | None) -> str:
    return format_value(value, "GBP")


def percent(value: float | None, places: int = 0) -> str:
    return format_value(value, "percent1" if places else "percent")


def count(value: float | None) -> str:
    return format_value(value, "count")


def chart_frame(frame: pd.DataFrame, units: Mapping[str, str]) -> pd.DataFrame:
    """The frame with every unit column rounded as shown (symbols kept)."""
    out = frame.copy()
    for column, unit in units.items():
        if column in out.columns:
            out[column] = pd.Series(
                [rounded(v, _base_unit(unit)) for v in out[column]], index=out.index, dtype=object
            )
    return out


def display_frame(frame: pd.DataFrame, units: Mapping[str, str]) -> pd.DataFrame:
    """The frame as text, each unit column formatted for reading."""
    out = frame.copy()
    for column in out.columns:
        unit = units.get(column)
        if unit is None:
            out[column] = out[column].map(lambda v: NOT_AVAILABLE if is_missing(v) else str(v))
        else:
            out[column] = out[column].map(lambda v, u=unit: format_value(v, u))
    return out.astype(str)


def csv_bytes(frame: pd.DataFrame, units: Mapping[str, str]) -> bytes:
    """The chart's figures as CSV: rounded as shown, symbols kept, no £, % or separators;
    text that a spreadsheet would run as a formula is neutralised (``safe_text``)."""
    out = chart_frame(frame, units)
    for column in out.columns:
        if column not in units:
            out[column] = out[column].map(lambda v: NOT_AVAILABLE if is_missing(v) else v)
    return safe_text.csv_bytes(out)


def blank_where_missing(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the missing cells of ``columns`` blank, for a column where nothing
    means there is nothing to say (DfE gives a symbol only where it gives no value), not
    that a figure is not available: tables and CSVs show every other missing cell as
    "[x]"."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].map(lambda v: "" if is_missing(v) else v)
    return out


def _base_unit(unit: str) -> str:
    return "GBP" if unit == "GBP_signed" else unit
