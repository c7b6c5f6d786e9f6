"""Fuzzed readers: whatever arrives, the outcome is records plus a report, or one error line.

Every registered reader (`lib.readers.registry.FORMATS`) and the whole path
(`lib.ingest.read_bytes`: decode, detect, read, label) are fed random bytes and text,
real exports truncated, spliced and mutated (from tests/data/readers, the demo exports and,
when present, ../shared/samples), wrong encodings, huge fields, deep nesting, NUL bytes and
files named as another format. The only exception allowed out is `ReadError`, and its
message is one line naming the file.

The hypothesis tests below generate more than 10,000 cases in all (each test counts its own
cases and fails if hypothesis ran fewer than asked). They are derandomised, so CI runs the
same cases every time whatever ``PYTHONHASHSEED`` is; set ``LITREVIEW_FUZZ_SCALE=20`` for a
long local run with 20 times as many.
"""

from __future__ import annotations

import codecs
import os
import random
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from lib.encoding import decode, normalise_newlines
from lib.ingest import read_bytes
from lib.model import ENTRY_TYPES, Record
from lib.readers.base import SNIFF_CHARS, Format, ReadError, ReadResult
from lib.readers.registry import FORMATS, get_format
from tests.conftest import DATA, ROOT, SHARED

SCALE = float(os.environ.get("LITREVIEW_FUZZ_SCALE", "1"))
FUZZ = settings(
    deadline=None,
    derandomize=True,  # same cases on every run and machine: a CI failure can be replayed
    database=None,
    suppress_health_check=list(HealthCheck),
)
SEED_CHARS = 12_000  # seeds are cut here: a truncated real file is a case in itself
SUFFIXES = sorted({s for fmt in FORMATS for s in fmt.suffixes} | {".dat", ""})


def _examples(n: int) -> int:
    return max(1, int(n * SCALE))


# -- the seed corpus -------------------------------------------------------------------------
def _seed_paths() -> list[Path]:
    paths = sorted(p for p in (DATA / "readers").rglob("*") if p.is_file())
    paths += sorted((ROOT / "data" / "demo" / "exports").glob("*"))
    samples = SHARED / "samples"
    if samples.is_dir():
        paths += sorted(p for p in samples.iterdir() if p.name not in ("MANIFEST.csv", "README.md"))
    return paths


@cache
def seed_bytes() -> tuple[tuple[str, bytes], ...]:
    """(file name, first bytes) of every seed file."""
    return tuple((p.name, p.read_bytes()[:SEED_CHARS]) for p in _seed_paths())


@cache
def seed_texts() -> tuple[tuple[str, str, str], ...]:
    """(file name, decoded text, detected format) of every seed that reads."""
    out = []
    for path in _seed_paths():
        data = path.read_bytes()
        try:
            text, _ = decode(data, path.name)
            fmt = read_bytes(data, path.name).report.format
        except ReadError:
            fmt = ""
            try:
                text, _ = decode(data, path.name)
            except ReadError:
                continue
        out.append((path.name, text[:SEED_CHARS], fmt))
    return tuple(out)


def test_seed_corpus_covers_every_reader() -> None:
    """The mutations start from real-looking files of every registered format."""
    found = {fmt for _, _, fmt in seed_texts()}
    assert {f.name for f in FORMATS} <= found


# -- mutations -------------------------------------------------------------------------------
# Pieces that open, close or confuse records in one format or another.
TOKENS = (
    "\n",
    "\n\n",
    "{",
    "}",
    "{{{{",
    "}}}}",
    "@article{",
    "@string{a = ",
    "@comment{",
    "TY  - ",
    "ER  - ",
    "TY  - JOUR\n",
    "PMID- ",
    "      ",
    "PT J\n",
    "ER\n",
    "EF\n",
    "FN Clarivate Analytics Web of Science\nVR 1.0\n",
    '"',
    '""',
    ",",
    ";",
    "\t",
    "<record>",
    "</record>",
    "<records>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#0;",
    "&#x1F600;",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>",
    "[",
    "]",
    '{"title": ',
    '"author": [{"family": ',
    "%0 Journal Article\n",
    "%A ",
    "<1>\n",
    "Record #1 of 2\n",
    "Document 1 of 2\n",
    "____________________________________________________________\n",
    "\x00",
    "\ufeff",
    "\r",
    "\\",
    '\\"{u}',
    "\\textbf{",
    "$",
    "%",
    "\u2028",
    "\u0301",
    "🙂",
    "=cmd|' /C calc'!A0",
)

OPS = ("cut", "drop", "duplicate", "token", "text", "splice", "upper")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "mac_roman")
ODD_CHARS = "{}[]<>\"',;%@-=\t\n \x00\x1b\u00a0\u00e9\u2013\u201c\u4e2d\U0001f600\ufffd"


# Hypothesis draws only a seed and the mutations run on `random.Random(seed)`: generating a
# case costs microseconds instead of the milliseconds a composite strategy takes, so the
# 10,000 cases fit in CI time. A failing case is replayed from its seed (hypothesis prints
# it, and `note` shows the input).
def mutate_text(rng: random.Random, own_format: str | None = None) -> tuple[str, str]:
    """A seed file (of ``own_format`` half the time), then up to five mutations."""
    pool = seed_texts()
    own = [s for s in pool if s[2] == own_format]
    name, text, _ = rng.choice(own if own and rng.random() < 0.5 else pool)
    for _ in range(rng.randint(0, 5)):
        op = rng.choice(OPS)
        i = rng.randint(0, len(text))
        j = rng.randint(i, min(len(text), i + 2000))
        if op == "cut":
            text = text[:i]
        elif op == "drop":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "token":
            text = text[:i] + rng.choice(TOKENS) * rng.randint(1, 3) + text[i:]
        elif op == "text":
            noise = "".join(rng.choice(ODD_CHARS) for _ in range(rng.randint(1, 40)))
            text = text[:i] + noise + text[i:]
        elif op == "splice":
            other = rng.choice(pool)[1]
            text = text[:i] + other[rng.randint(0, len(other)) :]
        else:
            text = text[:i] + text[i:j].upper() + text[j:]
    return name, text


def mutate_bytes(rng: random.Random) -> bytes:
    """A mutated seed in some encoding (BOM or not), then byte-level damage."""
    if rng.random() < 0.5:
        _, text = mutate_text(rng)
        data = text.encode(rng.choice(ENCODINGS), errors="replace")
    else:
        _, data = rng.choice(seed_bytes())
    for _ in range(rng.randint(0, 3)):
        i = rng.randint(0, len(data))
        op = rng.choice(("cut", "bytes", "nul", "cp1252", "flip", "bom"))
        if op == "cut":
            data = data[:i]  # may cut a multi-byte character or a UTF-16 code unit in half
        elif op == "bytes":
            data = data[:i] + rng.randbytes(rng.randint(1, 16)) + data[i:]
        elif op == "nul":
            data = data[:i] + b"\x00" + data[i:]
        elif op == "cp1252":  # "café “quoted” – dash" in cp1252 inside a UTF-8 file
            data = data[:i] + "café “quoted” – dash".encode("cp1252") + data[i:]
        elif op == "flip" and data:
            k = min(i, len(data) - 1)
            data = data[:k] + bytes([data[k] ^ rng.randint(1, 255)]) + data[k + 1 :]
        elif op == "bom":
            boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)
            data = rng.choice(boms) + data
    return data


SEEDS = st.integers(0, 2**64 - 1)


# -- what every outcome must look like -------------------------------------------------------
def one_line(reason: str) -> bool:
    return "\n" not in reason


def check_records(records: list[Record], text_lines: int | None = None) -> None:
    """Records follow the model's conventions, whatever the input was."""
    for rec in records:
        assert isinstance(rec, Record)
        for name in ("record_id", "title", "journal", "volume", "issue", "pages", "doi",
                     "abstract", "language", "url", "issn", "isbn"):  # fmt: skip
            assert isinstance(getattr(rec, name), str), name
        assert rec.entrytype in ENTRY_TYPES, rec.entrytype
        assert isinstance(rec.authors, list) and all(isinstance(a, str) for a in rec.authors)
        assert isinstance(rec.keywords, list) and all(isinstance(k, str) for k in rec.keywords)
        assert rec.year is None or type(rec.year) is int
        assert rec.doi == rec.doi.lower() and not rec.doi.startswith(("http", "doi:"))
        assert isinstance(rec.original, dict)
        for key, values in rec.original.items():
            assert isinstance(key, str) and isinstance(values, list), key
            assert all(isinstance(v, str) for v in values), key
        if rec.line is not None and text_lines is not None:
            assert 1 <= rec.line <= text_lines, rec.line


def check_result(result: ReadResult, text: str) -> None:
    assert isinstance(result, ReadResult)
    lines = text.count("\n") + 1
    check_records(result.records, lines)
    for skipped in result.skipped:
        assert skipped.reason and one_line(skipped.reason), skipped
        assert one_line(skipped.record), skipped
        assert skipped.line is None or 1 <= skipped.line <= lines, skipped
    assert all(isinstance(n, str) and n for n in result.notes)
    assert all(isinstance(k, str) and v > 0 for k, v in result.unknown_fields.items())


def check_reader(fmt: Format, name: str, text: str) -> None:
    """A reader: a sniff score in [0, 1], then a well-formed result or one-line ReadError."""
    text = normalise_newlines(text)  # readers get LF-only text (`lib.encoding.decode`)
    score = fmt.sniff(text[:SNIFF_CHARS])
    assert 0.0 <= float(score) <= 1.0
    try:
        result = fmt.read(text, name)
    except ReadError as exc:
        assert exc.reason and one_line(exc.reason), exc.reason
        return
    check_result(result, text)


def check_ingest(data: bytes, name: str) -> None:
    """The whole path: records plus a report naming the file, or ReadError naming it."""
    try:
        read = read_bytes(data, name)
    except ReadError as exc:
        message = str(exc)
        assert one_line(exc.reason) and message.startswith(name), message
        assert exc.file_name == name and "\n" not in message.split(exc.reason)[0]
        return
    report = read.report
    assert report.file_name == name and report.records_read == len(read.records)
    assert "\n" not in report.lines()[0]
    assert all(one_line(s.reason) and one_line(s.record) for s in report.skipped)
    ids = [r.record_id for r in read.records]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(r.source_file == name and r.source_db for r in read.records)
    check_records(read.records)


def run_counted(n: int, strategy: st.SearchStrategy, check: Callable[[Any], None]) -> int:
    """Run ``check`` on ``n`` generated cases; returns how many hypothesis really ran."""
    count = 0

    @settings(FUZZ, max_examples=n)
    @given(strategy)
    def inner(case: Any) -> None:
        nonlocal count
        count += 1
        check(case)

    inner()
    return count


# -- the generated cases (10,000+ in all) ----------------------------------------------------
READER_CASES = 600  # x 13 readers
TEXT_CASES = 80  # x 13 readers
INGEST_CASES = 2000
BYTES_CASES = 1000


def test_case_budget_is_over_ten_thousand() -> None:
    total = (READER_CASES + TEXT_CASES) * len(FORMATS) + INGEST_CASES + BYTES_CASES
    assert total >= 10_000, total


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_reader_survives_mutated_exports(fmt: Format) -> None:
    def check(seed: int) -> None:
        name, text = mutate_text(random.Random(seed), fmt.name)
        note(f"{name}: {text[:3000]!r}")
        check_reader(fmt, name, text)

    n = _examples(READER_CASES)
    assert run_counted(n, SEEDS, check) >= n


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_reader_survives_random_text(fmt: Format) -> None:
    alphabet = st.characters(codec="utf-8") | st.sampled_from(ODD_CHARS)

    def check(text: str) -> None:
        check_reader(fmt, f"random{fmt.suffixes[0]}", text)

    n = _examples(TEXT_CASES)
    assert run_counted(n, st.text(alphabet, max_size=400), check) >= n


def test_ingest_survives_mutated_bytes_under_any_name() -> None:
    def check(seed: int) -> None:
        rng = random.Random(seed)
        data, name = mutate_bytes(rng), "export" + rng.choice(SUFFIXES)
        note(f"{name}: {data[:3000]!r}")
        check_ingest(data, name)

    n = _examples(INGEST_CASES)
    assert run_counted(n, SEEDS, check) >= n


def test_ingest_survives_random_bytes() -> None:
    def check(data: bytes) -> None:
        check_ingest(data, "x" + SUFFIXES[len(data) % len(SUFFIXES)])

    n = _examples(BYTES_CASES)
    assert run_counted(n, st.binary(max_size=3000), check) >= n


# -- hand-built hostile files ----------------------------------------------------------------
BIG = 5_000_000
HUGE_TITLE = ("Peer support " * (BIG // 13 + 1))[:BIG].strip()

# One record per format whose title is one 5 MB line (written as `@T@` below).
HUGE_FIELD_FILES: dict[str, tuple[str, str]] = {
    "ris": ("big.ris", "TY  - JOUR\nAU  - Doe, Jane\nTI  - @T@\nPY  - 2020\nER  - \n"),
    "bibtex": ("big.bib", "@article{doe2020,\n  author = {Doe, Jane},\n  title = {@T@},\n}\n"),
    "csv": ("big.csv", 'Title,Authors,Year\n"@T@","Doe, Jane",2020\n'),
    "medline": ("big.nbib", "PMID- 1\nTI  - @T@\nFAU - Doe, Jane\nDP  - 2020\n"),
    "wos": (
        "big.txt",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Doe, J\n"
        "TI @T@\nPY 2020\nUT WOS:1\nER\n\nEF\n",
    ),
    "refer": ("big.enw", "%0 Journal Article\n%A Doe, Jane\n%T @T@\n%D 2020\n"),
    "csl-json": (
        "big.json",
        '[{"id": "a", "type": "article-journal", "title": "@T@", '
        '"author": [{"family": "Doe", "given": "Jane"}]}]',
    ),
    "endnote-xml": (
        "big.xml",
        "<?xml version='1.0'?><xml><records><record><ref-type name="
        "'Journal Article'>17</ref-type><contributors><authors><author>Doe, Jane"
        "</author></authors></contributors><titles><title>@T@</title></titles>"
        "</record></records></xml>",
    ),
    "pubmed-xml": (
        "big.xml",
        "<?xml version='1.0'?><PubmedArticleSet><PubmedArticle>"
        "<MedlineCitation><PMID>1</PMID><Article><ArticleTitle>@T@</ArticleTitle>"
        "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
    ),
    "cochrane": ("big.txt", "Record #1 of 1\nID: CN-1\nAU: Doe J\nTI: @T@\nYR: 2020\n"),
}


@pytest.mark.parametrize("format_name", sorted(HUGE_FIELD_FILES))
def test_five_megabyte_title_is_read_whole(format_name: str) -> None:
    name, template = HUGE_FIELD_FILES[format_name]
    read = read_bytes(template.replace("@T@", HUGE_TITLE).encode(), name)
    assert read.report.format == format_name
    assert [len(r.title) for r in read.records] == [len(HUGE_TITLE)]


def test_bibtex_100k_deep_braces_read_or_refused_in_one_line() -> None:
    deep = "{" * 100_000 + "x" + "}" * 100_000
    closed = f"@article{{k,\n  title = {{{deep}}},\n  author = {{Doe, Jane}},\n}}\n"
    read = read_bytes(closed.encode(), "deep.bib")
    assert read.report.records_read + read.report.records_skipped == 1
    check_records(read.records)
    unclosed = "@article{k,\n  title = {" + "{" * 100_000 + "x\n@article{ok, title={Fine}}\n"
    check_ingest(unclosed.encode(), "deep-unclosed.bib")
    read = read_bytes(unclosed.encode(), "deep-unclosed.bib")
    assert read.report.records_read + read.report.records_skipped >= 1


@pytest.mark.parametrize(
    ("format_name", "text"),
    [
        ("csl-json", "[" * 100_000 + "]" * 100_000),
        ("csl-json", '{"items": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001),
        ("pop-json", "[" * 100_000 + "]" * 100_000),
        (
            "endnote-xml",
            "<xml><records><record>"
            + "<a>" * 100_000
            + "</a>" * 100_000
            + "</record></records></xml>",
        ),
        (
            "pubmed-xml",
            "<PubmedArticleSet><PubmedArticle>"
            + "<a>" * 100_000
            + "</a>" * 100_000
            + "</PubmedArticle></PubmedArticleSet>",
        ),
    ],
)
def test_deep_json_and_xml_nesting(format_name: str, text: str) -> None:
    assert 0 <= get_format(format_name).sniff(text[:SNIFF_CHARS]) <= 1
    try:
        read = read_bytes(text.encode(), "deep.dat", format_name=format_name)
    except ReadError as exc:
        assert str(exc).startswith("deep.dat: ") and "\n" not in str(exc)
        return
    check_records(read.records)


@cache
def _outcome(data: bytes, name: str) -> tuple:
    try:
        read = read_bytes(data, name)
    except ReadError as exc:
        return ("error", exc.reason)
    return (
        read.report.format,
        [(r.record_id, r.title, r.authors, r.year, r.doi, r.line) for r in read.records],
        [(s.line, s.reason) for s in read.report.skipped],
    )


SMALL_SEEDS = [(n, d) for n, d in seed_bytes() if len(d) < SEED_CHARS]


@pytest.mark.parametrize(("name", "data"), SMALL_SEEDS, ids=[n for n, _ in SMALL_SEEDS])
def test_file_named_as_another_format_reads_by_content(name: str, data: bytes) -> None:
    """A .bib holding RIS, a .csv holding MEDLINE...: the content decides, not the name."""
    expected = _outcome(data, name)
    stem = Path(name).stem
    for suffix in SUFFIXES:
        assert _outcome(data, stem + suffix) == expected, suffix


def _utf8_seeds() -> list[tuple[str, str]]:
    out = []
    for name, data in SMALL_SEEDS:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            out.append((name, text))
    return out


UTF8_SEEDS = _utf8_seeds()


@pytest.mark.parametrize(("name", "text"), UTF8_SEEDS, ids=[n for n, _ in UTF8_SEEDS])
def test_wrong_encodings_read_the_same_records(name: str, text: str) -> None:
    """UTF-16 without a BOM reads as the UTF-8 file does; a legacy code page too when the
    text fits in it; cp1252 bytes pasted into a UTF-8 file lose no record."""
    expected = _outcome(text.encode("utf-8"), name)
    for codec in ("utf-16-le", "utf-16-be"):
        assert _outcome(text.encode(codec), name) == expected, codec
    for codec in ("cp1252", "mac_roman"):
        try:
            data = text.encode(codec)
        except UnicodeEncodeError:
            continue
        got = _outcome(data, name)
        assert got[0] == expected[0]
        if got[0] != "error":
            assert [r[0] for r in got[1]] == [r[0] for r in expected[1]], codec
    if expected[0] == "error":
        return
    # a cp1252 phrase pasted into the middle of the file: the file still reads, same count
    middle = text.rfind("\n", 0, len(text) // 2) + 1
    mixed = (text[:middle].encode() + "Café “quoted”\n".encode("cp1252")) + text[middle:].encode()
    got = _outcome(mixed, name)
    if got[0] != "error":
        assert len(got[1]) + len(got[2]) >= len(expected[1]) + len(expected[2]) - 1


@pytest.mark.parametrize(("name", "data"), SMALL_SEEDS, ids=[n for n, _ in SMALL_SEEDS])
def test_nul_byte_anywhere_is_refused_or_read(name: str, data: bytes) -> None:
    for at in (0, len(data) // 3, len(data) // 2, len(data) - 1):
        check_ingest(data[:at] + b"\x00" + data[at:], name)
        check_ingest(data[:at] + b"\x00" * 64 + data[at:], name)


# -- regressions: reasons that once quoted raw, multi-line text -----------------------------
def test_known_csv_header_with_line_break_gives_one_line_error() -> None:
    with pytest.raises(ReadError) as caught:
        read_bytes(b'"name\nwith break",amount\napples,3\n', "fruit.csv", format_name="csv")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        b"@article{good, title={G}}\n@article{k, title={A}, grouping:\n0 All;\n1 Static;\n}\n",
        b"@article{good, title={G}}\n@article{no_comma\nMeSH Headings\n  Humans\n}\n",
    ],
    ids=["field-name", "entry-key"],
)
def test_known_bibtex_line_breaks_in_skip_messages(text: bytes) -> None:
    read = read_bytes(text, "jabref.bib")
    assert read.report.records_skipped == 1
    assert all("\n" not in line for line in read.report.lines())
