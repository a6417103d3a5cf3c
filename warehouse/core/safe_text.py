"""Text that came from a received file, made safe for where the product shows or writes it.

Everything in a received file is untrusted (docs/design.md, "Security"): a cell, a header, a
file name, and every message that quotes one. Three places would otherwise act on it:

- **Spreadsheets** (every CSV and workbook the product writes): a cell starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and LibreOffice
  (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``). ``spreadsheet_cell`` puts a single quote
  in front of it, as OWASP advises ("CSV Injection"), so it shows as the text it is; the
  full-width forms (U+FF1D and the like) and spaces or quotes before a trigger count too. A
  cell that is a plain number (``-5``, ``+3.5``, ``-1,204``, ``1e3``) is left alone: it is data,
  not a formula. Workbooks get the same text with Excel's own "quote prefix" cell format
  instead of a visible quote (``Workbook.write``), and are written with xlsxwriter's
  guessing off, so no string ever becomes a formula, a number or a hyperlink.
- **The dashboard** (``st.markdown``, captions, alerts, ``st.table`` cells, which render
  GitHub-flavoured Markdown): ``markdown_text`` backslash-escapes every character that
  starts Markdown or HTML (links, images, emphasis, code, tags, entities, Streamlit's
  ``:colour[...]`` directives, LaTeX) and the block markers a line may start with, puts an
  invisible word joiner into URLs, email addresses and ``:shortcodes:`` (recognised even
  when escaped), and turns line breaks into spaces, so received text reads as text.
- **The terminal** (everything ``stls`` prints): ``terminal_text`` shows control characters
  (``ESC[6A``, a bare carriage return, a bell) and the Unicode direction overrides as escapes
  (``\\x1b``, ``\\u202e``), so a value cannot move the cursor, erase lines or reorder what
  the steward reads.
- **Charts** (Plotly figures, which render some HTML tags in names, labels and titles):
  ``chart_text`` escapes ``&``, ``<`` and ``>`` as entities, so a tag shows as text.

Each helper takes any value and returns text; None stays None where a caller may pass it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

# --------------------------------------------------------------------------------------
# Spreadsheets (CSV, XLSX)
# --------------------------------------------------------------------------------------

# The characters that make a spreadsheet read a cell as a formula (OWASP), with their
# full-width forms, which some Excel locales also take.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
# What may come before a trigger and still let it act (Excel and LibreOffice trim these
# on import in some modes).
_LEADING = " \n\"'\u00a0\u3000"
_PLAIN_NUMBER = re.compile(
    r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?%?|[+-]?\.\d+(?:[eE][+-]?\d+)?"
)
QUOTE = "'"


def needs_quote(text: str) -> bool:
    """True for text a spreadsheet would run as a formula (see the module docstring)."""
    if _PLAIN_NUMBER.fullmatch(text.strip(" ")):
        return False
    if text[:1] in FORMULA_TRIGGERS:
        return True
    start = text.lstrip(_LEADING)
    return bool(start) and start[0] in FORMULA_TRIGGERS


def spreadsheet_cell(value: Any) -> Any:
    """A cell for a CSV: text that would be a formula gets a leading single quote; numbers,
    None and anything else that is not text are returned unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column heading through
    ``spreadsheet_cell``; numeric columns are untouched (their values are numbers)."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        out[column] = series.map(spreadsheet_cell)
    out.columns = [spreadsheet_cell(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV with formula-looking text neutralised (no index)."""
    return spreadsheet_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def slug(text: Any) -> str:
    """``text`` as a piece of a file name or a widget key: lower-case letters and digits,
    anything else one underscore ("Kent <a href>" -> "kent_a_href")."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def csv_row(values: Iterable[Any]) -> list[Any]:
    """One row for ``csv.writer``: each cell through ``spreadsheet_cell``."""
    return [spreadsheet_cell(v) for v in values]


# xlsxwriter guesses types from strings unless told not to: "=..." becomes a formula,
# "http://..." a hyperlink, "12" a number. Every workbook the product writes turns that off.
XLSX_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


class Workbook:
    """An xlsxwriter workbook that writes every cell with its type stated (``write``).

    Numbers are numbers, None is blank, anything else is a string; text that would be a
    formula gets Excel's quote-prefix format (shown as the text it is, and kept text when
    edited) on top of the cell's own format. Use as a context manager, like xlsxwriter's.
    """

    def __init__(self, path: str | Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
        self._properties: dict[int, dict[str, Any]] = {}
        self._quoted: dict[int | None, Any] = {}

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.book.close()

    def add_format(self, properties: dict[str, Any] | None = None) -> Any:
        cell_format = self.book.add_format(properties or {})
        self._properties[id(cell_format)] = dict(properties or {})
        return cell_format

    def add_worksheet(self, name: str) -> Any:
        return self.book.add_worksheet(name)

    def write(self, sheet: Any, row: int, col: int, value: Any, cell_format: Any = None) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
        else:
            text = str(value)
            if needs_quote(text):
                cell_format = self._quoted_format(cell_format)
            sheet.write_string(row, col, text, cell_format)

    def _quoted_format(self, base: Any) -> Any:
        key = None if base is None else id(base)
        if key not in self._quoted:
            properties = {} if base is None else dict(self._properties.get(id(base), {}))
            properties["quote_prefix"] = True
            self._quoted[key] = self.book.add_format(properties)
        return self._quoted[key]


# --------------------------------------------------------------------------------------
# The dashboard (Markdown)
# --------------------------------------------------------------------------------------

# Escaped wherever they are: they open links, images, emphasis, code, HTML tags and
# entities, tables, strikethrough, LaTeX, (a colon before a letter) Streamlit's directives
# such as ":red[...]", which ":red" alone opens, and an underscore that is not inside a
# word (inside one, "engagement_pct", it never opens emphasis). CommonMark lets any ASCII
# punctuation be backslash-escaped, and shows it as itself.
_MARKDOWN_ALWAYS = re.compile(r"([\\`*\[\]<>|~$&]|:(?=[A-Za-z])|(?<![^\W_])_|_(?![^\W_]))")
# Escaped at the start of the text, where they would open a block (list, quote, heading,
# thematic break, ordered list "1." or "1)").
_BLOCK_START = re.compile(r"^([-+=>#]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")
# Some Markdown is recognised in the text after escapes are resolved, so escaping cannot
# stop it: GitHub-flavoured Markdown links URLs ("https://", "www.") and email addresses,
# and Streamlit turns ":smile:" into an emoji and ":material/icon:" into an icon. An
# invisible word joiner (U+2060) after a URL's scheme, after "www", after "@" and after the
# colon opening a shortcode breaks each pattern while the text reads the same.
WORD_JOINER = "\u2060"
_SCHEME = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*(?=://)|mailto(?=:)|xmpp(?=:))")
_WWW = re.compile(r"(?i)(?<![a-z0-9-])(www)(?=\.)")
_SHORTCODE = re.compile(r":(?=[\w+/-]+:)")


def markdown_text(value: Any) -> str:
    """``value`` as text that Markdown (and Streamlit) shows as it reads, never as a link,
    image, tag, emphasis or directive; line breaks become spaces, control characters show
    as escapes (see ``terminal_text``), and URLs and email addresses carry an invisible
    word joiner so they are not made links. Leading spaces are dropped (four of them would
    start a code block)."""
    text = "" if value is None else str(value)
    text = _LINE_BREAKS.sub(" ", text).strip(" ")
    text = terminal_text(text)
    text = _SHORTCODE.sub(":" + WORD_JOINER, text)
    text = _SCHEME.sub(r"\1" + WORD_JOINER, text)
    text = _WWW.sub(r"\1" + WORD_JOINER, text)
    text = text.replace("@", "@" + WORD_JOINER)
    text = _MARKDOWN_ALWAYS.sub(r"\\\1", text)
    match = _BLOCK_START.match(text)
    if match:
        lead = match.group(1)
        text = lead + "\\" + text[len(lead) :] if lead.isdigit() else "\\" + text
    return text


# --------------------------------------------------------------------------------------
# Charts (Plotly)
# --------------------------------------------------------------------------------------


def chart_text(value: Any) -> str | None:
    """``value`` as text a Plotly figure shows as it reads. Plotly renders a few HTML tags
    (``<a href>``, ``<b>``, ``<i>``, ``<br>``, ``<sub>``, ``<span style>``) and entities in
    trace names, tick labels, bar text, annotations and titles, so ``&``, ``<`` and ``>``
    become ``&amp;``, ``&lt;`` and ``&gt;`` (which Plotly shows as the characters
    themselves); line breaks become spaces and control characters show as escapes (see
    ``terminal_text``). None stays None (a missing label or a gap in a series)."""
    if value is None:
        return None
    text = terminal_text(_LINE_BREAKS.sub(" ", str(value)))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------
# The terminal
# --------------------------------------------------------------------------------------

# C0 controls, DEL, C1 controls, and the Unicode marks that reorder or hide text
# (bidirectional embeddings, overrides and isolates; the Arabic letter mark).
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TERMINAL_UNSAFE_KEEP_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(value: Any, *, keep_newlines: bool = False) -> str:
    """``value`` as text a terminal prints as it is: every control character (ESC, CR,
    backspace, bell, NUL, C1 controls) and every direction override shows as an escape,
    ``\\x1b`` or ``\\u202e``. Newlines too, unless ``keep_newlines`` (for text the
    program laid out itself, after its pieces were made safe)."""
    text = "" if value is None else str(value)
    pattern = _TERMINAL_UNSAFE_KEEP_NEWLINE if keep_newlines else _TERMINAL_UNSAFE
    return pattern.sub(_visible, text)


# --------------------------------------------------------------------------------------
# Chat (a Teams or Slack incoming webhook's "text")
# --------------------------------------------------------------------------------------


def chat_text(value: Any) -> str:
    """``value`` for a chat message's text: as ``markdown_text`` (Teams reads Markdown),
    with ``&``, ``<`` and ``>`` written as HTML entities instead of backslash escapes (Slack
    reads ``<url|label>`` as a link and ignores backslashes; both show the entities as the
    characters they stand for)."""
    text = markdown_text(value)
    text = text.replace("\\&", "&").replace("\\<", "<").replace("\\>", ">")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
