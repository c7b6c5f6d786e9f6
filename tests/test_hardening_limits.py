"""Limits: a file too big, with too many records, an archive (a zip bomb included) or a
binary named like an export gets a clear message naming the file, not memory exhaustion.

Memory is measured with tracemalloc around the call, on inputs already in memory (or on
disk), so the peak is what reading them costs: a refusal must not decode, decompress or
parse the whole input first.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import re
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from lib import limits
from lib.ingest import read_bytes, read_path
from lib.readers.base import ReadError
from tests.conftest import ROOT

MB = 1_000_000


def peak_bytes(call: Callable[[], object]) -> tuple[int, object]:
    """Peak Python memory allocated during ``call`` and what it returned or raised."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        outcome: object = call()
    except ReadError as exc:
        outcome = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, outcome


def ris(n: int, title: str = "Peer support in prison") -> bytes:
    return "".join(
        f"TY  - JOUR\nID  - r{i}\nTI  - {title} {i}\nAU  - Doe, J.\nPY  - 2020\nER  - \n"
        for i in range(n)
    ).encode()


# -- size ------------------------------------------------------------------------------------
def test_file_over_the_size_limit_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1 * MB)
    path = tmp_path / "scopus-export.ris"
    path.write_bytes(ris(30_000))  # about 2 MB
    assert path.stat().st_size > 2 * limits.MAX_FILE_BYTES - 200_000
    peak, outcome = peak_bytes(lambda: read_path(path))
    assert isinstance(outcome, ReadError)
    message = str(outcome)
    assert message.startswith(str(path)) and "over the limit of 1 MB" in message
    assert "split the export" in message
    assert peak < 64_000, peak  # the file was never read into memory


def test_bytes_over_the_size_limit_are_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1 * MB)
    data = ris(30_000)
    peak, outcome = peak_bytes(lambda: read_bytes(data, "upload.ris"))
    assert isinstance(outcome, ReadError)
    assert re.match(r"upload\.ris: the file is \d MB, over the limit of 1 MB; split", str(outcome))
    assert peak < 64_000, peak


def test_file_at_the_size_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    data = ris(100)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", len(data))
    assert read_bytes(data, "exact.ris").report.records_read == 100


# -- records ---------------------------------------------------------------------------------
def test_file_over_the_record_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_RECORDS", 50)
    assert read_bytes(ris(50), "fifty.ris").report.records_read == 50
    with pytest.raises(ReadError) as caught:
        read_bytes(ris(51), "fifty-one.ris")
    message = str(caught.value)
    assert message.startswith("fifty-one.ris: holds at least 51 records, over the limit of 50")
    assert "split the export" in message


def test_skipped_records_count_towards_the_record_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of 60 empty records is as big a job as 60 full ones."""
    monkeypatch.setattr(limits, "MAX_RECORDS", 50)
    empty = b"TY  - JOUR\nPY  - 2020\nER  - \n" * 60
    with pytest.raises(ReadError, match=r"holds (at least )?60 records"):
        read_bytes(empty, "empties.ris")


def test_file_over_the_record_limit_is_refused_before_parsing_it_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_RECORDS", 1_000)
    data = ris(5_000, title="t")  # 0.25 MB, five times the limit
    peak, outcome = peak_bytes(lambda: read_bytes(data, "many.ris"))
    assert isinstance(outcome, ReadError)
    assert peak < 10 * len(data), peak


@pytest.mark.parametrize(
    ("name", "one"),
    [
        ("many.nbib", "PMID- 1\nTI  - t\n\n"),
        ("many.txt", "PT J\nAU Doe, J\nTI t\nSO JOURNAL\nPY 2020\nUT WOS:1\nER\n\n"),
        ("many.csv", None),
    ],
)
def test_other_formats_over_the_record_limit_are_refused_early(
    monkeypatch: pytest.MonkeyPatch, name: str, one: str | None
) -> None:
    monkeypatch.setattr(limits, "MAX_RECORDS", 1_000)
    if one is None:
        text = "title,year\n" + "t,2020\n" * 5_000
    else:
        text = "FN Clarivate Analytics Web of Science\nVR 1.0\n" if "PT J" in one else ""
        text += one * 5_000
    data = text.encode()
    peak, outcome = peak_bytes(lambda: read_bytes(data, name))
    assert isinstance(outcome, ReadError), outcome
    assert "over the limit" in str(outcome)
    # stopped at the limit: at most the limit's worth of records was ever built
    assert peak < 10 * len(data) + 2_000 * 1_000, peak


# -- archives and binaries -------------------------------------------------------------------
def zip_bomb(inner: int = 50 * MB) -> bytes:
    """A small ZIP that holds ``inner`` bytes of zeros, zipped again inside a ZIP."""
    first = io.BytesIO()
    with zipfile.ZipFile(first, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.ris", b"\0" * inner)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.zip", first.getvalue())
    return outer.getvalue()


def _elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + random.Random(1).randbytes(200_000)


ARCHIVES_AND_BINARIES: dict[str, tuple[Callable[[], bytes], str]] = {
    "zip-bomb": (zip_bomb, "ZIP archive"),
    "gzip-bomb": (lambda: gzip.compress(b"TY  - JOUR\n" * 5_000_000), "gzip"),
    "empty-zip": (lambda: b"PK\x05\x06" + b"\0" * 18, "binary"),
    "bzip2": (lambda: bz2.compress(b"TY  - JOUR\n" * 100_000), "binary"),
    "xz": (lambda: lzma.compress(b"TY  - JOUR\n" * 100_000), "binary"),
    "png": (lambda: b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(300_000), "PNG"),
    "jpeg": (lambda: b"\xff\xd8\xff\xe0" + random.Random(3).randbytes(300_000), "JPEG"),
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << >> endobj\n" * 20_000, "PDF"),
    "elf": (_elf, "binary"),
    "random": (lambda: random.Random(4).randbytes(1 * MB), "binary"),
    "xlsx": (lambda: b"PK\x03\x04" + random.Random(5).randbytes(100_000), "Excel"),
    "sqlite": (lambda: b"SQLite format 3\x00" + b"\0" * 100_000, "SQLite"),
}


@cache
def sample(kind: str) -> bytes:
    return ARCHIVES_AND_BINARIES[kind][0]()


@pytest.mark.parametrize("kind", sorted(ARCHIVES_AND_BINARIES))
@pytest.mark.parametrize("suffix", [".ris", ".bib", ".csv", ".txt"])
def test_archives_and_binaries_named_as_exports_are_refused(kind: str, suffix: str) -> None:
    # a PDF ends in white space: the empty-file test once copied it whole to strip it
    says = ARCHIVES_AND_BINARIES[kind][1]
    data = sample(kind)
    name = f"export{suffix}"
    peak, outcome = peak_bytes(lambda: read_bytes(data, name))
    assert isinstance(outcome, ReadError), outcome
    message = str(outcome)
    assert message.startswith(f"{name}: ") and "\n" not in message
    assert says in message, message
    # refused from its first bytes: nothing decompressed, decoded or copied whole
    assert peak < max(300_000, len(data) // 4), (peak, len(data))


# -- the command line ------------------------------------------------------------------------
def test_cli_refuses_over_limit_files_one_line_each_and_reads_the_rest(tmp_path: Path) -> None:
    big = tmp_path / "big.ris"
    big.write_bytes(ris(20_000))  # about 1.3 MB, over a 1 MB limit
    many = tmp_path / "many.ris"
    many.write_bytes(ris(4))
    bomb = tmp_path / "refs.ris"
    bomb.write_bytes(zip_bomb())
    good = tmp_path / "good.ris"
    good.write_bytes(ris(3))
    env = {**os.environ, "LITREVIEW_MAX_FILE_MB": "1", "LITREVIEW_MAX_RECORDS": "3"}
    out = tmp_path / "out.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lib.cli",
            "ingest",
            str(big),
            str(many),
            str(bomb),
            str(good),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split(":", 2)[1].strip() for e in errors] == [str(big), str(many), str(bomb)]
    assert "Traceback" not in done.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 3
