"""Cells that are safe to open in a spreadsheet, and workbooks read back as tables.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (CSV injection). Record text comes from
exports we do not control, so every CSV cell goes through `safe_cell`, which prefixes
such a cell with an apostrophe, the convention spreadsheets show as a literal. Readers of
our own canonical CSV strip that apostrophe again. (Excel files need no apostrophe: their
cells are typed, see `lib.exporting.to_excel`.)

`workbook_text` turns an .xlsx workbook (our Excel export, or a table a reviewer kept in
Excel) into CSV text, so the CSV reader reads it like any table.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from lib import limits
from lib.readers.base import ReadError

__all__ = ["FORMULA_STARTS", "safe_cell", "unsafe_cell", "workbook_text"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_RISKY_FIRST = frozenset("".join(FORMULA_STARTS) + "'")  # what a cell needing care starts with


def safe_cell(value: object) -> str:
    """The value as text, neutralised if a spreadsheet would read it as a formula.

    Text that already starts with an apostrophe before a formula character gets one
    more, so that `unsafe_cell` gives back exactly what was written.
    """
    text = "" if value is None else str(value)
    if not text or text[0] not in _RISKY_FIRST:  # most cells: one look (100k-row exports)
        return text
    if text.startswith(FORMULA_STARTS) or _quoted_formula(text):
        return "'" + text
    return text


def _quoted_formula(text: str) -> bool:
    stripped = text.lstrip("'")
    return len(stripped) < len(text) and stripped.startswith(FORMULA_STARTS)


def unsafe_cell(text: str) -> str:
    """Undo `safe_cell` (for reading our own exports back)."""
    if text.startswith("'") and _quoted_formula(text):
        return text[1:]
    return text


_SHEET = "Studies"  # the sheet our Excel export writes the table to


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _as_read(text: str) -> str:
    """A cell as the CSV reader must see it: our canonical CSV reader takes one apostrophe
    off ``'=...`` (it undoes `safe_cell`), so text that starts so gets one more."""
    return "'" + text if _quoted_formula(text) else text


def workbook_text(data: bytes, file_name: str = "") -> str | None:
    """The first table of an .xlsx workbook as CSV text (sheet "Studies" if it has one,
    else the first), or None when the bytes are a ZIP file but not a workbook.

    Raises `ReadError` for a workbook that cannot be read. Cells are read as stored
    (a formula as the value Excel saved with it, never run), numbers and dates as text.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "xl/workbook.xml" not in names:
        return None
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > limits.MAX_FILE_BYTES:  # a workbook that unpacks to gigabytes
        raise ReadError(
            f"an Excel workbook that unpacks to {expanded / 1e6:,.0f} MB, over the limit of "
            f"{limits.MAX_FILE_BYTES / 1e6:,.0f} MB; save the sheet as CSV and import that",
            file_name=file_name,
        )
    from python_calamine import CalamineWorkbook

    # calamine (Rust) rather than openpyxl, which took 1.9 ms a row (50k rows: 90 s)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = _SHEET if _SHEET in book.sheet_names else book.sheet_names[0]
        rows = book.get_sheet_by_name(name).to_python()
    except Exception as exc:  # a damaged file raises many kinds  # noqa: BLE001
        raise ReadError(
            f"an Excel workbook that cannot be read ({type(exc).__name__}: {exc}); "
            "open it in Excel and save it again, or save the sheet as CSV",
            file_name=file_name,
        ) from None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([_as_read(_cell_text(v)) for v in row])
    return out.getvalue()
