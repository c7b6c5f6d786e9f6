"""EndNote/refer tagged text (.enw): Google Scholar, EndNote (CRLF) and classic refer files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest import read_bytes, read_path
from lib.readers import refer
from lib.readers.base import NOTHING_IDENTIFYING, ReadError
from lib.readers.registry import detect
from tests.conftest import DATA
from tests.reader_checks import assert_sane, cut_and_spliced

REFER = DATA / "readers" / "refer"


def test_google_scholar_enw() -> None:
    read = read_path(REFER / "scholar.enw")
    article, book = read.records
    assert article.record_id == "scholar-1"  # no %F or %M: a stable generated id
    assert article.entrytype == "article"
    assert article.title == "Defining the process to literature searching in systematic reviews"
    assert article.authors == ["Cooper, Chris", "Booth, Andrew"]
    assert article.journal == "BMC medical research methodology"
    assert (article.year, article.volume, article.issue, article.pages) == (2018, "18", "1", "85")
    assert (article.issn, article.isbn) == ("1471-2288", "")
    assert article.line == 1
    assert book.entrytype == "book"
    assert (book.isbn, book.issn) == ("978-0-19-000000-2", "")
    assert book.line == 13
    assert read.report.unknown_fields == {"%I": 2}


def test_endnote_crlf_continuations_and_ids() -> None:
    read = read_path(REFER / "endnote.enw")
    assert read.report.database == "Web of Science"  # every record's %~ says so
    first, chapter, conference = read.records
    assert first.record_id == "Perrin2018"  # %F before %M
    assert first.entrytype == "review"  # %9 Review
    assert first.title == "Unlocking the potential: a prison peer support scheme"  # continued
    assert first.authors == ["Perrin, Christopher", "Müller, Jürgen", "World Health Organization"]
    assert first.journal == "Journal of Offender Rehabilitation"
    assert (first.volume, first.issue, first.pages) == ("57", "3", "1-21")
    assert first.year == 2018
    assert first.doi == "10.1080/example.2018.1"  # %R
    assert first.issn == "1050-9674"  # "(Print)" dropped
    assert first.abstract == "Peer mentors described a sense of purpose. A second abstract line."
    assert first.keywords == ["peer support", "prison", "Listener scheme"]
    assert first.language == "English"
    assert first.url == "https://doi.org/10.1080/example.2018.1"
    assert first.original["%M"] == ["WOS:000123"]
    assert first.line == 1
    assert chapter.record_id == "WOS:000456"  # %M when there is no %F
    assert chapter.entrytype == "chapter"
    assert chapter.journal == "Handbook of Resettlement"  # %B
    assert chapter.isbn == "978-0-19-000000-3"
    assert chapter.authors == ["Smith, John"]  # the editor (%E) is not an author
    assert chapter.line == 28
    assert conference.entrytype == "conference"
    assert conference.journal == "Proceedings of the Prison Health Conference"
    assert conference.line == 39
    assert read.report.unknown_fields == {"%Z": 1, "%E": 1}


def test_classic_refer_blank_line_records() -> None:
    read = read_path(REFER / "refer_classic.txt")
    assert read.report.format == "refer"
    article, chapter, little, last = read.records
    assert article.authors == ["Smith, J.", "Other, A. N."]
    assert (article.entrytype, article.journal, article.line) == (
        "article",
        "The Prison Journal",
        3,
    )
    assert chapter.authors == ["Listeners Anonymous"]  # trailing comma: a group author
    assert (chapter.entrytype, chapter.journal) == ("chapter", "Handbook of Prison Health")
    assert last.doi == "10.1000/from-url"  # from a doi.org %U
    # a year, a volume and a publisher only: kept and marked, so counts reconcile
    assert (little.line, little.year, little.incomplete) == (16, 2001, NOTHING_IDENTIFYING)
    assert read.report.skipped == []
    assert read.report.notes == ["line 1: text before the first record ignored"]


def test_record_without_type_line_does_not_swallow_the_next() -> None:
    text = "%0 Journal Article\n%T First\n%A Doe, J\n\n%T Second, its %0 line lost\n%A Roe, R\n"
    result = refer.read(text, "x.enw")
    assert [(r.title, r.line) for r in result.records] == [
        ("First", 1),
        ("Second, its %0 line lost", 5),
    ]


def test_no_tagged_lines_is_a_clear_error() -> None:
    with pytest.raises(ReadError, match="no EndNote/refer tagged lines"):
        refer.read("just some text\nwithout tags\n", "x.enw")


def test_detected_by_content_whatever_the_name() -> None:
    data = (REFER / "scholar.enw").read_bytes()
    assert read_bytes(data, "scholar.txt").report.format == "refer"
    for path in REFER.iterdir():
        assert detect(path.read_text(encoding="utf-8"), "x.txt").name == "refer"


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nTI  - A title\nER  - \n",
        "% Encoding: UTF-8\n\n@Article{a,\n  title = {x},\n}\n",
        "PMID- 1\nTI  - x\n",
        "Title,Authors\n%T,%A\n",
        "50% of\n%A b\n",
    ],
)
def test_sniff_does_not_claim_other_formats(text: str) -> None:
    assert refer.sniff(text) < 0.3


_LINES = st.sampled_from(
    [
        "%0 Journal Article",
        "%0 Book Section",
        "%0",
        "%A Doe, J",
        "%A World Health Organization,",
        "%T A title",
        "%T",
        "%J Journal",
        "%B Book",
        "%D 2020",
        "%@ 1234-5678 (Print)",
        "%@ 978-0-19-000000-2",
        "%@ x",
        "%R 10.1000/x",
        "%K a; b",
        "%U https://doi.org/10.1/y",
        "%9 Review",
        "%~ Scopus",
        "continued",
        "",
        "%%",
        "%",
    ]
)


def _check(text: str) -> None:
    assert_sane(refer.read, text, "fuzz.enw")


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=40).map("\n".join))
def test_spliced_lines_never_raise_anything_but_read_error(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises_anything_but_read_error(text: str) -> None:
    _check(text)
    _check("%0 " + text)


_FIXTURE = (REFER / "endnote.enw").read_text(encoding="utf-8")


@settings(max_examples=200, deadline=None)
@given(cut_and_spliced([_FIXTURE], len(_FIXTURE)))
def test_truncated_and_spliced_exports(texts: tuple[str, str]) -> None:
    for text in texts:
        _check(text)
