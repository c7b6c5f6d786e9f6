"""Nothing lost: every record in a file is read or reported skipped, and a project keeps
exactly the records read.

Records in a file are counted here independently of the readers, by the line or element
that starts a record in each format (``TY  -`` for RIS, ``@type{`` for BibTeX, ``PMID-``
for MEDLINE, data rows for CSV...), and for the real exports in ../shared/samples by the
``records`` column of their MANIFEST.csv.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lib.encoding import decode
from lib.ingest import FileRead, read_path
from lib.project import open_project
from lib.readers.base import ReadError
from tests.conftest import DATA, ROOT, SHARED, sample_manifest


def _lines(pattern: str) -> Callable[[str], int]:
    regex = re.compile(pattern, re.M)
    return lambda text: len(regex.findall(text))


def _csv_rows(text: str) -> int:
    """Data rows below the header (the first row with two or more filled cells); tab-
    delimited when the first line has more tabs than commas."""
    first = text.lstrip("\n").split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    filled = [sum(1 for c in row if c.strip()) for row in rows]
    header = next(i for i, n in enumerate(filled) if n >= 2)
    return sum(1 for n in filled[header + 1 :] if n)


def _json_items(text: str) -> int:
    data = json.loads(text)
    if isinstance(data, dict):
        data = data.get("items", data.get("$results", data.get("results", [])))
    return len(data)


def _refer_blocks(text: str) -> int:
    blocks = re.split(r"\n\s*\n", text)
    return sum(1 for b in blocks if b.strip().startswith("%"))


# format (as the readers name it) -> how to count its records without reading them
COUNTERS: dict[str, Callable[[str], int]] = {
    "ris": _lines(r"^TY\s+-"),
    "medline": _lines(r"^PMID-"),
    "wos": _lines(r"^PT "),
    "bibtex": _lines(r"(?i)^\s*@(?!(?:comment|string|preamble)\b)[A-Za-z]+\s*[{(]"),
    "csv": _csv_rows,
    "csl-json": _json_items,
    "pop-json": _json_items,
    "endnote-xml": _lines(r"<record[\s>]"),
    "pubmed-xml": _lines(r"<Pubmed(?:Book)?Article>"),
    "refer": _refer_blocks,
    "ovid": _lines(r"^<\d+\.?\s*>\s*$"),
    "proquest": _lines(r"^Document \d+ of \d+"),
    "cochrane": _lines(r"^Record #\d+"),
}

FIXTURE_DIRS = {
    "bibtex": "bibtex",
    "cochrane": "cochrane",
    "csljson": "csl-json",
    "csv": "csv",
    "endnote_xml": "endnote-xml",
    "medline": "medline",
    "ovid": "ovid",
    "pop": "pop-json",
    "proquest": "proquest",
    "pubmed_xml": "pubmed-xml",
    "refer": "refer",
    "ris": "ris",
    "wos": "wos",
}
DEMO = {
    "ebscohost.ris": "ris",
    "pubmed.nbib": "medline",
    "scopus.ris": "ris",
    "wos-savedrecs.txt": "wos",
    "zotero.bib": "bibtex",
}


def _fixture_cases() -> list[tuple[Path, str]]:
    cases = []
    for folder, fmt in FIXTURE_DIRS.items():
        cases += [(p, fmt) for p in sorted((DATA / "readers" / folder).iterdir()) if p.is_file()]
    cases += [(ROOT / "data" / "demo" / "exports" / name, fmt) for name, fmt in DEMO.items()]
    return cases


FIXTURES = _fixture_cases()


def test_every_reader_folder_is_counted() -> None:
    """A new fixture folder needs a counter here, or this test says so."""
    folders = {p.name for p in (DATA / "readers").iterdir() if p.is_dir()}
    assert folders == set(FIXTURE_DIRS)


@pytest.mark.parametrize(
    ("path", "fmt"), FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p, _ in FIXTURES]
)
def test_fixture_records_read_plus_skipped_is_records_in_file(path: Path, fmt: str) -> None:
    try:
        read = read_path(path)
    except ReadError as exc:  # a file refused as a whole (billion laughs, no title column)
        assert str(exc).startswith(str(path))
        return
    assert read.report.format == fmt
    text, _ = decode(path.read_bytes(), path.name)
    expected = COUNTERS[fmt](text)
    report = read.report
    assert report.records_read == len(read.records)
    assert report.records_read + report.records_skipped == expected, "\n".join(report.lines())


MANIFEST = sample_manifest()


@pytest.mark.skipif(not MANIFEST, reason="../shared/samples is absent")
@pytest.mark.parametrize("row", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_sample_records_read_plus_skipped_is_manifest_count(row: dict[str, str]) -> None:
    path = SHARED / "samples" / row["file"]
    read = read_path(path)
    report = read.report
    assert report.records_read + report.records_skipped == int(row["records"])
    # and the independent counter agrees with the manifest (so the fixture counts above
    # are counted the way the manifest's were)
    fmt = report.format
    text, _ = decode(path.read_bytes(), path.name)
    assert COUNTERS[fmt](text) == int(row["records"])


def _all_files() -> list[Path]:
    files = [p for p, _ in FIXTURES]
    if MANIFEST:
        files += [SHARED / "samples" / row["file"] for row in MANIFEST]
    return files


def test_project_holds_exactly_the_records_read(tmp_path: Path) -> None:
    """Every readable file into one project: each import holds its file's records, field
    by field, ids renamed only where they collided (and the report says so)."""
    reads: list[tuple[FileRead, FileRead]] = []
    with open_project(tmp_path / "p.sqlite") as project:
        for path in _all_files():
            try:
                read = read_path(path)
            except ReadError:
                continue
            before = copy.deepcopy(read)
            project.add_import(read, allow_repeat=True)
            reads.append((before, read))
        imports = {item["import_id"]: item for item in project.imports()}
        assert len(imports) == len(reads)
        total = 0
        for before, read in reads:
            import_id = read.records[0].import_id if read.records else None
            if import_id is None:
                continue
            stored = project.records(import_id)
            assert stored == read.records, read.report.file_name
            assert imports[import_id]["records_read"] == len(stored)
            assert imports[import_id]["records_skipped"] == before.report.records_skipped
            # ids differ from the file's only where the stored report says they were renamed
            renamed = dict(imports[import_id]["report"].renamed_ids)
            for given, kept in zip(before.records, stored, strict=True):
                assert (
                    kept.record_id == given.record_id
                    or renamed.get(given.record_id) == kept.record_id
                )
                given.record_id, given.import_id = kept.record_id, kept.import_id
                assert given == kept
            total += len(stored)
        assert project.count_records() == total
        ids = [r.record_id for r in project.records()]
        assert len(ids) == len(set(ids))


def test_cli_ingest_writes_and_stores_every_record_read(tmp_path: Path) -> None:
    """The command line: one CSV row and one stored record per record read, for a folder
    of mixed exports (the demo exports and the RIS fixtures)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    sources = [p for p, fmt in FIXTURES if fmt in ("ris", "medline", "bibtex")]
    for path in sources:
        (folder / f"{path.parent.name}-{path.name}").write_bytes(path.read_bytes())
    out, project_path = tmp_path / "records.csv", tmp_path / "p.sqlite"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lib.cli",
            "ingest",
            str(folder),
            "--out",
            str(out),
            "--project",
            str(project_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = sum(read_path(p).report.records_read for p in sources)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == expected
    with open_project(project_path) as project:
        assert project.count_records() == expected
        assert sorted(r.record_id for r in project.records()) == sorted(
            r["record_id"] for r in rows
        )
