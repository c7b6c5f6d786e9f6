"""What the Screen page shows: one study's text with the reviewer's terms in two colours,
its details, and the labels of the page's choices.

Record text is hostile input where Streamlit reads Markdown, so every character of it
goes through `lib.views.highlight.escape_piece`; only the colour directives around the
matched terms are Markdown written here (as `lib.views.highlight` does for evidence).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from lib.project import Project
from lib.screening.decisions import Decision
from lib.screening.terms import term_spans
from lib.views.highlight import escape_piece, merge_spans

__all__ = [
    "EXCLUDE_COLOUR",
    "INCLUDE_COLOUR",
    "ORDER_LABELS",
    "STAGE_LABELS",
    "StudyCard",
    "history_table",
    "study_card",
    "terms_markdown",
]

INCLUDE_COLOUR = "green-background"
EXCLUDE_COLOUR = "red-background"
STAGE_LABELS = {"title-abstract": "Title and abstract", "full-text": "Full text"}
ORDER_LABELS = {
    "ranked": "Most likely relevant first",
    "random": "Random order",
    "import": "Order of import",
}


def terms_markdown(text: str, include: list[str], exclude: list[str]) -> str:
    """Markdown showing ``text`` literally on one line, include terms on green and
    exclude terms on red (where both match, include wins: a reviewer must not miss it)."""
    wanted = merge_spans(term_spans(text, include), len(text))
    unwanted = merge_spans(term_spans(text, exclude), len(text))
    cuts = sorted({0, len(text), *(p for s in wanted + unwanted for p in s)})
    parts = []
    for start, end in pairwise(cuts):
        piece = escape_piece(text[start:end])
        colour = (
            INCLUDE_COLOUR
            if any(a <= start and end <= b for a, b in wanted)
            else EXCLUDE_COLOUR
            if any(a <= start and end <= b for a, b in unwanted)
            else ""
        )
        if colour and piece.strip():
            lead = " " if piece.startswith(" ") else ""
            trail = " " if piece.endswith(" ") and len(piece) > 1 else ""
            parts.append(f"{lead}:{colour}[{piece.strip(' ')}]{trail}")
        else:
            parts.append(piece)
    return "".join(parts).strip(" ")


@dataclass(frozen=True, slots=True)
class StudyCard:
    """One study's merged record, as the Screen page shows it."""

    study_id: str
    title: str
    abstract: str
    authors: list[str]
    journal: str
    year: int | None
    doi: str
    databases: list[str]
    record_ids: list[str]

    def byline(self) -> str:
        """Authors (the first six, then how many more) · journal · year, as plain text."""
        names = "; ".join(self.authors[:6])
        if len(self.authors) > 6:
            names += f"; and {len(self.authors) - 6} more"
        parts = [names or "No authors", self.journal or "no journal", str(self.year or "no year")]
        return " · ".join(parts)


def study_card(project: Project, study_id: str) -> StudyCard | None:
    """The study's merged record from the stored groups (one indexed query)."""
    row = project.conn.execute(
        "SELECT title, abstract, authors, journal, year, doi, databases, record_ids "
        "FROM dedupe_studies WHERE study_id = ?",
        (study_id,),
    ).fetchone()
    if row is None:
        return None
    title, abstract, authors, journal, year, doi, databases, record_ids = row
    return StudyCard(
        study_id,
        title,
        abstract,
        json.loads(authors),
        journal,
        year,
        doi,
        json.loads(databases),
        json.loads(record_ids),
    )


def history_table(made: list[Decision]) -> pd.DataFrame:
    """A study's decisions, newest first, for a table (undone ones say when)."""
    rows = [
        {
            "when (UTC)": d.made_at[:16].replace("T", " "),
            "stage": STAGE_LABELS.get(d.stage, d.stage),
            "decision": d.verdict,
            "reason": d.reason,
            "note": d.note,
            "how": d.origin,
            "undone (UTC)": (d.undone_at or "")[:16].replace("T", " "),
        }
        for d in reversed(made)
    ]
    return pd.DataFrame(rows, columns=["when (UTC)", "stage", "decision", "reason", "note", "how",
                                       "undone (UTC)"])  # fmt: skip
