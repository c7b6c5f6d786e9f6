"""The studies a reviewer filtered, as files: CSV, Excel, RIS and BibTeX (bytes).

One row or entry per study. The CSV starts with the project's canonical columns
(`lib.model.CANONICAL_COLUMNS`, with ``record_id`` = the study id and ``source`` = the
databases that found it), so our own CSV reader reads it back; after them come the
study's group (``study_id``, ``record_ids``, ``n_records``, ``databases``), its codes
(one column per facet, multi-valued facets ``"; "``-joined slugs), ``overridden`` and
``checked``. Excel has the same columns.

Record text comes from exports we do not control, so:

- every text cell of the CSV and Excel files goes through `lib.spreadsheet.safe_cell`
  (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is not run as a formula);
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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lib.model import CANONICAL_COLUMNS
from lib.safe_links import doi_url
from lib.spreadsheet import safe_cell
from lib.views.studies import FACETS, MULTI_FACETS

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

EXPORT_COLUMNS: tuple[str, ...] = (
    *CANONICAL_COLUMNS,
    "study_id",
    "record_ids",
    "n_records",
    "databases",
    *FACETS,
    "overridden",
    "checked",
)
EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in one cell
_TRUNCATED = " [cut: Excel holds 32,767 characters per cell; the CSV export has it all]"
_LIST_COLUMNS = ("record_ids", "databases", *MULTI_FACETS, "overridden")


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


def export_table(studies: pd.DataFrame) -> pd.DataFrame:
    """The studies as the rows of the CSV/Excel export (plain text, not yet neutralised)."""
    sources = {"record_id": "study_id", "source": "databases"}
    out = {column: _column(studies, sources.get(column, column)) for column in EXPORT_COLUMNS}
    if "checked" in studies:
        out["checked"] = ["yes" if v is True else "no" for v in studies["checked"].tolist()]
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


def _excel_cell(value: str) -> str | int:
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    return safe_cell(text)


def to_excel(studies: pd.DataFrame, *, about: Sequence[tuple[str, str]] = ()) -> bytes:
    """An .xlsx workbook: sheet "Studies" (cells neutralised), and "About" if given.

    Written with openpyxl's write-only mode rather than through pandas' ``to_excel``,
    which keeps every cell in memory and was 1.2-1.5 times slower (5k studies: 3.9 s
    against 4.5-5.9 s on the shared machine). Years and record counts stay numbers;
    every text cell goes through `safe_cell`.
    """
    table = export_table(studies)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Studies")
    sheet.append(list(table.columns))
    numeric = {"year", "n_records"}
    columns = list(table.columns)
    for row in table.itertuples(index=False, name=None):
        cells: list[str | int] = []
        for name, value in zip(columns, row, strict=True):
            if name in numeric and value.isdigit():
                cells.append(int(value))
            else:
                cells.append(_excel_cell(value))
        sheet.append(cells)
    if about:
        info = workbook.create_sheet("About")
        for key, value in about:
            info.append([_excel_cell(str(key)), _excel_cell(str(value))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- RIS and BibTeX ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Types:
    ris: str
    bibtex: str
    container: str  # the BibTeX field the journal/container goes in


_TYPES: dict[str, _Types] = {
    "article": _Types("JOUR", "article", "journal"),
    "review": _Types("JOUR", "article", "journal"),
    "erratum": _Types("JOUR", "article", "journal"),
    "editorial": _Types("JOUR", "article", "journal"),
    "letter": _Types("JOUR", "article", "journal"),
    "conference": _Types("CONF", "inproceedings", "booktitle"),
    "chapter": _Types("CHAP", "incollection", "booktitle"),
    "book": _Types("BOOK", "book", "series"),
    "report": _Types("RPRT", "techreport", "institution"),
    "thesis": _Types("THES", "phdthesis", "school"),
    "preprint": _Types("UNPB", "misc", "howpublished"),
    "dataset": _Types("DATA", "misc", "howpublished"),
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


def _codes_note(row: dict[str, object]) -> str:
    parts = [f"study {_line(row.get('study_id'))}"]
    for facet in FACETS:
        value = _line(row.get(facet))
        if value:
            parts.append(f"{facet}: {value}")
    return "Literature review codes: " + "; ".join(parts)


def _rows(studies: pd.DataFrame) -> Iterable[dict[str, object]]:
    columns = {name: studies[name].tolist() for name in studies.columns}
    for i in range(len(studies)):
        yield {name: values[i] for name, values in columns.items()}


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each record (not RIS)."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(studies: pd.DataFrame) -> bytes:
    """RIS (UTF-8), one record per study, written by rispy; codes in an N1 note."""
    entries = []
    for row in _rows(studies):
        types = _TYPES.get(_line(row.get("entrytype")), _TYPES["misc"])
        entry: dict[str, object] = {"type_of_reference": types.ris}
        entry["id"] = _line(row.get("study_id"))
        fields = {
            "title": _line(row.get("title")),
            "year": _line(row.get("year")),
            "secondary_title": _line(row.get("journal")),
            "volume": _line(row.get("volume")),
            "number": _line(row.get("issue")),
            "doi": _line(row.get("doi")),
            "abstract": _line(row.get("abstract")),
            "name_of_database": _line(row.get("databases")),
        }
        authors = _authors(row.get("authors"))
        if authors:
            entry["authors"] = authors
        entry.update({k: v for k, v in fields.items() if v})
        start, end = _pages(_line(row.get("pages")))
        if start:
            entry["start_page"] = start
        if end:
            entry["end_page"] = end
        link = doi_url(row.get("doi"))
        if link:
            entry["urls"] = [link]
        entry["notes"] = [_codes_note(row)]
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
    """BibTeX (UTF-8), one entry per study, written by bibtexparser; unique keys."""
    library = bibtexparser.Library()
    entries: list[Entry] = []
    used: set[str] = set()
    for row in _rows(studies):
        types = _TYPES.get(_line(row.get("entrytype")), _TYPES["misc"])
        authors = _authors(row.get("authors"))
        first = row.get("first_author") or (authors[0] if authors else "")
        base = bibtex_key(first, row.get("year"), row.get("title"))
        key, n = base, 1
        while key.lower() in used:
            n += 1
            key = f"{base}-{n}"
        used.add(key.lower())
        fields: list[tuple[str, str]] = [
            ("title", _latex(row.get("title"))),
            ("author", " and ".join(_bibtex_name(a) for a in authors)),
            ("year", _line(row.get("year"))),
            (types.container, _latex(row.get("journal"))),
            ("volume", _latex(row.get("volume"))),
            ("number", _latex(row.get("issue"))),
            ("pages", _latex(_line(row.get("pages")).replace("-", "--"))),
            ("doi", _latex(row.get("doi"))),
            ("url", doi_url(row.get("doi")) or ""),
            ("abstract", _latex(row.get("abstract"))),
            ("note", _latex(_codes_note(row))),
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
