"""Turn a file's bytes into text, refusing what is not text.

Detection is hand-written: the library detectors (chardet, charset-normalizer) guess
poorly on short bibliographic files and cannot tell cp1252 from Mac Roman reliably, while
the cases reviewers meet are few and have clear signatures: a BOM, valid UTF-8, UTF-16
without a BOM (every other byte NUL), or a legacy 8-bit code page. For the last we decode
with both cp1252 and Mac Roman and keep the reading whose non-ASCII characters sit where
such characters go: typographic punctuation where punctuation goes, accented letters
inside words, capitals at the start of words (`_char_score`).

A few NUL bytes in a text export (a database's padding inside one field) are removed and
reported with their lines, and the file is read; a file with many control bytes is
binary and refused.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from lib.readers.base import ReadError
from lib.spreadsheet import workbook_text

__all__ = ["Decoded", "decode", "decode_file", "normalise_newlines"]

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


_OPENING = "\u2018\u201c\u201e\u00ab"  # ‘ “ „ «
_CLOSING = "\u2019\u201d\u00bb"  # ’ ” »
_DASHES = "\u2013\u2014"  # – —
_OTHER_TYPOGRAPHIC = "\u00a0\u00b0\u00a9\u00ae\u20ac\u2022\u2122\u00b7"
# Letters one code page has where the other has a common one, but that text hardly ever
# holds: Mac Roman's ÿ ı ﬁ ﬂ (cp1252's Ø õ Þ ß), cp1252's ƒ (Mac Roman's É).
_RARE_LETTERS = "\u00ff\u0131\ufb01\ufb02\u0192"


def _char_score(prev: str, ch: str, nxt: str) -> int:
    """How likely ``ch`` is, between ``prev`` and ``nxt``, in the text of a reference.

    What tells cp1252 from Mac Roman apart is where their readings of one byte differ:
    cp1252's 0x80-0x9F are typographic punctuation (’ “ ” – —) where Mac Roman has
    accented lower-case letters, and cp1252's accented letters are Mac Roman's accented
    capitals and symbols (and the other way round). Punctuation in the place punctuation
    goes (an apostrophe after a letter, a dash between spaces or digits) is likelier than
    a lower-case letter ending a word, which is likelier than an accented capital; a
    capital inside a word, a modifier or a symbol is unlikely.
    """
    prev_letter, next_letter = prev.isalpha(), nxt.isalpha()
    if ch in _CLOSING:
        if ch == "\u00bb":  # », with a space before it in French
            return 2 if prev.isspace() or prev_letter else 0
        return 3 if prev_letter or prev in ".,!?" or prev.isdigit() else 0
    if ch in _OPENING:
        if ch == "\u00ab":  # «
            return 2 if nxt.isspace() or next_letter else 0
        return 3 if (nxt.isalnum() and not prev_letter) else 1
    if ch in _DASHES:
        spaced = (prev.isspace() or prev.isdigit()) and (nxt.isspace() or nxt.isdigit())
        if spaced:
            return 3
        # "support—a": an em dash between words; as likely as a letter there (ties go
        # to cp1252, by far the commoner of the two today)
        return 2 if ch == "\u2014" and prev_letter and next_letter else 1
    if ch == "\u2026":  # …, never right before a letter
        return 0 if next_letter else 2
    if ch in _OTHER_TYPOGRAPHIC:
        return 1
    if ch in _RARE_LETTERS:
        return -1
    category = unicodedata.category(ch)
    if category == "Ll":
        return 2 if prev_letter or next_letter else 0
    if category == "Lu":
        if prev.islower() or (prev.isupper() and nxt.islower()):
            return -2  # a capital inside a word: "rÈsumÈ", "HŠftlinge"
        if not prev_letter and (nxt.islower() or not next_letter):
            return 1  # a capital starting a word ("École"), or one standing alone ("Ó")
        return 1 if prev.isupper() or nxt.isupper() else 0  # in a word in capitals
    return -2  # a modifier ("ˆ"), a symbol or a control character amid the text


def _wordlike_score(text: str) -> int:
    """How plausible the non-ASCII characters of a reading are (higher is better)."""
    score = 0
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ord(ch) < 128:
            continue
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i < last else " "
        score += _char_score(prev, ch, nxt)
    return score


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text (LF line ends), the encoding it was read in, and what was repaired."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def decode(data: bytes, file_name: str = "") -> tuple[str, str]:
    """Decode a file, returning ``(text, encoding name)`` with LF line ends.

    Raises `ReadError` (naming the file) for empty and binary files. See `decode_file`
    for the notes on what was repaired.
    """
    decoded = decode_file(data, file_name)
    return decoded.text, decoded.encoding


# Control bytes (NUL included; tab, line ends and form feeds excepted) above this share of
# the first 64 KiB make a file binary. Text exports have none, or a few NULs padding a
# field; binary files have them everywhere (one byte in eight in random data).
_BINARY_SHARE = 0.05
_SAMPLE = 65536


_CONTROL = bytes([*range(9), *range(14, 32)])


def _control_share(data: bytes) -> float:
    sample = data[:_SAMPLE]
    control = len(sample) - len(sample.translate(None, _CONTROL))
    return control / max(1, len(sample))


def _strip_nuls(data: bytes, file_name: str) -> tuple[bytes, str]:
    """The bytes without their NULs, and a note naming the lines they were on."""
    if _control_share(data) > _BINARY_SHARE:
        raise ReadError(
            "contains many NUL and control bytes, so it is a binary file, not a text "
            "export; export the references as RIS, BibTeX, CSV or text",
            file_name=file_name,
        )
    breaks = b"\n" if b"\n" in data else b"\r"
    lines: list[int] = []
    pos = data.find(b"\x00")
    line, counted = 1, 0
    while pos >= 0:
        line += data.count(breaks, counted, pos)
        counted = pos
        if not lines or lines[-1] != line:
            lines.append(line)
        pos = data.find(b"\x00", pos + 1)
    count = data.count(b"\x00")
    shown = ", ".join(map(str, lines[:10])) + (
        f" and {len(lines) - 10} more" if len(lines) > 10 else ""
    )
    note = (
        f"{count} NUL byte(s) removed from the text (line{'s' if len(lines) > 1 else ''} "
        f"{shown}); the records there were read without them"
    )
    return data.replace(b"\x00", b""), note


def decode_file(data: bytes, file_name: str = "") -> Decoded:
    """Decode a file (see the module docstring); raises `ReadError` naming the file."""
    if not data or data.isspace():
        raise ReadError(
            "the file is empty; export the references again and check the export finished",
            file_name=file_name,
        )
    if data.startswith(b"PK\x03\x04") and (table := workbook_text(data, file_name)) is not None:
        return Decoded(table, "xlsx")  # an Excel workbook: its first table, as CSV text
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ReadError(f"this is {what}", file_name=file_name)
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(normalise_newlines(data[len(bom) :].decode(codec)), label)
            except UnicodeDecodeError as exc:
                raise ReadError(
                    f"starts with a {label} byte-order mark but is not valid {label} "
                    f"(byte {exc.start + len(bom)}); re-export it as UTF-8",
                    file_name=file_name,
                ) from None
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return Decoded(normalise_newlines(data.decode(utf16)), "utf-16")
        except UnicodeDecodeError:
            pass
    notes: tuple[str, ...] = ()
    if b"\x00" in data:
        data, note = _strip_nuls(data, file_name)
        notes = (note,)
        if not data or data.isspace():
            raise ReadError("holds nothing but NUL bytes", file_name=file_name)
    try:
        return Decoded(normalise_newlines(data.decode("utf-8")), "utf-8", notes)
    except UnicodeDecodeError:
        pass
    if _control_share(data) > 0.01:
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
    return Decoded(normalise_newlines(best[2]), best[3], notes)
