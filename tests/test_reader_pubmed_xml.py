"""PubMed XML: fixtures field by field, truncation, XML attacks refused, robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest import read_path
from lib.readers import pubmed_xml
from lib.readers.base import ReadError
from lib.readers.registry import detect
from tests.conftest import DATA
from tests.reader_checks import assert_sane, check, cut_and_spliced, not_claimed_test

HERE = DATA / "readers" / "pubmed_xml"


def test_articles_and_book_field_by_field() -> None:
    read = read_path(HERE / "two-articles-and-book.xml")
    assert read.report.format == "pubmed-xml"
    assert read.report.database == "PubMed"
    review, erratum, chapter = read.records
    check(
        review,
        record_id="31234567",
        entrytype="review",
        title="Peer support in prison: the Listener scheme revisited.",  # <i> markup dropped
        authors=["Pérez, María José", "Smith, J Jr", "Prison Peer Support Research Group"],
        year=2019,
        journal="The Prison journal",
        volume="99",
        issue="4",
        pages="456-78",  # MedlinePgn as given
        doi="10.1177/0032885519861234",  # ELocationID EIdType="doi", not the pii
        abstract="BACKGROUND: Listeners are prisoners trained by the Samaritans. METHODS: We "
        "interviewed 32 Listeners in 4 prisons. RESULTS: Listeners described the role as "
        "meaningful & demanding.",
        keywords=["Prisoners", "Peer Group", "Listeners", "suicide prevention"],
        language="eng",
        issn="0032-8855",  # print before electronic
        line=4,  # the line of <PubmedArticle>
    )
    assert review.original["MedlineCitation/Article/ELocationID@EIdType"] == ["pii", "doi"]
    assert review.original["MedlineCitation/MeshHeadingList/MeshHeading/QualifierName"] == [
        "psychology"
    ]
    check(
        erratum,
        record_id="9876543",
        entrytype="erratum",
        year=1998,  # MedlineDate "1998 Dec-1999 Jan"
        journal="Howard J Crim Justice",  # ISOAbbreviation when there is no Title
        pages="101",
        doi="",
        language="eng; fre",
        line=103,
    )
    check(
        chapter,
        record_id="20301234",
        entrytype="review",  # the book chapter's PublicationType says Review
        title="Chapter 3, Findings from the interviews",
        authors=["Green, Tom"],  # the chapter's authors, not the book's editors
        journal="Peer mentoring for people leaving prison: a mixed-methods evaluation",
        year=2021,
        isbn="978-1-23456-789-7",
        abstract="Mentors who had been in prison themselves were trusted.",
        line=139,
    )
    assert read.report.skipped == [] and read.report.unknown_fields == {}


def test_truncated_file_keeps_complete_records_and_skips_the_cut_one() -> None:
    read = read_path(HERE / "truncated.xml")
    assert [r.record_id for r in read.records] == ["31234567", "9876543"]
    (cut,) = read.report.skipped
    assert cut.line == 139
    assert "file ends inside this record" in cut.reason


def test_broken_xml_mid_file_reports_every_record_after_the_break() -> None:
    text = (HERE / "two-articles-and-book.xml").read_text(encoding="utf-8")
    broken = text.replace("<ArticleTitle>Erratum", "<ArticleTitle>Erratum <b>x</i>")
    result = pubmed_xml.read(broken, "broken.xml")
    assert [r.record_id for r in result.records] == ["31234567"]
    assert [s.line for s in result.skipped] == [103, 139]  # the broken record, then the next
    assert all("line 116" in s.reason for s in result.skipped)


def test_one_line_file_counts_records_after_a_break() -> None:
    text = (HERE / "two-articles-and-book.xml").read_text(encoding="utf-8").replace("\n", " ")
    broken = text.replace("<ArticleTitle>Erratum", "<ArticleTitle>Erratum <b>x</i>")
    result = pubmed_xml.read(broken, "broken.xml")
    assert len(result.records) == 1 and len(result.skipped) == 2


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_xml_attacks_are_refused_with_a_clear_message(name: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_path(HERE / name)
    message = caught.value.message()
    assert name in message and "refused for safety" in message
    assert "root:" not in message  # nothing from /etc/passwd


def test_html_entities_are_decoded_not_fatal() -> None:
    text = (
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>Peer&nbsp;support &eacute;tude</ArticleTitle></Article>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    result = pubmed_xml.read(text, "x.xml")
    assert result.records[0].title == "Peer support étude"
    assert any("HTML entity" in n for n in result.notes)


@pytest.mark.parametrize(
    "text",
    ["", "not xml at all", "<a><b></a>", "<root><x/></root>", "<PubmedArticleSet/>"],
)
def test_not_pubmed_xml_is_a_read_error(text: str) -> None:
    with pytest.raises(ReadError):
        pubmed_xml.read(text, "x.xml")


def test_detected_by_content() -> None:
    text = (HERE / "two-articles-and-book.xml").read_text(encoding="utf-8")
    for name in ("pubmed.xml", "pubmed-result.txt", "export"):
        assert detect(text, name).name == "pubmed-xml"


test_does_not_claim_other_formats = not_claimed_test(pubmed_xml.sniff, "pubmed_xml", "pubmed-xml")


FIXTURE = (HERE / "two-articles-and-book.xml").read_text(encoding="utf-8")


def _assert_sane(text: str) -> None:
    # expat counts a lone CR as a line end; every record start is accounted for: read or skipped
    assert_sane(
        pubmed_xml.read, text, "x.xml", cr_ends_lines=True, most_records=text.count("<Pubmed")
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_random_text_never_raises_anything_but_read_error(text: str) -> None:
    _assert_sane(text)


@settings(max_examples=200, deadline=None)
@given(cut_and_spliced([FIXTURE], len(FIXTURE), 3000))
def test_truncated_and_spliced_input_never_raises(texts: tuple[str, str]) -> None:
    for text in texts:
        _assert_sane(text)


def test_records_are_counted_exactly_when_cut_anywhere() -> None:
    """Cut after each character of the last record: 2 read + 1 skipped, every time."""
    start = FIXTURE.index("<PubmedBookArticle>")
    end = FIXTURE.index("</PubmedBookArticle>")
    for cut in range(start + len("<PubmedBookArticle>"), end, 7):
        result = pubmed_xml.read(FIXTURE[:cut], "x.xml")
        assert len(result.records) == 2, cut
        assert len(result.skipped) == 1 and result.skipped[0].line == 139, cut
