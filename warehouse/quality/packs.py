"""Correction packs: one workbook for each district (or the census team, or finance) with
something to correct in a load, to send them as it is.

A pack goes to whoever sent a held submission or a row that failed an error check in the
load: a district for its termly returns (a row in its own file is its row, whatever the row's
district cell says: ``warehouse.quality.senders``), the census team or finance for theirs
(the sources seed says who sends what). Those with nothing to correct get no pack; their
warnings alone are the steward's to review, not the sender's to fix.

Each workbook has three sheets: "Read me" (whose pack, which load, what to do, and the
deadline, from ``$STLS_CORRECTION_DEADLINE`` or ``--deadline``), "What to change" (every
failing row: the file, row and column, the value as it was sent, what is wrong and what
to change in plain words, errors first, then unreviewed warnings worth a look) and "What
we received" (each file and submission of theirs in the load, and what became of it).
Every cell is written as text (``safe_text.Workbook``, type guessing off), so nothing a file
held can become a formula, a link or a number in the sender's spreadsheet program.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.core import contracts, safe_text
from warehouse.quality import dq, failing
from warehouse.quality.failing import Review

DEADLINE_ENV = "STLS_CORRECTION_DEADLINE"
DEFAULT_DEADLINE = (
    "Please send the corrected file as soon as you can: until it arrives, the figures held "
    "back stay out of the published reports."
)
CHANGE_COLUMNS = {
    "file": "File",
    "row": "Row",
    "column": "Column",
    "value": "Value as you sent it",
    "message": "What is wrong",
    "what_to_change": "What to change",
    "need": "Must it change?",
    "check_label": "Check",
}
RECEIVED_COLUMNS = {
    "file": "File",
    "district": "District",
    "period": "For",
    "rows": "Rows",
    "what_became_of_it": "What became of it",
}


def deadline_text(deadline: str | None = None) -> str:
    """The deadline line of every pack: ``deadline``, else ``$STLS_CORRECTION_DEADLINE``,
    else a default that names no date."""
    text = deadline if deadline is not None else os.environ.get(DEADLINE_ENV, "")
    return " ".join(text.split()) or DEFAULT_DEADLINE


def _send_to(source: str | None, district: str | None) -> str | None:
    return district if source == contracts.TERMLY_RETURN else failing.sent_by(source)


def recipients(result: dict) -> list[str]:
    """Who gets a pack for a load (``dq.load_result``): districts first, by name, then the
    census team and finance; only those with a held submission or an error to correct."""
    who = {_send_to(h["source"], h["district"]) for h in result["held_submissions"]}
    who |= {r["send_to"] for r in result["failing_rows"] if r["severity"] == "error"}
    who.discard(None)
    districts = contracts.district_names()
    return sorted(who, key=lambda w: (w not in districts, w))


def file_name(recipient: str, load_id: str) -> str:
    return f"stls_corrections_{safe_text.slug(recipient)}_{safe_text.slug(load_id)}.xlsx"


def to_change(result: dict, recipient: str) -> pd.DataFrame:
    """The rows a recipient must change (errors), then their warnings not yet reviewed."""
    rows = [
        r
        for r in result["failing_rows"]
        if r["send_to"] == recipient and (r["severity"] == "error" or not r["reviewed_by"])
    ]
    frame = pd.DataFrame(rows, columns=list(failing.FIELDS))
    frame["need"] = frame["severity"].map(
        {"error": "Yes: it is held back until corrected", "warning": "Check it: nothing is held"}
    )
    return frame[list(CHANGE_COLUMNS)].rename(columns=CHANGE_COLUMNS)


def what_was_received(received: pd.DataFrame, result: dict, recipient: str) -> pd.DataFrame:
    """The recipient's files in the load (``dq.received``) and what became of each."""
    files = {r["file"] for r in result["failing_rows"] if r["send_to"] == recipient}
    mine = (
        received[
            received.apply(
                lambda r: _send_to(r["source"], r["district"]) == recipient or r["file"] in files,
                axis=1,
            )
        ]
        if not received.empty
        else received
    )
    out = []
    for r in mine.to_dict("records"):
        state = dq.FILE_STATES.get(r["file_status"]) or dq.SUBMISSION_STATES.get(
            r["submission_state"], "Set aside: no row could be matched to a district and term"
        )
        if r.get("replaced_by_file") and isinstance(r["replaced_by_file"], str):
            state += f" ({r['replaced_by_file']})"
        if r.get("rows_set_aside"):
            state += f"; {int(r['rows_set_aside'])} row(s) set aside on their own"
        out.append(
            {
                "file": r["file"],
                "district": r["district"] if isinstance(r["district"], str) else "",
                "period": r["period"] if isinstance(r["period"], str) else "",
                "rows": _count(r["submission_rows"]) or _count(r["rows_read"]),
                "what_became_of_it": state,
            }
        )
    frame = pd.DataFrame(out, columns=list(RECEIVED_COLUMNS))
    return frame.drop_duplicates().rename(columns=RECEIVED_COLUMNS)


def _count(value: object) -> int | None:
    try:
        return None if pd.isna(value) else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _text(value: object) -> str:
    """Every cell as text: blank for nothing, never "None" or "nan"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def write_pack(
    path: Path, result: dict, received: pd.DataFrame, recipient: str, deadline: str
) -> int:
    """One recipient's workbook at ``path``; returns the rows it asks them to change."""
    changes = to_change(result, recipient)
    got = what_was_received(received, result, recipient)
    errors = int((changes["Must it change?"].str.startswith("Yes")).sum())
    with safe_text.Workbook(path) as book:
        bold = book.add_format({"bold": True})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        sheet = book.add_worksheet("Read me")
        lines = [
            (f"STLS data corrections for {recipient}", bold),
            (f"Load {result['load_id']}, finished {result['finished_at'] or ''} (UTC)", None),
            ("", None),
            (
                f"{errors} row(s) must be corrected: they are on the sheet 'What to change', "
                "with the value as you sent it and what to change.",
                wrap,
            ),
            (
                "Correct them in your file and send the whole file again: it replaces the "
                "return that was held back, as a whole. Rows marked 'Check it' are worth a look "
                "but hold nothing back.",
                wrap,
            ),
            ("", None),
            (deadline, bold),
            ("", None),
            (
                "The sheet 'What we received' lists your files in this load and what became "
                "of each.",
                wrap,
            ),
        ]
        for row, (text, style) in enumerate(lines):
            book.write(sheet, row, 0, text, style)
        sheet.set_column(0, 0, 110)
        _table(
            book,
            book.add_worksheet("What to change"),
            changes,
            head,
            wrap,
            (30, 6, 12, 22, 60, 60, 24, 28),
        )
        _table(book, book.add_worksheet("What we received"), got, head, wrap, (40, 22, 14, 8, 60))
    return errors


def _table(book, sheet, frame: pd.DataFrame, head, wrap, widths) -> None:
    for col, name in enumerate(frame.columns):
        book.write(sheet, 0, col, name, head)
        sheet.set_column(col, col, widths[col] if col < len(widths) else 20)
    for row, values in enumerate(frame.itertuples(index=False), start=1):
        for col, value in enumerate(values):
            book.write(sheet, row, col, _text(value), wrap)
    sheet.freeze_panes(1, 0)


def write_packs(
    cur: duckdb.DuckDBPyConnection,
    load_id: str | None,
    folder: Path,
    *,
    deadline: str | None = None,
    reviews: Mapping[str, Review] | None = None,
) -> dict[str, Path]:
    """One workbook per recipient with something to correct in the load (default: the
    latest) in ``folder``: recipient -> its path. Nothing is written for the others."""
    result = dq.load_result(cur, load_id, reviews=reviews)
    received = dq.received(cur, result["load_id"])
    folder.mkdir(parents=True, exist_ok=True)
    text = deadline_text(deadline)
    written = {}
    for recipient in recipients(result):
        path = folder.joinpath(file_name(recipient, result["load_id"]))
        write_pack(path, result, received, recipient, text)
        written[recipient] = path
    return written


def pack_bytes(result: dict, received: pd.DataFrame, recipient: str, deadline: str) -> bytes:
    """One recipient's workbook, as bytes (for a download)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.xlsx"
        write_pack(path, result, received, recipient, deadline)
        return path.read_bytes()


def packs_zip(result: dict, received: pd.DataFrame, deadline: str) -> bytes:
    """Every recipient's workbook in one ZIP (empty when nobody has anything to correct)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for recipient in recipients(result):
            archive.writestr(
                file_name(recipient, result["load_id"]),
                pack_bytes(result, received, recipient, deadline),
            )
    return buffer.getvalue()
