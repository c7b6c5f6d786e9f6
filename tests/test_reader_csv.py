"""CSV/TSV tables: every exporter's columns land in the same record fields."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest import read_path
from lib.readers import csvtable
from lib.readers.base import ReadError
from tests.conftest import DATA

CSV = DATA / "readers" / "csv"


def test_canonical_csv_round_trips_our_own_columns() -> None:
    read = read_path(CSV / "canonical.csv")
    first, second = read.records
    assert first.record_id == "r1"
    assert first.title == "Peer support, and desistance"
    assert first.authors == ["Perrin, Chris", "Blagden, Nicholas"]
    assert (first.year, first.journal, first.volume, first.issue, first.pages) == (
        2018,
        "Journal of Offender Rehabilitation",
        "57",
        "3",
        "1-21",
    )
    assert first.doi == "10.1080/example.1"
    assert first.keywords == ["peer support", "prison"]
    assert first.entrytype == "article"
    assert first.line == 2
    # our exports neutralise formulas with a leading apostrophe; reading them back undoes it
    assert second.title == "=HYPERLINK(1)"
    assert second.entrytype == "conference"
    assert read.report.database == "canonical"  # no label given, none in content: file name


def test_scopus_csv_prefers_full_names_and_builds_pages() -> None:
    read = read_path(CSV / "scopus.csv")
    first, second = read.records
    assert first.record_id == "2-s2.0-85000000001"
    assert first.authors == ["Frost, Andrew", "Ware, Jayson"]
    assert first.journal == "Sexual Abuse"  # not the "Source" column, which says "Scopus"
    assert first.pages == "120-145"
    assert first.keywords == ["peer support", "desistance", "Prisons"]
    assert second.pages == "e1234"  # article number when there are no pages
    assert second.entrytype == "review"
    assert read.report.database == "Scopus"


def test_pubmed_csv_authors_and_citation_string() -> None:
    (rec,) = read_path(CSV / "pubmed.csv").records
    assert rec.record_id == "30000001"
    assert rec.authors == ["Lim, SM", "Shiau, CWC", "Lau, Y."]
    assert (rec.volume, rec.issue, rec.pages) == ("53", "2", "334-347")
    assert rec.entrytype == "article"


def test_dimensions_banner_line_and_multiline_cells() -> None:
    read = read_path(CSV / "dimensions_preamble.csv")
    first, second = read.records
    assert first.record_id == "pub.1"
    assert first.title == "A title with a line break"
    assert first.line == 3 and second.line == 5
    assert read.report.database == "Dimensions"


def test_tsv_is_read() -> None:
    (rec,) = read_path(CSV / "table.tsv").records
    assert rec.title == "Tab separated title"
    assert rec.year == 1999


def test_table_without_bibliographic_columns_is_refused_by_name() -> None:
    with pytest.raises(ReadError) as info:
        read_path(CSV / "no_bib_columns.csv")
    message = str(info.value)
    assert message.startswith(str(CSV / "no_bib_columns.csv")) or "no_bib_columns.csv" in message
    assert "no bibliographic columns" in message and "name, amount, date" in message


def test_rows_with_extra_data_cells_are_skipped_and_rows_with_little_kept() -> None:
    read = read_path(CSV / "bad_row.csv")
    assert [(r.title, r.year, r.incomplete) for r in read.records] == [
        ("Good row", 2001, ""),
        ("", 2003, "has no title, author or DOI"),  # only a year: kept, marked
        ("Another good row", 2004, ""),
    ]
    reasons = [(s.line, s.reason.split(" (")[0]) for s in read.report.skipped]
    assert reasons == [(3, "has 5 cells but the header has 3")]


@settings(max_examples=200)
@given(st.text(alphabet='title,author"\n\t;abc12', max_size=200))
def test_random_tables_read_or_raise_read_error(text: str) -> None:
    try:
        result = csvtable.read("title,authors,year\n" + text, "f.csv")
    except ReadError:
        return
    for rec in result.records:
        assert rec.line is not None and rec.line >= 2
