"""Property-based tests (Hypothesis) of the readers and the audit (issue 9).

Whatever arrives, the process goes on: arbitrary bytes, CSV grids and workbooks never make
``read_file`` raise; a file either loads or is rejected with one line; every row read is
accounted for; and the audit gives every row it is handed exactly one outcome, so rows
received = published + quarantined. Example counts are kept small so the whole module runs
in seconds (the suite has a time budget); Hypothesis remembers failing examples in
``.hypothesis/`` and replays them first.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse.core import contracts
from warehouse.ingest.readers import read_file
from warehouse.quality.audit import PUBLISHED, QUARANTINED, FileToAudit, audit

TERMLY_HEADER = ["district", "academic_year", "term", "phase", "measure", "value"]


def examples(count: int) -> settings:
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


def one_outcome(path: Path):
    """``read_file`` returns (never raises) either a frame or a one-line reason."""
    result = read_file(path)
    if result.rejected_reason is None:
        assert result.frame is not None
        assert result.rows_read == result.frame.height
    else:
        assert result.frame is None and result.rows_read == 0
        assert result.rejected_reason.strip() and "\n" not in result.rejected_reason
    return result


# --- arbitrary bytes --------------------------------------------------------------------------

HEADS = st.sampled_from(
    [b"", b"district,academic_year,term,phase,measure,value\n", b"\xef\xbb\xbf", b"PK\x03\x04"]
)


@examples(300)
@given(head=HEADS, body=st.binary(max_size=600))
def test_arbitrary_bytes_load_or_are_rejected_with_one_line(folder, head, body) -> None:
    path = folder / "bytes.csv"
    path.write_bytes(head + body)
    one_outcome(path)


# --- arbitrary CSV grids ------------------------------------------------------------------------

CELL_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), include_characters=",\"' \n£"
    ),
    max_size=10,
)
GRIDS = st.lists(st.lists(CELL_TEXT, min_size=6, max_size=6), max_size=15)


def is_blank(cells: list[str]) -> bool:
    return all(not c.strip(" \t\r\n") for c in cells)


@examples(150)
@given(rows=GRIDS)
def test_every_csv_row_is_read_once_as_received(folder, rows) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([TERMLY_HEADER, *rows])
    path = folder / "grid.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))

    result = one_outcome(path)

    assert result.rejected_reason is None, result.rejected_reason
    kept = [r for r in rows if not is_blank(r)]
    assert result.rows_read == len(kept)
    numbers = result.frame["row_number"].to_list()
    assert numbers == sorted(set(numbers))  # each row once, in order
    read = result.frame.select(TERMLY_HEADER).rows()
    assert [list(r) for r in read] == [[c if c != "" else None for c in r] for r in kept]


# --- arbitrary workbooks ------------------------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    CELL_TEXT,
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)


@examples(50)
@given(
    header=st.one_of(st.just(TERMLY_HEADER), st.lists(CELL_TEXT, max_size=6)),
    rows=st.lists(st.lists(CELLS, max_size=7), max_size=8),
    gap=st.integers(min_value=0, max_value=3),
)
def test_arbitrary_workbooks_load_or_are_rejected_with_one_line(folder, header, rows, gap) -> None:
    path = folder / "grid.xlsx"
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False}) as book:
        sheet = book.add_worksheet()
        for col, cell in enumerate(header):
            sheet.write_string(gap, col, cell)
        for r, cells in enumerate(rows, start=gap + 1):
            for col, cell in enumerate(cells):
                if isinstance(cell, str):
                    sheet.write_string(r, col, cell)
                elif cell is not None:
                    sheet.write(r, col, cell)

    result = one_outcome(path)

    if header == TERMLY_HEADER and result.rejected_reason is None:
        data = [r for r in rows if any(c is not None and str(c).strip() for c in r)]
        assert result.rows_read == len(data)


# --- the audit: every row one outcome -----------------------------------------------------------

DISTRICTS = st.sampled_from([*contracts.district_names()[:3], "Medway", "", "dover "])
YEARS = st.sampled_from(["2023-24", "2023/24", "2031-32", "1999-00", "2023-25", "", "45200"])
TERMS = st.sampled_from(["1", "4", "6", "7", "0", "", "one", "1900-01-01 00:00:00"])
PHASES = st.sampled_from([*contracts.phases(), "nursery", ""])
MEASURES = st.sampled_from([*(m.code for m in contracts.measures()[:4]), "caseloads", ""])
VALUES = st.one_of(
    st.integers(min_value=-5, max_value=500).map(str), st.sampled_from(["", "n/a", "1.5", "=1+1"])
)
ROW = st.tuples(DISTRICTS, YEARS, TERMS, PHASES, MEASURES, VALUES)


def termly_file(rows: list[tuple[str, ...]], seq: int) -> FileToAudit:
    frame = pl.DataFrame(
        {
            "row_number": list(range(2, len(rows) + 2)),
            **{c: [r[i] or None for r in rows] for i, c in enumerate(TERMLY_HEADER)},
            "extra_columns": [None] * len(rows),
        },
        schema={"row_number": pl.Int32, **dict.fromkeys(TERMLY_HEADER, pl.String)}
        | {"extra_columns": pl.String},
    )
    return FileToAudit("L1", f"L1/{seq}", f"file{seq}.csv", seq, contracts.TERMLY_RETURN, frame)


@examples(5)
@given(files=st.lists(st.lists(ROW, min_size=1, max_size=30), min_size=1, max_size=3))
def test_the_audit_gives_every_row_exactly_one_outcome(files) -> None:
    received = [termly_file(rows, seq) for seq, rows in enumerate(files, start=1)]

    result = audit(received, today=date(2026, 11, 30))

    outcomes = [(o.file_id, o.row_number) for o in result.outcomes]
    every_row = [(f.file_id, n) for f in received for n in f.frame["row_number"].to_list()]
    assert sorted(outcomes) == sorted(every_row)  # each row once: none lost, none doubled
    assert result.count(PUBLISHED) + result.count(QUARANTINED) == len(every_row)
    held = {s.submission_id for s in result.held}
    for outcome in result.outcomes:
        if outcome.submission_id in held:
            assert outcome.outcome == QUARANTINED
        if outcome.outcome == PUBLISHED:
            assert outcome.district and outcome.academic_year and outcome.term
