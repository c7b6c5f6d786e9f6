"""CSL-JSON: Zotero and Better BibTeX exports, field by field, with line numbers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest import read_bytes, read_path
from lib.readers import csljson
from lib.readers.base import ReadError
from tests.conftest import DATA, SHARED
from tests.reader_checks import assert_sane, cut_and_spliced, each_sample, read_sample

CSL = DATA / "readers" / "csljson"


def test_zotero_items_field_by_field() -> None:
    read = read_path(CSL / "zotero.json")
    recs = {r.record_id: r for r in read.records}
    assert list(recs) == [
        "http://zotero.org/users/1/items/ABCD1234",
        "delafontaine2019",
        "42",  # an int id, as a string
        "preprint1",
        "thesis1",
        "report1",
        "nothing",  # kept, marked incomplete: the count matches the export
        "weird",
    ]
    art = recs["http://zotero.org/users/1/items/ABCD1234"]
    assert art.entrytype == "article"
    assert art.title == "Unlocking the potential: a prison peer support scheme"
    assert art.authors == [
        "Perrin, Christopher",
        "Müller, Jürgen",
        "World Health Organization",  # a literal group name kept whole
        "Graeber, Simon Y.",  # a person in Zotero's single-field mode
    ]
    assert art.year == 2018  # a string year in date-parts
    assert art.journal == "Journal of Offender Rehabilitation"
    assert (art.volume, art.issue, art.pages) == ("57", "3", "1-21")
    assert art.doi == "10.1080/example.2018.1"
    assert art.abstract == "Peer mentors described a sense of purpose."  # NBSP, HTML tags
    assert art.keywords == ["peer support", "prison", "Listener scheme"]
    assert (art.language, art.issn) == ("en", "1050-9674")
    assert art.url == "https://www.tandfonline.com/doi/10.1080/example.2018.1"
    assert art.line == 2
    assert art.original["source"] == ["Taylor and Francis+NEJM"]
    assert art.original["issued"] == ['{"date-parts":[["2018",3,1]]}']

    chapter = recs["delafontaine2019"]
    assert chapter.entrytype == "chapter"
    assert chapter.journal == "Handbook of Prison Health"
    assert chapter.authors == ["de la Fontaine, Jean", "Smith, John, Jr.", "Beethoven, Ludwig van"]
    assert (chapter.isbn, chapter.pages, chapter.line) == ("978-0-19-000000-2", "113-130", 43)

    conference = recs["42"]
    assert conference.entrytype == "conference"
    assert conference.year == 2021  # from "raw"
    assert conference.keywords == ["peer education", "custody"]
    assert recs["preprint1"].entrytype == "preprint"  # CSL "article": not in a journal
    assert recs["preprint1"].year == 2022  # from "literal"
    assert recs["thesis1"].entrytype == "thesis"
    assert recs["report1"].authors == ["Prison Reform Trust"]

    weird = recs["weird"]
    assert weird.title == "A title given as a list"
    assert weird.authors == ["Cher", "Doe, Jane"]  # non-names dropped
    assert (weird.year, weird.pages) == (2017, "5")

    assert (recs["nothing"].line, recs["nothing"].incomplete) == (
        93,
        "has no title, author or DOI",
    )
    assert [(s.line, s.record, s.reason) for s in read.report.skipped] == [
        (98, "item 8", "a string, not an object"),
    ]
    assert read.report.unknown_fields == {"source": 1, "publisher": 3, "editor": 1, "accessed": 1}
    assert read.report.database == "zotero"  # CSL-JSON names no database: the file name


def test_object_with_items_list() -> None:
    read = read_path(CSL / "items_object.json")
    assert [(r.record_id, r.title, r.line) for r in read.records] == [
        ("a", "First wrapped item", 4),
        ("b", "Second wrapped item", 11),
    ]
    assert read.records[1].entrytype == "book"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"title": "x"}', 'without a "items" list'),
        ('[{"Title": "x", "Authors": "J Doe"}]', "none of the CSL-JSON fields"),
        (  # OpenAlex works: "type" and "title", but nothing spelt the CSL way
            '[{"id": "W1", "type": "article", "title": "x", "doi": "https://doi.org/10.1/x",'
            ' "authorships": [], "publication_year": 2020}]',
            "none of the CSL-JSON fields",
        ),
        ('[{"id": "a", "type": "book", "title": "x"},', "not valid JSON"),
        ('[{"id": "a"} {"id": "b"}]', "line 1, column 14"),
        ("TY  - JOUR\nER  -\n", "not JSON"),
        ('[{"id": "a", "title": "x"}] trailing', "Extra data"),
    ],
)
def test_not_csl_json_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        csljson.read(text, "x.json")


def test_empty_array_reads_nothing() -> None:
    assert csljson.read("[]", "x.json").records == []


def test_detected_by_content_whatever_the_name() -> None:
    data = (CSL / "zotero.json").read_bytes()
    assert read_bytes(data, "export.txt").report.format == "csl-json"


def test_sniff_tells_csl_from_publish_or_perish_and_others() -> None:
    assert csljson.sniff((CSL / "zotero.json").read_text(encoding="utf-8")) >= 0.9
    pop = '[{"Authors": "J Doe", "Title": "x", "GSRank": 1, "ArticleURL": "u", "type": "x"}]'
    assert csljson.sniff(pop) < 0.3
    assert csljson.sniff("Title,Authors\nx,y\n") == 0
    assert csljson.sniff("@article{a, title={x}}") == 0


_ITEM = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=5), st.integers(), st.none()),
        "type": st.sampled_from(["article-journal", "chapter", "book", "", "x"]),
        "title": st.one_of(st.text(max_size=20), st.lists(st.text(max_size=5)), st.none()),
        "author": st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "family": st.text(max_size=8),
                        "given": st.text(max_size=8),
                        "literal": st.text(max_size=8),
                    },
                ),
                st.text(max_size=8),
                st.integers(),
            ),
            max_size=3,
        ),
        "issued": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "date-parts": st.lists(
                        st.lists(st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
                        max_size=2,
                    ),
                    "raw": st.text(max_size=10),
                },
            ),
            st.text(max_size=10),
            st.integers(),
        ),
        "keyword": st.one_of(st.text(max_size=20), st.lists(st.text(max_size=5))),
        "page": st.one_of(st.text(max_size=8), st.integers()),
        "DOI": st.text(max_size=20),
    },
)


def _check(text: str) -> None:
    assert_sane(csljson.read, text, "fuzz.json")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_ITEM, st.integers(), st.text(max_size=5)), max_size=6), st.booleans())
def test_generated_items_read_or_skip_never_raise(items: list[object], indent: bool) -> None:
    text = json.dumps(items, indent="\t" if indent else None, ensure_ascii=False)
    _check(text)
    _check(json.dumps({"items": items}, indent=2))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_raises_anything_but_read_error(text: str) -> None:
    _check(text)


_FIXTURE = (CSL / "zotero.json").read_text(encoding="utf-8")


@settings(max_examples=200, deadline=None)
@given(cut_and_spliced([_FIXTURE], len(_FIXTURE)))
def test_truncated_and_spliced_exports(texts: tuple[str, str]) -> None:
    for text in texts:
        _check(text)


@each_sample("csl-json")
def test_real_csl_json_exports_read_with_manifest_count(row: dict[str, str]) -> None:
    read = read_sample(row, "csl-json")
    assert all(r.year for r in read.records)  # date-parts with string years
    n_lines = (SHARED / "samples" / row["file"]).read_bytes().count(b"\n") + 1
    lines = [r.line or 0 for r in read.records]
    assert lines == sorted(lines) and all(1 <= n <= n_lines for n in lines)
    if row["has_abstracts"] == "yes":
        assert any(r.abstract for r in read.records)
