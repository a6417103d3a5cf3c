"""Received text never acts (issue 9): not as a formula in any CSV or workbook the product
writes, not as Markdown or HTML on any page, not as terminal escapes in anything ``stls``
prints; and a load or rollback never widens who can read the warehouse.

The pages and commands run for real on ``hostile_warehouse`` (conftest): the demo after a
load of Thanet's term 4 return carrying every payload."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import shutil
import stat
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from apptest import open_tables
from hostile import (
    COMMAND_PAYLOAD,
    FORMULA_PAYLOAD,
    HOSTILE_FILE_NAME,
    HTML_PAYLOAD,
    MARKDOWN_PAYLOAD,
    TERMINAL_PAYLOAD,
)
from streamlit.testing.v1 import AppTest

from warehouse.cli import main as stls
from warehouse.core import safe_text
from warehouse.publish import connect, versions
from warehouse.publish.load import load
from warehouse.reporting import committee, formatting, render

ROOT = Path(__file__).resolve().parent.parent

# OWASP's list: a cell starting with one of these is a formula to a spreadsheet.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?")


def formula_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: starting with a trigger and not a plain number."""
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(TRIGGERS) and not NUMBER.fullmatch(cell)
    ]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


# --- the helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA_PAYLOAD, "'" + FORMULA_PAYLOAD),
        (COMMAND_PAYLOAD, "'" + COMMAND_PAYLOAD),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("-1,204", "-1,204"),
        ("1e3", "1e3"),
        ("Thanet", "Thanet"),
        ("2023-24", "2023-24"),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_cells_are_neutralised_but_numbers_stay_numbers(cell, written) -> None:
    assert safe_text.spreadsheet_cell(cell) == written


def as_read(markdown: str) -> str:
    """What a reader sees of Markdown-safe text: escapes resolved, word joiners invisible."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(safe_text.WORD_JOINER, "")


# Markup a payload would make, unless escaped: a link or image, a tag, a Streamlit colour,
# a URL or address GFM would link.
LIVE_MARKUP = re.compile(
    r"(?<!\\)\]\(|(?<!\\)<[a-z]|(?<!\\):red|https?://|www\.|[\w.]@\w"  # links, tags
    r"|:[\w/+-]+:|(?<!\\)&#"  # emoji and icon shortcodes, entities
)


def test_markdown_text_shows_every_payload_as_text() -> None:
    for payload in (MARKDOWN_PAYLOAD, HTML_PAYLOAD, "# heading", "1. item", "- item", "> q"):
        escaped = safe_text.markdown_text(payload)
        assert as_read(escaped) == payload  # nothing lost: each escape shows its character
        for opener in ("[", "]", "<", ">", "$", "`", "*", "_", "&"):
            assert re.search(rf"(?<!\\){re.escape(opener)}", escaped) is None, (opener, escaped)
        assert LIVE_MARKUP.search(escaped) is None, escaped
    assert safe_text.markdown_text("a\n\n# b") == "a # b"  # no new block: one line
    assert safe_text.markdown_text("Folkestone and Hythe") == "Folkestone and Hythe"


def test_terminal_text_makes_control_characters_visible() -> None:
    assert safe_text.terminal_text(TERMINAL_PAYLOAD) == (
        "\\x1b[6A\\x1b[J26 published + 0 quarantined"
    )
    assert safe_text.terminal_text("a\rb\u202ec\x07\x9b") == "a\\rb\\u202ec\\x07\\x9b"
    assert safe_text.terminal_text("a\nb") == "a\\nb"
    assert safe_text.terminal_text("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


# --- defect 2: formula injection in what the product writes --------------------------------


@pytest.mark.dbt
def test_the_failing_rows_download_neutralises_formulas(
    monkeypatch, hostile_warehouse, downloads
) -> None:
    monkeypatch.setenv("STLS_WAREHOUSE", str(hostile_warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/data_quality.py")
    at.run()
    open_tables(at)
    assert not at.exception, [e.value for e in at.exception]
    [button] = [b for b in at.get("download_button") if "failing rows" in b.proto.label]

    rows = csv_rows(downloads.of(button))

    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA_PAYLOAD in cells and "'" + COMMAND_PAYLOAD in cells
    assert "'" + HOSTILE_FILE_NAME in cells
    assert "-5" in cells  # the negative value as received stays a number
    assert formula_cells(rows) == []


def test_dashboard_table_downloads_neutralise_formulas() -> None:
    frame = pd.DataFrame({"District": [FORMULA_PAYLOAD, "Thanet"], "change": [-5, 3]})

    rows = csv_rows(formatting.csv_bytes(frame, {"change": "count"}))

    assert rows == [["District", "change"], ["'" + FORMULA_PAYLOAD, "-5"], ["Thanet", "3"]]


@pytest.fixture(scope="module")
def tables(demo_warehouse) -> committee.CommitteeTables:
    """Real committee tables, with text a sender could have put anywhere in them."""
    con = connect.connect(demo_warehouse)
    try:
        real = committee.committee_tables(
            con.cursor(), committee.Selection(academic_year="2023-24", terms=(1, 2, 3, 4))
        )
    finally:
        con.close()
    figures = dict(real.figures)
    figures["caseload_avg"] = {**figures["caseload_avg"], COMMAND_PAYLOAD: -5.0}
    return dataclasses.replace(real, figures=figures, notes=[FORMULA_PAYLOAD, "http://x.example"])


@pytest.mark.dbt
def test_stls_report_csv_neutralises_formulas(tables) -> None:
    rows = csv_rows(render.to_csv(tables).encode("utf-8"))

    assert formula_cells(rows) == []
    [row] = [r for r in rows if r[4] == "'" + COMMAND_PAYLOAD]
    assert row[5] == "-5.0"  # the value stays a number


@pytest.mark.dbt
def test_stls_report_xlsx_writes_text_as_text(tables, tmp_path: Path) -> None:
    path = tmp_path / "tables.xlsx"
    render.write_xlsx(tables, path)

    book = openpyxl.load_workbook(path)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # no formula
    assert [c.coordinate for c in cells if c.hyperlink] == []  # no link
    quoted = {c.value for c in cells if c.quotePrefix}
    assert {FORMULA_PAYLOAD, COMMAND_PAYLOAD} <= quoted
    negative = [c.value for c in cells if c.data_type == "n" and c.value < 0]
    assert negative == [-5]  # numbers stay numbers


def test_dataframe_toolbar_downloads_are_off() -> None:
    """st.dataframe's own "Download as CSV" does not neutralise formulas: the pages offer
    their own downloads instead (through safe_text)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


# --- defect 3: received text on the pages is text, never Markdown or HTML -------------------

PAGES = {
    "overview": None,
    "engagement": "pages/engagement.py",
    "funding": "pages/funding.py",
    "ehcp": "pages/ehcp.py",
    "data_quality": "pages/data_quality.py",
    "about": "pages/about.py",
}
# Elements whose text Streamlit renders as Markdown.
MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "warning", "info")
MARKDOWN_ELEMENTS += ("error", "success")


def markdown_bodies(at: AppTest) -> list[str]:
    bodies = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    for table in at.table:  # st.table renders its cells as Markdown
        bodies += [str(v) for v in table.value.to_numpy().ravel()]
    return bodies


@pytest.mark.dbt
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_shows_received_text_as_text(monkeypatch, hostile_warehouse, page) -> None:
    monkeypatch.setenv("STLS_WAREHOUSE", str(hostile_warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if PAGES[page]:
        at.switch_page(PAGES[page])
    at.run()
    open_tables(at)
    assert not at.exception, [e.value for e in at.exception]

    bodies = markdown_bodies(at)

    received = [b for b in bodies if "evil" in b or "calc" in b]  # the payloads' marks
    live = [b for b in received if LIVE_MARKUP.search(b)]
    assert live == [], f"{page} renders received text as Markdown: {live}"
    if page == "overview":  # the held submission's reason is shown, as text
        assert any(MARKDOWN_PAYLOAD in as_read(b) for b in bodies)


@pytest.mark.dbt
def test_data_docs_show_received_text_as_text(hostile_warehouse, capsys) -> None:
    """The Great Expectations Data Docs of a load (downloadable from the Data quality page,
    opened in the steward's browser) list failing values: as text, never as HTML."""
    assert stls(["--warehouse", str(hostile_warehouse), "dq", "--format", "json"]) == 0
    docs = Path(json.loads(capsys.readouterr().out)["data_docs"]).parent
    pages = {p: p.read_text(encoding="utf-8") for p in docs.rglob("*.html")}
    assert any("evil.example" in text for text in pages.values())  # the values are there

    live = [p.name for p, text in pages.items() if re.search(r"<(img|b)\b[^>]*evil|<b>bold", text)]

    assert live == []


# --- defect 5: what stls prints from files cannot drive the terminal ------------------------


@pytest.mark.dbt
def test_stls_dq_shows_terminal_escapes_as_text(hostile_warehouse, capsys) -> None:
    assert stls(["--warehouse", str(hostile_warehouse), "dq"]) == 0

    out = capsys.readouterr().out

    assert "\x1b" not in out
    assert "\\x1b[6A\\x1b[J26 published + 0 quarantined" in out
    assert not any(c in out for c in "\r\x07\x9b")


def test_stls_errors_show_terminal_escapes_as_text(tmp_path: Path, capsys) -> None:
    missing = tmp_path / f"return{TERMINAL_PAYLOAD}.csv"

    code = stls(["--warehouse", str(tmp_path / "w.duckdb"), "load", str(missing)])

    err = capsys.readouterr().err
    assert code == 2
    assert "\x1b" not in err and "\\x1b[6A" in err


# --- defect 6: loads and rollbacks keep the published file's mode, owner and group ----------

SERVICE_GID = 4242  # a group id the test machine need not know: chown takes the number


def mode_and_group(path: Path) -> tuple[str, int]:
    info = path.stat()
    return stat.filemode(info.st_mode), info.st_gid


@pytest.mark.dbt
@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's group to any gid needs root")
def test_loads_and_rollbacks_keep_the_warehouse_private(demo_warehouse, tmp_path: Path) -> None:
    warehouse = tmp_path / "stls.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    os.chmod(warehouse, 0o644)
    rejected = tmp_path / "not_a_return.csv"  # a load that publishes without running dbt
    rejected.write_text("hello\n", encoding="utf-8")
    load([rejected], warehouse)  # the copy and this load are now versions, both 644
    os.chmod(warehouse, 0o600)  # the steward makes the warehouse private, for a group
    os.chown(warehouse, -1, SERVICE_GID)
    rejected.write_text("hello again\n", encoding="utf-8")

    load([rejected], warehouse)

    private = ("-rw-------", SERVICE_GID)
    assert mode_and_group(warehouse) == private
    kept = versions.stored(warehouse)
    assert len(kept) == 3
    assert [mode_and_group(v.path) for v in kept] == [private] * 3  # none readable by others
    assert stat.S_IMODE(versions.versions_dir(warehouse).stat().st_mode) & 0o007 == 0

    versions.rollback(warehouse)

    assert mode_and_group(warehouse) == private
    assert [mode_and_group(v.path) for v in versions.stored(warehouse)] == [private] * 3
