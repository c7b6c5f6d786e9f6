"""PRISMA 2020 identification counts: checked, tabled, drawn with labels as text."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import pytest

from lib.views import prisma

SVG = "{http://www.w3.org/2000/svg}"
COUNTS = {"identified": {"Scopus": 120, "PubMed": 80, "Web of Science": 60},
          "duplicates_removed": 90, "studies": 160}  # fmt: skip


def test_the_table_follows_the_flow_diagram() -> None:
    table = prisma.prisma_table(COUNTS)
    assert list(zip(table["detail"], table["n"], strict=True)) == [
        ("Records identified from Scopus", 120),
        ("Records identified from PubMed", 80),
        ("Records identified from Web of Science", 60),
        ("Records identified (all databases)", 260),
        ("Duplicate records removed", 90),
        ("Records after duplicates removed", 170),
        ("Reports grouped with another report of the same study", 10),
        ("Studies", 160),
    ]


def test_no_grouped_reports_row_when_every_record_is_its_own_study() -> None:
    table = prisma.prisma_table({**COUNTS, "studies": 170})
    assert not table["detail"].str.contains("grouped").any()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duplicates_removed": 300}, "300 duplicates removed but only 260 records"),
        ({"studies": 200}, "200 studies from only 170 records"),
        ({"duplicates_removed": -1}, "cannot be negative"),
        ({"studies": 1.5}, "whole number"),
        ({"studies": "many"}, "whole number"),
        ({"identified": [120, 80]}, "'identified' must map each database"),
        ({"identified": {"Scopus": -5}}, "records identified from 'Scopus' cannot be negative"),
    ],
)
def test_counts_that_cannot_be_right_are_refused_with_the_reason(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        prisma.prisma_counts({**COUNTS, **change})


def test_whole_numbers_written_as_text_or_floats_are_accepted() -> None:
    counts = prisma.prisma_counts({"identified": {"A": "10"}, "duplicates_removed": 2.0,
                                   "studies": 8})  # fmt: skip
    assert (counts.total_identified, counts.after_duplicates, counts.studies) == (10, 8, 8)


def test_the_diagram_shows_every_count_and_draws_labels_as_text() -> None:
    counts = {**COUNTS, "identified": {"<b>Evil</b> <a href='javascript:x'>db</a>": 10,
                                       "Scopus": 250}}  # fmt: skip
    svg = prisma.prisma_svg(counts)
    root = ElementTree.fromstring(svg)  # well-formed: the label cannot break out
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for number in ("n = 260", "n = 90", "n = 170", "n = 160", "n = 250", "n = 10"):
        assert number in text
    assert "<b>Evil</b>" in text  # shown literally ...
    assert root.find(f".//{SVG}a") is None and root.find(f".//{SVG}b") is None  # ... as text
    assert "10 reports grouped" in text
    assert len(root.findall(f"{SVG}rect")) == 1 + 1 + 4  # background, band, 3 boxes + 1 side


def test_the_prisma_files_are_named_for_the_project() -> None:
    assert prisma.prisma_file_name("Demo: peer support in prisons") == (
        "demo-peer-support-in-prisons-prisma.csv"
    )
    assert prisma.prisma_file_name("Évaluation / pairs", "svg") == "evaluation-pairs-prisma.svg"
    assert prisma.prisma_file_name("***") == "project-prisma.csv"


def test_flow_from_the_projects_counts(tmp_path) -> None:
    from lib.demo import build_demo_project
    from lib.project import duplicates

    with build_demo_project(tmp_path / "demo.sqlite") as project:
        flow = prisma.from_project(duplicates.prisma_counts(project))
        assert flow.identified == {
            "EBSCOhost": 18,
            "Hand search (Zotero)": 11,
            "PubMed": 20,
            "Scopus": 27,
            "Web of Science": 21,
        }
        assert flow.total_identified == project.count_records() == 97
        assert flow.studies == 41  # 43 publications: an erratum and an abstract are linked
        assert flow.duplicates_removed == 97 - 43
        assert flow.reports_grouped == 2


def test_the_csv_of_counts_is_neutralised() -> None:
    data = prisma.prisma_csv({**COUNTS, "identified": {"=HYPERLINK(1)": 260}})
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["stage", "detail", "n"]
    assert rows[1][1] == "Records identified from =HYPERLINK(1)"  # not at the start: safe
    data = prisma.prisma_csv({"identified": {"+x": 3}, "duplicates_removed": 0, "studies": 3})
    assert not any(c.startswith(("=", "+", "-", "@")) for row in
                   csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row)  # fmt: skip
