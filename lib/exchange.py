"""The exchange layout: how the project's exports carry a review's work, and how an
imported file is recognised as one of them.

Every export (CSV, Excel, RIS, BibTeX; `lib.exporting`) holds one *entry* per row. An
entry is a bibliographic record plus the fields below, the same in every format:

- ``layout``: ``record`` (the entry is one record) or ``study`` (it stands for a study);
- ``record_id``: the record's id (layout study: the study id);
- ``source``: the record's database (layout study: empty, see ``databases``);
- ``entrytype``: one of `lib.model.ENTRY_TYPES`;
- ``study_id``: the study the record belongs to (publication groups folded by links);
- ``report_id``: the record's publication (duplicate group) id; the study's main report
  is the one whose id is the study id;
- ``record_ids``, ``n_records``: every record of the study (all its reports), how many;
- ``databases``: the study's databases; ``other_reports``: its other reports' ids;
- ``method`` ... ``peer_role``: the study's codes in force (slugs);
- ``overridden``: the facets a reviewer set by hand; ``checked``: ``yes`` or ``no``;
- ``duplicate_decisions``: a reviewer's deduplication decisions that name this record,
  as ``<kind>:<n>`` tokens (``same:3; other-report:7``); ``split-rest:<n>`` marks the
  rest of the group a split was made against. Records sharing a token were one decision.

Lists are ``"; "``-joined; values are one line. Where each format keeps them:

- **CSV and Excel**: one column per field, named as above, after the canonical columns
  (`lib.model.CANONICAL_COLUMNS`; ``record_id``, ``source``, ``entrytype`` are among them).
- **RIS**: ``ID`` the record id, ``DB`` the source (layout study: the databases),
  ``LB`` the study id, ``M3`` the document type (Review, Erratum ...); ``KW`` the
  record's keywords, then one tag per code, ``<facet>: <code>`` (reference managers
  show them as tags); and every field of the table as one ``N1`` line,
  ``litreview-<field>: <value>`` (``-`` for ``_``: ``N1  - litreview-study-id: 2-s2.0-850``).
- **BibTeX**: ``keywords`` the record's keywords and the code tags (``"; "``-joined),
  ``type`` the document type, and every field as ``litreview-<field> = {value}``. The
  entry key is readable (``smith2015peer``); the record id is in ``litreview-record-id``.

A later field is one more name in `FIELDS` (e.g. ``screening``: ``include``, ``exclude``
or ``maybe``; ``screening_reason``: free text): every writer takes it from the studies
table's column of that name (one entry per study, and on every record of the study),
`read_fields` reads it back, and a step of `lib.project.restore` puts it back (keyed by
study through `lib.project.reports.study_of`, as the codes are).

`read_fields` finds these fields in a record as a reader gave it (`Record.original`) and
`relabel` applies the record-level ones before the records are stored: each record's own
database, its exact entry type, its record id, and its keywords without the code tags.
The rest (groups, codes, decisions) is put back by `lib.project.restore`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lib.facets import FACETS as CODEBOOK_FACETS
from lib.facets import facet_column
from lib.model import ENTRY_TYPES
from lib.readers._latex import latex_to_unicode
from lib.readers.base import ReadResult

__all__ = [
    "CODE_FACETS",
    "FIELDS",
    "LAYOUTS",
    "PREFIX",
    "TAGGED_FIELDS",
    "code_tags",
    "join",
    "read_fields",
    "relabel",
    "split",
    "tag_name",
]

# the coded facets, as columns of the studies table
CODE_FACETS: tuple[str, ...] = tuple(facet_column(f) for f in CODEBOOK_FACETS)

LAYOUTS = ("record", "study")

# after the canonical columns, in this order (CSV/Excel columns; RIS/BibTeX named fields)
FIELDS: tuple[str, ...] = (
    "layout",
    "study_id",
    "report_id",
    "record_ids",
    "n_records",
    "databases",
    "other_reports",
    *CODE_FACETS,
    "overridden",
    "checked",
    "duplicate_decisions",
)
# what RIS and BibTeX carry as named fields: the canonical fields they cannot say exactly,
# then every field of the layout
TAGGED_FIELDS: tuple[str, ...] = ("record_id", "source", "entrytype", *FIELDS)

PREFIX = "litreview-"


def tag_name(field: str) -> str:
    """``study_id`` -> ``litreview-study-id`` (the RIS note key and BibTeX field name)."""
    return PREFIX + field.replace("_", "-")


_FIELD_OF_TAG = {tag_name(f): f for f in TAGGED_FIELDS}
_LAYOUT_TAG = tag_name("layout")


def join(values: Iterable[object]) -> str:
    """A list as one value: ``"; "``-joined, each item on one line."""
    return "; ".join(s for s in (" ".join(str(v).split()) for v in values) if s)


def split(value: str) -> list[str]:
    """A ``"; "``-joined value as its items (empty items dropped)."""
    return [part.strip() for part in value.split(";") if part.strip()]


def code_tags(fields: Mapping[str, object]) -> list[str]:
    """The code tags of an entry, ``"population: women"``, in facet order; an "unclear"
    single value is not a tag. ``fields`` holds each facet as a list or joined text."""
    tags: list[str] = []
    for facet in CODE_FACETS:
        value = fields.get(facet)
        items = split(value) if isinstance(value, str) else list(value or ())
        tags += [f"{facet}: {item}" for item in items if item and item != "unclear"]
    return tags


def read_fields(original: Mapping[str, list[str]]) -> dict[str, str] | None:
    """The exchange fields of one record as a reader gave it (`Record.original`), or None
    when the record is not from one of our exports (it has no ``layout``)."""
    if _LAYOUT_TAG in original:  # BibTeX: named fields, LaTeX-escaped
        out = {}
        for key, values in original.items():
            field = _FIELD_OF_TAG.get(key)
            if field and values:
                out[field] = " ".join(latex_to_unicode(values[0]).split())
        return out if out.get("layout") in LAYOUTS else None
    notes = original.get("N1")
    if notes and any(n.startswith(PREFIX) for n in notes):  # RIS: "litreview-x: value" notes
        out = {}
        for note in notes:
            key, sep, value = note.partition(":")
            field = _FIELD_OF_TAG.get(key.strip())
            if sep and field:
                out[field] = value.strip()
        return out if out.get("layout") in LAYOUTS else None
    if "layout" in original and "study_id" in original:  # CSV/Excel: columns
        out = {f: (original[f][0] if original.get(f) else "").strip() for f in TAGGED_FIELDS}
        out = {k: v for k, v in out.items() if k in original}
        return out if out.get("layout") in LAYOUTS else None
    return None


def relabel(result: ReadResult) -> None:
    """Apply our exports' record-level fields to the records a reader just read, and say
    so in the read's notes (nothing happens to records that are not from our exports).

    Each record of layout ``record`` takes its own database (a label the user gives the
    import still wins, as for any table that names each record's database), its exact
    entry type and its record id; every entry loses the code tags from its keywords (they
    are codes, not the authors' keywords). The file names no exporter (the databases our
    notes mention are not who wrote it), and our field names are not "not understood".
    """
    n = 0
    layouts: set[str] = set()
    for rec in result.records:
        fields = read_fields(rec.original)
        if fields is None:
            continue
        n += 1
        layouts.add(fields["layout"])
        if fields.get("record_id"):
            rec.record_id = fields["record_id"]
        if fields.get("entrytype") in ENTRY_TYPES:
            rec.entrytype = fields["entrytype"]
        if fields["layout"] == "record":
            rec.source_db = fields.get("source", "")
        tags = set(code_tags(fields))
        if tags:
            rec.keywords = [k for k in rec.keywords if k not in tags]
    if not n:
        return
    result.exporter = ""
    for name in list(result.unknown_fields):
        if name in _FIELD_OF_TAG or name in FIELDS:
            del result.unknown_fields[name]
    if layouts == {"record"}:
        result.notes.append(
            f"{n} records come from this tool's export (one entry per record): each keeps "
            "its own database and entry type; its study, duplicate group, codes, checks "
            "and duplicate decisions are put back once imported"
        )
    else:
        result.notes.append(
            f"{n} entries come from this tool's export (one entry per study): their codes "
            "and checks are put back once imported; the records each study was merged from "
            "are not in such a file (export every record to move duplicate groups)"
        )
