"""What the Duplicates page says and lists: decisions, records, groups and links in words.

Pure functions over records and decisions (no Streamlit), so the page stays a page and
the words are tested. Record text goes into tables (``st.dataframe``, which never reads
Markdown) or through `lib.textsafe.escape_markdown` where a message reads Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib import pipeline
from lib.dedupe import Link
from lib.model import Record
from lib.project import Project, ProjectError, duplicates, open_project
from lib.project.duplicates import Contradiction
from lib.views.bulk_decisions import accept_pairs

__all__ = [
    "KIND_LABELS",
    "Outcome",
    "accept",
    "decide",
    "decided_message",
    "decision_text",
    "flow_caption",
    "link_rows",
    "members_table",
    "question",
    "record_line",
    "reports_of_study",
    "study_members",
    "undo",
    "undone_table",
]

KIND_LABELS = {
    "same": "Same publication",
    "different": "Different publications",
    "other-report": "Other report of the same study",
    "split": "Split off as a study of its own",
}


def record_line(record: Record | None, record_id: str, width: int = 90) -> str:
    """'id · database · title' for lists (plain text)."""
    if record is None:
        return record_id
    title = record.title if len(record.title) <= width else record.title[: width - 1] + "…"
    return f"{record_id} · {record.source_db or 'no database'} · {title or '(no title)'}"


def _studies(n: int) -> str:
    return f"{n:,} {'study' if n == 1 else 'studies'}"


def decided_message(
    kind: str, record_ids: Sequence[str], leaving: Sequence[str], before: int, after: int
) -> str:
    """What a decision did, with the change in the number of studies (plain text)."""
    ids = " and ".join([", ".join(record_ids[:-1]), record_ids[-1]] if len(record_ids) > 1
                       else record_ids)  # fmt: skip
    if kind == "same":
        said = f"Merged {ids} as one publication"
    elif kind == "different":
        said = f"Kept {ids} apart as different publications"
    elif kind == "other-report":
        said = f"Linked {ids} as reports of one study"
    else:
        said = f"Split {ids} off as a study of its own"
    if leaving:
        said += f" ({', '.join(leaving)} left the study it shared)"
    change = after - before
    if change == 0:
        counted = f"still {_studies(after)}"
    else:
        counted = f"{_studies(before)} became {after:,} ({change:+,})"
    return f"{said}: {counted}."


def question(asked: Contradiction, records: Mapping[str, Record]) -> str:
    """The question to put before a decision that goes against the groups (plain text)."""
    if asked.together:
        names = "; ".join(
            " and ".join(record_line(records.get(r), r, 60) for r in group)
            for group in asked.together
        )
        return (
            f"These records are in one study now: {names}. If they are different "
            "publications, one of them must leave that study. Which one leaves? (The other "
            "records of the study stay together.)"
        )
    pairs = "; ".join(
        f"{a} and {b}" + (f" (decision #{d})" if d is not None else "") for a, b, d in asked.apart
    )
    return (
        "Merging these studies puts together records you declared different publications: "
        f"{pairs}. Merge anyway (your newer decision wins), or cancel?"
    )


def decision_text(item: Mapping[str, Any], records: Mapping[str, Record]) -> str:
    """One decision as lines of plain text: number, kind, when, note, its records."""
    head = (
        f"#{item['decision_id']} · {KIND_LABELS.get(item['kind'], item['kind'])} · "
        f"{item['made_at'][:16].replace('T', ' ')}"
    )
    if item.get("note"):
        head += f" · note: {item['note']}"
    if item.get("leaving"):
        head += f" · left their study: {', '.join(item['leaving'])}"
    lines = [head, *(f"  {record_line(records.get(r), r)}" for r in item["record_ids"])]
    return "\n".join(lines)


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def flow_caption(counts: Mapping[str, Any]) -> str:
    """How records become studies, in the PRISMA counts' own steps (plain text): records,
    publications once duplicates are merged, studies once other reports are linked;
    each number follows from the one before."""
    records, removed = int(counts["records_identified"]), int(counts["duplicates_removed"])
    reports, studies = int(counts["reports"]), int(counts["studies"])
    linked = reports - studies
    return (
        f"{_n(records, 'record', 'records')} → {_n(reports, 'publication', 'publications')} "
        f"after {_n(removed, 'duplicate', 'duplicates')} merged → "
        f"{_n(studies, 'study', 'studies')} "
        f"({_n(linked, 'other report', 'other reports')} linked)"
    )


def study_members(table: pd.DataFrame) -> pd.DataFrame:
    """The studies of a studies table (`lib.views.studies`) made of more than one record,
    its other reports' records counted too (a study of one record with a linked erratum
    is listed, and so is a linked report made of merged records)."""
    if table.empty:
        return table
    n_others = table["other_record_ids"].map(len)
    return table[(table["n_records"] + n_others) > 1]


def reports_of_study(
    project: Project, study_id: str, other_reports: Sequence[str]
) -> list[tuple[str, list[str]]]:
    """``(label, record ids)`` for each publication of one study, the main report first,
    read from the project's groups (`lib.project.duplicates.groups_of`): a linked report
    merged from several records shows all of them."""
    ids = [study_id, *other_reports]
    groups = duplicates.groups_of(project, ids)
    by_id = {
        gid: (kind, members)
        for gid, kind, members in zip(
            groups["study_id"], groups["entrytype"], groups["record_ids"], strict=True
        )
    }
    out = []
    for n, gid in enumerate(ids):
        if gid in by_id:
            kind, members = by_id[gid]
            label = "main report" if n == 0 else f"other report ({kind or 'linked'})"
            out.append((label, list(members)))
    return out


def undone_table(made: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The undone decisions, newest first."""
    return pd.DataFrame(
        [
            {
                "decision": d["decision_id"],
                "kind": KIND_LABELS.get(d["kind"], d["kind"]),
                "records": ", ".join(d["record_ids"]),
                "made": d["made_at"][:16].replace("T", " "),
                "undone": d["undone_at"][:16].replace("T", " "),
            }
            for d in reversed(made)
            if d["undone_at"] is not None
        ],
        columns=["decision", "kind", "records", "made", "undone"],
    )


def members_table(
    members: Sequence[str],
    records: Mapping[str, Record],
    report_of: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The records of one study, in arrival order; with ``report_of`` (record id ->
    which report it belongs to, e.g. "main report"), a first column saying so."""
    table = pd.DataFrame(
        [
            {
                "record id": rid,
                "database": rec.source_db if rec else "",
                "file": rec.source_file if rec else "",
                "title": rec.title if rec else "",
                "year": rec.year if rec else None,
                "journal": rec.journal if rec else "",
                "DOI": rec.doi if rec else "",
            }
            for rid in members
            for rec in [records.get(rid)]
        ],
        columns=["record id", "database", "file", "title", "year", "journal", "DOI"],
    )
    if report_of is not None:
        table.insert(0, "report", [report_of.get(rid, "") for rid in members])
    return table


def link_rows(
    links: Sequence[Link], records: Mapping[str, Record], inside: set[str] | None = None
) -> pd.DataFrame:
    """ "Other report" links as a table: every link, or those of the records ``inside``
    one study (then one column names that study's record)."""
    if inside is None:
        rows = [
            {
                "record A": record_line(records.get(link.a), link.a, 70),
                "record B": record_line(records.get(link.b), link.b, 70),
                "why": link.reason,
                "by": "you" if link.decision_id else "the matcher",
            }
            for link in links
        ]
        return pd.DataFrame(rows, columns=["record A", "record B", "why", "by"])
    rows = []
    for link in links:
        if link.a in inside or link.b in inside:
            mine, other = (link.a, link.b) if link.a in inside else (link.b, link.a)
            rows.append(
                {
                    "record": mine,
                    "other report": record_line(records.get(other), other),
                    "why": link.reason,
                    "by": "you" if link.decision_id else "the matcher",
                }
            )
    return pd.DataFrame(rows, columns=["record", "other report", "why", "by"])


# -- the page's writes ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action did (``done``), could not do (``problem``), or must ask (``asked``)."""

    done: str = ""
    problem: str = ""
    asked: Contradiction | None = None


def decide(
    path: str, kind: str, ids: list[str], leaving: Sequence[str] = (), *, sure: bool = False
) -> Outcome:
    """Record a decision on the project at ``path`` and recode what it changed; a decision
    that goes against the groups is asked about first (unless ``sure`` or ``leaving``)."""
    with open_project(path, create=False) as project:
        asked = None if sure or leaving else duplicates.contradiction(project, kind, ids)
        if asked is not None:
            return Outcome(asked=asked)
        before = duplicates.count_studies(project)
        try:
            duplicates.decide(project, kind, ids, leaving=leaving)
        except (ValueError, ProjectError) as exc:
            return Outcome(problem=f"Not recorded: {exc}.")
        pipeline.refresh(project)
        after = duplicates.count_studies(project)
    return Outcome(done=decided_message(kind, ids, leaving, before, after))


def undo(path: str, decision_id: int, kind: str) -> Outcome:
    with open_project(path, create=False) as project:
        before = duplicates.count_studies(project)
        try:
            duplicates.undo(project, decision_id)
        except ProjectError as exc:  # undone in another session meanwhile
            return Outcome(problem=f"Not undone: {exc}.")
        pipeline.refresh(project)
        after = duplicates.count_studies(project)
    change = f"{before:,} studies became {after:,}" if before != after else "no study changed"
    return Outcome(done=f"Undid decision #{decision_id} ({KIND_LABELS.get(kind, kind)}): {change}.")


def accept(path: str, level: float, pairs: Sequence[tuple[str, str]]) -> Outcome:
    """Accept many pairs as the same publication, one decision each."""
    with open_project(path, create=False) as project:
        before = duplicates.count_studies(project)
        made = accept_pairs(project, pairs, note=f"bulk accept, score at least {level:.2f}")
        pipeline.refresh(project)
        after = duplicates.count_studies(project)
    return Outcome(done=f"Merged {len(made):,} pairs as the same publication: {before:,} "
                        f"studies became {after:,} ({after - before:+,}).")  # fmt: skip
