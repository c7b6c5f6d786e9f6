"""One study for the Study page: its merged record, citation, evidence and tables.

The page picks a study and draws widgets; everything it shows is computed here, without
Streamlit: which study a record belongs to, the picker's labels, the merged record of a
study's records, its evidence per facet (identical lines said once, with how often),
and the tables of fields, source records and corrections. All plain text: the page shows
it with ``st.text``/``st.dataframe``, or through `lib.views.highlight` where record text
must be Markdown to be coloured.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.coding import Evidence
from lib.dedupe.merge import merge_group
from lib.model import Record
from lib.project import Project
from lib.safe_links import study_link
from lib.views.compare import COMPARED_FIELDS

__all__ = [
    "DEMO_PREFIX",
    "FIELD_ROWS",
    "MAX_PHRASES",
    "OtherReport",
    "chosen_codes",
    "citation",
    "corrections_table",
    "evidence_lines",
    "field_table",
    "merged_study",
    "other_report_items",
    "other_reports",
    "picker_label",
    "picker_labels",
    "picker_options",
    "source_table",
    "step",
    "study_of_record",
    "sync",
]

MAX_PHRASES = 6  # evidence lines listed per facet (the rest are counted)
DEMO_PREFIX = "[Demo summary]"  # how the demo's own summaries begin
_LABELS = {**dict(COMPARED_FIELDS), "issn": "ISSN", "isbn": "ISBN", "url": "URL"}
# (Record attribute, label): the fields listed under "All fields", labelled as on the
# Duplicates page (`lib.views.compare`).
_SHOWN = "entrytype authors year journal volume issue pages doi language issn isbn url keywords"
FIELD_ROWS = tuple((attr, _LABELS[attr]) for attr in _SHOWN.split())


def study_of_record(studies: pd.DataFrame) -> dict[str, str]:
    """record id -> the id of the study it belongs to (its other reports' records too)."""
    out: dict[str, str] = {}
    for column in ("record_ids", "other_record_ids"):
        for sid, rids in zip(studies["study_id"], studies[column], strict=True):
            for rid in rids:
                out[rid] = sid
    return out


def picker_label(row: Mapping[str, Any]) -> str:
    """How a study is listed in the picker: title, first author and year."""
    year = "" if pd.isna(row["year"]) else f", {row['year']}"
    title = str(row["title"] or "")[:110] or "(no title)"
    return f"{title} ({row['first_author'] or 'no author'}{year})"


def picker_labels(by_id: pd.DataFrame, ids: Sequence[str]) -> dict[str, str]:
    """`picker_label` of each study of ``ids`` (a table indexed by study id), at once:
    a label per option, row by row, took a tenth of a second per run at 50k studies."""
    rows = by_id.loc[list(ids), ["title", "first_author", "year"]]
    return {
        sid: picker_label({"title": title, "first_author": author, "year": year})
        for sid, title, author, year in zip(
            ids, rows["title"], rows["first_author"], rows["year"], strict=True
        )
    }


def merged_study(
    study_id: str, record_ids: Iterable[str], records: Mapping[str, Record]
) -> tuple[Record, list[Record]]:
    """The study's merged record and its member records, in the order they arrived."""
    members = [records[rid] for rid in record_ids if rid in records]
    if len(members) > 1:
        arrival = {rid: i for i, rid in enumerate(records)}
        members.sort(key=lambda rec: arrival.get(rec.record_id, 0))
    study = merge_group(study_id, members).record if members else Record(record_id=study_id)
    return study, members


def citation(study: Record) -> str:
    """Authors on one line; year, journal, volume, issue and pages on the next."""
    byline = "; ".join(study.authors) or "No authors"
    where = ", ".join(
        part
        for part in (
            str(study.year or ""),
            study.journal,
            f"vol. {study.volume}" if study.volume else "",
            f"issue {study.issue}" if study.issue else "",
            f"pp. {study.pages}" if study.pages else "",
        )
        if part
    )
    return f"{byline}\n{where}"


def evidence_lines(
    evidence: Sequence[Evidence],
    facet: str,
    label_of: Callable[[str], str],
    limit: int = MAX_PHRASES,
) -> list[str]:
    """The facet's evidence as lines ``Code: 'phrase' (field)``; a line found several
    times is listed once with ``×n`` (most found first), beyond ``limit`` lines counted."""
    name = facet.replace("_", "-")
    found = Counter(
        (e.code, e.phrase.strip(), e.field) for e in evidence if e.facet in (facet, name)
    )
    lines = [
        f"{label_of(code)}: '{phrase}' ({field})" + (f" ×{n}" if n > 1 else "")
        for (code, phrase, field), n in found.most_common()
    ]
    if len(lines) > limit:
        lines = [*lines[:limit], f"… and {len(lines) - limit} more"]
    return lines


def field_table(study: Record, databases: Sequence[str], study_id: str) -> pd.DataFrame:
    """Every non-empty field of the merged record, then databases and the study id."""
    rows = []
    for attr, label in FIELD_ROWS:
        value = getattr(study, attr)
        text = (
            "; ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        )
        if text:
            rows.append({"field": label, "value": text})
    rows.append({"field": "Databases", "value": ", ".join(databases)})
    rows.append({"field": "Study id", "value": study_id})
    return pd.DataFrame(rows, columns=["field", "value"])


def source_table(members: Sequence[Record]) -> pd.DataFrame:
    """One row per record of the study: where it came from and what it says."""
    return pd.DataFrame(
        [
            {
                "database": rec.source_db,
                "file": rec.source_file,
                "line": rec.line,
                "record id": rec.record_id,
                "title": rec.title,
                "year": rec.year,
                "DOI": rec.doi,
            }
            for rec in members
        ],
        columns=["database", "file", "line", "record id", "title", "year", "DOI"],
    )


def corrections_table(
    history: Sequence[Mapping[str, Any]],
    facet_label: Callable[[str], str],
    labels: Callable[[str, Sequence[str]], str],
) -> pd.DataFrame:
    """A study's corrections, newest first, with the note each was saved with."""

    def when(value: object) -> str:
        return str(value or "")[:16].replace("T", " ")

    return pd.DataFrame(
        [
            {
                "when": when(h["made_at"]),
                "code": facet_label(h["facet"]),
                "set to": labels(h["facet"], h["codes"]),
                "was": labels(h["facet"], h["previous"]),
                "note": h["note"],
                "undone": when(h["undone_at"]),
            }
            for h in reversed(history)
        ],
        columns=["when", "code", "set to", "was", "note", "undone"],
    )


# -- the page's widgets' state (Streamlit's session state is a mutable mapping) ----------------
def sync(session: MutableMapping[str, Any], key: str, value: object, study_id: str) -> None:
    """Show ``value`` in widget ``key`` whenever the study or its stored value changed.

    Widgets keep what the reviewer last chose; after an undo, or a change made in another
    session, they must show the stored value instead.
    """
    marker = (study_id, repr(value))
    if session.get(f"_shown_{key}") != marker:
        session[key] = value
        session[f"_shown_{key}"] = marker


def step(
    session: MutableMapping[str, Any], options: Sequence[str], current: str, delta: int
) -> None:
    """Pick the study ``delta`` places from ``current`` in ``options`` (wrapping round)."""
    at = options.index(current) if current in options else 0
    session["study_pick"] = options[(at + delta) % len(options)]


def chosen_codes(session: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    """The codes a facet's widgets show: one widget's value (a code or a list of codes),
    or one checkbox per code, keyed ``<widget>:<code>``, for the boxes that are ticked."""
    if len(keys) == 1:
        value = session.get(keys[0])
        return [value] if isinstance(value, str) else list(value or [])
    return [key.split(":", 1)[1] for key in keys if session.get(key)]


def picker_options(
    session: MutableMapping[str, Any], options: list[str], studies: set[str], first: str
) -> list[str]:
    """The picker's options with the study picked in ``session`` among them (the first
    option, or ``first``, when the pick is no study of the project any more)."""
    current = session.get("study_pick")
    if current not in studies:
        current = options[0] if options else first
        session["study_pick"] = current
    return options if current in options else [current, *options]


def other_reports(
    links: Iterable[Any], members: Sequence[Record], owners: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The study's links to other reports: ``(line to show, the other report's study)``."""
    inside = {rec.record_id for rec in members}
    out = []
    for link in links:
        if link.a not in inside and link.b not in inside:
            continue
        other = link.b if link.a in inside else link.a
        by = "you" if link.decision_id else "the matcher"
        out.append((f"{other} · {link.reason} · linked by {by}", owners.get(other, other)))
    return out


@dataclass(frozen=True, slots=True)
class OtherReport:
    """An other report folded into a study: what it is, where to open it, its records."""

    group: str  # its publication group's id
    label: str  # "Erratum: <title> (2024)", plain text
    link: str | None  # its DOI or https URL, to open the publication
    record_ids: list[str]
    why: list[str]  # its links: "<its record> ↔ <the study's> · <reason> · linked by <who>"


def other_report_items(groups: pd.DataFrame, links: Iterable[Any]) -> list[OtherReport]:
    """The study's other reports from their groups (`lib.project.duplicates.groups_of` of
    its ``other_reports``), each with the links that tie it to the study."""
    items = []
    links = list(links)
    for row in groups.itertuples(index=False):
        inside = set(row.record_ids)
        why = [
            f"{mine} ↔ {theirs} · {link.reason} · linked by "
            + ("you" if link.decision_id else "the matcher")
            for link in links
            if (link.a in inside) != (link.b in inside)
            for mine, theirs in [(link.a, link.b) if link.a in inside else (link.b, link.a)]
        ]
        kind = str(row.entrytype or "report").replace("-", " ").capitalize()
        year = "" if pd.isna(row.year) else f" ({row.year})"
        label = f"{kind}: {row.title or '(no title)'}{year}"
        items.append(
            OtherReport(row.study_id, label, study_link(row.doi), list(row.record_ids), why)
        )
    return items


_STAGE_NAMES = {"title-abstract": "title/abstract", "full-text": "full text"}
_VERDICT_WORDS = {"include": "included", "exclude": "excluded", "maybe": "maybe",
                  "conflict": "conflicting decisions"}  # fmt: skip


def screening_text(project: Project, study_id: str) -> str:
    """The study's screening decisions in force, in words, for the Study page:
    "Screening: title/abstract included (2026-12-07) · full text excluded: Wrong
    population (2026-12-08)". Says so when the study is not screened yet."""
    from lib.screening.decisions import FULL_TEXT, TITLE_ABSTRACT
    from lib.screening.queue import current

    made = project.conn.execute("SELECT 1 FROM screen_decisions LIMIT 1").fetchone()
    screening = current(project) if made else None
    parts = []
    for stage in (TITLE_ABSTRACT, FULL_TEXT):
        status = screening.of(study_id, stage) if screening else None
        if status is None:
            if stage == TITLE_ABSTRACT:
                return "Screening: not screened yet."
            if parts and screening and screening.of(study_id).verdict == "include":
                parts.append("full text: not assessed yet")
            continue
        text = f"{_STAGE_NAMES[stage]} {_VERDICT_WORDS.get(status.verdict, status.verdict)}"
        if status.reason:
            text += f": {status.reason}"
        if status.note:
            text += f" (note: {status.note})"
        text += f", {status.latest.made_at[:10]}"
        parts.append(text)
    return "Screening: " + " · ".join(parts) + "."
