"""Ovid's own text export (labelled and tagged layouts): fixtures field by field, robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.encoding import decode
from lib.ingest import read_path
from lib.readers import ovid
from lib.readers._citation import parse_source
from lib.readers.base import CUT_SHORT
from lib.readers.registry import detect
from tests.conftest import DATA
from tests.reader_checks import assert_sane, check, cut_and_spliced, not_claimed_test

HERE = DATA / "readers" / "ovid"


def test_medline_labelled_layout_field_by_field() -> None:
    read = read_path(HERE / "medline-labelled.txt")
    assert read.report.format == "ovid"
    assert read.report.database == "Ovid"
    review, article, status_only = read.records
    check(
        review,
        record_id="31234567",
        entrytype="review",
        # Ovid's "[Review] [63 refs]" notes are not part of the title
        title="Accumulating meaning, purpose and opportunities to change 'drip by drip': the "
        "impact of being a listener in prison.",
        authors=["Perrin, Christian", "Blagden, Nicholas"],  # Authors Full Name first
        year=2014,
        journal="Psychology, Crime & Law",  # from Source
        volume="20",
        issue="9",
        pages="902-20",
        doi="10.1080/1068316x.2014.888429",
        abstract="The Listener scheme trains prisoners to offer confidential emotional support "
        "to their peers. This study explores what the role means to Listeners themselves.",
        keywords=[
            "Humans",
            "Peer Group",
            "Prisoners/px [Psychology]",
            "listener scheme",
            "wounded healer",
        ],
        language="English",
        issn="1068-316X",
        url="http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D=medl&NEWS=N&AN=31234567",
        line=9,
    )
    assert review.original["Authors"] == ["Perrin C", "Blagden N"]
    check(article, authors=["Buck, G"], journal="Howard Journal of Crime & Justice", line=58)
    # a record with an id and a status only: kept and marked, so counts reconcile
    check(status_only, record_id="27000001", line=74, incomplete="has no title, author or DOI")
    assert read.report.skipped == []
    assert any("before or between records" in n for n in read.report.notes)  # search history
    assert read.report.unknown_fields == {}


def test_embase_labelled_crlf_field_by_field() -> None:
    assert b"\r\n" in (HERE / "embase-labelled-crlf.txt").read_bytes()
    read = read_path(HERE / "embase-labelled-crlf.txt")
    review, article = read.records
    check(
        review,
        record_id="2019123456",
        entrytype="review",  # "Journal: Review"
        authors=["South, J.", "Bagnall, A.-M.", "Woodall, J."],  # one ;-separated line
        journal="BMC Public Health",
        volume="14",
        issue="1",
        pages="1-14",  # "(pp 1-14)"
        year=2014,
        doi="10.1186/1471-2458-14-1234",
        keywords=["peer group", "prison", "peer education", "prison health"],
        issn="1471-2458",
        line=1,
    )
    check(
        article,
        journal="International Journal of Offender Therapy and Comparative Criminology",
        volume="58",
        issue="8",
        pages="931-950",  # separate fields win over Source
        line=30,
    )


def test_tagged_layout_field_by_field() -> None:
    read = read_path(HERE / "biosis-ipsa-tagged.txt")
    ipsa, biosis = read.records
    check(
        ipsa,
        record_id="63-7578",
        title="Legitimacy crises in Pakistan.",
        authors=["AHMED, Mughees"],
        year=2007,
        journal="Journal of Political Studies",
        keywords=["Legitimacy crisis, Pakistan"],
        issn="1991-1080",
        line=1,
    )
    check(
        biosis,
        record_id="PREV200400473722",
        # roles in brackets dropped; a continuation line joined to the title
        authors=["Werner, S. M.", "Nordheim, E. V."],
        title="Comparison of methods for sampling Thysanoptera on basswood (Tilia americana L.) "
        "trees in mixed northern hardwood deciduous forests",
        journal="Forest Ecology & Management",
        volume="201",
        issue="2-3",
        pages="327-334",
        issn="0378-1127",
        line=17,
    )
    assert read.report.unknown_fields == {"ZZ": 1}


def test_truncated_last_record() -> None:
    read = read_path(HERE / "truncated.txt")
    kept, cut = read.records
    check(kept, title="Listeners in prison.", incomplete="")
    # the file ends on a label with no value: read as far as it goes, marked
    check(cut, line=9, title="Peer support and self-harm.", incomplete=CUT_SHORT)
    assert read.report.skipped == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Journal of X. 26(2):225-38, 1999 Apr.", ("Journal of X", "26", "2", "225-38", 1999)),
        ("PeerJ. 6:e5082, 2018.", ("PeerJ", "6", "", "e5082", 2018)),
        ("J. Clin. Psychol. 26(2):225-38, 1999", ("J. Clin. Psychol", "26", "2", "225-38", 1999)),
        (
            "Cochrane Database of Systematic Reviews. (5):CD012345, 2019 May.",
            ("Cochrane Database of Systematic Reviews", "", "5", "CD012345", 2019),
        ),
        (
            "BMC Public Health. 14 (1) (pp 1-14), 2014. Date of Publication: 2014.",
            ("BMC Public Health", "14", "1", "1-14", 2014),
        ),
        ("J Y. 26 (no pagination), 1999.", ("J Y", "26", "", "", 1999)),
        (
            "Journal of Offender Rehabilitation. Vol.57(3-4), 2018, pp. 218-239.",
            ("Journal of Offender Rehabilitation", "57", "3-4", "218-239", 2018),
        ),
        ("Journal of X 26.2 (Apr 1999): 225-38.", ("Journal of X", "26", "2", "225-38", 1999)),
        (
            "Journal of X; London Vol. 26, Iss. 2, (Apr 1999): 225-38.",
            ("Journal of X", "26", "2", "225-38", 1999),
        ),
        ("Some Bulletin", ("Some Bulletin", "", "", "", None)),
    ],
)
def test_source_citations_are_split(source: str, expected: tuple[object, ...]) -> None:
    cited = parse_source(source)
    assert (cited.journal, cited.volume, cited.issue, cited.pages, cited.year) == expected


@given(st.text())
def test_source_parsing_is_total(text: str) -> None:
    cited = parse_source(text)
    assert cited.year is None or 1500 <= cited.year <= 2100


def test_detected_by_content() -> None:
    for name in ("medline-labelled.txt", "embase-labelled-crlf.txt", "biosis-ipsa-tagged.txt"):
        text, _ = decode((HERE / name).read_bytes(), name)
        assert detect(text, name).name == "ovid"


# No shared sample is Ovid text (Ovid's RIS export is RIS), so every one is checked.
test_does_not_claim_other_formats = not_claimed_test(ovid.sniff, "ovid", "ovid")


FIXTURE_TEXT = [
    (HERE / name).read_text(encoding="utf-8")
    for name in ("medline-labelled.txt", "biosis-ipsa-tagged.txt", "embase-labelled-crlf.txt")
]


def _assert_sane(text: str) -> None:
    assert_sane(ovid.read, text, "x.txt", cr_ends_lines=True)


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
                "<1>",
                "<2. >",
                "Title",
                "  A title",
                "Authors",
                "  Smith J",
                "TI  - x",
                "",
                "Source",
                "  J. 1(2):3-4, 2000.",
            ]
        ),
        max_size=40,
    )
)
def test_label_line_soup_never_raises(lines: list[str]) -> None:
    _assert_sane("\n".join(lines))


def test_bom_given_directly_reads_the_same() -> None:
    text = (HERE / "medline-labelled.txt").read_text(encoding="utf-8")
    plain = ovid.read(text, "x.txt")
    odd = ovid.read("\ufeff" + text.replace("\n", "\r\n"), "x.txt")
    assert [r.to_row() for r in odd.records] == [r.to_row() for r in plain.records]
