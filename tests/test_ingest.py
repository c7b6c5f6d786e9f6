"""Reading several files together: labels, ids, and what happens to files that fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.ingest import ingest_paths, read_bytes
from lib.readers.base import ReadError
from tests.conftest import DATA

RIS = DATA / "readers" / "ris"
CSV = DATA / "readers" / "csv"


def test_ids_colliding_across_files_are_made_unique_and_reported(tmp_path: Path) -> None:
    a = tmp_path / "a.ris"
    b = tmp_path / "b.ris"
    body = "TY  - JOUR\nID  - 7\nTI  - {}\nER  - \n"
    a.write_text(body.format("First"), encoding="utf-8")
    b.write_text(body.format("Second") + body.format("Third"), encoding="utf-8")
    run = ingest_paths([a, b])
    assert [r.record_id for r in run.records] == ["7", "7~3", "7~2"]
    assert run.files[1].report.renamed_ids == [("7", "7~2"), ("7", "7~3")]
    assert "renamed" in "\n".join(run.files[1].report.lines())


def test_failures_are_collected_and_other_files_still_read(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ris"
    empty.write_bytes(b"")
    run = ingest_paths([empty, RIS / "scopus.ris", tmp_path / "missing.bib"])
    assert len(run.records) == 3
    messages = [f.message() for f in run.failures]
    assert "empty.ris: the file is empty;" in messages[0]
    assert messages[1].endswith("missing.bib: no such file")


def test_database_label_given_by_user_wins() -> None:
    run = ingest_paths([RIS / "scopus.ris"], database="My Scopus search")
    assert {r.source_db for r in run.records} == {"My Scopus search"}
    assert run.files[0].report.database == "My Scopus search"


def test_unknown_format_names_the_file() -> None:
    with pytest.raises(ReadError) as info:
        read_bytes(b"just some prose\nwith no structure at all\n", "notes.ris")
    assert str(info.value).startswith("notes.ris: unknown format")


def test_report_counts_and_hash() -> None:
    data = (CSV / "bad_row.csv").read_bytes()
    read = read_bytes(data, "bad_row.csv")
    report = read.report
    # rows read (one of them, with only a year, kept but incomplete) and skipped
    assert (report.records_read, report.records_incomplete, report.records_skipped) == (3, 1, 1)
    assert report.size == len(data) and len(report.sha256) == 64
    text = "\n".join(report.lines())
    assert "3 read (1 incomplete), 1 skipped" in text
    assert "skipped line 3" in text and "incomplete, kept: line 5" in text
