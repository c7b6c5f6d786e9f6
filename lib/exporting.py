"""The studies a reviewer filtered, as files: CSV, Excel, RIS and BibTeX (bytes).

Each file holds one entry per study (a studies table, `lib.views.studies`, is written in
layout ``study``) or one per record (a table of record entries from
`lib.views.exports.record_entries`, layout ``record``), with the fields of the exchange
layout (`lib.exchange`): study, duplicate group, databases, codes, checks and decisions,
in places the project's own readers understand, so that importing the file into another
project gives the same studies, groups, codes and decisions back (`lib.project.restore`).
The CSV starts with the project's canonical columns (`lib.model.CANONICAL_COLUMNS`), so
any canonical CSV reader reads it; Excel has the same columns.

Record text comes from exports we do not control, so:

- every CSV cell goes through `lib.spreadsheet.safe_cell` (a cell starting with ``=``,
  ``+``, ``-``, ``@``, tab or CR gets an apostrophe, and is not run as a formula);
  Excel cells are typed: text is stored as text, formula-like text with Excel's "quote
  prefix" (shown and edited as text, no apostrophe in sight), numbers as numbers;
- RIS is line-based, so line breaks inside values are folded to spaces (a title cannot
  end its record and start another);
- BibTeX values have LaTeX's special characters escaped and their braces balanced, so a
  title cannot close its field or the entry; keys are ASCII and unique.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import bibtexparser
import numpy as np
import pandas as pd
import rispy
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.model import Entry, Field
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lib.exchange import FIELDS, TAGGED_FIELDS, code_tags, join, split, tag_name
from lib.model import CANONICAL_COLUMNS
from lib.safe_links import doi_url
from lib.spreadsheet import FORMULA_STARTS, safe_cell

__all__ = [
    "EXPORT_COLUMNS",
    "FORMATS",
    "ExportFormat",
    "bibtex_key",
    "export",
    "export_file_name",
    "export_table",
    "to_bibtex",
    "to_csv",
    "to_excel",
    "to_ris",
]

EXPORT_COLUMNS: tuple[str, ...] = (*CANONICAL_COLUMNS, *FIELDS)
EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in one cell
_TRUNCATED = " [cut: Excel holds 32,767 characters per cell; the CSV export has it all]"
_NUMERIC = frozenset({"year", "n_records"})  # stored as numbers in Excel


# -- the table ---------------------------------------------------------------------------------
def _text(value: object) -> str:
    """A cell as text: lists ``"; "``-joined, missing as ""."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(v if isinstance(v, str) else _text(v) for v in value if v is not None)
    return str(value)


def _column(studies: pd.DataFrame, name: str) -> list[str]:
    """One column as text cells (vectorised for plain text columns, which are most)."""
    if name not in studies:
        return [""] * len(studies)
    column = studies[name]
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        return column.fillna("").astype(str).tolist()
    if pd.api.types.is_integer_dtype(column.dtype):
        return column.astype("string").fillna("").astype(str).tolist()
    return [_text(v) for v in column.to_numpy(dtype=object)]


def _lists(studies: pd.DataFrame, name: str) -> list[list[str]]:
    if name not in studies:
        return [[] for _ in range(len(studies))]
    return [list(v) if isinstance(v, list | tuple | np.ndarray) else [] for v in studies[name]]


def export_table(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the export as plain text (not yet neutralised), in `EXPORT_COLUMNS`.

    A table with a ``layout`` column is already made of entries (record layout) and is
    only put in column order; a studies table becomes one entry per study.
    """
    if "layout" in table:
        return pd.DataFrame(
            {column: _column(table, column) for column in EXPORT_COLUMNS},
            columns=list(EXPORT_COLUMNS),
            dtype=object,
        )
    n = len(table)
    every = [
        own + other
        for own, other in zip(
            _lists(table, "record_ids"), _lists(table, "other_record_ids"), strict=True
        )
    ]
    sources = {"record_id": "study_id", "report_id": "study_id"}
    out = {column: _column(table, sources.get(column, column)) for column in EXPORT_COLUMNS}
    out["layout"] = ["study"] * n
    out["source"] = [""] * n  # one study, several databases: they are in `databases`
    out["record_ids"] = [join(ids) for ids in every]
    out["n_records"] = [str(len(ids)) for ids in every]
    if "checked" in table:
        out["checked"] = ["yes" if v is True else "no" for v in table["checked"].tolist()]
    return pd.DataFrame(out, columns=list(EXPORT_COLUMNS), dtype=object)


def to_csv(studies: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads accents right), cells neutralised."""
    table = export_table(studies)
    safe = pd.DataFrame(
        {column: [safe_cell(v) for v in table[column].tolist()] for column in table.columns},
        dtype=object,
    )
    text = safe.to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return ("\ufeff" + text).encode("utf-8")


def _excel_text(value: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    return text


class _Cells:
    """Typed Excel cells for one write-only sheet: text that a spreadsheet would read as
    a formula is stored as text with the quote prefix (Excel shows no apostrophe and
    keeps it text when edited), whole numbers in number columns as numbers."""

    def __init__(self, sheet: object) -> None:
        self.sheet = sheet

    def __call__(self, value: str, numeric: bool = False) -> object:
        if numeric and value.isdigit():
            return int(value)
        text = _excel_text(value)
        if text.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.data_type = "s"  # openpyxl would store "=..." as a formula
            cell.quotePrefix = True
            return cell
        return text


_WIDTHS = {"title": 60, "abstract": 80, "authors": 40, "journal": 36}


def _widths(table: pd.DataFrame, sample: int = 500) -> list[float]:
    """Column widths (in characters) that fit most of the first rows, within 8-50."""
    widths = []
    for column in table.columns:
        if column in _WIDTHS:
            widths.append(_WIDTHS[column])
            continue
        lengths = sorted(len(v) for v in table[column].tolist()[:sample])
        typical = lengths[int(len(lengths) * 0.9)] if lengths else 0
        widths.append(float(min(max(typical, len(column), 6) + 2, 50)))
    return widths


def to_excel(
    studies: pd.DataFrame,
    *,
    about: Sequence[tuple[str, str]] = (),
    sheets: Sequence[tuple[str, pd.DataFrame]] = (),
) -> bytes:
    """An .xlsx workbook: sheet "Studies", "About" if given, then any further ``sheets``
    (name, table: e.g. the PRISMA counts), each with a bold header.

    The header is bold and frozen, every column filters (autofilter) and has a width
    fitted to its content. Written with openpyxl's write-only mode rather than through
    pandas' ``to_excel``, which keeps every cell in memory and was 1.2-1.5 times slower
    (5k studies: 3.9 s against 4.5-5.9 s on the shared machine).
    """
    table = export_table(studies)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Studies")
    columns = list(table.columns)
    for i, width in enumerate(_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    last = f"{get_column_letter(len(columns))}{len(table) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    cell = _Cells(sheet)
    bold = Font(bold=True)
    header = []
    for name in columns:
        head = WriteOnlyCell(sheet, value=name)
        head.font = bold
        header.append(head)
    sheet.append(header)
    numeric = [name in _NUMERIC for name in columns]
    for row in table.itertuples(index=False, name=None):
        sheet.append([cell(value, num) for value, num in zip(row, numeric, strict=True)])
    if about:
        info = workbook.create_sheet("About")
        info_cell = _Cells(info)
        info.column_dimensions["A"].width = 16
        info.column_dimensions["B"].width = 80
        for key, value in about:
            info.append([info_cell(str(key)), info_cell(str(value))])
    for name, extra in sheets:
        more = workbook.create_sheet(name)
        more_cell = _Cells(more)
        for i, width in enumerate(_widths(extra.astype(str)), start=1):
            more.column_dimensions[get_column_letter(i)].width = width
        heads = []
        for column in extra.columns:
            head = WriteOnlyCell(more, value=str(column))
            head.font = bold
            heads.append(head)
        more.append(heads)
        kinds = [pd.api.types.is_integer_dtype(extra[c].dtype) for c in extra.columns]
        for row in extra.itertuples(index=False, name=None):
            more.append([more_cell(str(v), num) for v, num in zip(row, kinds, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- RIS and BibTeX ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Types:
    ris: str
    bibtex: str
    container: str  # the BibTeX field the journal/container goes in
    document: str = ""  # RIS M3 / BibTeX type: what the reference type cannot say


_TYPES: dict[str, _Types] = {
    "article": _Types("JOUR", "article", "journal"),
    "review": _Types("JOUR", "article", "journal", "Review"),
    "erratum": _Types("JOUR", "article", "journal", "Erratum"),
    "editorial": _Types("JOUR", "article", "journal", "Editorial"),
    "letter": _Types("JOUR", "article", "journal", "Letter"),
    "conference": _Types("CONF", "inproceedings", "booktitle"),
    "chapter": _Types("CHAP", "incollection", "booktitle"),
    "book": _Types("BOOK", "book", "series"),
    "report": _Types("RPRT", "techreport", "institution"),
    "thesis": _Types("THES", "phdthesis", "school"),
    "preprint": _Types("UNPB", "misc", "howpublished", "Preprint"),
    "dataset": _Types("DATA", "misc", "howpublished", "Dataset"),
    "misc": _Types("GEN", "misc", "howpublished"),
}


def _line(value: object) -> str:
    """One line of text: every run of white space (line breaks too) is one space."""
    return " ".join(_text(value).split())


def _authors(value: object) -> list[str]:
    return [a for a in (_line(x) for x in _text(value).split(";")) if a]


def _pages(value: str) -> tuple[str, str]:
    first, sep, last = value.partition("-")
    return (first.strip(), last.strip()) if sep else (value.strip(), "")


_BREAKS = re.compile(r"[\t\n\x0b\x0c\r]|  |^ | $")


def _one_line(text: str) -> str:
    """`_line` for text, with a fast path for text that is one line already."""
    if text.isascii() and not _BREAKS.search(text):
        return text
    return " ".join(text.split())  # every Unicode space and line break (U+2028 too)


def _rows(table: pd.DataFrame) -> Iterable[dict[str, str]]:
    """The export's entries as dicts of one-line text."""
    text = export_table(table)
    columns = {name: [_one_line(v) for v in text[name].tolist()] for name in text.columns}
    for i in range(len(text)):
        yield {name: values[i] for name, values in columns.items()}


def _keywords(row: dict[str, str]) -> list[str]:
    """The record's keywords, then its code tags (``"method: qualitative"``)."""
    own = split(row["keywords"])
    seen = set(own)
    return own + [tag for tag in code_tags(row) if tag not in seen]


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each record (not RIS)."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(studies: pd.DataFrame) -> bytes:
    """RIS (UTF-8), written by rispy, in the layout of `lib.exchange`: ID, DB (database),
    LB (study), M3 (document type), KW (keywords and code tags), N1 (every field)."""
    entries = []
    for row in _rows(studies):
        types = _TYPES.get(row["entrytype"], _TYPES["misc"])
        entry: dict[str, object] = {"type_of_reference": types.ris, "id": row["record_id"]}
        fields = {
            "title": row["title"],
            "year": row["year"],
            "secondary_title": row["journal"],
            "volume": row["volume"],
            "number": row["issue"],
            "doi": row["doi"],
            "abstract": row["abstract"],
            "type_of_work": types.document,
            "name_of_database": row["source"] or row["databases"],
            "label": row["study_id"],
        }
        authors = _authors(row["authors"])
        if authors:
            entry["authors"] = authors
        entry.update({k: v for k, v in fields.items() if v})
        start, end = _pages(row["pages"])
        if start:
            entry["start_page"] = start
        if end:
            entry["end_page"] = end
        keywords = _keywords(row)
        if keywords:
            entry["keywords"] = keywords
        link = doi_url(row["doi"])
        if link:
            entry["urls"] = [link]
        entry["notes"] = [f"{tag_name(f)}: {row[f]}" for f in TAGGED_FIELDS if row[f]]
        entries.append(entry)
    return rispy.dumps(entries, implementation=_RisWriter).encode("utf-8")


# LaTeX's special characters, as our own reader (and LaTeX) reads them back.
_LATEX = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
}


_LATEX_TABLE = str.maketrans(_LATEX)
_LATEX_SPECIAL = re.compile(r"[\\%&$#_~{}]")


# TeX ligatures that would change the text: "--" is a dash, "``" and "''" are quotes,
# "?`" and "!`" are Spanish question and exclamation marks. An empty group between the
# characters keeps them as typed.
_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[?!](?=`))")


def _latex(value: object) -> str:
    """Text as a BibTeX value: specials escaped; braces escaped and kept balanced.

    BibTeX counts every brace, escaped or not, to find where a value ends, so a pair of
    literal braces becomes ``\\{...\\}`` and a lone one ``\\textbraceleft{}``/
    ``\\textbraceright{}``: no title can close its field early.
    """
    text = _line(value)
    if _LATEX_SPECIAL.search(text):
        text = _escape_specials(text)
    if "--" in text or "`" in text or "''" in text:
        text = _LIGATURE.sub(r"\1{}", text)
    return text


def _escape_specials(text: str) -> str:
    if "{" not in text and "}" not in text:
        return text.translate(_LATEX_TABLE)
    opening: list[int] = []
    lone: set[int] = set()
    for i, char in enumerate(text):
        if char == "{":
            opening.append(i)
        elif char == "}":
            if opening:
                opening.pop()
            else:
                lone.add(i)
    lone.update(opening)
    out = []
    for i, char in enumerate(text):
        if char in "{}":
            if i in lone:
                out.append(r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
            else:
                out.append("\\" + char)
        else:
            out.append(_LATEX.get(char, char))
    return "".join(out)


def _bibtex_name(name: str) -> str:
    """One "Family, Given" name in BibTeX's "von Last, Jr, First" order, escaped."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) >= 3:  # "Smith, J. A., Jr."
        family, given, junior = parts[0], parts[1], ", ".join(parts[2:])
        return f"{_latex(family)}, {_latex(junior)}, {_latex(given)}"
    if len(parts) == 2 and parts[1]:
        return f"{_latex(parts[0])}, {_latex(parts[1])}"
    # a group author ("Department of Health and Social Care"): one braced unit, so that
    # its "and" does not split it and its words are not read as given and family names
    return "{" + _latex(parts[0]) + "}"


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


_STOP = frozenset("a an the of on in and for to with from by at is are".split())


def bibtex_key(first_author: object, year: object, title: object) -> str:
    """``smith2015peer``: author's family name, year and first title word, ASCII only."""
    family = _ascii_word(_line(first_author).split(",")[0]) or "anon"
    year_text = _line(year)
    year_part = year_text if year_text.isdigit() else "nd"
    word = ""
    for candidate in _line(title).split():
        folded = _ascii_word(candidate)
        if folded and folded not in _STOP:
            word = folded
            break
    return f"{family[:30]}{year_part}{word[:20]}"


def to_bibtex(studies: pd.DataFrame) -> bytes:
    """BibTeX (UTF-8), written by bibtexparser, in the layout of `lib.exchange`: unique
    readable keys, ``keywords`` (keywords and code tags), ``type`` (document type) and
    every field as ``litreview-<field>``."""
    library = bibtexparser.Library()
    entries: list[Entry] = []
    used: set[str] = set()
    for row in _rows(studies):
        types = _TYPES.get(row["entrytype"], _TYPES["misc"])
        authors = _authors(row["authors"])
        base = bibtex_key(authors[0] if authors else "", row["year"], row["title"])
        key, n = base, 1
        while key.lower() in used:
            n += 1
            key = f"{base}-{n}"
        used.add(key.lower())
        fields: list[tuple[str, str]] = [
            ("title", _latex(row["title"])),
            ("author", " and ".join(_bibtex_name(a) for a in authors)),
            ("year", row["year"]),
            (types.container, _latex(row["journal"])),
            ("volume", _latex(row["volume"])),
            ("number", _latex(row["issue"])),
            ("pages", _latex(row["pages"].replace("-", "--"))),
            ("doi", _latex(row["doi"])),
            ("url", doi_url(row["doi"]) or ""),
            ("abstract", _latex(row["abstract"])),
            ("keywords", _latex("; ".join(_keywords(row)))),
            ("type", types.document),
            *((tag_name(f), _latex(row[f])) for f in TAGGED_FIELDS),
        ]
        entry = Entry(types.bibtex, key, [Field(name, value) for name, value in fields if value])
        entries.append(entry)
    library.add(entries)  # at once: each `add` looks for duplicate keys in the whole library
    # bibtexparser's default stack deep-copies every entry before adding the braces (half
    # the time of a large export); the library is ours and thrown away, so edit in place.
    enclose = AddEnclosingMiddleware(
        reuse_previous_enclosing=False,
        enclose_integers=True,
        default_enclosing="{",
        allow_inplace_modification=True,
    )
    return bibtexparser.write_string(library, unparse_stack=[enclose]).encode("utf-8")


# -- one entry point -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One downloadable format: what the button says, the file suffix and MIME type."""

    name: str
    label: str
    suffix: str
    mime: str
    write: Callable[[pd.DataFrame], bytes]


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "CSV", ".csv", "text/csv", to_csv),
        ExportFormat(
            "xlsx",
            "Excel",
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            to_excel,
        ),
        ExportFormat("ris", "RIS", ".ris", "application/x-research-info-systems", to_ris),
        ExportFormat("bibtex", "BibTeX", ".bib", "application/x-bibtex", to_bibtex),
    )
}


def export(studies: pd.DataFrame, format_name: str) -> bytes:
    """The studies in one of `FORMATS` (by name); `ValueError` for an unknown format."""
    found = FORMATS.get(format_name)
    if found is None:
        raise ValueError(f"unknown export format {format_name!r}; choose {', '.join(FORMATS)}")
    return found.write(studies)


def export_file_name(project_name: str, format_name: str, count: int) -> str:
    """``peer-support-studies-120.ris``: a file name safe on every system."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", _ascii_fold(project_name)).strip("-_") or "studies"
    return f"{stem[:60]}-studies-{count}{FORMATS[format_name].suffix}"


def _ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
