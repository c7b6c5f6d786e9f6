"""Checks every reader's tests make in the same way, kept once.

Each `tests/test_reader_*.py` keeps its own fixtures and field-by-field expectations; what
is the same for every reader lives here:

- `check`: named fields of a record equal the values given;
- `other_fixtures` / `not_claimed_test`: a reader's sniffer claims no other format's
  fixture or shared sample (detection must not pick the wrong reader);
- `assert_sane`: whatever text a reader is given, it raises `ReadError` or returns records
  and skips whose line numbers lie inside the text, and every record without a title, an
  author or a DOI is marked incomplete;
- `cut_and_spliced`: fixtures cut short and spliced together, the shapes a truncated or
  badly joined export takes;
- `each_sample` / `read_sample`: a test over the real exports in ../shared/samples of one
  manifest format, each read by the right reader with the manifest's exact count.

This module is not a test module, so pytest does not rewrite its asserts: each assert
carries its own message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import strategies as st

from lib.encoding import decode, normalise_newlines
from lib.ingest import FileRead, read_path
from lib.readers.base import SNIFF_CHARS, ReadError, ReadResult
from lib.readers.registry import MIN_CONFIDENCE
from tests.conftest import DATA, SHARED, sample_manifest

__all__ = [
    "assert_not_claimed",
    "assert_sane",
    "check",
    "cut_and_spliced",
    "each_sample",
    "fixture_id",
    "not_claimed_test",
    "other_fixtures",
    "read_sample",
]

Read = Callable[[str, str], ReadResult]
Sniff = Callable[[str], float]


def check(record: object, **expected: object) -> None:
    """Each named field of ``record`` equals the value given; the message names the field."""
    for name, value in expected.items():
        got = getattr(record, name)
        assert got == value, f"{name}: {got!r} != {value!r}"


def other_fixtures(own_dir: str, own_format: str) -> list[Path]:
    """Every reader fixture but those in ``tests/data/readers/<own_dir>``, and every shared
    sample whose manifest format is not ``own_format`` (samples only when present)."""
    paths = [p for p in (DATA / "readers").glob("*/*") if p.parent.name != own_dir]
    samples = SHARED / "samples"
    if samples.exists():
        paths += [samples / r["file"] for r in sample_manifest() if r["format"] != own_format]
    return sorted(paths)


def fixture_id(path: Path) -> str:
    """A short test id for a fixture: its folder and name."""
    return f"{path.parent.name}/{path.name}"


def assert_not_claimed(sniff: Sniff, path: Path) -> None:
    """``sniff`` is not confident enough to claim the file (skips a file that is not text)."""
    try:
        text, _ = decode(path.read_bytes(), path.name)
    except ReadError:
        pytest.skip("not text")
    confidence = sniff(text[:SNIFF_CHARS])
    assert confidence < MIN_CONFIDENCE, f"{fixture_id(path)} claimed with {confidence}"


def not_claimed_test(sniff: Sniff, own_dir: str, own_format: str) -> Callable[[Path], None]:
    """A test, one case per `other_fixtures` file, that ``sniff`` claims none of them.

    Assign it to a ``test_...`` name in the reader's test module for pytest to collect.
    """

    @pytest.mark.parametrize("path", other_fixtures(own_dir, own_format), ids=fixture_id)
    def test_does_not_claim_other_formats(path: Path) -> None:
        assert_not_claimed(sniff, path)

    return test_does_not_claim_other_formats


def line_count(text: str, *, cr_ends_lines: bool) -> int:
    """How many lines ``text`` has; a lone CR ends a line only for readers that say so."""
    return (normalise_newlines(text) if cr_ends_lines else text).count("\n") + 1


def assert_sane(
    read: Read,
    text: str,
    file_name: str,
    *,
    cr_ends_lines: bool = False,
    most_records: int | None = None,
) -> None:
    """``read(text, file_name)`` raises `ReadError` or gives a result a user can trust.

    Every record and every skip has a line inside the text, and every record has a title,
    an author or a DOI or is marked incomplete (kept, so counts reconcile).
    ``cr_ends_lines``: the reader counts a lone CR as a line end (the readers that
    normalise line ends themselves, and expat). ``most_records``: an upper
    bound on records read plus skipped (the record start tags in the text, say).
    """
    try:
        result = read(text, file_name)
    except ReadError:
        return
    lines = line_count(text, cr_ends_lines=cr_ends_lines)
    for record in result.records:
        assert record.line is not None and 1 <= record.line <= lines, (
            f"record {record.record_id!r} at line {record.line} of {lines}"
        )
        assert record.identifies() or record.incomplete, (
            f"record {record.record_id!r} has no title, author or DOI and is not marked"
        )
    for skipped in result.skipped:
        assert skipped.line is not None and 1 <= skipped.line <= lines, (
            f"skipped {skipped.record!r} at line {skipped.line} of {lines}"
        )
    if most_records is not None:
        found = len(result.records) + len(result.skipped)
        assert found <= most_records, f"{found} records read or skipped, at most {most_records}"


def cut_and_spliced(
    texts: Sequence[str], longest: int, piece: int | None = None
) -> st.SearchStrategy[tuple[str, str]]:
    """Pairs ``(a[:i], a[:i] + b[j:j + k])`` for ``a``, ``b`` drawn from ``texts``.

    ``i`` and ``j`` run from 0 to ``longest`` and ``k`` from 0 to ``piece``; without
    ``piece`` the splice is the whole rest of ``b`` (``b[j:]``).
    """
    if piece is None:
        return st.tuples(
            st.sampled_from(texts),
            st.sampled_from(texts),
            st.integers(0, longest),
            st.integers(0, longest),
        ).map(lambda t: (t[0][: t[2]], t[0][: t[2]] + t[1][t[3] :]))
    return st.tuples(
        st.sampled_from(texts),
        st.sampled_from(texts),
        st.integers(0, longest),
        st.integers(0, longest),
        st.integers(0, piece),
    ).map(lambda t: (t[0][: t[2]], t[0][: t[2]] + t[1][t[3] : t[3] + t[4]]))


def each_sample(manifest_format: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Parametrise a test's ``row`` over the shared samples of ``manifest_format``.

    The test is skipped, with the reason, when ../shared/samples is absent.
    """
    rows = [r for r in sample_manifest() if r["format"] == manifest_format]

    def mark(test: Callable[..., None]) -> Callable[..., None]:
        test = pytest.mark.parametrize("row", rows, ids=[r["file"] for r in rows])(test)
        return pytest.mark.skipif(not rows, reason="../shared/samples is absent")(test)

    return mark


def read_sample(row: dict[str, str], reader_format: str) -> FileRead:
    """A shared sample read through ingest: detected as ``reader_format``, with exactly the
    manifest's record count and nothing skipped."""
    read = read_path(SHARED / "samples" / row["file"])
    report = read.report
    assert report.format == reader_format, f"{row['file']} read as {report.format}"
    assert report.records_read == int(row["records"]), (
        f"{row['file']}: {report.records_read} records, manifest says {row['records']}; "
        f"skipped: {report.skipped}"
    )
    assert report.records_skipped == 0, f"{row['file']}: skipped {report.skipped}"
    return read
