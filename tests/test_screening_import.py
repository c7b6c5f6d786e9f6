"""Importing earlier screening decisions: a CSV, Rayyan's notes, ASReview's labels; matched
by record id, DOI or title, with every line of the file accounted for in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.ingest import read_bytes
from lib.project import duplicates, open_project
from lib.screening import decisions
from lib.screening.importing import import_decisions
from lib.screening.queue import current

EXPORT = (
    "record_id,title,authors,year,journal,doi,abstract\n"
    'p1,Peer mentors in prison: a qualitative study,"Smith, J.",2019,Prison J,10.1000/p1,A\n'
    'p2,Listeners and suicide prevention in custody,"Jones, A.",2020,BMJ,10.1000/p2,B\n'
    'p3,Wounded healers and desistance,"Brown, K.",2018,Crim J,,C\n'
    'p4,Cardiac outcomes after bypass surgery,"Lee, M.",2017,Heart,10.1000/p4,D\n'
    'p5,Soil bacteria in arid climates,"Chen, L.",2016,Soil,,E\n'
    'p6,Editorial,"Ng, T.",2015,Prison J,,F\n'
    'p7,Editorial,"Ode, B.",2014,Crim J,,G\n'
)


@pytest.fixture()
def project(tmp_path: Path):
    with open_project(tmp_path / "review.sqlite") as opened:
        opened.add_import(read_bytes(EXPORT.encode(), "search.csv", database="Scopus"))
        duplicates.refresh(opened)
        yield opened


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def verdicts(project) -> dict[str, tuple[str, str, str]]:
    status = current(project).status["title-abstract"]
    return {s: (st.verdict, st.reason, st.note) for s, st in status.items()}


def accounted(report) -> int:
    return sum(
        len(part)
        for part in (
            report.matched,
            report.unlabelled,
            report.not_found,
            report.ambiguous,
            report.conflicting,
            report.already_decided,
            report.repeated,
            report.unreadable,
        )
    )


def test_a_csv_of_labels_matches_by_record_id_and_stores_import_decisions(
    project, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "labels.csv",
        "record_id,title,label_included,exclusion_reason,note\n"
        "p1,Peer mentors in prison: a qualitative study,1,,core paper\n"
        "p4,Cardiac outcomes after bypass surgery,0,Wrong population,\n"
        "p5,Soil bacteria in arid climates,,,\n"
        "zz,A study we never imported,1,,\n"
        "p2,Listeners and suicide prevention in custody,perhaps,,\n",
    )
    report = import_decisions(project, path)
    assert [(lab.record_id, study, how) for lab, study, how in report.matched] == [
        ("p1", "p1", "record id"),
        ("p4", "p4", "record id"),
    ]
    assert [lab.record_id for lab in report.unlabelled] == ["p5"]
    assert [lab.record_id for lab in report.not_found] == ["zz"]
    assert [lab.record_id for lab in report.unreadable] == ["p2"]
    assert accounted(report) == 5 == len(report.read.records)
    assert verdicts(project) == {
        "p1": ("include", "", "core paper"),
        "p4": ("exclude", "Wrong population", ""),
    }
    assert {d.origin for d in decisions.load(project)} == {"import"}
    text = "\n".join(report.lines())
    assert "2 decisions matched (2 by record id)" in text
    assert "not found in the project: line 5 (zz: A study we never imported)" in text
    assert "decision 'perhaps' not understood" in text
    assert project.events("screen_decisions")[-1]["file_name"] == "labels.csv"


def test_rayyan_notes_give_decisions_reasons_and_disagreements(project, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "articles.csv",
        "key,title,authors,journal,year,url,notes,abstract\n"
        '1,"Listeners and suicide prevention in custody","Jones A.",BMJ,2020,'
        'https://doi.org/10.1000/p2,"RAYYAN-INCLUSION: {""Ann""=>""Included"", '
        '""Bo""=>""Included""} | RAYYAN-LABELS: core",x\n'
        '2,"Cardiac outcomes after bypass surgery","Lee M.",Heart,2017,,'
        '"RAYYAN-INCLUSION: {""Ann""=>""Excluded""} | '
        'RAYYAN-EXCLUSION-REASONS: wrong population",y\n'
        '3,"Wounded healers and desistance","Brown K.",Crim J,2018,,'
        '"RAYYAN-INCLUSION: {""Ann""=>""Included"", ""Bo""=>""Excluded""}",z\n',
    )
    report = import_decisions(project, path)
    assert {(lab.source, study, how) for lab, study, how in report.matched} == {
        ("Rayyan", "p2", "DOI"),
        ("Rayyan", "p4", "title"),
        ("Rayyan", "p3", "title"),
    }
    found = verdicts(project)
    assert found["p2"][0] == "include"
    assert found["p4"][:2] == ("exclude", "wrong population")
    assert found["p3"][0] == "maybe" and "Ann Included, Bo Excluded" in found["p3"][2]


def test_asreview_labels_in_ris_notes(project, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "asreview.ris",
        "TY  - JOUR\nTI  - Peer mentors in prison: a qualitative study\nDO  - 10.1000/p1\n"
        "N1  - ASReview_relevant\nER  - \n\n"
        "TY  - JOUR\nTI  - Soil bacteria in arid climates\nN1  - ASReview_irrelevant\nER  - \n\n"
        "TY  - JOUR\nTI  - Wounded healers and desistance\nN1  - ASReview_not_seen\nER  - \n",
    )
    report = import_decisions(project, path)
    assert verdicts(project) == {"p1": ("include", "", ""), "p5": ("exclude", "", "")}
    assert [lab.title for lab in report.unlabelled] == ["Wounded healers and desistance"]


def test_a_colliding_id_with_another_title_is_not_trusted(project, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "other-tool.csv",
        "record_id,title,included\n"
        "p1,Soil bacteria in arid climates,0\n"  # another tool's id 'p1' is our p5
        "p9,Some paper nobody imported,1\n",
    )
    report = import_decisions(project, path)
    assert [(study, how) for _, study, how in report.matched] == [("p5", "title")]
    assert verdicts(project) == {"p5": ("exclude", "", "")}
    assert len(report.not_found) == 1


def test_titles_shared_by_two_studies_are_reported_not_guessed(project, tmp_path: Path) -> None:
    path = write(tmp_path, "labels.csv", "title,included\nEDITORIAL.,0\n")
    report = import_decisions(project, path)
    assert report.matched == [] and [sorted(ids) for _, ids in report.ambiguous] == [["p6", "p7"]]
    assert "several studies match (p6, p7)" in "\n".join(report.lines())


def test_decisions_made_here_are_kept_unless_replacing(project, tmp_path: Path) -> None:
    decisions.decide(project, "p1", "exclude", note="mine")
    path = write(tmp_path, "labels.csv", "record_id,included\np1,1\np1,1\np4,0\np4,1\n")
    report = import_decisions(project, path)
    assert [study for _, study in report.already_decided] == ["p1"]
    assert [study for _, study in report.repeated] == ["p1"]
    assert [study for _, study in report.conflicting] == ["p4"]
    assert verdicts(project)["p1"] == ("exclude", "", "mine")
    assert accounted(report) == 4
    again = import_decisions(project, write(tmp_path, "again.csv", "record_id,included\np1,1\n"),
                             replace=True)  # fmt: skip
    assert len(again.stored) == 1 and verdicts(project)["p1"][0] == "include"


def test_a_file_without_decisions_says_so_and_stores_nothing(project, tmp_path: Path) -> None:
    report = import_decisions(project, write(tmp_path, "plain.csv", EXPORT))
    assert report.no_decision_found and report.stored == []
    assert decisions.load(project) == []


def test_an_import_at_full_text_needs_reasons_for_exclusions(project, tmp_path: Path) -> None:
    path = write(tmp_path, "ft.csv", "record_id,included,reason\np1,1,\np4,0,\n")
    with pytest.raises(ValueError, match="needs a reason"):
        import_decisions(project, path, stage="full-text")
    assert decisions.load(project) == []  # all or nothing


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ris", "bibtex"])
@pytest.mark.parametrize("layout", ["record", "study"])
def test_our_own_export_gives_back_its_decisions_at_both_stages(
    project, tmp_path: Path, fmt: str, layout: str
) -> None:
    """Export a screened project, then read its decisions into another project holding
    the same records (imported from the search, not from the export)."""
    from lib import exporting
    from lib.pipeline import refresh
    from lib.views.exports import export_file
    from lib.views.studies import study_table

    refresh(project)
    decisions.decide(project, "p1", "include", note="core paper")
    decisions.decide(project, "p2", "include")
    decisions.decide(project, "p4", "exclude", reason="Wrong population")
    decisions.decide(project, "p5", "maybe")
    decisions.decide(project, "p1", "include", stage="full-text", note="p. 4")
    decisions.decide(project, "p2", "exclude", stage="full-text", reason="Wrong outcome")
    data = export_file(str(project.path), study_table(project), layout, fmt)
    name = "decisions" + exporting.FORMATS[fmt].suffix
    with open_project(tmp_path / "other.sqlite") as other:
        other.add_import(read_bytes(EXPORT.encode(), "search.csv", database="Scopus"))
        duplicates.refresh(other)
        for stage in ("title-abstract", "full-text"):
            report = import_decisions(other, (data, name), stage=stage)
            assert not report.no_decision_found and not report.unreadable
            assert accounted(report) == len(report.read.records)
            mine = current(project).status[stage]
            theirs = current(other).status[stage]
            assert {s: (v.verdict, v.reason, v.note) for s, v in theirs.items()} == {
                s: (v.verdict, v.reason, v.note) for s, v in mine.items()
            }
        assert {(lab.record_id, how) for lab, _, how in report.matched} == {
            ("p1", "record id"),
            ("p2", "record id"),
        }
