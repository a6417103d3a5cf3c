"""Telling a file's format from its bytes, and decoding text (UTF-8 with or without a BOM,
Windows-1252), with a reason naming the row and byte when that fails."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from warehouse.ingest.reading import (
    _CONTROL_BYTES,
    _MAGIC,
    _OLE2_MAGIC,
    _ZIP_MAGIC,
    MAX_CONTROL_CHAR_RATIO,
    MAX_FILE_MB_ENV,
    MAX_UNZIPPED_FACTOR,
    Limits,
    _Rejected,
    mib,
)

# Format detection and decoding
# --------------------------------------------------------------------------------------


def _is_xlsx(data: bytes, limit: Limits) -> bool:
    """True for an XLSX workbook; rejects other zips and known binaries with a reason."""
    if data.startswith(_OLE2_MAGIC):
        raise _Rejected(
            "not a CSV or XLSX file (an Excel 97-2003 .xls or a password-protected workbook): "
            "save it as .xlsx without a password, or as CSV"
        )
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _Rejected(f"not a CSV or XLSX file (a damaged zip or workbook: {exc})") from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise _Rejected(
            "not a CSV or XLSX file (a zip archive without xl/workbook.xml, so not an .xlsx "
            "workbook; .xlsb and .ods are not supported either)"
        )
    unzipped = sum(member.file_size for member in members)
    if unzipped > limit.unzipped_bytes:
        raise _Rejected(
            f"the workbook unpacks to {mib(unzipped)} MiB, above the "
            f"{mib(limit.unzipped_bytes)} MiB limit ({MAX_UNZIPPED_FACTOR} times "
            f"{MAX_FILE_MB_ENV})"
        )
    return True


def _not_text(data: bytes) -> _Rejected:
    for magic, label in _MAGIC:
        if data.startswith(magic):
            return _Rejected(
                f"not a CSV or XLSX file (the bytes are {label}, neither text nor a workbook)"
            )
    return _Rejected("not a CSV or XLSX file (the bytes are neither text nor a workbook)")


def _decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, then UTF-8, then Windows-1252 (see module doc)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _Rejected(
            "not a CSV or XLSX file (UTF-16 text, as Excel's 'Unicode Text' writes it): "
            "save it as 'CSV UTF-8' instead"
        )
    if b"\x00" in data:
        raise _nul_bytes(data)
    if data.startswith(codecs.BOM_UTF8):
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _Rejected(
                "the file starts with a UTF-8 byte-order mark but is not valid UTF-8: "
                f"{_where_byte(data, exc.start)}; save the file again as 'CSV UTF-8'"
            ) from exc
    else:
        text, encoding = _decode_without_bom(data)
    if _control_ratio(data) > MAX_CONTROL_CHAR_RATIO:
        raise _not_text(data)
    return text, encoding


# Well-formed UTF-8 for a character beyond ASCII: a file holding these was written as UTF-8
# (in Windows-1252 text they would be two or three unlikely characters in a row, "Â£").
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _decode_without_bom(data: bytes) -> tuple[str, str]:
    """UTF-8; else Windows-1252, unless the file is UTF-8 with a few bytes that are not
    (a value pasted from another program): reading it all as Windows-1252 would garble
    every other accent and symbol in it ("café" as "cafÃ©"), so it is refused, naming the
    row and byte, and nothing is decoded twice."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            bad = data[exc.start]
            meaning = bytes([bad]).decode("cp1252", "replace")
            shown = f", {meaning!r} in Windows-1252" if meaning != "\ufffd" else ""
            raise _Rejected(
                f"the file is UTF-8 except at {_where_byte(data, exc.start)} (byte 0x{bad:02x}"
                f"{shown}): a character pasted from another program? Correct it, or save "
                "the file again as 'CSV UTF-8', and send it again"
            ) from exc
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _not_text(data) from exc


def _where_byte(data: bytes, position: int) -> str:
    """'row 3, byte 1,234 of the file': the row as a text editor numbers its lines."""
    breaks = b"\n" if b"\n" in data else b"\r"
    return f"row {data.count(breaks, 0, position) + 1}, byte {position + 1:,} of the file"


def _nul_bytes(data: bytes) -> _Rejected:
    """Why bytes holding NULs are not a CSV: a known binary, UTF-16 text without its mark,
    or text with a stray NUL (where it is)."""
    if any(data.startswith(magic) for magic, _label in _MAGIC):
        return _not_text(data)
    sample = data[:4096]
    nuls = sample.count(b"\x00")
    if nuls >= len(sample) // 4 and (
        sample[1::2].count(0) >= len(sample) // 3 or sample[0::2].count(0) >= len(sample) // 3
    ):
        return _Rejected(
            "not a CSV or XLSX file (it looks like UTF-16 text without a byte-order mark, "
            "as some programs export it): save it as 'CSV UTF-8' instead"
        )
    if (
        data.count(b"\x00") <= max(1, len(data) // 1000)
        and _control_ratio(data.replace(b"\x00", b"")) <= MAX_CONTROL_CHAR_RATIO
    ):
        return _Rejected(
            f"the file holds a NUL (zero) byte at {_where_byte(data, data.index(0))}, which "
            "text never does: the file is damaged, or was not saved as text; save it again "
            "as CSV and send it again"
        )
    return _not_text(data)


def _control_ratio(data: bytes) -> float:
    """Share of control characters other than tab and line breaks.

    Counted on the bytes (C-speed ``bytes.translate``): in UTF-8 and Windows-1252 alike,
    bytes 01-1F and 7F only ever stand for those control characters.
    """
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


# --------------------------------------------------------------------------------------
