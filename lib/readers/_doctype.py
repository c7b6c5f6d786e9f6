"""A coarse entry type made precise by the document type a database wrote beside it.

A BibTeX ``@article`` from Web of Science says ``Type = {Review}``, Scopus says
``document_type={Editorial}``, an EndNote ``%9`` says "Letter", and Google Scholar files
arXiv papers as ``@article`` in "arXiv preprint arXiv:2003.05580". Reviewers sort and
exclude on exactly these, so the BibTeX and refer readers refine their entry type here;
the names themselves are matched by `lib.readers._pubtypes` (shared with the other
readers, so every format agrees on what "Proceedings Paper" or "Book Review" is).
"""

from __future__ import annotations

import re

from lib.readers._pubtypes import entrytype_from_types

__all__ = ["PREPRINT_VENUE", "refine_entry_type"]

# Entry types a document type may refine; a thesis, report or chapter stays what it is.
_REFINABLE = frozenset({"article", "misc", "conference"})

PREPRINT_VENUE = re.compile(
    r"\b(arxiv|biorxiv|medrxiv|psyarxiv|socarxiv|osf preprints|ssrn|research square|preprints?)\b",
    re.IGNORECASE,
)
"""A journal or container name that is really a preprint server."""


def refine_entry_type(entrytype: str, document_type: str, venue: str = "") -> str:
    """``entrytype``, made precise by a database's document type or a preprint venue."""
    if entrytype not in _REFINABLE:
        return entrytype
    refined = (
        entrytype_from_types([document_type], default=entrytype) if document_type else entrytype
    )
    if refined == "article" and entrytype == "conference":
        refined = entrytype  # "Article" said of a conference paper adds nothing
    if refined in ("article", "misc") and venue and PREPRINT_VENUE.search(venue):
        return "preprint"
    return refined
