"""Export -> import into a new project gives the same studies, groups, codes and decisions,
in every format (CSV, Excel, RIS, BibTeX).

The source is the demo project with a reviewer's work on it: a split, an "other report"
link, a "different", codes set by hand (one of them to no code at all), a check, and
screening decisions at both stages (include, exclude with reasons, maybe, notes).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib import exporting
from lib.exchange import CODE_FACETS
from lib.ingest import read_bytes
from lib.pipeline import refresh
from lib.project import Project, coding, duplicates, open_project
from lib.project.restore import apply_pending, restore_import
from lib.screening import decisions as screen
from lib.screening.prisma import flow_counts
from lib.screening.queue import current
from lib.views.exports import entries, entry_count, export_file
from lib.views.studies import study_table
from tests.apptest_helpers import demo_template  # noqa: F401 (fixture)

FORMATS = ["csv", "xlsx", "ris", "bibtex"]
# what a study is, everywhere in the app: its reports, records, databases, codes, checks
COMPARED = [
    "title",
    "keywords",
    "entrytype",
    "year",
    "n_records",
    "record_ids",
    "databases",
    "other_reports",
    "other_record_ids",
    *CODE_FACETS,
    "overridden",
    "checked",
]


@pytest.fixture(scope="module")
def source(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: F811
    path = tmp_path_factory.mktemp("source") / "review.sqlite"
    shutil.copyfile(demo_template, path)
    project = open_project(path)
    refresh(project)
    table = study_table(project)
    merged = table[table["n_records"] >= 3].iloc[0]
    duplicates.decide(project, "split", [merged["record_ids"][-1]], note="not this paper")
    ids = list(study_table(project)["study_id"])
    duplicates.decide(project, "other-report", [ids[5], ids[6]], note="same trial")
    duplicates.decide(project, "different", [ids[8], ids[9]])
    refresh(project)
    ids = list(study_table(project)["study_id"])
    coding.set_override(project, ids[0], "method", ["qualitative"])
    coding.set_override(project, ids[1], "population", ["women", "young-people"])
    coding.set_override(project, ids[2], "peer_role", [])  # no code at all, by hand
    coding.set_checked(project, ids[3], True)
    refresh(project)
    table = study_table(project)
    merged_study = next(s for s in table.query("n_records >= 2")["study_id"] if s not in ids[:7])
    for sid in (ids[0], ids[1], ids[5], merged_study):
        screen.decide(project, sid, "include", note='on topic; says "peer" twice')
    screen.decide(project, ids[6], "include")  # the other report of ids[5]'s study
    screen.decide(project, ids[2], "exclude", reason="Wrong setting")
    screen.decide(project, ids[3], "exclude")  # no reason: optional at title/abstract
    screen.decide(project, ids[4], "maybe", note="ask Sam")
    full = "full-text"
    screen.decide(project, ids[0], "include", stage=full, note="primary outcome, p. 4")
    screen.decide(project, ids[1], "exclude", stage=full, reason="Wrong study design")
    screen.decide(project, ids[5], "exclude", stage=full, reason="Full text not available")
    screen.decide(project, merged_study, "maybe", stage=full)
    yield project
    project.close()


def import_file(data: bytes, fmt: str, path: Path, database: str = "") -> Project:
    project = open_project(path)
    name = "review-export" + exporting.FORMATS[fmt].suffix
    project.add_import(read_bytes(data, name, database=database))
    refresh(project)
    return project


def by_study(project: Project) -> pd.DataFrame:
    table = study_table(project).set_index("study_id").sort_index()
    return table[COMPARED]


def decisions(project: Project) -> list[tuple[str, frozenset[str]]]:
    return sorted((d["kind"], frozenset(d["record_ids"])) for d in duplicates.decisions(project))


def screened(project: Project) -> dict[tuple[str, frozenset[str]], tuple[str, str, str]]:
    """(stage, the records of the screened study) -> (verdict, reason, note) in force."""
    state = current(project)
    members = state.studies.members
    return {
        (stage, frozenset(members[unit])): (status.verdict, status.reason, status.note)
        for stage, statuses in state.status.items()
        for unit, status in statuses.items()
    }


def by_unit(project: Project) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(stage, study id) -> (verdict, reason, note) in force."""
    return {
        (stage, unit): (status.verdict, status.reason, status.note)
        for stage, statuses in current(project).status.items()
        for unit, status in statuses.items()
    }


def groups(project: Project) -> set[frozenset[str]]:
    return {frozenset(ids) for ids in duplicates.groups(project)["record_ids"]}


def export(project: Project, layout: str, fmt: str, studies: pd.DataFrame | None = None) -> bytes:
    chosen = study_table(project) if studies is None else studies
    return export_file(str(project.path), chosen, layout, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_record_comes_back_with_its_study_group_codes_and_decisions(
    source: Project, fmt: str, tmp_path: Path
) -> None:
    copy = import_file(export(source, "record", fmt), fmt, tmp_path / "copy.sqlite")
    pd.testing.assert_frame_equal(by_study(copy), by_study(source))
    assert groups(copy) == groups(source)
    assert decisions(copy) == decisions(source)
    assert duplicates.prisma_counts(copy) == duplicates.prisma_counts(source)
    assert len(screened(source)) >= 10
    assert screened(copy) == screened(source)  # every screening decision, both stages
    assert flow_counts(copy) == flow_counts(source)
    records = {r.record_id: r for r in source.records()}
    for rec in copy.records():  # each record keeps its own database and entry type
        assert (rec.source_db, rec.entrytype) == (
            records[rec.record_id].source_db,
            records[rec.record_id].entrytype,
        )
    [event] = copy.events("export_restored")
    assert event["decisions"] == 3 and event["overrides"] == 3 and event["checks"] == 1
    assert event["group_fixes"] == event["link_fixes"] == 0 and not event["problems"]
    assert event["screening"] == len(screened(source))
    assert {d.origin for d in screen.load(copy)} == {"import"}
    notes = {d["note"] for d in duplicates.decisions(copy)}
    assert all("restored from review-export" in note for note in notes)
    copy.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_entry_per_study_comes_back_as_the_same_studies_and_codes(
    source: Project, fmt: str, tmp_path: Path
) -> None:
    copy = import_file(export(source, "study", fmt), fmt, tmp_path / "copy.sqlite")
    mine, theirs = by_study(source), by_study(copy)
    assert list(theirs.index) == list(mine.index)
    codes = [*CODE_FACETS, "overridden", "checked", "entrytype", "title"]
    pd.testing.assert_frame_equal(theirs[codes], mine[codes])
    assert set(theirs["n_records"]) == {1}  # the merged records are not in such a file
    # each study's decisions (those on its main report) come back on it
    mine_screened, theirs_screened = by_unit(source), by_unit(copy)
    assert theirs_screened == mine_screened
    assert len(theirs_screened) >= 9
    copy.close()


def test_a_filtered_export_brings_back_its_studies_whole(source: Project, tmp_path: Path) -> None:
    table = study_table(source)
    chosen = table[table["n_records"] > 1].head(5)
    data = export(source, "record", "ris", chosen)
    copy = import_file(data, "ris", tmp_path / "copy.sqlite")
    assert copy.count_records() == entry_count(chosen, "record")
    pd.testing.assert_frame_equal(by_study(copy), by_study(source).loc[sorted(chosen["study_id"])])
    copy.close()


def _csv_rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def test_groups_follow_the_file_where_this_projects_matcher_differs(
    source: Project, tmp_path: Path
) -> None:
    """Edit the file as if another project had grouped differently: one record apart from
    its group, and two separate publications as one; the restore makes it so."""
    header, rows = _csv_rows(export(source, "record", "csv"))
    col = {name: i for i, name in enumerate(header)}
    merged = [r for r in rows if r[col["report_id"]] == r[col["study_id"]]]
    by_report: dict[str, list[list[str]]] = {}
    for row in merged:
        by_report.setdefault(row[col["report_id"]], []).append(row)
    big = next(rs for rs in by_report.values() if len(rs) >= 2)
    leaving = big[-1]
    leaving[col["report_id"]] = leaving[col["study_id"]] = leaving[col["record_id"]]
    singles = [rs[0] for rs in by_report.values() if len(rs) == 1][:2]
    joined = singles[1]
    joined[col["report_id"]] = joined[col["study_id"]] = singles[0][col["record_id"]]
    copy = import_file(_csv_bytes(header, rows), "csv", tmp_path / "copy.sqlite")
    found = groups(copy)
    assert frozenset([leaving[col["record_id"]]]) in found
    assert frozenset([singles[0][col["record_id"]], joined[col["record_id"]]]) in found
    [event] = copy.events("export_restored")
    assert event["group_fixes"] == 2 and not event["problems"]
    kinds = {d["kind"] for d in duplicates.decisions(copy) if "as the file groups" in d["note"]}
    assert kinds == {"same", "split"}
    copy.close()


def test_reports_the_file_puts_in_one_study_are_linked(source: Project, tmp_path: Path) -> None:
    header, rows = _csv_rows(export(source, "record", "csv"))
    col = {name: i for i, name in enumerate(header)}
    alone = [r for r in rows if r[col["n_records"]] == "1"][:2]
    alone[1][col["study_id"]] = alone[0][col["study_id"]]  # another report of the first
    copy = import_file(_csv_bytes(header, rows), "csv", tmp_path / "copy.sqlite")
    table = study_table(copy).set_index("study_id")
    assert table.at[alone[0][col["record_id"]], "other_reports"] == [alone[1][col["record_id"]]]
    assert copy.events("export_restored")[0]["link_fixes"] == 1
    copy.close()


def test_restoring_twice_changes_nothing(source: Project, tmp_path: Path) -> None:
    copy = import_file(export(source, "record", "bibtex"), "bibtex", tmp_path / "copy.sqlite")
    before = (decisions(copy), coding.override_history(copy), by_study(copy))
    summary = restore_import(copy, 1)
    assert summary is not None
    assert (summary.decisions, summary.group_fixes, summary.overrides, summary.checks) == (0,) * 4
    assert summary.screening == 0 and not summary.problems
    assert apply_pending(copy) == []  # and the pipeline does not run it again
    after = (decisions(copy), coding.override_history(copy), by_study(copy))
    assert after[0] == before[0] and after[1] == before[1]
    pd.testing.assert_frame_equal(after[2], before[2])
    copy.close()


def test_an_ordinary_export_restores_nothing(tmp_path: Path) -> None:
    ris = b"TY  - JOUR\nTI  - Peer mentors in prison\nAU  - Smith, J.\nPY  - 2019\nER  - \n"
    project = open_project(tmp_path / "p.sqlite")
    project.add_import(read_bytes(ris, "scopus.ris", database="Scopus"))
    refresh(project)
    assert project.events("export_restored") == []
    assert list(json.loads(project.meta("restore_checked") or "{}")) == ["1"]
    project.close()


def test_a_label_given_on_import_wins_as_for_any_table(source: Project, tmp_path: Path) -> None:
    copy = import_file(export(source, "record", "csv"), "csv", tmp_path / "c.sqlite", "Mine")
    assert {r.source_db for r in copy.records()} == {"Mine"}
    pd.testing.assert_frame_equal(  # everything else comes back
        by_study(copy).drop(columns="databases"), by_study(source).drop(columns="databases")
    )
    copy.close()


def test_importing_an_export_back_into_its_own_project_is_harmless(
    source: Project, tmp_path: Path
) -> None:
    path = tmp_path / "again.sqlite"
    shutil.copyfile(source.path, path)
    project = open_project(path)
    n = project.count_records()
    studies = len(study_table(project))
    project.add_import(read_bytes(export(project, "record", "ris"), "again.ris"))
    refresh(project)
    assert project.count_records() == 2 * n
    assert len(study_table(project)) == studies  # each record joins its own study again
    [event] = project.events("export_restored")
    assert not [p for p in event["problems"] if "could not" in p]
    project.close()


def test_the_layout_is_refused_when_unknown(source: Project) -> None:
    with pytest.raises(ValueError, match="unknown export layout"):
        entries(source, study_table(source), "everything")


def test_keywords_of_the_records_reach_every_export(tmp_path: Path) -> None:
    """The keywords column was empty (the studies table had none) and RIS/BibTeX had no
    keywords although most records had some."""
    ris = (
        b"TY  - JOUR\nID  - k1\nTI  - Peer mentors and desistance\nAU  - Smith, J.\n"
        b"PY  - 2019\nKW  - peer mentoring\nKW  - desistance\nER  - \n\n"
        b"TY  - JOUR\nID  - k2\nTI  - Listeners in an English prison\nAU  - Jones, M.\n"
        b"PY  - 2021\nKW  - suicide prevention\nER  - \n"
    )
    project = open_project(tmp_path / "kw.sqlite")
    project.add_import(read_bytes(ris, "scopus.ris", database="Scopus"))
    refresh(project)
    table = study_table(project)
    assert list(table["keywords"]) == [["peer mentoring", "desistance"], ["suicide prevention"]]
    header, rows = _csv_rows(export(project, "study", "csv"))
    assert [r[header.index("keywords")] for r in rows] == [
        "peer mentoring; desistance",
        "suicide prevention",
    ]
    assert "KW  - peer mentoring" in export(project, "record", "ris").decode()
    assert "peer mentoring; desistance" in export(project, "study", "bibtex").decode()
    for fmt in FORMATS:
        copy = import_file(export(project, "record", fmt), fmt, tmp_path / f"{fmt}.sqlite")
        assert list(study_table(copy)["keywords"]) == list(table["keywords"])
        copy.close()
    project.close()


def test_screening_decisions_the_file_gets_wrong_are_reported_not_guessed(
    source: Project, tmp_path: Path
) -> None:
    """An edited export: a verdict no one knows, a full-text exclusion without its reason,
    two records of one study with different decisions. The rest comes back."""
    header, rows = _csv_rows(export(source, "record", "csv"))
    col = {name: i for i, name in enumerate(header)}
    ta, ft = col["screening_title_abstract"], col["screening_full_text"]
    of_study: dict[str, list[list[str]]] = {}
    for row in rows:
        of_study.setdefault(row[col["study_id"]], []).append(row)
    excluded = next(rs for rs in of_study.values() if rs[0][ft] == "exclude")
    for row in excluded:
        row[col["screening_full_text_reason"]] = ""
    pair = next(rs for rs in of_study.values() if len(rs) >= 2 and rs[0][ta] == "include"
                and rs is not excluded)  # fmt: skip
    pair[1][ta] = "exclude"
    unknown = next(rs for rs in of_study.values() if rs[0][ta] and rs not in (excluded, pair))
    for row in unknown:
        row[ta] = "sure"
    copy = import_file(_csv_bytes(header, rows), "csv", tmp_path / "copy.sqlite")
    [event] = copy.events("export_restored")
    problems = "\n".join(event["problems"])
    assert "screening decision 'sure' not understood" in problems
    assert "excluded at full text without a reason" in problems
    assert "the file gives its records different decisions; none restored" in problems
    mine, theirs = screened(source), screened(copy)
    assert len(theirs) == len(mine) - 3
    assert all(mine[key] == said for key, said in theirs.items())  # the rest as they were
    copy.close()


def test_a_study_decided_here_keeps_its_decision(source: Project, tmp_path: Path) -> None:
    """The export imported again into a project that has changed its mind since."""
    data = export(source, "record", "ris")
    project = import_file(data, "ris", tmp_path / "here.sqlite")
    state = current(project)
    unit = next(u for u, s in state.status["title-abstract"].items() if s.verdict == "include")
    screen.decide(project, unit, "exclude", reason="Wrong outcome")  # changed its mind here
    project.add_import(read_bytes(data, "old-export.ris"), allow_repeat=True)
    refresh(project)
    assert current(project).of(unit).verdict == "exclude"
    first, second = project.events("export_restored")
    assert first["screening"] == len(screened(project)) and second["screening"] == 0
    assert any("already decided here (exclude), kept" in p for p in second["problems"])
    project.close()
