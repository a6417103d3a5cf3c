"""The committee tables as text, Markdown, CSV, JSON or XLSX.

JSON carries the unrounded values (the interface fixes its shape). The other formats show
each figure rounded as the committee report publishes it: whole percentages (one decimal
place for caseload as a share of pupils), whole pupils, whole pounds; CSV and XLSX carry
both the unrounded value and the published display. CSV and XLSX text that a spreadsheet
would run as a formula is neutralised (``warehouse.core.safe_text``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from warehouse.core import contracts, figures, safe_text
from warehouse.reporting.committee import CommitteeTables
from warehouse.reporting.formatting import round_half_up

FORMATS = ("text", "json", "csv", "md", "xlsx")
ILLUSTRATIVE = (
    "ILLUSTRATIVE DATA: these figures come from the bundled demo data. The district split "
    "is invented; only county totals are calibrated to the July 2024 committee report."
)


def display(figure: str, value: float | None) -> str:
    """A value as the report prints it; [x] where it is not available."""
    if value is None:
        return "[x]"
    spec = figures.figure(figure)
    unit, places = spec.unit, spec.decimals
    rounded = round_half_up(value, places)
    if unit == "percent":
        return f"{rounded:,.{places}f}%"
    if unit == "GBP":
        return f"£{rounded:,.0f}"
    return f"{rounded:,.{places}f}"


def terms_label(terms: list[int]) -> str:
    if not terms:
        return "no terms"
    if terms == list(range(terms[0], terms[-1] + 1)) and len(terms) > 1:
        return f"Terms {terms[0]}-{terms[-1]}"
    return ("Term " if len(terms) == 1 else "Terms ") + ", ".join(map(str, terms))


def heading(tables: CommitteeTables) -> str:
    sel = tables.selection
    who = contracts.all_districts_label() if sel.all_districts else ", ".join(sel.district_list())
    return f"STLS committee tables, {sel.academic_year}, {terms_label(list(sel.terms))} ({who})"


def long_rows(tables: CommitteeTables) -> list[dict[str, object]]:
    rows = []
    for spec in figures.committee_figures():
        figure, unit = spec.key, spec.unit
        for breakdown, value in tables.figures.get(figure, {}).items():
            rows.append(
                {
                    "figure": figure,
                    "title": spec.title,
                    "academic_year": tables.selection.academic_year,
                    "terms": terms_label(list(tables.selection.terms)),
                    "breakdown": breakdown,
                    "value": value,
                    "display": display(figure, value),
                    "unit": unit,
                }
            )
    return rows


def _label(breakdown: str) -> str:
    return figures.breakdown_label(breakdown)


def notes(tables: CommitteeTables) -> list[str]:
    notes = list(tables.notes)
    if tables.census_year_used:
        notes.insert(0, f"Settings and pupils from the January {tables.census_year_used} census.")
    if tables.missing:
        notes.append(
            "Missing returns: " + "; ".join(f"{d} term {t}" for d, t in tables.missing) + "."
        )
    if tables.illustrative:
        notes.insert(0, ILLUSTRATIVE)
    return notes


def to_text(tables: CommitteeTables) -> str:
    out = [heading(tables), ""]
    for spec in figures.committee_figures():
        figure = spec.key
        values = tables.figures.get(figure, {})
        out.append(spec.title)
        width = max((len(_label(b)) for b in values), default=0)
        for breakdown, value in values.items():
            out.append(f"  {_label(breakdown):<{width}}  {display(figure, value):>10}")
        out.append("")
    out += [f"Note: {n}" for n in notes(tables)]
    return "\n".join(out).rstrip() + "\n"


def to_markdown(tables: CommitteeTables) -> str:
    out = [f"# {heading(tables)}", ""]
    for spec in figures.committee_figures():
        figure = spec.key
        values = tables.figures.get(figure, {})
        out += [f"## {spec.title}", "", "| | " + " | ".join(_label(b) for b in values) + " |"]
        out.append("|---|" + "---:|" * len(values))
        row_label = f"{terms_label(list(tables.selection.terms))} {tables.selection.academic_year}"
        out.append(
            f"| {row_label} | " + " | ".join(display(figure, v) for v in values.values()) + " |"
        )
        out.append("")
    out += [f"- {n}" for n in notes(tables)]
    return "\n".join(out).rstrip() + "\n"


def to_csv(tables: CommitteeTables) -> str:
    buffer = io.StringIO()
    rows = long_rows(tables)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(safe_text.csv_row(rows[0]))
    writer.writerows(safe_text.csv_row(row.values()) for row in rows)
    return buffer.getvalue()


def to_json(tables: CommitteeTables) -> str:
    return json.dumps(tables.as_json(), indent=2) + "\n"


def write_xlsx(tables: CommitteeTables, path: Path) -> None:
    """The tables as a workbook: every cell written with its type stated, so no text
    becomes a formula or a link (``safe_text.Workbook``)."""
    with safe_text.Workbook(path) as book:
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet("Tables")
        book.write(sheet, 0, 0, heading(tables), bold)
        rows = long_rows(tables)
        columns = list(rows[0])
        for col, name in enumerate(columns):
            book.write(sheet, 2, col, name, bold)
        for r, row in enumerate(rows, start=3):
            for col, name in enumerate(columns):
                book.write(sheet, r, col, row[name])
        sheet.set_column(0, 0, 38)
        sheet.set_column(1, 1, 60)
        sheet.set_column(2, len(columns), 16)
        notes_sheet = book.add_worksheet("Notes")
        for r, note in enumerate(notes(tables)):
            book.write(notes_sheet, r, 0, note)


def render(tables: CommitteeTables, fmt: str) -> str:
    return {"text": to_text, "json": to_json, "csv": to_csv, "md": to_markdown}[fmt](tables)
