"""Import screening decisions made earlier, in this tool or another (Rayyan, ASReview, a sheet).

The file is read by the app's own readers (any supported format), and each record's
decision is taken from, in this order:

- a decision column: ``label_included``, ``included``, ``asreview_label``, ``decision``,
  ``screening_decision``, ``label`` (1 / 0, include / exclude / maybe, yes / no,
  relevant / irrelevant; -1 or empty: not screened);
- this tool's own export (any format, `lib.exchange`): the stage's screening field
  (``screening_title_abstract`` or ``screening_full_text``, with its reason and note);
- its notes (RIS ``N1``, BibTeX ``note``/``annote``, a ``notes`` column): Rayyan's
  ``RAYYAN-INCLUSION: {"Ann"=>"Included", ...}`` (with ``RAYYAN-EXCLUSION-REASONS``) or
  ASReview's ``ASReview_relevant`` / ``ASReview_irrelevant`` / ``ASReview_not_seen``.

A reason comes from an ``exclusion_reason`` (or ``reason``) column or Rayyan's reasons; a
note from a ``note`` / ``asreview_note`` column or Rayyan's ``USER-NOTES``. Where Rayyan's
reviewers disagree, the record is imported as maybe, the note naming who said what.

Each decision is matched to a study of the project by, in this order: its **record id**
(only where the file's DOI or title, if it has them, agree with that record: another
tool's ids may collide with ours), its **DOI**, else its **title** (compared without case,
accents, punctuation or spacing, and only where exactly one study has that title). Every
record of the file is accounted for in the report: matched (and how), not screened in
the file, not found in the project, matching several studies, conflicting with another
line of the file for the same study, or already decided here (a decision made in this
project is kept unless ``replace`` is set). The matched ones are stored in one
transaction, as decisions of origin "import".
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lib.exchange import SCREENING_STAGES, read_fields
from lib.fields import clean_doi
from lib.ingest import FileRead, read_bytes
from lib.model import Record
from lib.project import Project
from lib.readers.base import ReadError
from lib.screening.decisions import TITLE_ABSTRACT, decide_many
from lib.screening.queue import current

__all__ = ["ImportedLabel", "LabelImport", "import_decisions", "labels_from", "match_labels"]

DECISION_COLUMNS = (
    "label_included",
    "included",
    "asreview_label",
    "decision",
    "screening_decision",
    "label",
)
REASON_COLUMNS = ("exclusion_reason", "exclusion_reasons", "reason")
NOTE_COLUMNS = ("note", "asreview_note", "screening_note", "comment")
NOTES_FIELDS = ("n1", "notes", "note", "annote", "annotation", "comment", "comments")
_WORDS = {
    "1": "include", "include": "include", "included": "include", "yes": "include",
    "true": "include", "relevant": "include", "y": "include",
    "0": "exclude", "exclude": "exclude", "excluded": "exclude", "no": "exclude",
    "false": "exclude", "irrelevant": "exclude", "n": "exclude",
    "maybe": "maybe", "unsure": "maybe", "undecided": "maybe", "2": "maybe",
    "-1": "", "": "", "not seen": "", "not_seen": "",
}  # fmt: skip
_RAYYAN = re.compile(r"RAYYAN-INCLUSION:\s*\{(.*?)\}", re.S)
_RAYYAN_VOTE = re.compile(r'"([^"]*)"\s*=>\s*"([^"]*)"')
_RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*([^|]*)")
_RAYYAN_NOTES = re.compile(r"USER-NOTES:\s*\{(.*)\}", re.S)
_ASREVIEW = re.compile(r"\bASReview_(relevant|irrelevant|not_seen)\b")
_DOI_IN_URL = re.compile(r"doi\.org/(10\.\S+)", re.I)


@dataclass(frozen=True, slots=True)
class ImportedLabel:
    """One record of the file with the decision it carries."""

    line: int | None
    record_id: str
    doi: str
    title: str
    verdict: str  # include / exclude / maybe, or "" when the file says not screened
    reason: str
    note: str
    source: str  # where the decision was read: a column name, "Rayyan" or "ASReview"

    def where(self) -> str:
        at = f"line {self.line}" if self.line is not None else "position unknown"
        name = self.title[:70] + ("…" if len(self.title) > 70 else "")
        return f"{at} ({self.record_id or 'no id'}: {name or 'no title'})"


@dataclass
class LabelImport:
    """What an import found and did (see the module docstring)."""

    file_name: str
    stage: str
    read: FileRead | None = None
    matched: list[tuple[ImportedLabel, str, str]] = field(default_factory=list)  # label, study, how
    unlabelled: list[ImportedLabel] = field(default_factory=list)
    not_found: list[ImportedLabel] = field(default_factory=list)
    ambiguous: list[tuple[ImportedLabel, list[str]]] = field(default_factory=list)
    conflicting: list[tuple[ImportedLabel, str]] = field(default_factory=list)
    already_decided: list[tuple[ImportedLabel, str]] = field(default_factory=list)
    repeated: list[tuple[ImportedLabel, str]] = field(default_factory=list)  # same study again
    unreadable: list[ImportedLabel] = field(default_factory=list)  # a decision we cannot read
    no_decision_found: bool = False
    stored: list[int] = field(default_factory=list)

    def summary(self) -> str:
        how = defaultdict(int)
        for _, _, by in self.matched:
            how[by] += 1
        ways = ", ".join(f"{n:,} by {by}" for by, n in sorted(how.items())) or "none"
        return (
            f"{self.file_name}: {len(self.matched):,} decisions matched ({ways}); "
            f"{len(self.unlabelled):,} records without a decision; "
            f"{len(self.not_found):,} not found in the project; "
            f"{len(self.ambiguous):,} matching several studies; "
            f"{len(self.conflicting):,} contradicting another line for the same study; "
            f"{len(self.already_decided):,} already decided here (kept); "
            f"{len(self.repeated):,} repeating another line for the same study; "
            f"{len(self.unreadable):,} with a decision that cannot be read; "
            f"{len(self.stored):,} stored"
        )

    def lines(self) -> list[str]:
        """The summary, then one line per record that was not imported, with its line."""
        out = [self.summary()]
        out += [f"  not screened in the file: {lab.where()}" for lab in self.unlabelled]
        out += [f"  not found in the project: {lab.where()}" for lab in self.not_found]
        out += [
            f"  decision {lab.verdict[1:]!r} not understood (use 1/0, include/exclude/maybe): "
            f"{lab.where()}"
            for lab in self.unreadable
        ]
        out += [
            f"  same study {study} as an earlier line: {lab.where()}"
            for lab, study in self.repeated
        ]
        out += [
            f"  several studies match ({', '.join(ids[:5])}): {lab.where()}"
            for lab, ids in self.ambiguous
        ]
        out += [
            f"  contradicts another line for study {study}: {lab.where()}"
            for lab, study in self.conflicting
        ]
        out += [
            f"  study {study} already decided here, kept: {lab.where()}"
            for lab, study in self.already_decided
        ]
        return out


def _first(original: dict[str, list[str]], names: tuple[str, ...]) -> tuple[str, str] | None:
    lower = {k.strip().lower(): v for k, v in original.items()}
    for name in names:
        values = lower.get(name)
        if values is not None:
            return name, (values[0] if values else "").strip()
    return None


def _notes(original: dict[str, list[str]]) -> str:
    return " | ".join(
        v for k, vs in original.items() if k.strip().lower() in NOTES_FIELDS for v in vs
    )


def _rayyan(notes: str) -> tuple[str, str, str] | None:
    """(verdict, reasons, note) from Rayyan's notes, or None when they say nothing."""
    found = _RAYYAN.search(notes)
    if not found:
        return None
    votes = _RAYYAN_VOTE.findall(found.group(1))
    verdicts = {_WORDS.get(v.strip().lower(), "maybe") for _, v in votes}
    reasons_found = _RAYYAN_REASONS.search(notes)
    reasons = reasons_found.group(1).strip() if reasons_found else ""
    note_found = _RAYYAN_NOTES.search(notes)
    note = note_found.group(1).strip() if note_found else ""
    if not verdicts:
        return "", reasons, note
    if len(verdicts) == 1:
        return verdicts.pop(), reasons, note
    said = ", ".join(f"{who} {what}" for who, what in votes)
    return "maybe", reasons, f"Rayyan reviewers disagreed: {said}. {note}".strip()


def _ours(record: Record, stage: str) -> ImportedLabel | None:
    """The stage's decision from one of this tool's exports, or None when the record is
    not from one (an entry of ours without a decision at that stage: not screened)."""
    fields = read_fields(record.original)
    name = SCREENING_STAGES.get(stage, "")
    if fields is None or name not in fields:
        return None
    raw = fields.get(name, "")
    verdict = raw if raw in ("include", "exclude", "maybe", "") else "?" + raw
    return ImportedLabel(
        record.line, record.record_id, record.doi, record.title, verdict,
        fields.get(f"{name}_reason", ""), fields.get(f"{name}_note", ""), "this tool's export",
    )  # fmt: skip


def _label(record: Record, stage: str = TITLE_ABSTRACT) -> ImportedLabel:
    if (ours := _ours(record, stage)) is not None:
        return ours
    original = record.original
    verdict, reason, note, source = "", "", "", ""
    column = _first(original, DECISION_COLUMNS)
    notes = _notes(original)
    if column is not None:
        source, raw = column
        verdict = _WORDS.get(raw.lower(), "?" + raw)
    elif (rayyan := _rayyan(notes)) is not None:
        verdict, reason, note = rayyan
        source = "Rayyan"
    elif (asreview := _ASREVIEW.search(notes)) is not None:
        verdict = {"relevant": "include", "irrelevant": "exclude"}.get(asreview.group(1), "")
        source = "ASReview"
    reason_column = _first(original, REASON_COLUMNS)
    if reason_column and reason_column[1]:
        reason = reason_column[1]
    note_column = _first(original, NOTE_COLUMNS)
    if note_column and note_column[1] and not _RAYYAN.search(note_column[1]):
        note = note_column[1] if not _ASREVIEW.search(note_column[1]) else note
    doi = record.doi
    if not doi:
        from_url = _DOI_IN_URL.search(record.url or "")
        doi = clean_doi(from_url.group(1)) if from_url else ""
    return ImportedLabel(
        record.line, record.record_id, doi, record.title, verdict, reason, note, source
    )


def _decision_table(data: bytes, name: str) -> FileRead | None:
    """A sheet of decisions only (``record_id,included``, no bibliographic columns), which
    the export readers refuse as "not a bibliography"; None when it is not one either."""
    from lib.encoding import decode
    from lib.report import ImportReport

    try:
        text, _ = decode(data, name)
    except (ValueError, UnicodeError):
        return None
    lines = text.splitlines()
    if not lines:
        return None
    delimiter = max(",;\t", key=lines[0].count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]
    keys = {"record_id", "id", "doi", "title"}
    if not (keys & set(lower)) or not (set(DECISION_COLUMNS) & set(lower)):
        return None
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        original = {h: [v] for h, v in zip(header, row, strict=False) if h and v.strip()}
        cells = dict(zip(lower, row, strict=False))
        records.append(
            Record(
                record_id=(cells.get("record_id") or cells.get("id") or "").strip(),
                title=(cells.get("title") or "").strip(),
                doi=clean_doi(cells.get("doi") or ""),
                line=number,
                original=original,
            )
        )
    report = ImportReport(file_name=name, format="decision table")
    report.records_read = len(records)
    return FileRead(records, report)


def labels_from(read: FileRead, stage: str = TITLE_ABSTRACT) -> list[ImportedLabel]:
    """The decision each record of a read file carries at ``stage`` (``verdict`` "" when
    none; only this tool's exports say which stage a decision was made at)."""
    return [_label(record, stage) for record in read.records]


def title_key(title: str) -> str:
    """A title compared without case, accents, punctuation or spacing."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def match_labels(
    project: Project, labels: list[ImportedLabel], result: LabelImport, *, replace: bool
) -> list[tuple[str, str, str, str]]:
    """Sort labels into the result's lists; returns the decisions to store."""
    screening = current(project)
    studies = screening.studies
    by_doi: dict[str, set[str]] = defaultdict(set)
    by_title: dict[str, set[str]] = defaultdict(set)
    record_doi: dict[str, str] = {}
    record_title: dict[str, str] = {}
    for record_id, doi, title in project.conn.execute("SELECT record_id, doi, title FROM records"):
        study = studies.study(record_id)
        record_doi[record_id], record_title[record_id] = doi, title_key(title)
        if doi:
            by_doi[doi].add(study)
        if key := title_key(title):
            by_title[key].add(study)
    chosen: dict[str, tuple[ImportedLabel, str]] = {}
    for label in labels:
        if label.verdict.startswith("?"):
            result.unreadable.append(label)
            continue
        if label.verdict not in ("include", "exclude", "maybe"):
            result.unlabelled.append(label)
            continue
        key = title_key(label.title)
        candidates: set[str] = set()
        how = ""
        known = label.record_id in record_doi
        if (
            known
            and (not label.doi or label.doi == record_doi[label.record_id])
            and (
                not key or not record_title[label.record_id] or key == record_title[label.record_id]
            )
        ):
            candidates, how = {studies.study(label.record_id)}, "record id"
        elif label.doi and label.doi in by_doi:
            candidates, how = by_doi[label.doi], "DOI"
        elif key and key in by_title:
            candidates, how = by_title[key], "title"
        if not candidates:
            result.not_found.append(label)
            continue
        if len(candidates) > 1:
            result.ambiguous.append((label, sorted(candidates)))
            continue
        study = candidates.pop()
        if study in chosen:
            same = chosen[study][0].verdict == label.verdict
            (result.repeated if same else result.conflicting).append((label, study))
            continue
        chosen[study] = (label, how)
    decided = screening.status[result.stage]
    items = []
    for study, (label, how) in chosen.items():
        if study in decided and not replace:
            result.already_decided.append((label, study))
            continue
        result.matched.append((label, study, how))
        items.append((study, label.verdict, label.reason, label.note))
    return items


def import_decisions(
    project: Project,
    source: str | Path | tuple[bytes, str],
    *,
    stage: str = TITLE_ABSTRACT,
    replace: bool = False,
) -> LabelImport:
    """Read decisions from a file (a path, or ``(bytes, file name)`` from an upload),
    match them to the project's studies and store them; returns the report.

    Raises `lib.readers.base.ReadError` when the file cannot be read at all.
    """
    if isinstance(source, tuple):
        data, name = source
    else:
        data, name = Path(source).read_bytes(), Path(source).name
    try:
        read = read_bytes(data, name)
    except ReadError:
        read = _decision_table(data, name)
        if read is None:
            raise
    result = LabelImport(file_name=name, stage=stage, read=read)
    labels = labels_from(read, stage)
    if not any(label.source for label in labels):
        result.no_decision_found = True
        result.unlabelled = labels
        return result
    items = match_labels(project, labels, result, replace=replace)
    if items:
        result.stored = decide_many(
            project,
            items,
            stage=stage,
            origin="import",
            log_detail={"file_name": name, "matched": len(result.matched)},
        )
    return result
