"""Cells that are safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (CSV injection). Record text comes from
exports we do not control, so every cell written for spreadsheets goes through
`safe_cell`, which prefixes such a cell with an apostrophe, the convention spreadsheets
show as a literal. Readers of our own canonical CSV strip that apostrophe again.
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "safe_cell", "unsafe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, neutralised if a spreadsheet would read it as a formula.

    Text that already starts with an apostrophe before a formula character gets one
    more, so that `unsafe_cell` gives back exactly what was written.
    """
    text = "" if value is None else str(value)
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
