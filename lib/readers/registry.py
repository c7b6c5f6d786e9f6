"""The registry of formats, and detection by content.

Adding a format: write `lib/readers/<name>.py` defining ``FORMAT`` and add it to `FORMATS`.
Order matters only for ties: more specific formats (a CSV dialect with its own marker
columns) come before general ones.
"""

from __future__ import annotations

from pathlib import PurePath

from lib.readers import (
    bibtex,
    cochrane,
    csljson,
    csvtable,
    endnote_xml,
    medline,
    ovid,
    pop,
    proquest,
    pubmed_xml,
    refer,
    ris,
    wos,
)
from lib.readers.base import SNIFF_CHARS, Format, ReadError

__all__ = ["FORMATS", "detect", "get_format"]

FORMATS: tuple[Format, ...] = (
    ris.FORMAT,
    medline.FORMAT,
    wos.FORMAT,
    pubmed_xml.FORMAT,
    endnote_xml.FORMAT,
    ovid.FORMAT,
    proquest.FORMAT,
    cochrane.FORMAT,
    bibtex.FORMAT,
    refer.FORMAT,
    pop.FORMAT,  # before CSL-JSON: both are JSON arrays, Publish or Perish is the narrower
    csljson.FORMAT,
    csvtable.FORMAT,
)

# Below this confidence no format is claimed: "unknown format" beats a wrong guess.
MIN_CONFIDENCE = 0.3


def get_format(name: str) -> Format:
    """The format registered under ``name`` (for an explicit ``--format``)."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    names = ", ".join(f.name for f in FORMATS)
    raise ReadError(f"unknown format {name!r}; known formats: {names}")


def detect(text: str, file_name: str = "") -> Format:
    """The format the text is in, by content; the suffix only breaks near-ties."""
    head = text[:SNIFF_CHARS]
    suffix = PurePath(file_name).suffix.lower()
    best: tuple[float, int, Format] | None = None
    for order, fmt in enumerate(FORMATS):
        try:
            score = float(fmt.sniff(head))
        except Exception:  # a sniffer must never stop detection  # noqa: BLE001
            score = 0.0
        if score <= 0:
            continue
        if suffix and suffix in fmt.suffixes:
            score += 0.05
        key = (score, -order, fmt)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None or best[0] < MIN_CONFIDENCE:
        hint = (
            f" (the name ends in {suffix!r}, but the content does not match it)" if suffix else ""
        )
        raise ReadError(
            "unknown format: not RIS, BibTeX, MEDLINE, PubMed XML, Web of Science, EndNote "
            "(XML or .enw), Ovid, ProQuest or Cochrane text, CSV/TSV, CSL-JSON or Publish or "
            f"Perish JSON{hint}; export the references in one of these formats",
            file_name=file_name,
        )
    return best[2]
