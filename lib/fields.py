"""Field cleaners shared by every reader, so each format only maps its fields.

These turn what an export wrote into the conventions of `lib.model.Record`. They are
written by hand because no library covers this mix: `html` does entities, but names in
"Smith JA", "J. A. Smith" and "Smith, John A." forms, DOIs behind three kinds of resolver
prefix and years inside "2016/09//" need the rules below. Every function is total: any
string in, a cleaned string (or ``None``/``[]``) out, never an exception.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "clean_doi",
    "clean_pages",
    "clean_text",
    "format_author",
    "parse_year",
    "split_authors",
    "split_keywords",
]

# HTML/JATS/MathML tags are lower case (``<i>``, ``<jats:p>``, ``<mml:math>``); EndNote's
# ``<Go to ISI>`` link placeholder and text such as ``<Review>`` are not tags.
_TAG = re.compile(r"</?(?:[a-z][a-z0-9]*:)?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>")
# Zero-width and other invisible format characters that exports leave in text, and the
# bidirectional embeddings, overrides and isolates (see `lib.textsafe.neutralise`). The
# zero-width joiner and non-joiner stay: Persian, Indic scripts and emoji need them.
# A pattern, not a `str.translate` table: translate looks every character up in a dict,
# which made it the slowest step of reading abstracts (0.12 s of 0.8 s on 2,000 records).
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
# What `str.split` would fold in ASCII text: two spaces, or any other ASCII white space.
_ASCII_SPACE_MARKS = ("  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def clean_text(value: object) -> str:
    """Plain text: HTML/JATS tags dropped, entities decoded, white space folded.

    Non-breaking and other Unicode spaces count as white space; the result is NFC so
    that "ü" typed two ways compares equal. (This runs on every field of every record,
    so the common all-ASCII case takes a fast path.)
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    elif (
        len(text) > 200  # abstracts; on short text split and join is as fast
        and not (text.startswith(" ") or text.endswith(" "))
        and not any(space in text for space in _ASCII_SPACE_MARKS)
    ):
        return text  # white space already single spaces: a few scans, not split and join
    folded = " ".join(text.split())
    # the same object when nothing changed: a record then shares it with `original`
    return text if folded == text else folded


_DOI_PREFIX = re.compile(
    r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi\s*[:=]?\s*|https?://[^/]*?/doi/(?:abs/|full/|pdf/)?)",
    re.IGNORECASE,
)
_DOI_CORE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)


def clean_doi(value: object) -> str:
    """A DOI in lower case without resolver prefix or trailing punctuation; "" if none.

    Accepts "https://doi.org/10.1/X.", "DOI: 10.1/x", "http://dx.doi.org/10.1/x" and
    URL-encoded forms; anything without a "10.nnnn/..." core gives "".
    """
    text = clean_text(value)
    if not text:
        return ""
    text = text.replace("%2F", "/").replace("%2f", "/")
    for _ in range(3):  # "doi: https://doi.org/10..." has two prefixes
        stripped = _DOI_PREFIX.sub("", text).strip()
        if stripped == text:
            break
        text = stripped
    match = _DOI_CORE.search(text)
    if not match:
        return ""
    doi = match.group(0).rstrip(".,;:)]}'\"")
    return doi.lower()


_YEAR = re.compile(
    r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)"
    # compact dates: 20170422, 201704
    r"|(?<!\d)(1[5-9]\d\d|20\d\d)(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])?(?!\d)"
)


def parse_year(value: object) -> int | None:
    """The first plausible four-digit year (1500-2100) in the value, else ``None``."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1500 <= value <= 2100 else None
    match = _YEAR.search(str(value))
    return int(match.group(1) or match.group(2)) if match else None


_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212-]+\s*")


def clean_pages(value: object) -> str:
    """Pages as "first-last" with a plain hyphen ("123–9" → "123-9"); kept otherwise."""
    text = clean_text(value)
    if not text:
        return ""
    text = _DASHES.sub("-", text)
    return text.strip("-").strip()


_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "dos",
    "du",
    "la",
    "le",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
}
_TRAILING_DOT = re.compile(r"(?<=[a-z]{2})\.$")
_CJK = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\s]+$")
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_GROUP_WORDS = re.compile(
    r"\b(group|consortium|collaboration|collaborative|committee|society|association|"
    r"institute|investigators|network|team|council|organisation|organization|ministry|"
    r"department|office|agency|service|trust|unit|centre|center|university|board|panel|"
    r"foundation|alliance|working party|task force)\b",
    re.IGNORECASE,
)


def format_author(raw: object) -> str:
    """One author name as "Family, Given" (or "Family"); group names kept whole.

    Handles "Smith, John A.", "Smith JA" (MEDLINE/Scopus initials after the family name),
    "John A. Smith", "J.A. Smith", "van der Berg, K." and "Smith, J. A., Jr.".
    """
    # a separator left inside a part ("0; 0" becoming "0, 0;") is stripped at the end too,
    # so that formatting a formatted name changes nothing
    return _format_author(raw).strip(" ;,")


def _format_author(raw: object) -> str:
    name = clean_text(raw).strip(" ;,")
    name = _TRAILING_DOT.sub("", name)  # "Smith." but not the initial in "Smith J."
    if not name:
        return ""
    if name.startswith("{") and name.endswith("}"):
        return name.strip("{}").strip()
    if "," not in name and _GROUP_WORDS.search(name):
        return name
    if "," in name:
        family, _, given = name.partition(",")
        given = given.strip(" ,")
        # "Smith, J. A., Jr." -> keep the suffix with the given names
        return f"{family.strip()}, {given}" if given else family.strip()
    parts = name.split()
    if len(parts) == 1:
        return parts[0]
    if _CJK.match(name):  # Chinese, Japanese, Korean names are written family name first
        return f"{parts[0]}, {' '.join(parts[1:])}"
    # "Smith JA" / "Smith J A" / "van der Berg K": trailing initials follow the family name
    tail = []
    while len(parts) > 1 and _INITIALS.match(parts[-1]) and parts[-1].upper() == parts[-1]:
        tail.insert(0, parts.pop())
    if tail:
        return f"{' '.join(parts)}, {' '.join(tail)}"
    # "John A. Smith", "Ludwig van Beethoven": family name is the last word plus particles
    family = [parts.pop()]
    while len(parts) > 1 and parts[-1].lower() in _PARTICLES:
        family.insert(0, parts.pop())
    return f"{' '.join(family)}, {' '.join(parts)}"


def split_authors(value: object, *, separators: str = ";") -> list[str]:
    """Split a joined author list and format each name; " and " also separates."""
    text = clean_text(value)
    if not text:
        return []
    pattern = "|".join(re.escape(s) for s in separators) + r"|\s+and\s+"
    names = [format_author(part) for part in re.split(pattern, text)]
    return [n for n in names if n]


def split_keywords(value: object, *, separators: str = ";") -> list[str]:
    """Split a joined keyword list, dropping empties, keeping order."""
    text = clean_text(value)
    if not text:
        return []
    pattern = "|".join(re.escape(s) for s in separators)
    return [k.strip() for k in re.split(pattern, text) if k.strip()]
