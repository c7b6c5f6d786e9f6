"""ProQuest and Cochrane Library plain-text exports: fixtures field by field, robustness."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.encoding import decode
from lib.ingest import read_path
from lib.readers import cochrane, proquest
from lib.readers.base import CUT_SHORT, ReadError
from lib.readers.registry import detect
from tests.conftest import DATA
from tests.reader_checks import assert_sane, check, cut_and_spliced, not_claimed_test

PQ = DATA / "readers" / "proquest"
CO = DATA / "readers" / "cochrane"


def test_proquest_records_field_by_field() -> None:
    read = read_path(PQ / "criminology-three.txt")
    assert read.report.format == "proquest"
    assert read.report.database == "ProQuest"
    first, review, third = read.records
    check(
        first,
        record_id="1012345678",
        entrytype="article",
        title="Peer support in prison: the Listener scheme",
        authors=["Jaffe, Michelle", "Dooley, Enda"],
        year=2012,
        journal="The Prison Journal",
        volume="92",
        issue="2",
        pages="201-222",
        doi="10.1177/0032885512439009",
        # paragraphs joined; "Methods:" inside the abstract is text, not a field
        abstract="Background: Listeners are prisoners trained by the Samaritans to support "
        "peers. Methods: Interviews with 20 Listeners. Results: Listeners reported meaning "
        "and strain.",
        keywords=["Prisoners", "Peer support", "Suicide prevention"],
        language="English",
        issn="0032-8855",
        url="https://www.proquest.com/scholarly-journals/peer-support/docview/1012345678/se-2",
        line=13,
    )
    check(
        review,
        entrytype="review",  # "Literature Review"
        title="Wounded healers: peer mentors after release",  # the unlabelled title line
        journal="Criminology & Criminal Justice",  # from "Publication info"
        volume="19",
        issue="2",
        pages="190-206",
        year=2019,
        line=69,
    )
    check(third, record_id="33123", journal="Journal of Sexual Aggression", line=89)
    assert read.report.skipped == []
    assert any("unlabelled" in n for n in read.report.notes)  # "ProQuest document link"


def test_proquest_truncated_last_record() -> None:
    read = read_path(PQ / "truncated-no-separator.txt")
    # no closing line after the last document: read as far as it goes, marked
    assert [(r.record_id, r.line, r.incomplete) for r in read.records] == [
        ("1", 1, ""),
        ("2", 13, ""),
        ("truncated-no-separator-3", 25, CUT_SHORT),
    ]
    assert read.report.skipped == []


def test_cochrane_records_field_by_field() -> None:
    read = read_path(CO / "central-three.txt")
    assert read.report.format == "cochrane"
    assert read.report.database == "Cochrane Library"
    trial, review, cdsr = read.records
    check(
        trial,
        record_id="CN-01234567",
        entrytype="article",  # Journal Article; Randomized Controlled Trial
        title="Peer-led HIV education for prisoners: a cluster randomised trial",
        authors=["Smith, J", "Jones, K"],  # repeated AU lines
        year=2016,
        journal="International journal of prisoner health",
        volume="12",
        issue="3",
        pages="145-157",
        doi="10.1108/ijph-01-2016-0001",
        abstract="Objective: to test peer-led HIV education in 12 prisons. Methods: cluster "
        "randomised trial of 1200 men.",  # an untagged line continues AB
        keywords=["Prisons", "Peer Group", "Health Education"],
        url="https://www.cochranelibrary.com/central/doi/10.1002/central/CN-01234567/full",
        line=1,
    )
    check(
        review,
        entrytype="review",
        authors=["Devilly, GJ", "Sorbello, L", "Eccleston, L", "Ward, T"],  # one AU line
        line=19,
    )
    check(cdsr, record_id="CD012345", entrytype="review", issue="5", line=31)  # a Cochrane review
    assert read.report.skipped == [] and read.report.unknown_fields == {}


def test_cochrane_crlf_truncated_last_record() -> None:
    assert b"\r\n" in (CO / "truncated-crlf.txt").read_bytes()
    read = read_path(CO / "truncated-crlf.txt")
    assert [(r.record_id, r.line, r.incomplete) for r in read.records] == [
        ("CN-00000001", 1, ""),
        ("CN-00000002", 9, ""),
        ("CN-00000003", 17, CUT_SHORT),  # the file ends inside it: kept, marked
    ]
    assert read.report.skipped == []


def test_cochrane_ris_is_left_to_the_ris_reader() -> None:
    text = "Record #1 of 1\nProvider: Cochrane\n\nTY  - JOUR\nID  - CN-1\nTI  - A trial\nER  - \n"
    assert cochrane.sniff(text) == 0.0 and proquest.sniff(text) == 0.0
    assert detect(text, "citation-export.txt").name == "ris"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (PQ / "criminology-three.txt", "proquest"),
        (PQ / "truncated-no-separator.txt", "proquest"),
        (CO / "central-three.txt", "cochrane"),
        (CO / "truncated-crlf.txt", "cochrane"),
    ],
)
def test_detected_by_content(path: Path, name: str) -> None:
    text, _ = decode(path.read_bytes(), path.name)
    for file_name in (path.name, "export.txt", "export"):
        assert detect(text, file_name).name == name


@pytest.mark.parametrize("module", [proquest, cochrane])
def test_not_this_format_is_a_read_error(module: ModuleType) -> None:
    with pytest.raises(ReadError):
        module.read("Title: something\nAuthor: someone\n", "x.txt")


# No shared sample is ProQuest or Cochrane text (their RIS exports are RIS): every one is checked.
test_proquest_does_not_claim_other_formats = not_claimed_test(
    proquest.sniff, "proquest", "proquest"
)
test_cochrane_does_not_claim_other_formats = not_claimed_test(
    cochrane.sniff, "cochrane", "cochrane"
)


FIXTURES = {
    proquest: [
        (PQ / n).read_text(encoding="utf-8")
        for n in ("criminology-three.txt", "truncated-no-separator.txt")
    ],
    cochrane: [
        (CO / n).read_text(encoding="utf-8") for n in ("central-three.txt", "truncated-crlf.txt")
    ],
}


def _assert_sane(module: ModuleType, text: str) -> None:
    assert_sane(module.read, text, "x.txt", cr_ends_lines=True)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([proquest, cochrane]), st.text())
def test_random_text_never_raises_anything_but_read_error(module: ModuleType, text: str) -> None:
    _assert_sane(module, text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([proquest, cochrane]), st.data())
def test_truncated_and_spliced_input_never_raises(module: ModuleType, data: st.DataObject) -> None:
    for text in data.draw(cut_and_spliced(FIXTURES[module], 4000, 4000)):
        _assert_sane(module, text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Document 1 of 2",
                "Record #1 of 2",
                "Title: x",
                "AU: Smith J",
                "TI: A",
                "",
                "_" * 60,
                "Abstract: a",
                "text",
                "ID: CN-1",
            ]
        ),
        max_size=40,
    )
)
def test_line_soup_never_raises(lines: list[str]) -> None:
    _assert_sane(proquest, "\n".join(lines))
    _assert_sane(cochrane, "\n".join(lines))


@pytest.mark.parametrize(
    ("module", "path"),
    [(proquest, PQ / "criminology-three.txt"), (cochrane, CO / "central-three.txt")],
    ids=["proquest", "cochrane"],
)
def test_bom_and_crlf_given_directly_read_the_same(module: ModuleType, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    plain = module.read(text, "x.txt")
    odd = module.read("\ufeff" + text.replace("\n", "\r\n"), "x.txt")
    assert [r.to_row() for r in odd.records] == [r.to_row() for r in plain.records]
