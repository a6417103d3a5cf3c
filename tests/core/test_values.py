"""Parsing raw text into counts, money and integers: the scalar parsers' rules, and proof
that the vectorised polars versions give exactly the same answers."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import polars as pl
import pytest

from warehouse.core.values import (
    MONEY_DTYPE,
    Parsed,
    count_error_expr,
    count_expr,
    int_error_expr,
    int_expr,
    money_error_expr,
    money_expr,
    parse_count,
    parse_int,
    parse_money,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("1,204", 1204),
        ("12,345,678", 12345678),
        ("12.0", 12),
        ("0", 0),
        ("-0", 0),
        ("\xa042\t", 42),
        ("007", 7),
    ],
)
def test_parse_count_accepts_whole_numbers(text: str, expected: int) -> None:
    assert parse_count(text) == Parsed(expected, None)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (None, "value is missing"),
        ("", "value is missing"),
        ("   ", "value is missing"),
        ("abc", "'abc' is not a number"),
        ("-3", "'-3' is negative"),
        ("-0.5", "'-0.5' is negative"),
        ("2.5", "'2.5' is not a whole number"),
        ("12,04", "'12,04' is not a number"),  # a decimal comma or a typo: not guessed
        ("1 204", "'1 204' is not a number"),
        ("£12", "'£12' is not a number"),  # counts are not money
        ("1e3", "'1e3' is not a number"),
        ("١٢", "'١٢' is not a number"),  # only the digits 0-9 count
        ("9223372036854775808", "'9223372036854775808' is too large"),
    ],
)
def test_parse_count_rejects_with_a_clear_reason(text: str | None, error: str) -> None:
    parsed = parse_count(text)
    assert parsed.value is None
    assert parsed.error == error
    assert not parsed.ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£377,550", "377550"),
        ("364,850", "364850"),
        ("£1,120", "1120"),
        ("0", "0"),
        (" £ 5,856,468 ", "5856468"),
        ("£1,234.50", "1234.50"),
        ("£1,234.5", "1234.50"),
        ("1234.5000", "1234.50"),  # zeros past the pence change nothing
        ("-", "0"),  # Excel's accounting format shows zero as a dash ...
        (" £ -   ", "0"),  # ... and saves it to CSV like this
        ("-£0", "0"),
    ],
)
def test_parse_money_accepts_pounds_with_separators(text: str, expected: str) -> None:
    parsed = parse_money(text, optional=False)
    assert parsed.error is None
    assert parsed.value == Decimal(expected)
    assert parsed.value.as_tuple().exponent == -2  # always pounds and pence


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("-£5", "'-£5' is negative"),
        ("(£5)", "'(£5)' is negative"),
        ("£-5", "'£-5' is negative"),
        ("-5", "'-5' is negative"),
        ("(£5", "'(£5' is not a number"),
        ("£", "'£' is not a number"),
        ("five pounds", "'five pounds' is not a number"),
        ("£1.234", "'£1.234' has fractions of a penny (more than 2 decimal places)"),
        ("£12,34", "'£12,34' is not a number"),
    ],
)
def test_parse_money_rejects_negative_and_junk(text: str, error: str) -> None:
    assert parse_money(text, optional=True) == Parsed(None, error)


def test_blank_money_is_zero_only_in_an_optional_column() -> None:
    assert parse_money("  ", optional=True) == Parsed(Decimal("0.00"))
    assert parse_money(None, optional=True) == Parsed(Decimal("0.00"))
    assert parse_money("", optional=False) == Parsed(None, "value is missing")


def test_parse_int_names_the_column_and_only_parses() -> None:
    assert parse_int(" 3 ", "term") == Parsed(3)
    assert parse_int("2023.0", "census_year") == Parsed(2023)
    assert parse_int("9", "term") == Parsed(9)  # range checks belong to the audit
    assert parse_int("-1", "term") == Parsed(-1)
    assert parse_int("", "term") == Parsed(None, "term is missing")
    assert parse_int("Autumn 1", "term") == Parsed(None, "term 'Autumn 1' is not a number")
    assert parse_int("2.5", "term") == Parsed(None, "term '2.5' is not a whole number")
    assert parse_int("2,023", "census_year").error == "census_year '2,023' is not a number"


def test_parsed_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_count("1").value = 2  # type: ignore[misc]


# Awkward inputs for the scalar/vector comparison: every branch of every parser.
CORPUS = [
    None,
    "",
    " ",
    "12",
    "12.0",
    "12.50",
    "2.5",
    "1,204",
    "12,04",
    ",123",
    "abc",
    "-3",
    "-0",
    "-0.5",
    "\xa07\u2009",
    "\t12\n",
    "1 204",
    "007",
    "1e3",
    "١٢",
    "9223372036854775807",
    "9223372036854775808",
    "0000000000000000000000000000000012",
    "£377,550",
    "364,850",
    "£1,120",
    " £ 5,856,468 ",
    "£1,234.50",
    "£1,234.5",
    "£1.234",
    "£1.2300",
    "-£5",
    "(£5)",
    "£-5",
    "(£0)",
    "-£-5",
    "(5",
    "5)",
    "--5",
    "-",
    "£ -",
    "£",
    "£ £5",
    "1.5.",
    "9" * 36,
    "9" * 37,
    "'12",
]


@pytest.fixture(scope="module")
def corpus_frame() -> pl.DataFrame:
    frame = pl.DataFrame({"text": CORPUS}, schema={"text": pl.String})
    return frame.with_columns(
        count=count_expr("text"),
        count_error=count_error_expr("text"),
        integer=int_expr("text"),
        integer_error=int_error_expr("text", "term"),
        money_required=money_expr("text", optional=False),
        money_required_error=money_error_expr("text", optional=False),
        money_optional=money_expr("text", optional=True),
        money_optional_error=money_error_expr("text", optional=True),
    )


@pytest.mark.parametrize(
    ("value_column", "parse"),
    [
        ("count", parse_count),
        ("integer", lambda t: parse_int(t, "term")),
        ("money_required", lambda t: parse_money(t, optional=False)),
        ("money_optional", lambda t: parse_money(t, optional=True)),
    ],
)
def test_vector_parsers_agree_with_scalar_parsers(
    corpus_frame: pl.DataFrame, value_column: str, parse
) -> None:
    disagreements = []
    for row in corpus_frame.iter_rows(named=True):
        scalar = parse(row["text"])
        vector = Parsed(row[value_column], row[f"{value_column}_error"])
        if scalar != vector:
            disagreements.append((row["text"], scalar, vector))
    assert disagreements == []


def test_vector_parsers_return_typed_columns(corpus_frame: pl.DataFrame) -> None:
    assert corpus_frame.schema["count"] == pl.Int64
    assert corpus_frame.schema["integer"] == pl.Int64
    assert corpus_frame.schema["money_required"] == MONEY_DTYPE
    # The corpus exercises both outcomes, so the comparison above is not vacuous.
    assert corpus_frame["count"].null_count() not in (0, corpus_frame.height)
    assert corpus_frame["money_optional_error"].null_count() not in (0, corpus_frame.height)
