"""PubMed MEDLINE (.nbib / .txt): fixtures field by field, quirks, robustness, real sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.encoding import normalise_newlines
from lib.ingest import read_path
from lib.readers import medline
from lib.readers.base import CUT_SHORT, ReadError
from lib.readers.registry import detect
from tests.conftest import DATA
from tests.reader_checks import (
    assert_sane,
    check,
    cut_and_spliced,
    each_sample,
    not_claimed_test,
    read_sample,
)

HERE = DATA / "readers" / "medline"


def test_nbib_records_field_by_field() -> None:
    read = read_path(HERE / "peer-support.nbib")
    assert read.report.format == "medline"
    assert read.report.database == "PubMed"  # the exporter, when the user gives no label
    review, erratum, letter, empty = read.records
    check(
        review,
        record_id="31234567",
        entrytype="review",  # "Systematic Review" beats "Journal Article"
        title="Peer support in prison: the Listener scheme revisited, a systematic review of "
        "qualitative studies.",  # continuation line joined
        authors=["Pérez, María José", "Smith, John A", "Prison Peer Support Research Group"],
        year=2019,
        journal="The Prison journal",  # JT (full title) before TA
        volume="99",
        issue="4",
        pages="456-78",  # kept as given
        doi="10.1177/0032885519861234",
        abstract="BACKGROUND: Listeners are prisoners trained by the Samaritans. METHODS: We "
        "searched six databases. RESULTS: Twelve studies described the role as meaningful "
        "and demanding.",
        keywords=["Humans", "Peer Group", "Prisoners/psychology", "Listeners", "wounded healer"],
        language="eng",
        issn="0032-8855",  # the print ISSN of three
        line=1,
    )
    assert review.original["IS"] == [
        "1745-1234 (Electronic)",
        "0032-8855 (Print)",
        "0032-8855 (Linking)",
    ]
    assert review.original["AID"] == ["0032885519861234 [pii]", "10.1177/0032885519861234 [doi]"]
    check(
        erratum,
        record_id="9876543",
        entrytype="erratum",
        authors=["Jones, K"],  # AU when there is no FAU
        year=1998,  # from "1998 Dec-1999 Jan"
        journal="Howard J Crim Justice",  # TA when there is no JT
        pages="101",
        doi="",
        language="eng; fre",
        line=45,
    )
    # No DP: the year comes from the electronic date; Letter beats Comment and Article.
    check(letter, record_id="30000001", entrytype="letter", year=2024, line=60)
    assert letter.doi == "10.1000/pilot.2024.1"  # from AID when there is no LID
    # a record with nothing to identify it is kept and marked, so counts reconcile
    check(empty, record_id="30000002", line=71, incomplete="has no title, author or DOI")
    assert read.report.skipped == []
    assert read.report.unknown_fields == {"XX": 1}  # PubMed's housekeeping tags not listed


def test_crlf_pasted_records_and_truncated_last_record() -> None:
    assert b"\r\n" in (HERE / "crlf-pasted-truncated.txt").read_bytes()
    read = read_path(HERE / "crlf-pasted-truncated.txt")
    assert read.report.format == "medline"
    first, second, cut = read.records
    check(
        first,
        title="Peer educators in a women’s prison: an ethnography.",
        authors=["Collica-Cox, Kimberly"],
        journal="Women & Criminal Justice",
        line=1,
    )
    check(second, record_id="40000002", line=10)
    # No blank line before the third PMID: still a new record; the file ends inside it
    # (no SO line, while every other record ends with SO): read as far as it goes, marked.
    check(
        cut,
        record_id="40000003",
        line=17,
        title="Peer support for people convicted of sexual offences.",
        incomplete=CUT_SHORT,
    )
    assert read.report.skipped == []
    assert [(i.line, i.reason) for i in read.report.incomplete] == [(17, CUT_SHORT)]


def test_detected_by_content_whatever_the_suffix(tmp_path: Path) -> None:
    text = (HERE / "peer-support.nbib").read_text(encoding="utf-8")
    for name in ("export.txt", "export.nbib", "export.dat", "export"):
        assert detect(text, name).name == "medline"
    renamed = tmp_path / "pubmed-result.txt"
    renamed.write_text(text, encoding="utf-8")
    assert len(read_path(renamed).records) == 4


def test_not_medline_is_a_read_error() -> None:
    with pytest.raises(ReadError):
        medline.read("just some words\nand more words\n", "notes.txt")


test_does_not_claim_other_formats = not_claimed_test(medline.sniff, "medline", "medline")


FIXTURE_TEXT = [
    (HERE / name).read_text(encoding="utf-8")
    for name in ("peer-support.nbib", "crlf-pasted-truncated.txt")
]


def _assert_sane(text: str) -> None:
    assert_sane(medline.read, text, "x.txt", cr_ends_lines=True)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_random_text_never_raises_anything_but_read_error(text: str) -> None:
    _assert_sane(text)


@settings(max_examples=200, deadline=None)
@given(cut_and_spliced(FIXTURE_TEXT, 5000, 5000))
def test_truncated_and_spliced_input_never_raises(texts: tuple[str, str]) -> None:
    for text in texts:
        _assert_sane(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "PMID- 1",
                "TI  - A title",
                "AU  - Smith J",
                "      more",
                "",
                "SO  - J. 2020.",
                "XYZ",
                "AB  -",
            ]
        ),
        max_size=40,
    )
)
def test_tagged_line_soup_never_raises(lines: list[str]) -> None:
    _assert_sane("\n".join(lines))


@each_sample("medline")
def test_real_pubmed_export_reads_with_manifest_count(row: dict[str, str]) -> None:
    read = read_sample(row, "medline")
    assert all(r.record_id.isdigit() and r.title and r.authors and r.year for r in read.records)
    first = read.records[0]
    assert first.record_id == "28441597"
    assert first.doi == "10.1016/j.scitotenv.2017.04.075"
    assert first.authors[0] == "Neilen, Amanda D"
    assert first.journal == "The Science of the total environment"


def _shape(raws: list) -> list[tuple]:
    fold = " ".join
    return [
        (r.line, r.last_tag, {t: [fold(v.split()) for v in vs] for t, vs in r.fields.items()})
        for r in raws
    ]


@settings(max_examples=300, deadline=None)
@given(cut_and_spliced(FIXTURE_TEXT, 5000, 5000))
def test_fast_path_reads_exactly_like_the_line_reader(texts: tuple[str, str]) -> None:
    """Large files go through a fast path; it must split records exactly as line by line."""
    text = normalise_newlines(texts[1])
    slow: list = []
    medline._LineReader(slow).feed(text, 1)
    for raw in slow:
        raw.close()
    assert _shape(medline._records(text, medline._LineReader([]))) == _shape(slow)


def test_bom_and_crlf_given_directly_read_the_same() -> None:
    text = (HERE / "peer-support.nbib").read_text(encoding="utf-8")
    plain = medline.read(text, "x.nbib")
    odd = medline.read("\ufeff" + text.replace("\n", "\r\n"), "x.nbib")
    assert [r.to_row() for r in odd.records] == [r.to_row() for r in plain.records]
