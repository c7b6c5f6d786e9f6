"""Put back what one of our exports carried, once its records are imported.

An export of this tool (`lib.exporting`, layout in `lib.exchange`) holds a review's work
beside each record: its study, its duplicate group, the study's codes and checks, and the
reviewer's deduplication decisions. When such a file is imported, the readers give every
field back in `Record.original` and `lib.exchange.relabel` has already kept each record's
own database, entry type and id. This module puts back the rest, into the project the
file was imported into:

1. the reviewer's deduplication decisions, each as it was (same, different, other
   report, split), in their original order, with a note naming the file;
2. the duplicate groups as the file has them: where the matcher of this project groups
   differently, a "same" or "split" decision (noted as restored) makes it agree;
3. the studies: reports the file puts in one study are linked as other reports where
   the matcher did not link them;
4. the codes a reviewer set by hand (the file's ``overridden`` facets) and the checks.
   Automatic codes are this project's own (its codebook may differ); studies whose
   automatic codes differ from the file's are counted in the summary;
5. the screening decisions, per stage (title/abstract, then full text), with their
   reasons and notes, on the study each record is in here (origin "import"). A study
   this project has already decided keeps its decision, and a study whose records the
   file gives different decisions gets none: both are listed in the summary's problems,
   as are decisions the file marks as in conflict (to be decided again).

It runs from `lib.pipeline.refresh` (so after an import in the app, and on the next start
after one from the command line), once per import: the project's meta ``restore_checked``
holds the imports looked at (id and import time). Every step is idempotent (a decision,
correction or check already in force is not made again), so a run cut short is simply
run again. Each restore is logged as ``export_restored`` with its summary.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from lib.dedupe import DECISION_KINDS
from lib.exchange import CODE_FACETS, SCREENING_STAGES, read_fields, split
from lib.project import coding, duplicates, reports
from lib.project.store import Project

__all__ = ["META_KEY", "RestoreSummary", "apply_pending", "restore_import"]

META_KEY = "restore_checked"
_ROUNDS = 3  # regroupings tried before a group that will not match is reported


@dataclass(slots=True)
class RestoreSummary:
    """What restoring one import did."""

    import_id: int
    file_name: str
    layouts: list[str]
    entries: int
    decisions: int = 0  # the reviewer's decisions made again
    group_fixes: int = 0  # decisions added so that groups match the file
    link_fixes: int = 0  # "other report" links added so that studies match the file
    overrides: int = 0  # codes a reviewer set by hand, set again
    checks: int = 0
    codes_differ: int = 0  # studies whose automatic codes differ from the file's
    screening: int = 0  # screening decisions made again
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Entry:
    record_id: str  # as stored in this project (renamed on import if the id was taken)
    fields: dict[str, str]


def _checked(project: Project) -> dict[str, str]:
    """import id -> its import time, for the imports already looked at (an id freed by a
    removed import and used again is a new import: its time differs)."""
    try:
        value = json.loads(project.meta(META_KEY) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def apply_pending(project: Project) -> list[RestoreSummary]:
    """Restore every import not looked at yet; cheap when there is none."""
    checked = _checked(project)
    pending = [
        (import_id, at)
        for import_id, at in project.conn.execute(
            "SELECT import_id, imported_at FROM imports ORDER BY import_id"
        )
        if checked.get(str(import_id)) != at
    ]
    out = []
    for import_id, at in pending:
        summary = restore_import(project, import_id)
        checked[str(import_id)] = at
        with project.transaction() as conn:
            if summary is not None:
                project.log(conn, "export_restored", **asdict(summary))
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (META_KEY, json.dumps(checked)),
            )
        if summary is not None:
            out.append(summary)
    return out


def _entries(project: Project, import_id: int) -> tuple[list[_Entry], dict[str, str], str]:
    """The import's records that come from our exports, file id -> stored id (an id
    already taken in this project was renamed on import, ``id~2``), and the file name."""
    out: list[_Entry] = []
    stored: dict[str, str] = {}
    conn = project.conn
    row = conn.execute("SELECT file_name FROM imports WHERE import_id = ?", (import_id,))
    file_name = str((row.fetchone() or ("",))[0])
    first = conn.execute(
        "SELECT original FROM records WHERE import_id = ? ORDER BY rid LIMIT 1", (import_id,)
    ).fetchone()
    if first is None or read_fields(json.loads(first[0])) is None:
        return out, stored, file_name  # every entry of ours says its layout: not ours
    rows = conn.execute(
        "SELECT record_id, original FROM records WHERE import_id = ? ORDER BY rid", (import_id,)
    ).fetchall()
    # one parse for every record: separate json.loads took 5 s for 20k records
    originals = json.loads("[" + ",".join(r[1] for r in rows) + "]")
    for (record_id, _), original in zip(rows, originals, strict=True):
        fields = read_fields(original)
        if fields is None:
            continue
        out.append(_Entry(record_id, fields))
        stored[fields.get("record_id") or record_id] = record_id
    return out, stored, file_name


def restore_import(project: Project, import_id: int) -> RestoreSummary | None:
    """Put back what the import's file carried (see the module docstring); None when the
    file is not one of our exports."""
    entries, stored, file_name = _entries(project, import_id)
    if not entries:
        return None
    layouts = sorted({e.fields["layout"] for e in entries})
    run = _Restore(project, entries, stored, file_name, RestoreSummary(
        import_id, file_name, layouts, len(entries)
    ))  # fmt: skip
    if run.by_record:
        run.decisions()
        run.groups()
        run.links()
    run.codes()
    run.screening()
    return run.summary


def _same(a: str | list[str], b: str | list[str]) -> bool:
    """Two code values alike (one slug, or lists in any order)."""
    return sorted([a] if isinstance(a, str) else a) == sorted([b] if isinstance(b, str) else b)


@dataclass(slots=True)
class _Restore:
    """One import's restore: its entries, file id -> stored id, and what was done."""

    project: Project
    entries: list[_Entry]
    stored: dict[str, str]
    file_name: str
    summary: RestoreSummary
    by_record: list[_Entry] = field(default_factory=list)  # entries of layout "record"

    def __post_init__(self) -> None:
        self.by_record = [e for e in self.entries if e.fields["layout"] == "record"]

    def decide(self, items: list[tuple[str, list[str], str]]) -> int:
        """Make decisions (splits one by one: each is taken against the groups of its
        time); returns how many were made."""
        made = 0
        batch: list[tuple[str, list[str], str]] = []
        for kind, ids, note in [*items, ("", [], "")]:
            if kind and kind != "split":
                batch.append((kind, ids, note))
                continue
            if batch:
                made += len(duplicates.decide_many(self.project, batch))
                batch = []
            if kind:
                try:
                    duplicates.decide(self.project, kind, ids, note)
                    made += 1
                except ValueError as exc:  # already apart: nothing to split
                    self.summary.problems.append(f"split of {', '.join(ids)}: {exc}")
        return made

    def decisions(self) -> None:
        """The reviewer's deduplication decisions, in their original order."""
        named: dict[tuple[str, int], list[str]] = defaultdict(list)
        for entry in self.by_record:
            for token in split(entry.fields.get("duplicate_decisions", "")):
                kind, _, number = token.rpartition(":")
                if number.isdigit() and (kind in DECISION_KINDS or kind == "split-rest"):
                    named[(kind, int(number))].append(entry.record_id)
                else:
                    self.summary.problems.append(f"decision {token!r} not understood")
        made = duplicates.decisions(self.project)
        existing = {(d["kind"], frozenset(d["record_ids"])) for d in made}
        items: list[tuple[str, list[str], str]] = []
        for kind, number in sorted(named, key=lambda k: (k[1], k[0])):
            ids = list(dict.fromkeys(named[(kind, number)]))
            if kind == "split-rest" or (kind, frozenset(ids)) in existing:
                continue
            if len(ids) >= (1 if kind == "split" else 2):
                note = (
                    f"restored from {self.file_name} (decision {number} of the exporting project)"
                )
                items.append((kind, ids, note))
        self.summary.decisions += self.decide(items)

    def groups(self) -> None:
        """Make this project's duplicate groups of the file's records the file's groups."""
        wanted: dict[str, list[str]] = defaultdict(list)  # the file's group -> stored ids
        for entry in self.by_record:
            wanted[entry.fields.get("report_id") or entry.record_id].append(entry.record_id)
        note = f"restored from {self.file_name}: one publication, as the file groups it"
        apart = f"restored from {self.file_name}: another publication, as the file groups it"
        for _ in range(_ROUNDS):
            duplicates.refresh(self.project)
            group_of = duplicates.members_of(self.project)
            items: list[tuple[str, list[str], str]] = []
            holders: dict[str, list[str]] = defaultdict(list)  # this project's group -> reports
            for report, ids in wanted.items():
                if len({group_of.get(i) for i in ids}) > 1:
                    items.append(("same", ids, note))
                for group in dict.fromkeys(group_of.get(i) for i in ids):
                    holders[group].append(report)
            for here in holders.values():
                items += [("split", wanted[r], apart) for r in here[1:]]  # the first stays
            if not items:
                return
            self.summary.group_fixes += self.decide(items)
        self.summary.problems.append("some duplicate groups could not be made as in the file")

    def links(self) -> None:
        """Link the reports the file puts in one study where this project did not."""
        first_of: dict[str, str] = {}  # the file's report -> its first record (stored id)
        reports_of: dict[str, list[str]] = defaultdict(list)  # the file's study -> reports
        for entry in self.by_record:
            report = entry.fields.get("report_id") or entry.record_id
            if report not in first_of:
                first_of[report] = entry.record_id
                reports_of[entry.fields.get("study_id") or report].append(report)
        note = f"restored from {self.file_name}: another report of the same study, as in the file"
        for _ in range(_ROUNDS):
            study_of = reports.study_of(self.project)
            items: list[tuple[str, list[str], str]] = []
            for study, parts in reports_of.items():
                main = first_of[study if study in first_of else parts[0]]
                for report in parts:
                    if study_of.get(main) != study_of.get(first_of[report]):
                        items.append(("other-report", [main, first_of[report]], note))
            if not items:
                return
            self.summary.link_fixes += self.decide(items)
        self.summary.problems.append("some studies could not be linked as in the file")

    def codes(self) -> None:
        """The codes a reviewer set by hand, and the checks, on each study of the file."""
        project, summary = self.project, self.summary
        coding.refresh(project)
        study_of = reports.study_of(project)
        # rows as dicts: 12k pandas row lookups took 2.5 s
        codes = coding.effective_codes(project).set_index("study_id").to_dict("index")
        codebook = coding.project_codebook(project)
        seen: set[str] = set()
        for entry in _main_entries(self.entries):
            sid = entry.fields.get("study_id") or entry.record_id
            study = study_of.get(self.stored.get(sid, entry.record_id))  # main report's first
            if study is None or study in seen or study not in codes:
                continue
            seen.add(study)
            current = codes[study]
            by_hand = set(split(entry.fields.get("overridden", "")))
            differ = False
            for facet in CODE_FACETS:  # an empty value is left out of the file (no codes)
                spec = codebook.facets[facet.replace("_", "-")]
                text = entry.fields.get(facet, "")
                if spec.single and not text:
                    continue
                value: str | list[str] = text if spec.single else split(text)
                if facet not in by_hand:
                    differ = differ or not _same(value, current[facet])
                elif facet not in current["overridden"] or not _same(value, current[facet]):
                    try:
                        note = f"restored from {self.file_name}"
                        coding.set_override(project, study, facet, value, note=note)
                        summary.overrides += 1
                    except ValueError as exc:
                        summary.problems.append(f"study {sid}, {facet}: {exc}")
            summary.codes_differ += differ
            if entry.fields.get("checked") == "yes" and not bool(current["checked"]):
                coding.set_checked(project, study, True)
                summary.checks += 1

    def screening(self) -> None:
        """The screening decisions the file carries, stage by stage (see the docstring)."""
        from lib.screening.decisions import CONFLICT, FULL_TEXT, VERDICTS, decide_many
        from lib.screening.queue import current

        marked = [
            e for e in self.entries if any(e.fields.get(n) for n in SCREENING_STAGES.values())
        ]
        if not marked:
            return
        duplicates.refresh(self.project)
        state = current(self.project)
        studies, problems = state.studies, self.summary.problems
        for stage, name in SCREENING_STAGES.items():
            wanted: dict[str, tuple[str, str, str]] = {}
            clashing: set[str] = set()
            for entry in marked:
                verdict = entry.fields.get(name, "")
                if not verdict:
                    continue
                where = f"record {entry.fields.get('record_id') or entry.record_id}, {stage}"
                reason = " ".join(entry.fields.get(f"{name}_reason", "").split())
                note = " ".join(entry.fields.get(f"{name}_note", "").split())
                if verdict == CONFLICT:
                    problems.append(f"{where}: decisions in conflict in the file; decide again")
                    continue
                if verdict not in VERDICTS:
                    problems.append(f"{where}: screening decision {verdict!r} not understood")
                    continue
                if stage == FULL_TEXT and verdict == "exclude" and not reason:
                    problems.append(f"{where}: excluded at full text without a reason")
                    continue
                unit = studies.study(entry.record_id)
                if wanted.setdefault(unit, (verdict, reason, note)) != (verdict, reason, note):
                    clashing.add(unit)
            items = []
            for unit, (verdict, reason, note) in wanted.items():
                if unit in clashing:
                    problems.append(
                        f"study {unit}, {stage}: the file gives its records different "
                        "decisions; none restored, decide it again"
                    )
                    continue
                here = state.of(unit, stage)
                if here is None:
                    items.append((unit, verdict, reason, note))
                elif _said(here.verdict, here.reason, here.note) != (verdict, reason, note):
                    problems.append(
                        f"study {unit}, {stage}: already decided here ({here.verdict}), kept; "
                        f"the file says {verdict}"
                    )
            if items:
                decide_many(self.project, items, stage=stage, origin="import", studies=studies,
                            log_detail={"file_name": self.file_name, "restored": True})  # fmt: skip
                self.summary.screening += len(items)


def _said(verdict: str, reason: str, note: str) -> tuple[str, str, str]:
    """A decision as an export says it (reason and note on one line)."""
    return verdict, " ".join(reason.split()), " ".join(note.split())


def _main_entries(entries: list[_Entry]) -> list[_Entry]:
    """One entry per study of the file: its main report's first record where the file
    holds it (layout record), else its first entry."""
    out: dict[str, _Entry] = {}
    for entry in entries:
        sid = entry.fields.get("study_id") or entry.record_id
        report = entry.fields.get("report_id") or entry.record_id
        if sid not in out or (report == sid and out[sid].fields.get("report_id") != sid):
            out[sid] = entry
    return list(out.values())
