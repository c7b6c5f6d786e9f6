"""Publish or Perish JSON: CSV-style keys and its saved-results files, field by field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest import read_bytes, read_path
from lib.readers import pop
from lib.readers.base import ReadError
from lib.readers.registry import detect
from tests.conftest import DATA
from tests.reader_checks import assert_sane, cut_and_spliced

POP = DATA / "readers" / "pop"


def test_scholar_export_field_by_field() -> None:
    read = read_path(POP / "scholar.json")
    assert read.report.format == "pop-json"
    first, book, empty, preprint = read.records
    assert first.record_id == "scholar-1"  # no id in the export: a stable generated one
    assert first.title == "Unlocking the potential: a prison peer support scheme"
    assert first.authors == ["Perrin, C", "Blagden, N", "Müller, J"]  # Scholar's "…" dropped
    assert first.year == 2018
    assert first.journal == "Journal of Offender Rehabilitation"
    assert (first.volume, first.issue, first.pages) == ("57", "3", "1-21")
    assert first.doi == "10.1080/example.2018.1"
    assert first.abstract == "Peer mentors described a sense of purpose & worth …"
    assert first.issn == "1050-9674"
    assert first.url == "https://www.tandfonline.com/doi/abs/10.1080/example.2018.1"
    assert first.entrytype == "misc"  # Scholar gives no document type
    assert first.line == 2
    assert first.original["GSRank"] == ["1"]
    assert book.entrytype == "book"
    assert book.authors == ["de la Fontaine, J"]
    assert book.year == 2019  # a string year
    assert book.url == "https://example.org/listeners.pdf"  # FullTextURL without ArticleURL
    assert book.line == 30
    assert preprint.entrytype == "preprint"  # "arXiv preprint" as source
    assert preprint.pages == "e12"  # start page = end page
    assert (empty.line, empty.incomplete) == (42, "has no title, author or DOI")  # kept
    assert read.report.skipped == []
    assert read.report.unknown_fields["GSRank"] == 4


def test_saved_results_file_with_lowercase_keys() -> None:
    read = read_path(POP / "results.json")
    article, chapter, scopus = read.records
    assert article.record_id == "CR:10.1177/0032885516000001"  # uid
    assert article.authors == ["Smith, John", "Jones, Ann"]  # a list of names
    assert article.entrytype == "article"  # Crossref "journal-article"
    assert (article.journal, article.volume, article.issue) == ("The Prison Journal", "96", "4")
    assert article.pages == "500-520"
    assert article.url == "https://journals.sagepub.com/doi/10.1177/0032885516000001"
    assert article.line == 5
    assert chapter.authors == ["Doe, J.", "Roe, R."]  # ";"-separated string
    assert chapter.entrytype == "chapter"
    assert chapter.year == 2020
    assert chapter.line == 22
    assert scopus.authors == ["Perrin, C.", "Blagden, N."]  # "Family, I., Family, I."
    assert scopus.entrytype == "article"


def test_detected_by_content_not_as_csl_json() -> None:
    for name in ("scholar.json", "results.json"):
        text = (POP / name).read_text(encoding="utf-8")
        assert detect(text, name).name == "pop-json"
    data = (POP / "scholar.json").read_bytes()
    assert read_bytes(data, "export.txt").report.format == "pop-json"


@pytest.mark.parametrize(
    "text",
    [
        '[{"id": "a", "type": "article-journal", "issued": {"date-parts": [[2020]]}}]',
        "Cites,Authors,Title,Year,GSRank\n1,J Doe,x,2020,1\n",
        "@article{a, title={x}}",
    ],
)
def test_sniff_does_not_claim_other_formats(text: str) -> None:
    assert pop.sniff(text) < 0.3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"$query": {}}', "without a"),
        ('[{"id": "a", "type": "book"}]', "no Title or Authors"),
        ('[{"Title": "x", "GSRank": 1}', "not valid JSON"),
    ],
)
def test_not_publish_or_perish_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        pop.read(text, "x.json")


_VALUE = st.one_of(
    st.text(max_size=12), st.integers(), st.none(), st.lists(st.text(max_size=6), max_size=3)
)
_RESULT = st.dictionaries(
    st.sampled_from(
        ["Title", "Authors", "Year", "Source", "DOI", "StartPage", "EndPage", "Type", "uid", "x"]
    ),
    _VALUE,
    max_size=8,
)


def _check(text: str) -> None:
    assert_sane(pop.read, text, "fuzz.json")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_RESULT, st.integers()), max_size=6), st.booleans())
def test_generated_results_never_raise_anything_but_read_error(items: list, wrap: bool) -> None:
    _check(json.dumps({"$results": items} if wrap else items, indent=2))


_FIXTURE = (POP / "scholar.json").read_text(encoding="utf-8")


@settings(max_examples=200, deadline=None)
@given(cut_and_spliced([_FIXTURE], len(_FIXTURE)), st.text(max_size=50))
def test_truncated_spliced_and_random(texts: tuple[str, str], noise: str) -> None:
    for text in (*texts, noise):
        _check(text)
