"""`python -m lib.cli ingest`: a contract other parts and checks rely on."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from lib.cli import main
from lib.model import CANONICAL_COLUMNS
from tests.conftest import DATA, ROOT

RIS = DATA / "readers" / "ris"
CSV = DATA / "readers" / "csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_writes_canonical_csv_with_contract_columns(tmp_path: Path, capsys) -> None:
    out = tmp_path / "records.csv"
    code = main(["ingest", str(RIS / "scopus.ris"), str(CSV / "scopus.csv"), "--out", str(out)])
    assert code == 0
    rows = _rows(out)
    assert list(rows[0])[: len(CANONICAL_COLUMNS)] == list(CANONICAL_COLUMNS)
    assert [r["record_id"] for r in rows] == [
        "scopus-1",
        "scopus-2",
        "scopus-3",
        "2-s2.0-85000000001",
        "2-s2.0-85000000002",
    ]
    assert rows[3]["authors"] == "Frost, Andrew; Ware, Jayson"
    err = capsys.readouterr().err
    assert "scopus.ris: RIS, utf-8, database Scopus: 3 read, 0 skipped" in err


def test_canonical_csv_reads_back_identically(tmp_path: Path) -> None:
    first = tmp_path / "one.csv"
    second = tmp_path / "two.csv"
    assert main(["ingest", str(RIS / "ovid_numbered.ris"), "--out", str(first)]) == 0
    assert main(["ingest", str(first), "--out", str(second)]) == 0
    keep = [c for c in CANONICAL_COLUMNS if c != "source"]
    assert [[r[c] for c in keep] for r in _rows(first)] == [
        [r[c] for c in keep] for r in _rows(second)
    ]


def test_unreadable_file_exits_2_names_it_and_still_reads_the_rest(tmp_path: Path) -> None:
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.4 ...")
    out = tmp_path / "records.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "lib.cli", "ingest", str(binary), str(RIS / "scopus.ris"),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert f"error: {binary}: this is a PDF document" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(_rows(out)) == 3


def test_skipped_records_are_listed_with_line(tmp_path: Path, capsys) -> None:
    code = main(["ingest", str(CSV / "bad_row.csv"), "--out", str(tmp_path / "o.csv")])
    assert code == 0
    err = capsys.readouterr().err
    assert "skipped line 3 (row 2): has 5 cells but the header has 3" in err


def test_project_import_and_repeat_detection(tmp_path: Path, capsys) -> None:
    project = tmp_path / "p.sqlite"
    args = ["ingest", str(RIS / "scopus.ris"), "--project", str(project), "--source", "Scopus"]
    assert main(args) == 0
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "stored as import 1" in err and "already imported as import 1" in err


def test_usage_errors_exit_1(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lib.cli", "ingest", str(RIS / "scopus.ris")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "give --out" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "lib.cli", "ingest", "--bogus"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1


def test_canonical_csv_keeps_each_records_own_database(tmp_path: Path) -> None:
    merged = tmp_path / "merged.csv"
    main(
        ["ingest", str(RIS / "scopus.ris"), "--source", "Scopus", "--out", str(tmp_path / "a.csv")]
    )
    main(
        ["ingest", str(CSV / "pubmed.csv"), "--source", "PubMed", "--out", str(tmp_path / "b.csv")]
    )
    both = tmp_path / "both"
    both.mkdir()
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).replace(both / name)
    assert main(["ingest", str(both), "--out", str(merged)]) == 0
    again = tmp_path / "again.csv"
    assert main(["ingest", str(merged), "--out", str(again)]) == 0
    assert [r["source"] for r in _rows(again)] == ["Scopus"] * 3 + ["PubMed"]


def test_no_files_reads_the_demo_corpus(tmp_path: Path, capsys) -> None:
    out = tmp_path / "demo.csv"
    assert main(["ingest", "--out", str(out)]) == 0
    rows = _rows(out)
    truth = (ROOT / "data" / "demo" / "truth.csv").read_text(encoding="utf-8")
    assert len(rows) == truth.count("\n") - 1 == 97
    assert {r["source"] for r in rows} == {
        "Scopus",
        "Web of Science",
        "PubMed",
        "EBSCOhost",
        "Hand search (Zotero)",
    }
    assert "reading the demo corpus" in capsys.readouterr().err
