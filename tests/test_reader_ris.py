"""RIS: the exports of Scopus, EBSCO, Ovid, Embase, EndNote, Zotero... read field by field."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest import read_bytes, read_path
from lib.readers import ris
from lib.readers.base import CUT_SHORT, ReadError
from tests.conftest import DATA
from tests.reader_checks import assert_sane

RIS = DATA / "readers" / "ris"


def test_scopus_record_field_by_field() -> None:
    read = read_path(RIS / "scopus.ris")
    first, erratum, online = read.records
    assert first.record_id == "scopus-1"  # no ID tag: a stable id from the file name
    assert first.entrytype == "article"
    assert first.title == "Unlocking the potential: a prison peer support scheme"
    assert first.authors == ["Perrin, C.", "Blagden, N."]
    assert first.year == 2018
    assert first.journal == "Journal of Offender Rehabilitation"
    assert (first.volume, first.issue, first.pages) == ("57", "3", "1-21")
    assert first.doi == "10.1080/example.2018.1"
    assert first.abstract == "Peer mentors described a sense of purpose."
    assert first.keywords == ["peer support", "prison"]
    assert first.language == "English"
    assert first.issn == "1050-9674"
    assert first.line == 1
    assert first.original["DB"] == ["Scopus"]
    assert erratum.entrytype == "erratum"  # from M3
    assert erratum.line == 23
    assert online.pages == "1234"  # the article number (C7) when there are no pages
    assert read.report.database == "Scopus"  # said by the DB tag
    assert read.report.records_read == 3 and read.report.records_skipped == 0
    assert read.report.unknown_fields == {}


def test_ovid_numbered_lines_between_records() -> None:
    read = read_path(RIS / "ovid_numbered.ris")
    article, chapter = read.records
    assert article.record_id == "555001"
    assert article.line == 2
    assert article.doi == "10.1000/abc.123"
    assert article.title == "Listeners in prison: a review."
    assert article.abstract == "A first line of the abstract that continues on a second line."
    assert article.journal == "Journal of Forensic Nursing"  # JF (full) before JA (abbrev.)
    assert article.pages == "1049-58"
    assert chapter.entrytype == "chapter"
    assert chapter.journal == "Handbook of Prison Health"
    assert chapter.isbn == "978-0-19-000000-2" and chapter.issn == ""
    assert any("outside records" in n for n in read.report.notes)


def test_ebsco_crlf_repeated_abstract_and_doi_in_l3() -> None:
    read = read_path(RIS / "ebsco_crlf.ris")
    (rec,) = read.records
    assert read.report.encoding == "utf-8"
    assert rec.authors == ["Müller, Jürgen"]
    assert rec.title == "“Living on the edge”: peer support"
    assert rec.journal == "The Prison Journal"
    assert rec.year == 2016
    assert rec.doi == "10.1177/0032885516000001"
    assert rec.abstract.startswith("First abstract paragraph. Copyright of")
    assert rec.abstract.endswith("continued copyright line.")
    assert read.report.database == "EBSCO"


def test_lenient_tags_missing_er_and_truncated_last_record() -> None:
    read = read_path(RIS / "lenient_and_truncated.ris")
    assert [(r.title, r.incomplete) for r in read.records] == [
        ("One space before the dash", ""),
        ("Closed by the next record, no ER", ""),
        ("Complete record", ""),
        # no ER line at the end of the file: read as far as it goes, marked
        ("The file ends inside this record", CUT_SHORT),
    ]
    assert read.records[-1].line == 16
    assert read.report.skipped == []
    assert [i.line for i in read.report.incomplete] == [16]
    assert read.report.unknown_fields == {"XY": 1}
    assert any("no ER line" in n for n in read.report.notes)


def test_record_with_nothing_identifying_is_kept_and_marked() -> None:
    read = read_path(RIS / "empty_record.ris")
    assert [(r.title, r.line, r.incomplete) for r in read.records] == [
        ("", 1, "has no title, author or DOI"),
        ("A real one", 4, ""),
    ]
    assert read.report.skipped == []
    assert "2 read (1 incomplete), 0 skipped" in read.report.lines()[0]


def test_no_records_is_a_clear_error() -> None:
    with pytest.raises(ReadError, match="no RIS records"):
        ris.read("AU  - Doe, J\nTI  - no TY line\n", "x.ris")


def test_detected_by_content_whatever_the_name() -> None:
    data = (RIS / "scopus.ris").read_bytes()
    assert read_bytes(data, "export.txt").report.format == "ris"
    assert read_bytes(data, "export.csv").report.format == "ris"


_LINES = st.sampled_from(
    [
        "TY  - JOUR",
        "TY  - ",
        "ER  - ",
        "ER  -",
        "AU  - Doe, J",
        "TI  - A title",
        "PY  - 2020",
        "AB  - text",
        "continued",
        "1.",
        "",
        "KW  - x",
        "SP  - 5",
        "EP  - 1",
        "DO  - 10.1000/x",
    ]
)


@settings(max_examples=300)
@given(st.lists(_LINES | st.text(max_size=30), max_size=60))
def test_random_ris_reads_or_raises_read_error(lines: list[str]) -> None:
    assert_sane(ris.read, "\n".join(lines), "f.ris")


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=2000))
def test_truncated_real_looking_file_never_crashes(cut: int) -> None:
    text = (RIS / "scopus.ris").read_text(encoding="utf-8")[:cut]
    assert_sane(ris.read, text, "cut.ris", most_records=3)


@pytest.mark.parametrize(
    ("ty", "m3", "etype"),
    [
        ("JOUR", "Article", "article"),
        ("JOUR", "Review", "review"),
        ("JOUR", "Erratum", "erratum"),
        ("JOUR", "Editorial", "editorial"),
        ("CONF", "Conference Paper", "conference"),
        ("THES", "Article", "thesis"),
        ("CHAP", "", "chapter"),
    ],
)
def test_document_type_in_m3_refines_ty(ty: str, m3: str, etype: str) -> None:
    text = f"TY  - {ty}\nTI  - A title\nM3  - {m3}\nER  - \n"
    (rec,) = ris.read(text, "x.ris").records
    assert rec.entrytype == etype
