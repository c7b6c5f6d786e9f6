"""The one record model every reader produces and every later step consumes.

A `Record` is one bibliographic record as one file gave it. It is deliberately flat and
string-typed: exports disagree about everything, so the model keeps the cleaned value of each
field and, in `original`, every field exactly as the file said it, so that nothing the file
said is lost and a later step (deduplication, coding, export) can always look back.

Field conventions (readers must follow them; `lib.fields` has the helpers):

- ``record_id``: the id the input gave (BibTeX key, RIS ``ID``, MEDLINE PMID, WoS ``UT``,
  canonical CSV ``record_id``), else a stable generated one; unique within one ingest run.
- ``entrytype``: one of `ENTRY_TYPES`.
- ``title``, ``journal``, ``abstract``: plain Unicode text; LaTeX, HTML tags and entities
  decoded, runs of white space (non-breaking spaces included) folded to one space.
- ``authors``: ordered list of ``"Family, Given"`` strings (``"Family"`` alone for group
  authors and where no given name is known).
- ``year``: ``int`` or ``None``.
- ``pages``: ``"first-last"`` with a plain hyphen, or a single page / article number.
- ``doi``: lower case, no resolver prefix (``https://doi.org/``, ``doi:``), no trailing
  punctuation; empty when absent.
- ``keywords``: ordered list, as given.
- ``source_db``: the database label the user gave the import ("Scopus"); ``source_file``
  the file name; ``import_id`` the project's import number once stored (``None`` before).
- ``line``: 1-based line (or row) in the file where the record starts, for messages.
- ``incomplete``: empty for a whole record; else why it may be incomplete ("has no title,
  author or DOI", "the file ends inside this record"). Such records are kept, so counts
  reconcile with the export, and shown to the user; deduplication never merges them on
  its own.
- ``original``: every field as read, ``{field name: [values...]}`` in file order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

__all__ = [
    "CANONICAL_COLUMNS",
    "ENTRY_TYPES",
    "EXTRA_COLUMNS",
    "Record",
]

ENTRY_TYPES: tuple[str, ...] = (
    "article",
    "review",
    "conference",
    "chapter",
    "book",
    "report",
    "thesis",
    "preprint",
    "erratum",
    "editorial",
    "letter",
    "dataset",
    "misc",
)

# The project's own CSV: these columns first, in this order (a contract of `lib.cli ingest`).
CANONICAL_COLUMNS: tuple[str, ...] = (
    "record_id",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "abstract",
    "keywords",
    "source",
    "entrytype",
)
# Written after the canonical columns so a round trip through the CSV keeps them.
EXTRA_COLUMNS: tuple[str, ...] = (
    "language",
    "url",
    "issn",
    "isbn",
    "source_file",
    "line",
    "incomplete",
)


@dataclass(slots=True)
class Record:
    """One bibliographic record, as one file gave it (see the module docstring)."""

    record_id: str = ""
    entrytype: str = "misc"
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    url: str = ""
    issn: str = ""
    isbn: str = ""
    source_db: str = ""
    source_file: str = ""
    import_id: int | None = None
    line: int | None = None
    incomplete: str = ""
    original: dict[str, list[str]] = field(default_factory=dict)

    def to_row(self) -> dict[str, str]:
        """The record as one row of the canonical CSV (lists `; `-joined)."""
        return {
            "record_id": self.record_id,
            "title": self.title,
            "authors": "; ".join(self.authors),
            "year": "" if self.year is None else str(self.year),
            "journal": self.journal,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "doi": self.doi,
            "abstract": self.abstract,
            "keywords": "; ".join(self.keywords),
            "source": self.source_db,
            "entrytype": self.entrytype,
            "language": self.language,
            "url": self.url,
            "issn": self.issn,
            "isbn": self.isbn,
            "source_file": self.source_file,
            "line": "" if self.line is None else str(self.line),
            "incomplete": self.incomplete,
        }

    def identifies(self) -> bool:
        """True when the record has what it takes to be found again: a title, an author or
        a DOI. A record without any is kept but marked `incomplete`."""
        return bool(self.title or self.authors or self.doi)

    def is_empty(self) -> bool:
        """True when the record carries nothing that identifies a publication."""
        return not (self.title or self.doi or self.authors or self.journal or self.abstract)


RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Record))
