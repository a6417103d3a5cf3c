"""Whose file is it? The district a termly return came from, so that every row in it,
whatever its district cell says, is put to the district that has to correct it. (Census
and funding files come from the census team and finance, as the sources seed says: their
rows are about a district, the one their cell names, but no district sent them.)

A district's return is one district's rows; a stray row for another district in it, or a
row whose district cell is misspelt ("Doverr") or blank, was still sent by that district,
and only that district can correct it. So a failing row belongs to the file's **sender**:

1. **its rows**: the district with the most rows in the file, when every other district has
   fewer than half as many (the stray rule, ``rows.fewer_than_half``, the same one that
   quarantines a stray row: one Dover row in Thanet's 26 is Thanet's file);
2. else the file **mixes districts** (a county-wide census or funding file, several
   districts' returns in one file) or names none in its rows: each row belongs to the
   district its own cell names, and a row whose cell names no district goes to the one
   district the file's **name** names, by its name or a known spelling as whole words
   ("stls_return_dover_2023-24_t3.csv"), if it names exactly one;
3. else the row is left for the steward ("no district"), with a "did you mean" where its
   cell is a near miss.

A file whose name names a district but whose rows are mostly another's goes by its rows.
Problems that are about no file (a district that has not sent a term) belong to the
district they name.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from warehouse.core import spelling
from warehouse.quality.rows import fewer_than_half, main_districts

ROWS, NAME, CELL = "rows", "name", "cell"
# Why a failing row is put to its district, in words ("Dover's own file, told from ...").
BASIS_WORDS = {
    ROWS: "own file, told from the file's other rows",
    NAME: "file, told from the file's name",
    CELL: "row, as its district cell says",
}


@dataclass(frozen=True)
class Sender:
    file_id: str
    district: str | None
    basis: str | None  # rows | name | None (mixes districts and names none)


def senders(rows: pl.DataFrame) -> dict[str, Sender]:
    """file_id -> its sender, from ``rows`` (one row per received row: ``file_id``,
    ``file_name``, ``district`` as read, null where the cell names no district)."""
    names = rows.select("file_id", "file_name").unique("file_id", keep="first")
    main = main_districts(rows.select("file_id", "district"), ["file_id"])
    dominant = main.filter(
        fewer_than_half(pl.col("runner_up_rows"), pl.col("file_district_rows"))
    ).select("file_id", "file_district")
    by_rows = dict(dominant.iter_rows())
    out: dict[str, Sender] = {}
    for file_id, file_name in names.iter_rows():
        if by_rows.get(file_id):
            out[file_id] = Sender(file_id, by_rows[file_id], ROWS)
            continue
        named = spelling.district_in_name(file_name or "")
        out[file_id] = Sender(file_id, named, NAME if named else None)
    return out


def district_to_fix(
    sender: Sender | None, row_district: str | None
) -> tuple[str | None, str | None]:
    """(the district that must correct a failing row, the basis: rows | cell | name | None)
    for a row of a file with ``sender`` (None: a problem about no file) whose own district
    cell reads ``row_district`` (None when it names no district)."""
    if sender is not None and sender.basis == ROWS:
        return sender.district, ROWS
    if row_district:
        return row_district, CELL
    if sender is not None and sender.basis == NAME:
        return sender.district, NAME
    return None, None
