"""Turn a file's bytes into text, refusing what is not text.

Detection is hand-written: the library detectors (chardet, charset-normalizer) guess
poorly on short bibliographic files and cannot tell cp1252 from Mac Roman reliably, while
the cases reviewers meet are few and have clear signatures: a BOM, valid UTF-8, UTF-16
without a BOM (every other byte NUL), or a legacy 8-bit code page. For the last we decode
with both cp1252 and Mac Roman and keep the reading whose non-ASCII characters look like
letters in words rather than stray symbols.
"""

from __future__ import annotations

import codecs
import unicodedata

from lib.readers.base import ReadError
from lib.spreadsheet import workbook_text

__all__ = ["decode", "normalise_newlines"]

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

# Magic numbers of files people upload by mistake, with what to say about them.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (
        b"PK\x03\x04",
        "a ZIP archive (or an Excel/Word file): unzip it or export as RIS, BibTeX or CSV",
    ),
    (b"\x1f\x8b", "a gzip archive: decompress it first"),
    (b"%PDF", "a PDF document, not a reference export: export the references as RIS or BibTeX"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls/.doc): save it as CSV first"),
    (b"Rar!", "a RAR archive: extract it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive: extract it first"),
    (b"\x89PNG", "a PNG image, not a reference export: export the references as RIS or BibTeX"),
    (b"\xff\xd8\xff", "a JPEG image, not a reference export: export them as RIS or BibTeX"),
    (b"SQLite format 3\x00", "a SQLite database: open it as a project instead"),
)


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF, so every reader sees one kind of line end."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) / 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _wordlike_score(text: str) -> int:
    """How many non-ASCII characters sit like letters inside words (higher is better)."""
    score = 0
    for i, ch in enumerate(text):
        if ord(ch) < 128:
            continue
        category = unicodedata.category(ch)
        if category.startswith("L"):
            prev_ok = i > 0 and (text[i - 1].isalpha() or text[i - 1].isspace())
            next_ok = i + 1 < len(text) and (text[i + 1].isalpha() or text[i + 1].isspace())
            score += 2 if (prev_ok or next_ok) else 1
        elif ch in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0\u00b0\u00a9\u00ae":
            score += 1  # typographic punctuation is common in both code pages
        else:
            score -= 1
    return score


def decode(data: bytes, file_name: str = "") -> tuple[str, str]:
    """Decode a file, returning ``(text, encoding name)`` with LF line ends.

    Raises `ReadError` (naming the file) for empty and binary files.
    """
    if not data or data.isspace():
        raise ReadError(
            "the file is empty; export the references again and check the export finished",
            file_name=file_name,
        )
    if data.startswith(b"PK\x03\x04") and (table := workbook_text(data, file_name)) is not None:
        return table, "xlsx"  # an Excel workbook: its first table, as CSV text
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ReadError(f"this is {what}", file_name=file_name)
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return normalise_newlines(data[len(bom) :].decode(codec)), label
            except UnicodeDecodeError as exc:
                raise ReadError(
                    f"starts with a {label} byte-order mark but is not valid {label} "
                    f"(byte {exc.start + len(bom)}); re-export it as UTF-8",
                    file_name=file_name,
                ) from None
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return normalise_newlines(data.decode(utf16)), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise ReadError(
            "contains NUL bytes, so it is a binary file, not a text export; "
            "export the references as RIS, BibTeX, CSV or text",
            file_name=file_name,
        )
    try:
        return normalise_newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    control = sum(1 for b in data[:65536] if b < 9 or 13 < b < 32)
    if control > 0.01 * min(len(data), 65536):
        raise ReadError(
            "looks binary (many control bytes), not a text export; "
            "export the references as RIS, BibTeX, CSV or text",
            file_name=file_name,
        )
    candidates = []
    for codec, label in (("cp1252", "cp1252"), ("mac_roman", "mac-roman"), ("latin-1", "latin-1")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue  # cp1252 leaves five bytes undefined
        candidates.append((_wordlike_score(text), -len(candidates), text, label))
    best = max(candidates)
    return normalise_newlines(best[2]), best[3]
