"""What is special about reading the child-level sources (caseload episodes and the
pupil-level census): the privacy guard, and a row limit of their own.

**The privacy guard.** Child-level files carry the council's keyed hash of each pupil's
UPN (``child_key``), never anything that identifies a child. A file that does is refused
whole, and not one of its cells is kept, not even in raw (the one exception to "raw keeps
everything received": identifiable data must not be stored). ``raw.files`` records the
refusal with its one-line reason, no rows and no header map. Two things refuse a file:

* **a UPN-shaped value** in any cell, the header row and any title rows included: a letter
  then 12 digits standing on its own (``A123456789012``, or inside a longer text such as
  "UPN A123456789012"), in a file of any source: a UPN is identifiable wherever it
  appears. A 64-character hash never matches, since the pattern must not touch other
  letters or digits. The reason names the row and column, never the value;
* **a column naming a person, a date of birth or an address** (``PERSONAL_COLUMNS``) in a
  child-level file. The reason names the column (a header is not a child's data).

Every rejection reason is also scrubbed of UPN-shaped text (``redact``) before it is
stored or shown, whatever rule refused the file, since some reasons quote the cells of a
title or header row.

**Row limit.** A pupil-level census is a row per pupil (Kent: some 250,000), above the
row limit that protects memory for the aggregate sources (``STLS_MAX_ROWS``, 200,000). A
CSV whose header reads as a child-level source gets ``Limits.child_rows`` instead
(500,000 by default, ``STLS_MAX_CHILD_ROWS``), still checked before it is parsed. A
workbook keeps the general limit: send a large extract as CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable

import polars as pl

from warehouse.core import contracts
from warehouse.ingest.reading import (
    MAX_CHILD_ROWS_ENV,
    MAX_ROWS_ENV,
    ROW_NUMBER,
    Limits,
    _Grid,
    _Progress,
    _Rejected,
    column_letter,
)

# A letter then 12 digits, not touching another letter or digit on either side.
UPN_SHAPED = r"(?:^|[^0-9A-Za-z])[A-Za-z][0-9]{12}(?:[^0-9A-Za-z]|$)"
_UPN_SHAPED = re.compile(r"(?<![0-9A-Za-z])[A-Za-z][0-9]{12}(?![0-9A-Za-z])")
WITHHELD = "[UPN-shaped value withheld]"

# What a header may not name in a child-level file, matched against the header as
# ``contracts.normalise_header`` writes it ("Pupil Surname" -> pupil_surname).
PERSONAL_COLUMNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "a person's name",
        re.compile(
            r"^(full_?|first_?|last_?|given_?|family_?|middle_?|preferred_?|legal_?|"
            r"sur|fore)?names?$"
            r"|(^|_)(surnames?|forenames?|firstnames?|lastnames?|fullnames?|givennames?)($|_)"
            r"|(^|_)(pupil|child|children|student|learner|person|parent|carer|guardian|"
            r"mother|father)s?_((full|first|last|given|family|middle|preferred|legal)_)?names?"
            r"($|_)"
            r"|(^|_)(first|last|given|family|middle|preferred|legal|full)_names?($|_)"
        ),
    ),
    (
        "a date of birth",
        re.compile(r"(^|_)(dob|d_o_b|birth|births|birthdate|birthday|dateofbirth|born)($|_)"),
    ),
    (
        "an address",
        re.compile(
            r"(^|_)(address|addresses|addr|postcode|postcodes|post_code|postal_code|zip_code|"
            r"street|house_number|uprn)"
            r"|address|postcode"
        ),
    ),
    (
        "a pupil's own identifier (UPN or ULN)",
        re.compile(r"(^|_)(upn|uln|unique_pupil_number|unique_learner_number)($|_)"),
    ),
)

KEEP_NOTHING = "refused whole, nothing from it kept"


class Refused(_Rejected):
    """A file refused by the privacy guard: no row and no header of it is kept."""


def redact(reason: str | None) -> str | None:
    """A rejection reason with any UPN-shaped text replaced by ``WITHHELD``."""
    return None if reason is None else _UPN_SHAPED.sub(WITHHELD, reason)


def refuse_upn_shaped(grid: _Grid, progress: _Progress) -> None:
    """Refuse a file holding a UPN-shaped value in any cell (see the module docstring)."""
    columns = [c for c in grid.cells.columns if c != ROW_NUMBER]
    if not columns or grid.cells.height == 0:
        return
    hits = grid.cells.select(
        pl.col(ROW_NUMBER),
        *[pl.col(c).str.contains(UPN_SHAPED).fill_null(False).alias(c) for c in columns],
    ).filter(pl.any_horizontal(columns))
    if hits.height == 0:
        return
    first = hits.row(0, named=True)
    position = next(i for i, c in enumerate(columns, 1) if first[c])
    progress.header_map.clear()
    raise Refused(
        f"{KEEP_NOTHING}: row {first[ROW_NUMBER]}, column {column_letter(position)} holds a "
        "value shaped like a UPN (a letter then 12 digits), which identifies a child; send "
        "the council's keyed hash (child_key) instead, never the UPN"
    )


def personal_column(header: str) -> str | None:
    """What a header names that a child-level file may not hold, or None."""
    key = contracts.normalise_header(header)
    for meaning, pattern in PERSONAL_COLUMNS:
        if pattern.search(key):
            return meaning
    return None


def refuse_personal_columns(progress: _Progress) -> None:
    """Refuse a child-level file with a column naming a person, a date of birth or an
    address (headers as received, in ``progress.header_map``)."""
    if progress.source not in contracts.CHILD_SOURCES:
        return
    for position, header in enumerate(progress.header_map, 1):
        meaning = personal_column(header)
        if meaning is None:
            continue
        progress.header_map.clear()
        raise Refused(
            f"{KEEP_NOTHING}: the column {header.strip()!r} (the file's column {position}) "
            f"names {meaning}, which a child-level file must never hold; send only the "
            "contract's columns, with the council's keyed hash (child_key) for the child"
        )


def check_csv_rows(check: Callable[[bytes, int], None], data: bytes, limit: Limits) -> Limits:
    """Count a CSV's rows before it is parsed (``check(data, rows)``) against the limit for
    its kind, and return the limits in force for it: ``limit.child_rows`` when its first line
    reads as a child-level source's header, else ``limit.rows``. A refusal under the
    child-level limit names its own setting, the one a steward would raise."""
    child = _child_level_header(data)
    rows = limit.child_rows if child else limit.rows
    try:
        check(data, rows)
    except _Rejected as refused:
        if not child:
            raise
        raise _Rejected(refused.reason.replace(MAX_ROWS_ENV, MAX_CHILD_ROWS_ENV)) from None
    return dataclasses.replace(limit, rows=rows)


def _child_level_header(data: bytes) -> bool:
    head = data[:65536]
    text = head.decode("utf-8-sig", errors="replace")
    line = next((x for x in text.splitlines() if x.strip(" ,;\t")), "")
    try:
        cells = next(csv.reader(io.StringIO(line)), [])
    except csv.Error:
        return False
    for source in contracts.CHILD_SOURCES:
        present = {contracts.canonical_header(c, source) for c in cells}
        if all(c in present for c in contracts.CONTRACTS[source].signature):
            return True
    return False
