"""EndNote XML: fixtures field by field, styled text, truncation, XML attacks, real sample."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest import read_path
from lib.readers import endnote_xml
from lib.readers.base import ReadError
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

HERE = DATA / "readers" / "endnote_xml"


def test_one_line_export_field_by_field() -> None:
    read = read_path(HERE / "one-line-export.xml")
    assert read.report.format == "endnote-xml"
    assert read.report.database == "EndNote"
    article, chapter, empty, thesis = read.records
    check(
        article,
        record_id="101",
        entrytype="article",
        title="The impact of being a Listener in prison",  # three <style> runs joined
        authors=["Perrin, Christian", "Blagden, Nicholas"],  # not the secondary authors
        year=2014,
        journal="Psychology, Crime & Law",  # secondary-title before periodical
        volume="20",
        issue="9",
        pages="902-920",  # en dash made a hyphen
        doi="10.1080/1068316x.2014.888429",
        abstract="The Listener scheme trains prisoners to support their peers.",
        keywords=["peer support", "prison", "wounded healer"],  # "&#13;" split one keyword
        language="English",
        url="https://www.tandfonline.com/doi/10.1080/1068316X.2014.888429",
        issn="1068-316X",  # <isbn> holding an ISSN
        isbn="",
        line=1,
    )
    assert article.original["urls/related-urls/url"][0] == "<Go to ISI>://WOS:000341234500007"
    assert article.original["ref-type@name"] == ["Journal Article"]
    check(
        chapter,
        record_id="102",
        entrytype="chapter",
        journal="Routledge Handbook of Prison Health",
        isbn="978-0-367-00000-1",
        issn="",
    )
    check(thesis, entrytype="thesis", authors=["García, Lucía"], year=2019)
    # kept and marked, so the count matches the export
    check(empty, record_id="103", line=1, incomplete="has no title, author or DOI")
    assert read.report.skipped == []
    assert read.report.unknown_fields == {"mystery-field": 1}


def test_truncated_file_keeps_complete_records() -> None:
    read = read_path(HERE / "truncated.xml")
    assert [(r.record_id, r.line) for r in read.records] == [("102", 4), ("104", 5)]
    (cut,) = read.report.skipped
    assert cut.line == 6 and "file ends inside this record" in cut.reason


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_xml_attacks_are_refused_with_a_clear_message(name: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_path(HERE / name)
    message = caught.value.message()
    assert name in message and "refused for safety" in message and "EndNote" in message


@pytest.mark.parametrize(
    "text",
    ["", "plain words", "<xml><records></records></xml>", "<other><record/></other>", "<xml>"],
)
def test_not_endnote_xml_is_a_read_error(text: str) -> None:
    with pytest.raises(ReadError):
        endnote_xml.read(text, "x.xml")


def test_detected_by_content() -> None:
    text = (HERE / "one-line-export.xml").read_text(encoding="utf-8")
    for name in ("library.xml", "library.txt", "library"):
        assert detect(text, name).name == "endnote-xml"


test_does_not_claim_other_formats = not_claimed_test(
    endnote_xml.sniff, "endnote_xml", "endnote-xml"
)


FIXTURE = (HERE / "one-line-export.xml").read_text(encoding="utf-8")


def _assert_sane(text: str) -> None:
    # expat counts a lone CR as a line end; every record read or skipped has its start tag
    assert_sane(
        endnote_xml.read, text, "x.xml", cr_ends_lines=True, most_records=text.count("<record")
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


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.sampled_from(["text", "<style>x</style>", "&amp;", ""]),
        lambda inner: st.tuples(
            st.sampled_from(["record", "titles", "title", "style", "author", "x"]), inner
        ).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"),
        max_leaves=20,
    )
)
def test_random_nesting_never_raises(body: str) -> None:
    _assert_sane(f"<xml><records>{body}</records></xml>")


@each_sample("endnote-xml")
def test_real_endnote_export_reads_with_manifest_count(row: dict[str, str]) -> None:
    read = read_sample(row, "endnote-xml")
    skua = read.records[2]
    assert skua.title == (
        "A demographic study of the south polar skua Catharacta maccormicki at Cape Crozier"
    )
    assert skua.authors == ["Ainley, D.G.", "Ribic, C.A.", "Wodd, R.C."]
    assert skua.original["label"] == ["B4"]
    assert [r.entrytype for r in read.records] == ["article", "book", "article"]
