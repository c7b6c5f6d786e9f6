"""Encoding detection: every export a reviewer brings decodes to the right text or says why not."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.encoding import decode
from lib.readers.base import ReadError

TEXT = "TY  - JOUR\nAU  - Müller, Jürgen\nTI  - “Peer support” – Çelik’s café study\nER  - \n"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decodes_common_encodings(data: bytes, label: str) -> None:
    text, found = decode(data, "x.ris")
    assert found == label
    assert text == TEXT


def test_mac_roman_is_told_from_cp1252() -> None:
    text = "AU  - Müller, Jürgen\nTI  - Über die Gefängnisse und Häftlinge in Köln\n"
    decoded, label = decode(text.encode("mac_roman"), "old-mac-export.txt")
    assert label == "mac-roman"
    assert decoded == text


def test_crlf_and_lone_cr_become_lf() -> None:
    text, _ = decode(b"TY  - JOUR\r\nTI  - x\rER  - \r\n", "a.ris")
    assert text == "TY  - JOUR\nTI  - x\nER  - \n"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"PK\x03\x04rest-of-zip", "ZIP"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x00\x01\x02\x03binary\x00\x00junk" * 10, "binary"),
        (b"SQLite format 3\x00....", "project"),
    ],
)
def test_refuses_what_is_not_text(data: bytes, needle: str) -> None:
    with pytest.raises(ReadError) as info:
        decode(data, "upload.ris")
    assert needle in str(info.value)
    assert str(info.value).startswith("upload.ris: ")


@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_raise_read_error(data: bytes) -> None:
    try:
        text, label = decode(data, "f")
    except ReadError:
        return
    assert "\r" not in text
    assert label
