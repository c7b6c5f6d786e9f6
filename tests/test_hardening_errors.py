"""Errors a user can act on: every documented failure names the file (and the record or
line where known) and says what to do; the command line prints one line per failure, no
traceback, and the documented exit code (`lib.commands.common`: 0 read, 2 a file could not
be read, 1 a usage or output error).

"Says what to do" is checked by wording: after the reason comes a clause (after ``;``,
``:`` or a dash) that starts with an instruction ("export ...", "split ...", "update ...").
Messages that do not yet say it are strict xfails naming the file whose wording must change,
so each turns into a failure (a reminder to drop the mark) once the wording is fixed.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lib.cli import main
from lib.ingest import read_path
from lib.project import ProjectError, open_project
from lib.readers.base import ReadError
from tests.conftest import DATA, ROOT

ACTION = re.compile(
    r"(?:[;:]|\s[-–—])\s*(?:please\s+)?(?:export|re-export|save|split|unzip|decompress|extract|"
    r"update|check|choose|give|open|create|use|raise|convert|remove|fix|try|run|rename|select|"
    r"import|make|pick|read|add|write|start)\b",
    re.IGNORECASE,
)


def says_what_to_do(message: str) -> bool:
    return bool(ACTION.search(message))


def test_action_wording_check_tells_advice_from_description() -> None:
    assert says_what_to_do("a.ris: this is a gzip archive: decompress it first")
    assert says_what_to_do("a.ris: the file is 3 MB, over the limit of 1 MB; split the export")
    assert not says_what_to_do("a.ris: this is a PDF document, not a reference export")
    assert not says_what_to_do("a.ris: the file is empty")


GOOD_RIS = "TY  - JOUR\nTI  - Peer support in prison\nAU  - Doe, J.\nPY  - 2020\nER  - \n"


# -- the input failures --------------------------------------------------------------------
@dataclass(frozen=True)
class InputFailure:
    """A file that cannot be read at all, and what its message must contain."""

    file_name: str
    make: Callable[[], bytes]
    reason: str  # a piece of the reason the message gives
    needs_wording: str = ""  # where the "what to do" is missing, and what to add


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("savedrecs.ris", GOOD_RIS)
    return buffer.getvalue()


INPUT_FAILURES: dict[str, InputFailure] = {
    "empty": InputFailure(
        "empty.ris",
        lambda: b"  \n\n",
        "empty",
    ),
    "binary-nul": InputFailure("data.ris", lambda: b"\x00\x01\x02binary\x00" * 50, "binary"),
    "binary-control": InputFailure(
        "data.bib", lambda: bytes(range(1, 9)) * 300 + b"\xff", "binary"
    ),
    "png": InputFailure(
        "figure.bib",
        lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "PNG",
    ),
    "zip": InputFailure("export.ris", _zip, "ZIP"),
    "gzip": InputFailure("export.csv", lambda: gzip.compress(GOOD_RIS.encode()), "gzip"),
    "unknown-format": InputFailure(
        "notes.txt", lambda: b"Some notes about the search\nnothing else\n", "unknown format"
    ),
    "no-bibliographic-columns": InputFailure(
        "no_bib_columns.csv",
        lambda: (DATA / "readers" / "csv" / "no_bib_columns.csv").read_bytes(),
        "no bibliographic columns",
    ),
    "bad-encoding": InputFailure(
        "bom.ris", lambda: b"\xef\xbb\xbf" + GOOD_RIS.encode() + b"\xff\xfe", "byte-order mark"
    ),
}
OVER_SIZE = InputFailure("huge.ris", lambda: GOOD_RIS.encode() * 25_000, "over the limit")


def _cases() -> list:
    out = []
    for key, failure in INPUT_FAILURES.items():
        out.append(pytest.param(failure, id=key))
    return out


@pytest.mark.parametrize("failure", _cases())
def test_unreadable_file_message_names_the_file_in_one_line(
    failure: InputFailure, tmp_path: Path
) -> None:
    path = tmp_path / failure.file_name
    path.write_bytes(failure.make())
    with pytest.raises(ReadError) as caught:
        read_path(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert failure.reason.lower() in message.lower()


@pytest.mark.parametrize("failure", _cases())
def test_unreadable_file_message_says_what_to_do(
    failure: InputFailure, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if failure.needs_wording:
        request.applymarker(pytest.mark.xfail(strict=True, reason=failure.needs_wording))
    path = tmp_path / failure.file_name
    path.write_bytes(failure.make())
    with pytest.raises(ReadError) as caught:
        read_path(path)
    assert says_what_to_do(caught.value.reason), caught.value.reason


def test_over_size_message_names_the_file_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lib import limits

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1_000_000)
    path = tmp_path / OVER_SIZE.file_name
    path.write_bytes(OVER_SIZE.make())
    with pytest.raises(ReadError) as caught:
        read_path(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "over the limit" in str(caught.value) and says_what_to_do(caught.value.reason)


# -- records skipped: the line is named ----------------------------------------------------
TRUNCATED = {
    "ris": ("cut.ris", GOOD_RIS + "TY  - JOUR\nTI  - A record the export cut\nAU  - Roe, R.\n", 6),
    "medline": (
        "cut.nbib",
        "PMID- 1\nTI  - Whole record.\nFAU - Doe, Jane\n\nPMID- 2\nTI  - Cut record\nAB  - The "
        "abstract goes on and\n",
        5,
    ),
    "endnote-xml": (
        "cut.xml",
        "<?xml version='1.0'?>\n<xml><records>\n<record><titles><title>Whole</title></titles>"
        "</record>\n<record><titles><title>Cut",
        4,
    ),
}


# Line readers read a record the file ends inside as far as it goes and keep it, marked
# incomplete (issue 16); the XML parser cannot hand over an unclosed element, so XML
# reports it skipped. Either way the report names its line and says what to do.
KEPT_WHEN_CUT = {"ris", "medline"}


@pytest.mark.parametrize("fmt", sorted(TRUNCATED))
def test_truncated_record_is_reported_with_its_line(fmt: str, tmp_path: Path) -> None:
    name, text, line = TRUNCATED[fmt]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    read = read_path(path)
    assert read.report.format == fmt
    lines = read.report.lines()
    assert lines[0].startswith(f"{name}: ")
    if fmt in KEPT_WHEN_CUT:
        assert read.report.records_read == 2
        assert "2 read (1 incomplete), 0 skipped" in lines[0]
        assert [i.line for i in read.report.incomplete] == [line]
        assert read.records[-1].incomplete and read.records[-1].line == line
        assert f"incomplete, kept: line {line}" in lines[1]
    else:
        assert read.report.records_read == 1
        assert "1 read, 1 skipped" in lines[0]
        assert [s.line for s in read.report.skipped] == [line]
        assert f"skipped line {line}" in lines[1]
    assert "ends inside this record" in lines[1]


@pytest.mark.parametrize("fmt", sorted(TRUNCATED))
def test_truncated_record_message_says_what_to_do(fmt: str, tmp_path: Path) -> None:
    name, text, _ = TRUNCATED[fmt]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = read_path(path).report
    (flagged,) = report.incomplete if fmt in KEPT_WHEN_CUT else report.skipped
    assert says_what_to_do(flagged.reason), flagged.reason


# -- project files -------------------------------------------------------------------------
def _not_sqlite(path: Path) -> None:
    path.write_text("this is not a database", encoding="utf-8")


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    with open_project(path) as project:
        project.set_meta("schema_version", "999")


PROJECT_FAILURES: dict[str, tuple[Callable[[Path], None], str]] = {
    "not-sqlite": (_not_sqlite, "not a project file"),
    "other-sqlite": (_other_sqlite, "not a project file"),
    "newer-schema": (_newer, "newer version"),
}


@pytest.mark.parametrize("kind", sorted(PROJECT_FAILURES))
def test_project_file_message_names_it_and_says_what_to_do(kind: str, tmp_path: Path) -> None:
    make, reason = PROJECT_FAILURES[kind]
    path = tmp_path / "review.sqlite"
    make(path)
    with pytest.raises(ProjectError) as caught:
        open_project(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert reason in message
    assert says_what_to_do(message.split(": ", 1)[1]), message


# -- the command line ----------------------------------------------------------------------
def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command line in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def cli_here(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The command line in this process (cheaper): exit code and stderr. An exception
    escaping `main` fails the test, as a traceback would."""
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().err


def error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[list[Path], Path]:
    """One file of each unreadable kind, plus one good file."""
    folder = tmp_path / "in"
    folder.mkdir()
    bad = []
    for failure in INPUT_FAILURES.values():
        path = folder / failure.file_name
        path.write_bytes(failure.make())
        bad.append(path)
    huge = folder / OVER_SIZE.file_name
    huge.write_bytes(OVER_SIZE.make())
    bad.append(huge)
    good = folder / "good.ris"
    good.write_text(GOOD_RIS, encoding="utf-8")
    return bad, good


@pytest.mark.parametrize("command", ["ingest", "dedupe", "code"])
def test_cli_one_line_per_unreadable_file_and_exit_2(
    command: str, inputs: tuple[list[Path], Path], tmp_path: Path
) -> None:
    bad, good = inputs
    out = tmp_path / "out.csv"
    done = cli(command, *map(str, bad), str(good), "--out", str(out),
               env={"LITREVIEW_MAX_FILE_MB": "1"})  # fmt: skip
    assert done.returncode == 2, done.stderr
    errors = error_lines(done.stderr)
    assert len(errors) == len(bad), done.stderr
    for line, path in zip(errors, bad, strict=True):
        assert line.startswith(f"error: {path}: "), line
    # the good file was still read and written
    assert out.read_text(encoding="utf-8").count("\n") >= 2


def test_cli_truncated_record_is_on_stderr_with_line_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, text, line = TRUNCATED["ris"]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, err = cli_here(capsys, "ingest", str(path), "--out", str(tmp_path / "out.csv"))
    assert code == 0, err
    assert error_lines(err) == []
    assert f"incomplete, kept: line {line}" in err


@pytest.mark.parametrize("kind", sorted(PROJECT_FAILURES))
def test_cli_bad_project_file_is_one_line_and_exit_1(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, reason = PROJECT_FAILURES[kind]
    project = tmp_path / "review.sqlite"
    make(project)
    good = tmp_path / "good.ris"
    good.write_text(GOOD_RIS, encoding="utf-8")
    code, err = cli_here(capsys, "ingest", str(good), "--project", str(project))
    assert code == 1, err
    errors = error_lines(err)
    assert len(errors) == 1 and errors[0].startswith(f"error: {project}: ")
    assert reason in errors[0]


def _output_paths(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    paths = {
        "missing-folder": tmp_path / "no" / "such" / "folder" / "out.csv",
        "parent-is-a-file": a_file / "out.csv",
        "is-a-folder": folder,
    }
    if os.geteuid() != 0:  # root writes anywhere: a read-only folder only stops other users
        readonly = tmp_path / "read-only"
        readonly.mkdir()
        readonly.chmod(0o555)
        paths["read-only-folder"] = readonly / "out.csv"
    return paths


@pytest.mark.parametrize("command", ["ingest", "dedupe", "code"])
def test_cli_unwritable_output_is_one_line_and_exit_1(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.ris"
    good.write_text(GOOD_RIS, encoding="utf-8")
    for kind, out in _output_paths(tmp_path).items():
        code, err = cli_here(capsys, command, str(good), "--out", str(out))
        assert code == 1, (kind, err)
        errors = error_lines(err)
        assert len(errors) == 1 and str(out) in errors[0], (kind, errors)


def test_cli_failed_write_leaves_no_part_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.ris"
    good.write_text(GOOD_RIS, encoding="utf-8")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _ = cli_here(capsys, "ingest", str(good), "--out", str(folder))
    assert code == 1
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.parametrize("command", ["ingest", "dedupe", "code"])
def test_cli_unwritable_output_says_what_to_do(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.ris"
    good.write_text(GOOD_RIS, encoding="utf-8")
    out = tmp_path / "no" / "such" / "folder" / "out.csv"
    _, err = cli_here(capsys, command, str(good), "--out", str(out))
    (error,) = error_lines(err)
    assert says_what_to_do(error.split(str(out), 1)[1]), error
