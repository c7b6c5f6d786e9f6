"""Web of Science tagged plain text: fixtures field by field, quirks, robustness, real sample."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.encoding import normalise_newlines
from lib.ingest import read_path
from lib.readers import wos
from lib.readers.base import CUT_SHORT, NOTHING_IDENTIFYING, ReadError
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

HERE = DATA / "readers" / "wos"


def test_full_records_field_by_field() -> None:
    read = read_path(HERE / "full-record.txt")
    assert read.report.format == "wos"
    assert read.report.database == "Web of Science"
    article, review, chapter, no_title, nothing = read.records
    check(
        article,
        record_id="WOS:000341234500007",
        entrytype="article",
        title="Accumulating meaning, purpose and opportunities to change 'drip by drip': the "
        "impact of being a listener in prison",
        authors=["Perrin, Christian", "Blagden, Nicholas"],  # AF (full names) before AU
        year=2014,
        journal="PSYCHOLOGY CRIME & LAW",  # kept as given; deduplication normalises case
        volume="20",
        issue="9",
        pages="902-920",  # BP-EP
        doi="10.1080/1068316x.2014.888429",
        abstract="The Listener scheme trains prisoners to offer confidential emotional support "
        "to their peers.",
        keywords=[
            "Listener scheme",
            "peer support",
            "prison",
            "desistance",
            "generativity",
            "wounded healer",  # a keyword list wrapped onto a continuation line
            "SELF",
            "DESISTANCE",
            "IDENTITY",
        ],
        language="English",
        issn="1068-316X",
        line=3,
    )
    # list fields keep one item per line, abbreviations stay in the original
    assert article.original["C1"] == [
        "[Perrin, Christian] Nottingham Trent Univ, Nottingham, England.",
        "[Blagden, Nicholas] Univ Derby, Derby, England.",
    ]
    assert article.original["J9"] == ["PSYCHOL CRIME LAW"]
    assert article.original["JI"] == ["Psychol. Crime Law"]
    check(review, entrytype="review", authors=["Devilly, GJ", "Sorbello, L", "Eccleston, L",
                                               "Ward, T"], line=43)  # fmt: skip
    check(
        chapter,
        entrytype="chapter",  # PT B, DT Book Chapter
        isbn="978-0-367-00000-1",
        pages="45-67",
        journal="ROUTLEDGE STUDIES IN CRIMINAL JUSTICE",
        line=60,
    )
    check(no_title, title="", authors=["Nobody, A"], pages="1722034", line=72)  # "UNSP" dropped
    # nothing to identify it: kept and marked, so counts reconcile
    check(nothing, record_id="WOS:000999999900001", line=81, incomplete=NOTHING_IDENTIFYING)
    assert read.report.skipped == []
    assert read.report.unknown_fields == {}  # every tag here is mapped or recognised


def test_no_header_crlf_missing_er_and_truncated_last_record() -> None:
    assert b"\r\n" in (HERE / "no-header-crlf-truncated.txt").read_bytes()
    read = read_path(HERE / "no-header-crlf-truncated.txt")
    assert read.report.format == "wos"  # detected without the FN header
    editorial, second, cut = read.records
    check(editorial, entrytype="editorial", pages="12", issue="1", volume="27", line=1)
    check(second, authors=["Ware, Jayson"], record_id="WOS:000700000000002", line=13)
    # no ER at the end of the file: read as far as it goes, marked
    check(cut, line=19, incomplete=CUT_SHORT)
    assert cut.title.startswith("A record whose file")
    assert read.report.skipped == []
    assert any("no ER line" in n for n in read.report.notes)  # the second record's ER


def test_detected_by_content_whatever_the_suffix() -> None:
    text = (HERE / "full-record.txt").read_text(encoding="utf-8")
    for name in ("savedrecs.txt", "savedrecs.ciw", "records", "x.ris"):
        assert detect(text, name).name == "wos"


def test_not_wos_is_a_read_error() -> None:
    with pytest.raises(ReadError):
        wos.read("FN\nnothing here\n", "x.txt")


test_does_not_claim_other_formats = not_claimed_test(wos.sniff, "wos", "wos-txt")


FIXTURE_TEXT = [
    (HERE / name).read_text(encoding="utf-8")
    for name in ("full-record.txt", "no-header-crlf-truncated.txt")
]


def _assert_sane(text: str) -> None:
    assert_sane(wos.read, text, "x.txt", cr_ends_lines=True)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_random_text_never_raises_anything_but_read_error(text: str) -> None:
    _assert_sane(text)


@settings(max_examples=200, deadline=None)
@given(cut_and_spliced(FIXTURE_TEXT, 3000, 3000))
def test_truncated_and_spliced_input_never_raises(texts: tuple[str, str]) -> None:
    for text in texts:
        _assert_sane(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "PT J",
                "AU Smith, J",
                "   Jones, K",
                "TI A title",
                "ER",
                "EF",
                "FN x",
                "",
                "UT WOS:1",
                "X",
                "AB",
            ]
        ),
        max_size=40,
    )
)
def test_tagged_line_soup_never_raises(lines: list[str]) -> None:
    _assert_sane("\n".join(lines))


def test_every_complete_record_is_counted() -> None:
    """One record per PT..ER block: read or skipped, never dropped."""
    block = "PT J\nAU Smith, J\nTI Title {n}\nUT WOS:{n}\nER\n\n"
    text = "FN Clarivate Analytics Web of Science\nVR 1.0\n" + "".join(
        block.format(n=n) for n in range(250)
    )
    result = wos.read(text + "EF", "x.txt")
    assert [r.record_id for r in result.records] == [f"WOS:{n}" for n in range(250)]
    assert [r.line for r in result.records] == [3 + 6 * n for n in range(250)]


@each_sample("wos-txt")
def test_real_wos_export_reads_with_manifest_count(row: dict[str, str]) -> None:
    read = read_sample(row, "wos")
    ids = [r.record_id for r in read.records]
    assert ids[0] == "WOS:000514379300001" and ids[-1] == "MEDLINE:31858815"
    assert all(r.title and r.authors and r.doi and r.year == 2020 for r in read.records)
    assert read.records[0].pages == "1722034"  # "AR UNSP 1722034"
    assert len(read.records[0].authors) == 10  # continuation lines are one author each


def _shape(raws: list) -> list[tuple]:
    fold = " ".join
    return [
        (
            r.line,
            r.last_tag,
            r.ended,
            r.complete,
            {t: [fold(v.split()) for v in vs] for t, vs in r.fields.items()},
        )
        for r in raws
    ]


@settings(max_examples=300, deadline=None)
@given(cut_and_spliced(FIXTURE_TEXT, 3000, 3000))
def test_fast_path_reads_exactly_like_the_line_reader(texts: tuple[str, str]) -> None:
    """Large files go through a fast path; it must split records exactly as line by line."""
    text = normalise_newlines(texts[1])
    slow: list = []
    reader = wos._LineReader(slow)
    reader.feed(text, 1)
    reader.end_section()
    for raw in slow:
        raw.close()
    assert _shape(wos._records(text, wos._LineReader([]))) == _shape(slow)
