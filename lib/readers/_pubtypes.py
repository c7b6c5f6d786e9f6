"""Publication and document types, as databases name them, turned into `Record.entrytype`.

PubMed ("Published Erratum", "Systematic Review"), Web of Science ("Editorial Material",
"Proceedings Paper"), Embase and PsycINFO through Ovid, ProQuest ("Dissertation/Thesis")
and Cochrane all give a record several types at once ("Journal Article; Review"). The most
specific one wins: a notice (erratum, editorial, letter) over a review over an article.
Names are matched whole, so "Book Review" (a review *of* a book) is not a review article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["entrytype_from_types"]

# Strongest first: the first group any of the record's types falls in decides.
_STRONG: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "erratum",
        frozenset(
            {
                "published erratum",
                "erratum",
                "correction",
                "retraction",
                "retraction of publication",
                "retraction notice",
                "expression of concern",
            }
        ),
    ),
    ("editorial", frozenset({"editorial", "editorial material", "editorial comment"})),
    (
        "letter",
        frozenset({"letter", "letter to the editor", "correspondence", "comment/reply"}),
    ),
    (
        "review",
        frozenset(
            {
                "review",
                "systematic review",
                "meta-analysis",
                "scoping review",
                "literature review",
                "review article",
                "short survey",
                "cochrane review",
                "review of reviews",
                "systematic review and meta-analysis",
            }
        ),
    ),
    ("preprint", frozenset({"preprint"})),
    (
        "conference",
        frozenset(
            {
                "congress",
                "conference",
                "conference paper",
                "conference proceeding",
                "conference proceedings",
                "conference papers & proceedings",
                "conference abstract",
                "conference review",
                "proceedings paper",
                "proceedings",
                "meeting abstract",
                "clinical conference",
                "consensus development conference",
                "consensus development conference, nih",
            }
        ),
    ),
    (
        "chapter",
        frozenset({"book chapter", "chapter", "book section", "book part", "edited book chapter"}),
    ),
    (
        "thesis",
        frozenset(
            {
                "thesis",
                "dissertation",
                "dissertation/thesis",
                "dissertation abstract",
                "dissertations & theses",
                "doctoral thesis",
                "masters thesis",
            }
        ),
    ),
    (
        "book",
        frozenset({"book", "books", "edited book", "authored book", "monograph", "whole book"}),
    ),
    (
        "report",
        frozenset(
            {
                "report",
                "reports",
                "technical report",
                "working paper",
                "working papers",
                "government document",
                "government publication",
            }
        ),
    ),
    ("dataset", frozenset({"dataset", "data set"})),
    (
        "misc",
        frozenset(
            {"book review", "review-book", "software review", "biographical-item", "bibliography"}
        ),
    ),
)
_ARTICLE = frozenset(
    {
        "journal article",
        "article",
        "j",
        "journal",
        "peer reviewed journal",
        "scholarly journals",
        "scholarly journal",
        "randomized controlled trial",
        "clinical trial",
        "research article",
        "article in press",
        "data paper",
        "note",
    }
)
# Only when nothing more specific is said: PubMed tags commentary articles "Comment" too.
_WEAK: dict[str, str] = {"comment": "letter", "news": "misc", "news item": "misc"}

# "Journal Article; Review", "Journal Article. Review.", Embase's "Journal: Review"
_SPLIT = re.compile(r"[;|:]|\.(?:\s|$)")


# Zotero writes item types in camelCase: "journalArticle", "bookSection", "conferencePaper"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _names(types: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in types:
        for part in _SPLIT.split(_CAMEL.sub(" ", value)):
            name = part.strip().strip(".").strip().lower()
            if name:
                out.append(name)
    return out


def entrytype_from_types(types: Iterable[str], default: str = "article") -> str:
    """The entry type the most specific of ``types`` names, else ``default``.

    Each value may hold several types ("Journal Article; Review", "Journal Article.
    Review."); unknown names ("Research Support, Non-U.S. Gov't") are ignored.
    """
    names = set(_names(types))
    if not names:
        return default
    for entrytype, group in _STRONG:
        if names & group:
            return entrytype
    if names & _ARTICLE:
        return "article"
    for name, entrytype in _WEAK.items():
        if name in names:
            return entrytype
    return default
