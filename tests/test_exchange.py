"""The exchange layout read back by our own readers: ids, databases, entry types and every
field of `lib.exchange.FIELDS` come back as written, in every format; workbooks read as
tables; files that are not ours are left alone."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from lib import exporting
from lib.exchange import FIELDS, read_fields, tag_name
from lib.ingest import read_bytes
from lib.model import ENTRY_TYPES
from lib.readers.base import ReadError

FORMATS = ["csv", "xlsx", "ris", "bibtex"]

# ids and labels as databases and reviewers write them (no ";": it separates list items)
_ID = (
    st.text(alphabet=st.sampled_from("abcXYZ0189:-_./()[]#%&$~'+=@ äé"), min_size=1, max_size=24)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
_LABEL = (
    st.text(alphabet=st.sampled_from("abcXYZ ()&-+'éü"), min_size=1, max_size=20)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


def _entries(ids: list[str], dbs: list[str], types: list[str]) -> pd.DataFrame:
    """A record-layout table written for the test: record i belongs to study ids[0]."""
    rows = []
    for i, (rid, db, etype) in enumerate(zip(ids, dbs, types, strict=True)):
        row = dict.fromkeys(exporting.EXPORT_COLUMNS, "")
        row.update(
            record_id=rid,
            title=f"Peer support study {i}",
            authors="Smith, J.; Jones, M.",
            year="2019",
            source=db,
            entrytype=etype,
            keywords="prison; peer support",
            layout="record",
            study_id=ids[0],
            report_id=ids[min(i, 1)],
            record_ids="; ".join(ids),
            n_records=str(len(ids)),
            databases="; ".join(sorted(set(dbs))),
            method="qualitative",
            population="women; young-people",
            overridden="population",
            checked="yes" if i % 2 else "no",
            duplicate_decisions="same:3; different:12",
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(exporting.EXPORT_COLUMNS), dtype=object)


def _write(table: pd.DataFrame, fmt: str) -> bytes:
    return exporting.to_excel(table) if fmt == "xlsx" else exporting.export(table, fmt)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_ID, min_size=1, max_size=4, unique=True),
    st.lists(_LABEL, min_size=4, max_size=4),
    st.lists(st.sampled_from(ENTRY_TYPES), min_size=4, max_size=4),
)
def test_every_field_reads_back_as_written(ids: list[str], dbs: list[str], types) -> None:
    dbs, types = dbs[: len(ids)], types[: len(ids)]
    table = _entries(ids, dbs, types)
    for fmt in FORMATS:
        read = read_bytes(_write(table, fmt), "review" + exporting.FORMATS[fmt].suffix)
        assert not read.report.skipped, fmt
        got = [(r.record_id, r.source_db, r.entrytype) for r in read.records]
        assert got == list(zip(ids, dbs, types, strict=True)), fmt
        for record, (_, row) in zip(read.records, table.iterrows(), strict=True):
            fields = read_fields(record.original)
            assert fields is not None, fmt
            for name in FIELDS:
                assert fields.get(name, "") == row[name], (fmt, name)
            assert record.keywords == ["prison", "peer support"], fmt  # tags are not keywords
        assert not set(read.report.unknown_fields) & {*FIELDS, *map(tag_name, FIELDS)}
        assert read.report.database == "review"  # not a database our notes mention


def test_a_workbook_that_is_not_ours_reads_as_a_table() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Authors", "Year", "DOI", "Source title"])
    sheet.append(["=Peer mentors and desistance", "Smith, J.", 2019, "10.1/x", "Prison J"])
    sheet.append(["Listeners in prison", "Jones, M.", 2021.0, "", "Howard J"])
    sheet["A2"].data_type = "s"  # text that looks like a formula, as Excel keeps it
    buffer = io.BytesIO()
    book.save(buffer)
    read = read_bytes(buffer.getvalue(), "kept-in-excel.xlsx", database="Hand search")
    assert [(r.title, r.year, r.journal) for r in read.records] == [
        ("=Peer mentors and desistance", 2019, "Prison J"),
        ("Listeners in prison", 2021, "Howard J"),
    ]
    assert read.report.encoding == "xlsx"


def test_a_damaged_workbook_is_refused_with_its_name() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    with pytest.raises(ReadError, match="cannot be read") as caught:
        read_bytes(buffer.getvalue(), "broken.xlsx")
    assert "broken.xlsx" in caught.value.message()


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch) -> None:
    from lib import limits

    book = Workbook()
    book.active.append(["Title", "Authors"])
    for i in range(2000):
        book.active.append([f"Peer support study {i}", "Smith, J."])
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 50_000)
    with pytest.raises(ReadError, match="unpacks to"):
        read_bytes(buffer.getvalue(), "huge.xlsx")


def test_a_zip_that_is_not_a_workbook_is_still_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ReadError, match="ZIP archive"):
        read_bytes(buffer.getvalue(), "notes.docx")


def test_records_of_other_files_are_not_ours() -> None:
    assert read_fields({"TY": ["JOUR"], "N1": ["Cited by 3"]}) is None
    assert read_fields({"layout": ["landscape"], "study_id": ["x"]}) is None
    assert read_fields({"title": ["x"], "layout": ["record"]}) is None
